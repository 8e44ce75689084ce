import { badRequest } from '../http/problem.js';
import { validateGeometry } from './geojson.js';
import type { ResolvedContext } from './jsonld/contexts.js';

/** The attribute types of NGSI-LD v1.8. */
export const ATTRIBUTE_TYPES = [
  'Property',
  'Relationship',
  'GeoProperty',
  'LanguageProperty',
  'VocabProperty',
  'JsonProperty',
  'ListProperty',
  'ListRelationship',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** One stored attribute instance: see docs/broker-storage.md. */
export interface Instance {
  type: AttributeType;
  value?: unknown;
  object?: string | string[];
  objectType?: string | string[];
  languageMap?: Record<string, string | string[]>;
  vocab?: string | string[];
  json?: unknown;
  valueList?: unknown[];
  objectList?: string[];
  datasetId?: string;
  observedAt?: string;
  unitCode?: string;
  createdAt?: string;
  modifiedAt?: string;
  sub?: Record<string, Instance>;
}

export type Attrs = Record<string, Instance[]>;

/** An entity as the broker holds it: types and attribute names expanded. */
export interface StoredEntity {
  id: string;
  types: string[];
  scopes: string[] | null;
  attrs: Attrs;
  createdAt: string;
  modifiedAt: string;
}

/** An entity parsed from a request, before it meets what is stored. */
export interface IncomingEntity {
  id: string;
  types: string[];
  scopes: string[] | null | undefined;
  attrs: Attrs;
}

const INSTANCE_MEMBERS = new Set([
  'type',
  'value',
  'object',
  'objectType',
  'languageMap',
  'vocab',
  'json',
  'valueList',
  'objectList',
  'datasetId',
  'observedAt',
  'unitCode',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'instanceId',
  'lang',
  'previousValue',
]);
/** Members of an attribute that are never sub-attributes, even when the client sends them. */
const SYSTEM_MEMBERS = new Set(['createdAt', 'modifiedAt', 'deletedAt', 'instanceId']);

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const FORBIDDEN_NAME = /[\s<>"'=;()\\]/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export const NULL_URI = 'urn:ngsi-ld:null';

/** Attributes the core context reserves as GeoProperties (GS CIM 009 4.7). */
export const GEO_ATTRIBUTES = new Set([
  'https://uri.etsi.org/ngsi-ld/location',
  'https://uri.etsi.org/ngsi-ld/observationSpace',
  'https://uri.etsi.org/ngsi-ld/operationSpace',
]);

function isNullValue(i: Instance): boolean {
  return i.value === NULL_URI || i.object === NULL_URI;
}

export function isUri(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 2048 && URI.test(v);
}

export function assertEntityId(id: unknown, where = 'id'): string {
  if (!isUri(id))
    throw badRequest(`${where} must be a URI (e.g. urn:ngsi-ld:Vessel:227006760), got ${show(id)}`);
  return id;
}

export function assertAttributeName(name: string): void {
  if (!name || name.length > 512 || FORBIDDEN_NAME.test(name)) {
    throw badRequest(`invalid attribute name ${show(name)}`);
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function toIsoDateTime(v: unknown, where: string): string {
  if (typeof v !== 'string' || !DATE_TIME.test(v)) throw badRequest(`${where} must be an ISO 8601 date-time`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest(`${where} is not a valid date-time: ${show(v)}`);
  // Kept as sent so that what goes in comes back unchanged; comparisons parse it.
  return v;
}

export function parseTypes(t: unknown, ctx: ResolvedContext, where = 'type'): string[] {
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 0) throw badRequest(`${where} must not be empty`);
  const out: string[] = [];
  for (const x of list) {
    if (typeof x !== 'string' || !x || FORBIDDEN_NAME.test(x))
      throw badRequest(`invalid entity ${where} ${show(x)}`);
    const iri = ctx.expand(x);
    if (!out.includes(iri)) out.push(iri);
  }
  return out;
}

export function parseScopes(s: unknown): string[] | null {
  if (s === undefined || s === null) return null;
  const list = Array.isArray(s) ? s : [s];
  for (const x of list) {
    if (typeof x !== 'string' || !/^\/[^\s#+]*$/.test(x) || x.length > 512) {
      throw badRequest(`invalid scope ${show(x)}: a scope is a path such as /Le_Havre/Port`);
    }
  }
  return list as string[];
}

export interface ParseOptions {
  now: string;
  /** For partial updates (PATCH attrs/{attrId}, merge): an attribute may come without its type. */
  partial?: boolean;
}

/**
 * Parses a request entity (normalized or concise representation) into the stored form.
 * Top-level `createdAt`/`modifiedAt`/`observedAt` given as a Property object are ordinary attributes
 * (Smart Data Models use them); given as plain strings they are system attributes and ignored.
 */
export function parseEntity(
  body: unknown,
  ctx: ResolvedContext,
  opts: ParseOptions & { requireType?: boolean; requireId?: boolean },
): IncomingEntity {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('an entity must be a JSON object');
  const b = body as Record<string, unknown>;
  const id = opts.requireId === false && b.id === undefined ? '' : assertEntityId(b.id ?? b['@id']);
  const rawType = b.type ?? b['@type'];
  if (rawType === undefined && opts.requireType !== false) throw badRequest('an entity must have a type');
  const types = rawType === undefined ? [] : parseTypes(rawType, ctx);
  const scopes = 'scope' in b ? parseScopes(b.scope) : undefined;
  const attrs = parseAttributes(b, ctx, opts);
  return { id, types, scopes, attrs };
}

const ENTITY_MEMBERS = new Set(['id', '@id', 'type', '@type', '@context', 'scope']);

export function parseAttributes(
  b: Record<string, unknown>,
  ctx: ResolvedContext,
  opts: ParseOptions,
  skip: Set<string> = ENTITY_MEMBERS,
): Attrs {
  const attrs: Attrs = {};
  for (const [name, raw] of Object.entries(b)) {
    if (skip.has(name)) continue;
    if (SYSTEM_MEMBERS.has(name) || name === 'observedAt') {
      // A system attribute sent by the client is ignored; an attribute *named* like one is kept.
      if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !('type' in raw || 'value' in raw))
        continue;
    }
    assertAttributeName(name);
    const iri = ctx.expand(name);
    const instances = parseAttributeInstances(raw, name, ctx, opts);
    if (GEO_ATTRIBUTES.has(iri)) {
      for (const i of instances) {
        if (i.type !== undefined && i.type !== 'GeoProperty' && !isNullValue(i)) {
          throw badRequest(`${name} is a GeoProperty in NGSI-LD; got a ${i.type}`);
        }
      }
    }
    attrs[iri] = instances;
  }
  return attrs;
}

export function parseAttributeInstances(
  raw: unknown,
  name: string,
  ctx: ResolvedContext,
  opts: ParseOptions,
): Instance[] {
  // An array of objects that all look like attribute instances is a multi-attribute; any other array is
  // the concise form of a Property whose value is that array.
  if (Array.isArray(raw) && raw.length > 0 && raw.every(isInstanceObject)) {
    const list = raw.map((r) => parseInstance(r, name, ctx, opts));
    const seen = new Set<string>();
    for (const i of list) {
      const key = i.datasetId ?? '';
      if (seen.has(key))
        throw badRequest(`attribute ${name} has two instances with datasetId ${key || '(default)'}`);
      seen.add(key);
    }
    return sortInstances(list);
  }
  return [parseInstance(raw, name, ctx, opts)];
}

/** Default instance first, then by datasetId: queries read `-> 0`. */
export function sortInstances(list: Instance[]): Instance[] {
  return list.sort((a, b) =>
    a.datasetId === b.datasetId
      ? 0
      : !a.datasetId
        ? -1
        : !b.datasetId
          ? 1
          : a.datasetId < b.datasetId
            ? -1
            : 1,
  );
}

function isInstanceObject(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.type === 'string' ||
    'value' in o ||
    'object' in o ||
    'languageMap' in o ||
    'vocab' in o ||
    'json' in o ||
    'valueList' in o ||
    'objectList' in o
  );
}

const GEO_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
]);
function looksLikeGeometry(v: unknown): boolean {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    GEO_TYPES.has((v as { type?: unknown }).type as string) &&
    Array.isArray((v as { coordinates?: unknown }).coordinates)
  );
}

