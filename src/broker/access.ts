/**
 * Access filtering of broker reads (data sovereignty): a typed hook another capability (the catalog) implements
 * to say which entity types, attributes, area and time window a caller may read, and to record each use.
 * The broker applies it in entity queries, entity retrieval, temporal queries and the type list. Entity types
 * the policy does not mention are read as before.
 */
import type { Principal } from '../governance/index.js';
import type { Instance, StoredEntity } from './model.js';
import { parseQ, qAttributes, type SqlParams } from './query/index.js';

/** A GeoJSON area (longitude, latitude). */
export interface AccessArea {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

/** What a caller may read of one entity type. */
export interface TypeGrant {
  /** Attribute names (short names or IRIs) that may be read; all when absent. */
  attrs?: string[];
  /** Attributes whose values are replaced by `pseudonym(value)`. */
  personal?: string[];
  pseudonym?: (value: unknown) => string;
  /** Only entities whose `location` lies in this area. */
  area?: AccessArea;
  /** Only history instances observed in this window (ISO 8601 instants, either bound optional). */
  window?: { start?: string; end?: string };
  /** Records one use (a request that returned `entities` entities, `bytes` bytes of them). */
  record?: (use: { entities: number; bytes: number }) => Promise<void>;
}

/** The rule for one restricted entity type: no grant means the caller sees nothing of it. */
export interface TypeRule {
  /** The entity type, a short name (matched against the local name of stored IRIs) or an IRI. */
  type: string;
  grant?: TypeGrant;
}

export interface BrokerAccessPolicy {
  /**
   * The rules for the caller over the restricted entity types; `undefined` when the caller may read everything
   * (nothing is restricted, a platform administrator).
   */
  rulesFor(principal: Principal): Promise<TypeRule[] | undefined>;
}

const localName = (iri: string) => iri.slice(Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#')) + 1);

/** Whether a stored IRI (type or attribute) is the name given (an IRI, or a short name matching its local name). */
export function nameMatches(iri: string, name: string): boolean {
  return iri === name || (!name.includes(':') && localName(iri) === name);
}

/** The rule that governs an entity with these types: a denial wins over a grant. */
export function ruleFor(rules: TypeRule[], types: string[]): TypeRule | undefined {
  let found: TypeRule | undefined;
  for (const r of rules) {
    if (!types.some((t) => nameMatches(t, r.type))) continue;
    if (!r.grant) return r;
    found ??= r;
  }
  return found;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function typeCondition(alias: string, name: string, params: SqlParams): string {
  if (name.includes(':')) return `${params.add(name)} = ANY(${alias}.types)`;
  const patterns = [`%/${likeEscape(name)}`, `%#${likeEscape(name)}`];
  return `EXISTS (SELECT 1 FROM unnest(${alias}.types) AS _at(x) WHERE x = ${params.add(name)} OR x LIKE ANY(${params.add(patterns)}::text[]))`;
}

/**
 * SQL conditions (AND-ed) that keep only what the rules allow: no entity of a denied type; entities of a type
 * granted within an area only when their location (column `location_geom` of `geoAlias`) is in it.
 */
export function compileAccess(
  rules: TypeRule[],
  c: { alias: string; geoAlias?: string; params: SqlParams },
): string[] {
  const where: string[] = [];
  for (const r of rules) {
    if (!r.grant) where.push(`NOT ${typeCondition(c.alias, r.type, c.params)}`);
    else if (r.grant.area) {
      const cond = typeCondition(c.alias, r.type, c.params);
      const geo = `${c.geoAlias ?? c.alias}.location_geom`;
      const area = `ST_SetSRID(ST_GeomFromGeoJSON(${c.params.add(JSON.stringify(r.grant.area))}), 4326)`;
      where.push(`(NOT ${cond} OR (${geo} IS NOT NULL AND ST_Intersects(${geo}, ${area})))`);
    }
  }
  return where;
}

/** Whether the rules need the current state of entities (an area) in a temporal query. */
export const needsLocation = (rules: TypeRule[]) => rules.some((r) => r.grant?.area);

const allowed = (g: TypeGrant, attr: string) => !g.attrs || g.attrs.some((a) => nameMatches(attr, a));
const isPersonal = (g: TypeGrant, attr: string) => !!g.personal?.some((a) => nameMatches(attr, a));

function pseudonymiseInstance(i: Instance, p: (v: unknown) => string): Instance {
  const out = { ...i };
  if ('value' in out && out.value !== undefined) out.value = p(out.value);
  if ('object' in out && out.object !== undefined) out.object = `urn:ngsi-ld:pseudonym:${p(out.object)}`;
  if ('languageMap' in out && out.languageMap !== undefined)
    out.languageMap = { '@none': p(out.languageMap) };
  if ('json' in out && out.json !== undefined) out.json = p(out.json);
  if ('valueList' in out && out.valueList !== undefined) out.valueList = [p(out.valueList)];
  if ('vocab' in out && out.vocab !== undefined) out.vocab = p(out.vocab);
  return out;
}

/** An entity as the grant lets the caller see it: allowed attributes only, personal ones pseudonymised. */
export function applyGrant(e: StoredEntity, g: TypeGrant): StoredEntity {
  if (!g.attrs && !g.personal?.length) return e;
  const attrs: StoredEntity['attrs'] = {};
  for (const [name, list] of Object.entries(e.attrs)) {
    if (!allowed(g, name)) continue;
    attrs[name] =
      isPersonal(g, name) && g.pseudonym ? list.map((i) => pseudonymiseInstance(i, g.pseudonym!)) : list;
  }
  return { ...e, attrs };
}

type Json = Record<string, unknown>;
const CORE_MEMBERS = new Set(['id', 'type', '@context', 'scope', 'createdAt', 'modifiedAt', 'deletedAt']);

function inWindow(t: unknown, w: TypeGrant['window']): boolean {
  if (!w) return true;
  if (typeof t !== 'string') return false;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return false;
  if (w.start && ms < Date.parse(w.start)) return false;
  if (w.end && ms > Date.parse(w.end)) return false;
  return true;
}

/**
 * A rendered temporal entity as the grant lets the caller see it: allowed attributes only, instances in the
 * time window only (by the queried time property), personal values pseudonymised.
 */
export function applyGrantTemporal(
  body: Json,
  g: TypeGrant,
  expand: (term: string) => string,
  timeproperty = 'observedAt',
): Json {
  const out: Json = {};
  const p = g.pseudonym;
  for (const [name, v] of Object.entries(body)) {
    if (CORE_MEMBERS.has(name)) {
      out[name] = v;
      continue;
    }
    const iri = expand(name);
    if (!allowed(g, iri) && !allowed(g, name)) continue;
    const personal = (isPersonal(g, iri) || isPersonal(g, name)) && p;
    const one = (x: unknown): unknown => {
      if (!x || typeof x !== 'object' || Array.isArray(x)) return x;
      const o = { ...(x as Json) };
      for (const member of [
        'values',
        'objects',
        'languageMaps',
        'vocabs',
        'jsons',
        'valueLists',
        'objectLists',
      ]) {
        const list = o[member];
        if (Array.isArray(list)) {
          o[member] = list
            .filter((pair) => Array.isArray(pair) && inWindow(pair[pair.length - 1], g.window))
            .map((pair: unknown[]) => (personal ? [p(pair[0]), ...pair.slice(1)] : pair));
        }
      }
      return o;
    };
    if (
      Array.isArray(v) &&
      v.every((x) => x && typeof x === 'object' && !Array.isArray(x) && 'instanceId' in x)
    ) {
      out[name] = v
        .filter((i: Json) => inWindow(i[timeproperty] ?? i.observedAt ?? i.modifiedAt, g.window))
        .map((i: Json) => (personal && 'value' in i ? { ...i, value: p(i.value) } : i));
    } else if (Array.isArray(v)) out[name] = v.map(one);
    else out[name] = one(v);
  }
  return out;
}

function positionsOf(g: unknown): number[][] {
  if (!g || typeof g !== 'object') return [];
  const c = (g as { coordinates?: unknown }).coordinates;
  const out: number[][] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x) && typeof x[0] === 'number') out.push(x as number[]);
    else if (Array.isArray(x)) for (const y of x) walk(y);
  };
  walk(c);
  return out;
}

