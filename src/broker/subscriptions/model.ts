/**
 * The Subscription data type (GS CIM 009 v1.8, 5.2.12, with NotificationParams 5.2.14 and Endpoint 5.2.15):
 * parsing and validation of request bodies into the stored form, and rendering back under a @context.
 *
 * Stored form: entity types, attribute names and the geoproperty are expanded IRIs (types as a parsed
 * type-selector tree), so a subscription matches whatever @context later requests use; `q` and `scopeQ` are
 * kept as written and compiled with the @context of the request that set them.
 */
import type { Principal } from '../../governance/index.js';
import { badRequest } from '../../http/problem.js';
import type { ResolvedContext } from '../jsonld/contexts.js';
import { assertAttributeName, isUri } from '../model.js';
import { type GeoQuery, parseGeoQuery } from '../query/geo.js';
import {
  compileQ,
  compileScopeQ,
  createParams,
  parseQ,
  parseScopeQ,
  parseTypeSelector,
  type TypeExpr,
} from '../query/index.js';
import type { Format } from '../render.js';

export const TRIGGERS = [
  'entityCreated',
  'entityUpdated',
  'entityDeleted',
  'attributeCreated',
  'attributeUpdated',
  'attributeDeleted',
] as const;
export type Trigger = (typeof TRIGGERS)[number];
/** GS CIM 009 5.2.12: without notificationTrigger, attribute creations and updates notify. */
export const DEFAULT_TRIGGERS: readonly Trigger[] = ['attributeCreated', 'attributeUpdated'];

export type Accept = 'application/json' | 'application/ld+json';
const ACCEPTS: readonly string[] = ['application/json', 'application/ld+json'];
const FORMATS: readonly string[] = ['normalized', 'keyValues', 'concise'];

/** Escale's extension: an endpoint that only feeds the Server-Sent Events stream of the subscription. */
export const STREAM_ONLY_URI = 'urn:escale:sse';

export interface KeyValue {
  key: string;
  value: string;
}

export interface StoredSelector {
  id?: string;
  idPattern?: string;
  /** Type selector with expanded type IRIs. */
  type: TypeExpr;
}

export interface StoredGeoQ {
  geometry: string;
  coordinates: unknown;
  georel: string;
  /** Expanded IRI. */
  geoproperty?: string;
}

export interface StoredEndpoint {
  uri: string;
  accept?: Accept;
  receiverInfo?: KeyValue[];
  notifierInfo?: KeyValue[];
}

export interface StoredNotification {
  /** Expanded attribute IRIs. */
  attributes?: string[];
  format?: Format;
  endpoint: StoredEndpoint;
  sysAttrs?: boolean;
  showChanges?: boolean;
}

/** The subscription as stored in broker_subscriptions.body. */
export interface SubscriptionBody {
  id: string;
  subscriptionName?: string;
  description?: string;
  entities?: StoredSelector[];
  /** Expanded attribute IRIs. */
  watchedAttributes?: string[];
  notificationTrigger?: Trigger[];
  q?: string;
  geoQ?: StoredGeoQ;
  scopeQ?: string;
  lang?: string;
  throttling?: number;
  timeInterval?: number;
  expiresAt?: string;
  isActive?: boolean;
  jsonldContext?: string;
  notification: StoredNotification;
}

/** A row of broker_subscriptions, as read. */
export interface SubscriptionRecord {
  tenant: string;
  body: SubscriptionBody;
  /** @context value of the notifications; null for the core context. */
  context: unknown;
  /** @context value that expands q and scopeQ; null for the core context. */
  qContext: unknown;
  /** Who created it (a snapshot of the caller), for access filtering of its notifications. */
  owner?: Principal;
  timesSent: number;
  timesFailed: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  deliveryStatus?: 'ok' | 'failed';
  createdAt: string;
  modifiedAt: string;
}

const NULL_URI = 'urn:ngsi-ld:null';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
// Headers Escale sets itself on a notification: receiverInfo cannot override them.
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'link',
  'ngsild-tenant',
  'idempotency-key',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);