/** Infers the attribute type of a concise-form attribute (ETSI GS CIM 009 4.5.3). */
function inferType(o: Record<string, unknown>): AttributeType | undefined {
  if ('object' in o) return 'Relationship';
  if ('languageMap' in o) return 'LanguageProperty';
  if ('vocab' in o) return 'VocabProperty';
  if ('json' in o) return 'JsonProperty';
  if ('valueList' in o) return 'ListProperty';
  if ('objectList' in o) return 'ListRelationship';
  if ('value' in o) return looksLikeGeometry(o.value) ? 'GeoProperty' : 'Property';
  return undefined;
}

export function parseInstance(
  raw: unknown,
  name: string,
  ctx: ResolvedContext,
  opts: ParseOptions,
): Instance {
  if (raw === null || raw === undefined) throw badRequest(`attribute ${name} has no value`);
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return stamp({ type: 'Property', value: raw }, opts);
  }
  const o = raw as Record<string, unknown>;
  // Concise GeoProperty: the geometry itself stands for the attribute.
  if (looksLikeGeometry(o)) return stamp({ type: 'GeoProperty', value: checkGeometry(o, name) }, opts);
  let type = o.type as string | undefined;
  if (type === undefined) {
    type = inferType(o);
    if (type === undefined) {
      if (looksLikeGeometry(o)) return stamp({ type: 'GeoProperty', value: checkGeometry(o, name) }, opts);
      if (opts.partial) type = undefined;
      // A JSON object without any NGSI-LD member is the concise form of a Property with that object as value.
      else return stamp({ type: 'Property', value: o }, opts);
    }
  }
  if (type !== undefined && !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`attribute ${name} has an unknown type ${show(type)}`);
  }
  const inst: Partial<Instance> = type ? { type: type as AttributeType } : {};
  switch (type) {
    case 'Property':
      if (!('value' in o) || o.value === null)
        throw badRequest(`Property ${name} must have a non-null value`);
      inst.value = o.value;
      break;
    case 'GeoProperty':
      inst.value = checkGeometry(o.value, name);
      break;
    case 'Relationship': {
      const obj = o.object;
      const list = Array.isArray(obj) ? obj : [obj];
      if (list.length === 0 || !list.every(isUri)) {
        throw badRequest(`Relationship ${name} must have an object that is a URI (or a list of URIs)`);
      }
      inst.object = obj as string | string[];
      if (o.objectType !== undefined)
        inst.objectType = expandVocabValue(o.objectType, ctx, `${name}.objectType`);
      break;
    }
    case 'LanguageProperty': {
      const lm = o.languageMap;
      if (!lm || typeof lm !== 'object' || Array.isArray(lm)) {
        throw badRequest(`LanguageProperty ${name} must have a languageMap object`);
      }
      for (const [lang, text] of Object.entries(lm)) {
        const okText =
          typeof text === 'string' || (Array.isArray(text) && text.every((t) => typeof t === 'string'));
        if (!okText || !(lang === '@none' || /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(lang))) {
          throw badRequest(`LanguageProperty ${name}: invalid entry ${show(lang)}`);
        }
      }
      inst.languageMap = lm as Record<string, string>;
      break;
    }
    case 'VocabProperty':
      inst.vocab = expandVocabValue(o.vocab, ctx, `${name}.vocab`);
      break;
    case 'JsonProperty':
      if (!('json' in o) || o.json === null) throw badRequest(`JsonProperty ${name} must have a json member`);
      inst.json = o.json;
      break;
    case 'ListProperty':
      if (!Array.isArray(o.valueList)) throw badRequest(`ListProperty ${name} must have a valueList array`);
      inst.valueList = o.valueList;
      break;
    case 'ListRelationship': {
      const list = o.objectList;
      const ids = Array.isArray(list)
        ? list.map((x) => (x && typeof x === 'object' ? (x as { object?: unknown }).object : x))
        : undefined;
      if (!ids?.every(isUri)) throw badRequest(`ListRelationship ${name} must have an objectList of URIs`);
      inst.objectList = ids as string[];
      break;
    }
    case undefined: {
      // partial update without a type: take whichever value member is present
      for (const k of [
        'value',
        'object',
        'languageMap',
        'vocab',
        'json',
        'valueList',
        'objectList',
      ] as const) {
        if (k in o)
          (inst as Record<string, unknown>)[k] = k === 'vocab' ? expandVocabValue(o.vocab, ctx, name) : o[k];
      }
      break;
    }
  }
  if (o.datasetId !== undefined) {
    if (!isUri(o.datasetId)) throw badRequest(`${name}.datasetId must be a URI`);
    inst.datasetId = o.datasetId;
  }
  if (o.observedAt !== undefined) inst.observedAt = toIsoDateTime(o.observedAt, `${name}.observedAt`);
  if (o.unitCode !== undefined) {
    if (typeof o.unitCode !== 'string' || !o.unitCode) throw badRequest(`${name}.unitCode must be a string`);
    inst.unitCode = o.unitCode;
  }
  const sub: Record<string, Instance> = {};
  for (const [k, v] of Object.entries(o)) {
    if (INSTANCE_MEMBERS.has(k)) continue;
    assertAttributeName(k);
    sub[ctx.expand(k)] = parseInstance(v, `${name}.${k}`, ctx, { ...opts, partial: false });
  }
  if (Object.keys(sub).length) inst.sub = sub;
  return stamp(inst as Instance, opts);
}

function stamp(inst: Instance, opts: ParseOptions): Instance {
  inst.createdAt = opts.now;
  inst.modifiedAt = opts.now;
  return inst;
}

function checkGeometry(v: unknown, name: string): unknown {
  validateGeometry(v, name);
  return v;
}

function expandVocabValue(v: unknown, ctx: ResolvedContext, where: string): string | string[] {
  if (typeof v === 'string' && v) return ctx.expand(v);
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' && x)) {
    return (v as string[]).map((x) => ctx.expand(x));
  }
  throw badRequest(`${where} must be a string or a list of strings`);
}

/** Keeps the createdAt of instances that already existed (same attribute, same datasetId). */
export function carryCreatedAt(next: Instance[], prior: Instance[] | undefined): Instance[] {
  if (!prior) return next;
  for (const n of next) {
    const p = prior.find((x) => (x.datasetId ?? '') === (n.datasetId ?? ''));
    if (p?.createdAt) n.createdAt = p.createdAt;
  }
  return next;
}