function inRing([x, y]: number[], ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies in the area (even-odd rule, holes honoured). */
export function pointInAccessArea(p: number[], a: AccessArea): boolean {
  const polygons = a.type === 'Polygon' ? [a.coordinates as number[][][]] : (a.coordinates as number[][][][]);
  return polygons.some((poly) => inRing(p, poly[0]) && !poly.slice(1).some((hole) => inRing(p, hole)));
}

/** The geometry of a rendered `location` member (normalized, concise or keyValues). */
function geometryOf(v: unknown): unknown {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Json;
  if ('value' in o) return o.value;
  return o;
}

/**
 * A rendered entity (normalized, concise or keyValues, as in notifications) as the grant lets the caller see it;
 * undefined when it lies outside the granted area (or its location is not known while an area is granted).
 */
export function applyGrantRendered(
  e: Json,
  g: TypeGrant,
  expand: (term: string) => string = (t) => t,
): Json | undefined {
  if (g.area) {
    const pos = positionsOf(geometryOf(e.location));
    if (pos.length === 0 || !pos.every((p) => pointInAccessArea(p, g.area as AccessArea))) return undefined;
  }
  const out: Json = {};
  const p = g.pseudonym;
  for (const [name, v] of Object.entries(e)) {
    if (CORE_MEMBERS.has(name)) {
      out[name] = v;
      continue;
    }
    const iri = expand(name);
    if (!allowed(g, iri) && !allowed(g, name)) continue;
    if (!((isPersonal(g, iri) || isPersonal(g, name)) && p)) {
      out[name] = v;
      continue;
    }
    const one = (x: unknown): unknown => {
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        const o = { ...(x as Json) };
        if ('value' in o) o.value = p(o.value);
        else if ('object' in o) o.object = `urn:ngsi-ld:pseudonym:${p(o.object)}`;
        else if ('languageMap' in o) o.languageMap = { '@none': p(o.languageMap) };
        else return p(x);
        return o;
      }
      return p(x);
    };
    out[name] = Array.isArray(v) && v.every((x) => x && typeof x === 'object') ? v.map(one) : one(v);
  }
  return out;
}