const LANG =
  /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*(\s*;\s*q=[01](\.\d{1,3})?)?(\s*,\s*[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*(\s*;\s*q=[01](\.\d{1,3})?)?)*)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const TOP_MEMBERS = new Set([
  'id',
  'type',
  '@context',
  'subscriptionName',
  'description',
  'entities',
  'watchedAttributes',
  'notificationTrigger',
  'q',
  'geoQ',
  'scopeQ',
  'lang',
  'throttling',
  'timeInterval',
  'expiresAt',
  'isActive',
  'jsonldContext',
  'notification',
]);
const READ_ONLY_TOP = new Set(['status', 'createdAt', 'modifiedAt']);
const UNSUPPORTED_TOP = new Set(['temporalQ', 'csf', 'datasetId', 'expires']);
const NOTIFICATION_MEMBERS = new Set(['attributes', 'format', 'endpoint', 'sysAttrs', 'showChanges']);
const READ_ONLY_NOTIFICATION = new Set([
  'status',
  'timesSent',
  'timesFailed',
  'lastNotification',
  'lastSuccess',
  'lastFailure',
]);
const ENDPOINT_MEMBERS = new Set(['uri', 'accept', 'receiverInfo', 'notifierInfo']);

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isNull(v: unknown): boolean {
  return v === null || v === NULL_URI;
}

function nonEmptyString(v: unknown, where: string, max = 4096): string {
  if (typeof v !== 'string' || v === '') throw badRequest(`${where} must be a non-empty string`);
  if (v.length > max) throw badRequest(`${where} is longer than ${max} characters`);
  return v;
}

function positiveNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw badRequest(`${where} must be a number of seconds greater than 0, got ${show(v)}`);
  }
  if (v > 10 * 365 * 86400) throw badRequest(`${where} must be at most ten years`);
  return v;
}

function boolean(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw badRequest(`${where} must be true or false, got ${show(v)}`);
  return v;
}

function attributeList(v: unknown, where: string, ctx: ResolvedContext): string[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest(`${where} must be a non-empty array of names`);
  const out: string[] = [];
  for (const name of v) {
    if (typeof name !== 'string') throw badRequest(`${where} must hold attribute names, got ${show(name)}`);
    assertAttributeName(name);
    const iri = ctx.expand(name);
    if (!out.includes(iri)) out.push(iri);
  }
  return out;
}

export function checkIdPattern(p: unknown, where: string): string {
  const s = nonEmptyString(p, where, 1024);
  try {
    new RegExp(s);
  } catch (err) {
    throw badRequest(`${where} is not a valid regular expression: ${(err as Error).message}`);
  }
  return s;
}

function mapTypes(t: TypeExpr, f: (name: string) => string): TypeExpr {
  return t.kind === 'type'
    ? { kind: 'type', name: f(t.name) }
    : { kind: t.kind, terms: t.terms.map((x) => mapTypes(x, f)) };
}

/** Type selector text: `,` for or, `;` for and (which binds tighter), parentheses where needed. */
export function typeSelectorText(t: TypeExpr, name: (iri: string) => string = (x) => x): string {
  if (t.kind === 'type') return name(t.name);
  const parts = t.terms.map((x) => {
    const s = typeSelectorText(x, name);
    return t.kind === 'and' && x.kind === 'or' ? `(${s})` : s;
  });
  return parts.join(t.kind === 'and' ? ';' : ',');
}

function parseSelectors(v: unknown, ctx: ResolvedContext): StoredSelector[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest('entities must be a non-empty array');
  if (v.length > 100) throw badRequest('entities holds at most 100 selectors');
  return v.map((raw, i) => {
    const where = `entities[${i}]`;
    if (!isObject(raw))
      throw badRequest(`${where} must be an object with type (and optionally id or idPattern)`);
    for (const k of Object.keys(raw)) {
      if (k !== 'id' && k !== 'idPattern' && k !== 'type')
        throw badRequest(`${where} has an unknown member ${k}`);
    }
    if (raw.type === undefined) throw badRequest(`${where} must have a type (GS CIM 009 5.2.33)`);
    if (typeof raw.type !== 'string') throw badRequest(`${where}.type must be a string (a type selector)`);
    const out: StoredSelector = { type: mapTypes(parseTypeSelector(raw.type), (n) => ctx.expand(n)) };
    if (raw.id !== undefined) {
      if (!isUri(raw.id)) throw badRequest(`${where}.id must be a URI, got ${show(raw.id)}`);
      out.id = raw.id;
    }
    if (raw.idPattern !== undefined) out.idPattern = checkIdPattern(raw.idPattern, `${where}.idPattern`);
    return out;
  });
}

function parseTriggers(v: unknown): Trigger[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw badRequest(`notificationTrigger must be a non-empty array of ${TRIGGERS.join(', ')}`);
  }
  const out: Trigger[] = [];
  for (const t of v) {
    if (!(TRIGGERS as readonly unknown[]).includes(t)) {
      throw badRequest(`notificationTrigger: unknown trigger ${show(t)}; expected ${TRIGGERS.join(', ')}`);
    }
    if (!out.includes(t as Trigger)) out.push(t as Trigger);
  }
  return out;
}

function parseGeoQ(v: unknown, ctx: ResolvedContext): StoredGeoQ {
  if (!isObject(v)) throw badRequest('geoQ must be an object with geometry, coordinates and georel');
  for (const k of Object.keys(v)) {
    if (!['geometry', 'coordinates', 'georel', 'geoproperty'].includes(k)) {
      throw badRequest(`geoQ has an unknown member ${k}`);
    }
  }
  const g = parseGeoQuery({
    georel: v.georel as string | undefined,
    geometry: v.geometry as string | undefined,
    coordinates: v.coordinates,
    geoproperty: v.geoproperty as string | undefined,
  });
  if (!g) throw badRequest('geoQ must have geometry, coordinates and georel');
  const out: StoredGeoQ = {
    geometry: g.geometry.type,
    coordinates: g.geometry.coordinates,
    georel: v.georel as string,
  };
  if (v.geoproperty !== undefined) out.geoproperty = ctx.expand(g.geoproperty);
  return out;
}

/** The parsed geo-query of a stored geoQ (geoproperty already expanded). */
export function storedGeoQuery(g: StoredGeoQ): GeoQuery {
  const q = parseGeoQuery({
    georel: g.georel,
    geometry: g.geometry,
    coordinates: g.coordinates,
    geoproperty: g.geoproperty,
  });
  if (!q) throw new Error('stored geoQ is incomplete');
  return q;
}

function parseKeyValues(v: unknown, where: string, headers: boolean): KeyValue[] {
  if (!Array.isArray(v) || v.length === 0)
    throw badRequest(`${where} must be a non-empty array of {key, value}`);
  if (v.length > 32) throw badRequest(`${where} holds at most 32 entries`);
  return v.map((kv, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(kv) || Object.keys(kv).some((k) => k !== 'key' && k !== 'value')) {
      throw badRequest(`${at} must be an object {key, value}`);
    }
    const key = nonEmptyString(kv.key, `${at}.key`, 256);
    if (typeof kv.value !== 'string') throw badRequest(`${at}.value must be a string`);
    if (kv.value.length > 8192 || /[\r\n\0]/.test(kv.value)) {
      throw badRequest(`${at}.value must be a single line of at most 8192 characters`);
    }
    if (headers) {
      if (!HEADER_NAME.test(key)) throw badRequest(`${at}.key ${show(key)} is not a valid HTTP header name`);
      if (RESERVED_HEADERS.has(key.toLowerCase())) {
        throw badRequest(`${at}.key ${key} is set by the broker and cannot be given in receiverInfo`);
      }
    }
    return { key, value: kv.value };
  });
}

/** The parts of an endpoint URI that decide how a notification goes out. */
export type EndpointKind = 'http' | 'mqtt' | 'stream';

export function endpointKind(uri: string): EndpointKind {
  if (uri === STREAM_ONLY_URI) return 'stream';
  return uri.startsWith('mqtt') ? 'mqtt' : 'http';
}