/**
 * The `data` of a notification (a JSON array of rendered entities) as the subscription's owner may see it;
 * undefined when nothing is left to send. Uses are recorded. An owner that is not known reads as anonymous.
 */
export async function filterNotificationData(
  policy: BrokerAccessPolicy,
  owner: Principal | undefined,
  data: string,
): Promise<string | undefined> {
  const rules = await policy.rulesFor(owner ?? { kind: 'anonymous' });
  if (!rules?.length) return data;
  const entities = JSON.parse(data) as Json[];
  const uses = new Map<TypeRule, { entities: number; bytes: number }>();
  const kept: Json[] = [];
  for (const e of entities) {
    const types = (Array.isArray(e.type) ? e.type : [e.type]).filter(
      (t): t is string => typeof t === 'string',
    );
    const rule = ruleFor(rules, types);
    if (!rule) {
      kept.push(e);
      continue;
    }
    if (!rule.grant) continue;
    const shown = applyGrantRendered(e, rule.grant);
    if (!shown) continue;
    kept.push(shown);
    const use = uses.get(rule) ?? { entities: 0, bytes: 0 };
    use.entities++;
    use.bytes += Buffer.byteLength(JSON.stringify(shown));
    uses.set(rule, use);
  }
  for (const [rule, use] of uses) await rule.grant?.record?.(use);
  return kept.length ? JSON.stringify(kept) : undefined;
}

/**
 * The rules for one query: a granted type becomes hidden when the query filters on one of its attributes the
 * caller may not read (`q`, `attrs`, the geoproperty), or on the values of one it reads only pseudonymised
 * (`q`, the geoproperty), so that nothing can be inferred from which entities match.
 */
export function narrowForQuery(
  rules: TypeRule[],
  query: { q?: string; attrs?: string[]; geoproperty?: string },
  expand: (term: string) => string,
): TypeRule[] {
  const byValue = [
    ...(query.q ? qAttributes(parseQ(query.q)) : []),
    ...(query.geoproperty ? [query.geoproperty] : []),
  ];
  const byName = [...byValue, ...(query.attrs ?? [])];
  if (byName.length === 0) return rules;
  return rules.map((r) => {
    const g = r.grant;
    if (!g) return r;
    const hidden =
      byName.some((n) => !allowed(g, expand(n)) && !allowed(g, n)) ||
      byValue.some((n) => isPersonal(g, expand(n)) || isPersonal(g, n));
    return hidden ? { type: r.type } : r;
  });
}

/**
 * Aggregated values are computed in SQL over the whole requested interval, so they cannot be cut to an
 * agreement's time window afterwards: the interval itself is narrowed to the windows of the grants that apply
 * (with several, to their intersection, which may hide data some other type would allow: never the reverse).
 * Returns the filter unchanged when no grant has a window, and null when nothing of the interval is allowed.
 */
export function narrowToWindows<
  F extends { timerel?: 'before' | 'after' | 'between'; timeAt?: string; endTimeAt?: string },
>(filter: F, rules: readonly TypeRule[]): F | null {
  const windows = rules.flatMap((r) => (r.grant?.window ? [r.grant.window] : []));
  if (windows.length === 0) return filter;
  const at = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));
  let start = filter.timerel === 'after' || filter.timerel === 'between' ? at(filter.timeAt) : undefined;
  let end =
    filter.timerel === 'before'
      ? at(filter.timeAt)
      : filter.timerel === 'between'
        ? at(filter.endTimeAt)
        : undefined;
  for (const w of windows) {
    const ws = at(w.start);
    const we = at(w.end);
    if (ws !== undefined && (start === undefined || ws > start)) start = ws;
    if (we !== undefined && (end === undefined || we < end)) end = we;
  }
  if (start !== undefined && end !== undefined && start >= end) return null;
  const iso = (n: number) => new Date(n).toISOString();
  if (start !== undefined && end !== undefined)
    return { ...filter, timerel: 'between', timeAt: iso(start), endTimeAt: iso(end) };
  if (start !== undefined) return { ...filter, timerel: 'after', timeAt: iso(start), endTimeAt: undefined };
  if (end !== undefined) return { ...filter, timerel: 'before', timeAt: iso(end), endTimeAt: undefined };
  return filter;
}