function parseEndpoint(v: unknown): StoredEndpoint {
  if (!isObject(v)) throw badRequest('notification.endpoint must be an object with a uri');
  for (const k of Object.keys(v)) {
    if (!ENDPOINT_MEMBERS.has(k)) throw badRequest(`notification.endpoint has an unknown member ${k}`);
  }
  const uri = nonEmptyString(v.uri, 'notification.endpoint.uri', 2048);
  if (uri !== STREAM_ONLY_URI) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw badRequest(`notification.endpoint.uri ${show(uri)} is not a valid URI`);
    }
    if (!['http:', 'https:', 'mqtt:', 'mqtts:'].includes(url.protocol)) {
      throw badRequest(
        `notification.endpoint.uri: scheme ${url.protocol} is not supported; use http, https, mqtt, mqtts or ${STREAM_ONLY_URI}`,
      );
    }
    if (!url.hostname) throw badRequest('notification.endpoint.uri has no host');
    if (url.protocol.startsWith('mqtt')) {
      const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (!topic || /[#+]/.test(topic)) {
        throw badRequest(
          'an MQTT endpoint needs a topic without wildcards: mqtt://host[:port]/topic[/subtopic]',
        );
      }
    } else if (url.username || url.password) {
      throw badRequest(
        'credentials in an http(s) endpoint URI are not accepted: use receiverInfo (Authorization)',
      );
    }
  }
  const out: StoredEndpoint = { uri };
  if (v.accept !== undefined) {
    if (typeof v.accept !== 'string' || !ACCEPTS.includes(v.accept)) {
      throw badRequest(
        `notification.endpoint.accept must be application/json or application/ld+json, got ${show(v.accept)}`,
      );
    }
    out.accept = v.accept as Accept;
  }
  if (v.receiverInfo !== undefined) {
    out.receiverInfo = parseKeyValues(
      v.receiverInfo,
      'notification.endpoint.receiverInfo',
      endpointKind(uri) === 'http',
    );
  }
  if (v.notifierInfo !== undefined) {
    out.notifierInfo = parseKeyValues(v.notifierInfo, 'notification.endpoint.notifierInfo', false);
    for (const { key, value } of out.notifierInfo) {
      if (key === 'MQTT-Version' && value !== 'mqtt3.1.1' && value !== 'mqtt5.0') {
        throw badRequest('notifierInfo MQTT-Version must be mqtt3.1.1 or mqtt5.0');
      }
      if (key === 'MQTT-QoS' && !['0', '1', '2'].includes(value)) {
        throw badRequest('notifierInfo MQTT-QoS must be 0, 1 or 2');
      }
    }
  }
  return out;
}

function parseNotificationMember(
  out: Partial<StoredNotification>,
  k: string,
  v: unknown,
  ctx: ResolvedContext,
): void {
  switch (k) {
    case 'attributes':
      out.attributes = attributeList(v, 'notification.attributes', ctx);
      return;
    case 'format':
      if (typeof v !== 'string' || !FORMATS.includes(v)) {
        throw badRequest(`notification.format must be normalized, keyValues or concise, got ${show(v)}`);
      }
      out.format = v as Format;
      return;
    case 'endpoint':
      out.endpoint = parseEndpoint(v);
      return;
    case 'sysAttrs':
    case 'showChanges':
      out[k] = boolean(v, `notification.${k}`);
      return;
  }
}

function checkNotificationKeys(v: Record<string, unknown>): void {
  for (const k of Object.keys(v)) {
    if (READ_ONLY_NOTIFICATION.has(k)) throw badRequest(`notification.${k} is set by the broker (read-only)`);
    if (!NOTIFICATION_MEMBERS.has(k)) throw badRequest(`notification has an unknown member ${k}`);
  }
}

function parseNotification(v: unknown, ctx: ResolvedContext): StoredNotification {
  if (!isObject(v)) throw badRequest('notification must be an object with an endpoint');
  checkNotificationKeys(v);
  const out: Partial<StoredNotification> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) parseNotificationMember(out, k, x, ctx);
  if (!out.endpoint) throw badRequest('notification.endpoint is mandatory');
  return out as StoredNotification;
}

/** Checks that q/scopeQ parse and compile (so a bad one is a 400 now, not an error at every write). */
function checkQueries(b: Pick<SubscriptionBody, 'q' | 'scopeQ'>, ctx: ResolvedContext): void {
  const c = { alias: 'e', expand: (t: string) => ctx.expand(t), params: createParams(1) };
  if (b.q !== undefined) compileQ(parseQ(b.q), c);
  if (b.scopeQ !== undefined) compileScopeQ(parseScopeQ(b.scopeQ), c);
}

function parseTop(out: Partial<SubscriptionBody>, k: string, v: unknown, ctx: ResolvedContext): void {
  switch (k) {
    case 'subscriptionName':
    case 'description':
      out[k] = nonEmptyString(v, k);
      return;
    case 'entities':
      out.entities = parseSelectors(v, ctx);
      return;
    case 'watchedAttributes':
      out.watchedAttributes = attributeList(v, 'watchedAttributes', ctx);
      return;
    case 'notificationTrigger':
      out.notificationTrigger = parseTriggers(v);
      return;
    case 'q':
      out.q = nonEmptyString(v, 'q');
      parseQ(out.q);
      return;
    case 'scopeQ':
      out.scopeQ = nonEmptyString(v, 'scopeQ');
      parseScopeQ(out.scopeQ);
      return;
    case 'geoQ':
      out.geoQ = parseGeoQ(v, ctx);
      return;
    case 'lang':
      if (typeof v !== 'string' || !LANG.test(v)) {
        throw badRequest(`lang must be a language tag, a comma-separated list of them, or *, got ${show(v)}`);
      }
      out.lang = v;
      return;
    case 'throttling':
    case 'timeInterval':
      out[k] = positiveNumber(v, k);
      return;
    case 'expiresAt': {
      if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) {
        throw badRequest(`expiresAt must be an ISO 8601 date-time with a time zone, got ${show(v)}`);
      }
      if (Date.parse(v) <= Date.now()) throw badRequest(`expiresAt ${v} is not in the future`);
      out.expiresAt = v;
      return;
    }
    case 'isActive':
      out.isActive = boolean(v, 'isActive');
      return;
    case 'jsonldContext':
      if (typeof v !== 'string' || !/^https?:\/\//.test(v)) {
        throw badRequest('jsonldContext must be the http(s) URL of a JSON-LD @context');
      }
      out.jsonldContext = v;
      return;
    case 'notification':
      out.notification = parseNotification(v, ctx);
      return;
  }
}

function checkTopKeys(b: Record<string, unknown>): void {
  for (const k of Object.keys(b)) {
    if (READ_ONLY_TOP.has(k)) throw badRequest(`${k} is set by the broker (read-only)`);
    if (UNSUPPORTED_TOP.has(k)) throw badRequest(`${k} is not supported by this broker`);
    if (!TOP_MEMBERS.has(k)) throw badRequest(`unknown member ${k} in a Subscription`);
  }
  if (b.type !== undefined && b.type !== 'Subscription') {
    throw badRequest(`type must be "Subscription", got ${show(b.type)}`);
  }
}

/** Rules that involve several members; run on creation and on the result of an update. */
export function checkConsistency(b: SubscriptionBody): void {
  if (b.timeInterval !== undefined) {
    if (b.watchedAttributes) throw badRequest('timeInterval and watchedAttributes cannot be used together');
    if (b.throttling !== undefined) throw badRequest('timeInterval and throttling cannot be used together');
    if (b.notificationTrigger) {
      throw badRequest('notificationTrigger does not apply to a periodic subscription (timeInterval)');
    }
    if (!b.entities) throw badRequest('a periodic subscription (timeInterval) needs entities');
  } else if (!b.entities && !b.watchedAttributes) {
    throw badRequest('a subscription needs entities or watchedAttributes (or both)');
  }
  if (b.notification.showChanges && b.notification.format === 'keyValues') {
    throw badRequest('notification.showChanges cannot be used with the keyValues format');
  }
}

/**
 * Parses a Subscription body of a create request. `ctx` is the request's @context; the caller checks the
 * endpoint against the outbound allowlist and resolves jsonldContext.
 */
export function parseSubscription(raw: unknown, ctx: ResolvedContext, newId: () => string): SubscriptionBody {
  if (!isObject(raw)) throw badRequest('a Subscription must be a JSON object');
  checkTopKeys(raw);
  let id: string;
  if (raw.id === undefined) id = newId();
  else if (!isUri(raw.id)) throw badRequest(`id must be a URI, got ${show(raw.id)}`);
  else id = raw.id;
  const out: Partial<SubscriptionBody> = { id };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'id' || k === 'type' || k === '@context' || v === undefined) continue;
    parseTop(out, k, v, ctx);
  }
  if (!out.notification) throw badRequest('notification is mandatory');
  const body = out as SubscriptionBody;
  checkConsistency(body);
  checkQueries(body, ctx);
  return body;
}

export interface Patched {
  body: SubscriptionBody;
  /** True when q or scopeQ was given: they are now expanded with the update's @context. */
  queriesChanged: boolean;
}

/**
 * Applies an update fragment (5.8.2): members given replace the stored ones, null (or urn:ngsi-ld:null)
 * removes an optional member; `notification` is merged member by member, its endpoint replaced whole.
 */
export function patchSubscription(
  prior: SubscriptionBody,
  raw: unknown,
  ctx: ResolvedContext,
  priorQContext: ResolvedContext,
): Patched {
  if (!isObject(raw)) throw badRequest('the body must be a JSON object (a Subscription fragment)');
  checkTopKeys(raw);
  if (raw.id !== undefined && raw.id !== prior.id) throw badRequest('the id of a subscription cannot change');
  const keys = Object.keys(raw).filter((k) => k !== 'id' && k !== 'type' && k !== '@context');
  if (keys.length === 0) throw badRequest('the fragment changes nothing');
  const next: SubscriptionBody = structuredClone(prior);
  let queriesChanged = false;
  for (const k of keys) {
    const v = raw[k];
    if (k === 'notification') {
      if (!isObject(v)) throw badRequest('notification must be an object');
      checkNotificationKeys(v);
      const n = next.notification as unknown as Record<string, unknown>;
      for (const [nk, nv] of Object.entries(v)) {
        if (isNull(nv)) {
          if (nk === 'endpoint') throw badRequest('notification.endpoint cannot be removed');
          delete n[nk];
        } else parseNotificationMember(next.notification, nk, nv, ctx);
      }
      continue;
    }
    if (isNull(v)) {
      delete (next as unknown as Record<string, unknown>)[k];
      continue;
    }
    parseTop(next, k, v, ctx);
    if (k === 'q' || k === 'scopeQ') queriesChanged = true;
  }
  checkConsistency(next);
  // q and scopeQ are compiled with one @context: when one is set by this update, both use its @context.
  checkQueries(next, queriesChanged ? ctx : priorQContext);
  return { body: next, queriesChanged };
}

export type SubscriptionStatus = 'active' | 'paused' | 'expired';

export function statusOf(b: SubscriptionBody, now = Date.now()): SubscriptionStatus {
  if (b.expiresAt && Date.parse(b.expiresAt) <= now) return 'expired';
  return b.isActive === false ? 'paused' : 'active';
}

/** The Subscription as returned to a client, compacted with the request's @context. */
export function renderSubscription(
  r: SubscriptionRecord,
  ctx: ResolvedContext,
  opts: { sysAttrs?: boolean } = {},
): Record<string, unknown> {
  const b = r.body;
  const c = (iri: string) => ctx.compact(iri);
  const out: Record<string, unknown> = { id: b.id, type: 'Subscription' };
  if (b.subscriptionName !== undefined) out.subscriptionName = b.subscriptionName;
  if (b.description !== undefined) out.description = b.description;
  if (b.entities) {
    out.entities = b.entities.map((s) => ({
      ...(s.id !== undefined ? { id: s.id } : {}),
      ...(s.idPattern !== undefined ? { idPattern: s.idPattern } : {}),
      type: typeSelectorText(s.type, c),
    }));
  }
  if (b.watchedAttributes) out.watchedAttributes = b.watchedAttributes.map(c);
  if (b.notificationTrigger) out.notificationTrigger = b.notificationTrigger;
  if (b.q !== undefined) out.q = b.q;
  if (b.geoQ) {
    out.geoQ = {
      geometry: b.geoQ.geometry,
      coordinates: b.geoQ.coordinates,
      georel: b.geoQ.georel,
      ...(b.geoQ.geoproperty ? { geoproperty: c(b.geoQ.geoproperty) } : {}),
    };
  }
  if (b.scopeQ !== undefined) out.scopeQ = b.scopeQ;
  if (b.lang !== undefined) out.lang = b.lang;
  if (b.throttling !== undefined) out.throttling = b.throttling;
  if (b.timeInterval !== undefined) out.timeInterval = b.timeInterval;
  if (b.expiresAt !== undefined) out.expiresAt = b.expiresAt;
  out.isActive = b.isActive !== false;
  out.status = statusOf(b);
  if (b.jsonldContext !== undefined) out.jsonldContext = b.jsonldContext;
  const n = b.notification;
  const endpoint: Record<string, unknown> = {
    uri: n.endpoint.uri,
    accept: n.endpoint.accept ?? 'application/json',
  };
  if (n.endpoint.receiverInfo) endpoint.receiverInfo = n.endpoint.receiverInfo;
  if (n.endpoint.notifierInfo) endpoint.notifierInfo = n.endpoint.notifierInfo;
  const notification: Record<string, unknown> = {};
  if (n.attributes) notification.attributes = n.attributes.map(c);
  notification.format = n.format ?? 'normalized';
  notification.endpoint = endpoint;
  if (n.sysAttrs !== undefined) notification.sysAttrs = n.sysAttrs;
  if (n.showChanges !== undefined) notification.showChanges = n.showChanges;
  if (r.deliveryStatus) notification.status = r.deliveryStatus;
  notification.timesSent = r.timesSent;
  notification.timesFailed = r.timesFailed;
  if (r.lastNotification) notification.lastNotification = r.lastNotification;
  if (r.lastSuccess) notification.lastSuccess = r.lastSuccess;
  if (r.lastFailure) notification.lastFailure = r.lastFailure;
  out.notification = notification;
  if (opts.sysAttrs) {
    out.createdAt = r.createdAt;
    out.modifiedAt = r.modifiedAt;
  }
  return out;
}
