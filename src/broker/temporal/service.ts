import type { Db } from '../../db/db.js';
import { badRequest, ProblemError } from '../../http/problem.js';
import { compileAccess, needsLocation, type TypeRule } from '../access.js';
import type { ResolvedContext } from '../jsonld/contexts.js';
import {
  type Attrs,
  assertAttributeName,
  assertEntityId,
  type Instance,
  isUri,
  parseInstance,
  parseScopes,
  parseTypes,
} from '../model.js';
import { compileGeoQuery, orderByDistance, parseGeoQuery } from '../query/geo.js';
import { compileQ, compileScopeQ, createParams, parseQ, parseScopeQ } from '../query/index.js';
import { compileEntitySelection } from '../query/selection.js';
import { mergeInstance } from '../service.js';
import { historyRow, instanceTime, numericValue, partitionCache, stripSystem } from './history.js';
import type { OutputOptions, TemporalFilter } from './params.js';
import { renderAggregatedEntity, renderTemporalEntity } from './render.js';
import * as repo from './repository.js';

/** The temporal API's logic, free of HTTP: routes parse and validate, this runs and renders. */

export const MAX_ENTITY_LIMIT = 1000;
/** Instances returned per attribute (and datasetId) in one response before temporal pagination cuts. */
export const DEFAULT_INSTANCE_LIMIT = 1000;

export interface TemporalEntityInput {
  id: string;
  types: string[];
  /** undefined: leave as they are. */
  scopes: string[] | null | undefined;
  /** Expanded attribute IRI -> instances in the order given (several per datasetId allowed). */
  attrs: Attrs;
}

const SKIP_MEMBERS = new Set(['id', '@id', 'type', '@type', '@context', 'scope']);
const SYSTEM_MEMBERS = new Set(['createdAt', 'modifiedAt', 'deletedAt', 'observedAt', 'instanceId']);

/**
 * A temporal entity as sent to POST /temporal/entities (or a fragment of attributes for .../attrs): each
 * attribute is an instance or an array of instances, in normalized or concise form.
 */
export function parseTemporalEntity(
  body: unknown,
  ctx: ResolvedContext,
  now: string,
  opts: { fragmentOf?: string } = {},
): TemporalEntityInput {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  let id: string;
  if (opts.fragmentOf !== undefined) {
    if (b.id !== undefined && b.id !== opts.fragmentOf)
      throw badRequest('the id in the body differs from the id in the path');
    id = opts.fragmentOf;
  } else id = assertEntityId(b.id ?? b['@id']);
  const rawType = b.type ?? b['@type'];
  const types = rawType === undefined ? [] : parseTypes(rawType, ctx);
  const scopes = 'scope' in b ? parseScopes(b.scope) : undefined;
  const attrs: Attrs = {};
  let count = 0;
  for (const [name, raw] of Object.entries(b)) {
    if (SKIP_MEMBERS.has(name)) continue;
    // System members sent as plain strings are ignored, as in the entity API.
    if (SYSTEM_MEMBERS.has(name) && (raw === null || typeof raw !== 'object')) continue;
    assertAttributeName(name);
    const list = Array.isArray(raw) && raw.length > 0 && raw.every(isInstanceLike) ? raw : [raw];
    const iri = ctx.expand(name);
    attrs[iri] = list.map((r) => parseInstance(r, name, ctx, { now }));
    count += list.length;
  }
  if (opts.fragmentOf !== undefined && count === 0) throw badRequest('no attribute instance given');
  if (count > 100_000) throw badRequest('at most 100000 instances per request');
  return { id, types, scopes, attrs };
}

const VALUE_MEMBERS = ['value', 'object', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'];

/** An array of these is a list of instances; any other array is the concise value of one Property. */
function isInstanceLike(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.type === 'string' || VALUE_MEMBERS.some((k) => k in o);
}

function union(a: string[], b: string[]): string[] {
  const out = [...a];
  for (const t of b) if (!out.includes(t)) out.push(t);
  return out;
}

/**
 * Appends instances to a temporal entity, creating it unless `mustExist` (then 404 when absent).
 * Each instance is placed at its observedAt, else at `now`. Returns whether the entity was created.
 */
export async function appendTemporal(
  db: Db,
  tenant: string,
  input: TemporalEntityInput,
  now: string,
  mustExist = false,
): Promise<{ created: boolean; instances: number }> {
  return db.transaction(async (tx) => {
    const existing = await repo.findTemporalEntity(tx, tenant, input.id, true);
    if (!existing && mustExist)
      throw new ProblemError('ResourceNotFound', `temporal entity ${input.id} does not exist`);
    if (!existing && input.types.length === 0) throw badRequest(`temporal entity ${input.id} has no type`);
    const rows: repo.NewInstance[] = [];
    for (const [attr, list] of Object.entries(input.attrs)) {
      for (const inst of list) rows.push(historyRow(input.id, attr, inst, now, now));
    }
    const state: repo.EntityState = {
      id: input.id,
      types: union(existing?.types ?? [], input.types),
      scopes: input.scopes === undefined ? (existing?.scopes ?? null) : input.scopes,
      at: now,
      deletedAt: existing?.deletedAt ?? null,
    };
    if (rows.length)
      await repo.ensurePartitions(
        tx,
        partitionCache(db),
        rows.map((r) => r.ts),
      );
    await repo.writeHistory(tx, tenant, [state], rows, true);
    return { created: !existing, instances: rows.length };
  });
}

export interface TemporalSelection {
  ids?: string[];
  idPattern?: string;
  type?: string;
  /** POST .../entityOperations/query: selectors OR-ed, each (id AND idPattern AND type). */
  selectors?: { id?: string; idPattern?: string; type?: string }[];
  /** Attribute terms (expanded here). */
  attrs?: string[];
  q?: string;
  scopeQ?: string;
  geo?: { georel?: string; geometry?: string; coordinates?: unknown; geoproperty?: string };
  limit: number;
  offset: number;
  count: boolean;
  /** Access rules of the caller (src/broker/access.ts): denied types and areas are filtered in SQL. */
  restrict?: TypeRule[];
}

export interface TemporalAnswer {
  body: Record<string, unknown>[];
  total?: number;
  /** Set when instances were cut (206): the `Content-Range` header value. */
  contentRange?: string;
}

/** Compiles the entity part of a temporal query over `temporal_entities t` (and `broker_entities e`). */
function compileSelection(
  tenant: string,
  ctx: ResolvedContext,
  s: TemporalSelection,
  f: TemporalFilter,
): repo.EntitySelectSql {
  const params = createParams(1);
  params.add(tenant);
  const where = ['t.tenant = $1'];
  const expand = (x: string) => ctx.expand(x);
  const onT = { alias: 't', expand, params };
  // q and geo-queries read attribute values: those of the entity's current state.
  const onE = { alias: 'e', expand, params };
  let joinCurrent = false;
  where.push(...compileEntitySelection(s, onT));
  if (s.scopeQ) where.push(compileScopeQ(parseScopeQ(s.scopeQ), onT));
  if (s.q) {
    where.push(compileQ(parseQ(s.q), onE));
    joinCurrent = true;
  }
  let orderBy: string | undefined;
  const g = s.geo ? parseGeoQuery(s.geo) : undefined;
  if (g) {
    where.push(compileGeoQuery(g, onE));
    if (g.georel === 'near') orderBy = orderByDistance(g, onE);
    joinCurrent = true;
  }
  if (s.restrict?.length) {
    where.push(...compileAccess(s.restrict, { alias: 't', geoAlias: 'e', params }));
    if (needsLocation(s.restrict)) joinCurrent = true;
  }
  // Only entities with history in the time window (and for the attributes asked for, if any).
  const inst = ['i.tenant = t.tenant', 'i.entity_id = t.id'];
  if (s.attrs?.length) inst.push(`i.attr = ANY(${params.add(s.attrs.map(expand))}::text[])`);
  inst.push(...repo.timeConditions(f, (v) => params.add(v)));
  where.push(`EXISTS (SELECT 1 FROM temporal_instances i WHERE ${inst.join(' AND ')})`);
  return {
    from: joinCurrent
      ? 'temporal_entities t JOIN broker_entities e ON e.tenant = t.tenant AND e.id = t.id'
      : 'temporal_entities t',
    where,
    params: params.values,
    orderBy,
    limit: s.limit,
    offset: s.offset,
    count: s.count,
  };
}

/** GET /temporal/entities and POST /temporal/entityOperations/query. */
export async function queryTemporal(
  db: Db,
  tenant: string,
  ctx: ResolvedContext,
  s: TemporalSelection,
  f: TemporalFilter,
  out: OutputOptions & { lang?: string },
  instanceLimit = DEFAULT_INSTANCE_LIMIT,
): Promise<TemporalAnswer> {
  if (s.limit > MAX_ENTITY_LIMIT) throw badRequest(`limit must be at most ${MAX_ENTITY_LIMIT}`);
  if (s.limit === 0 && !s.count) throw badRequest('limit=0 is only meaningful with count=true');
  const hasFilter =
    s.ids?.length ||
    s.idPattern ||
    s.type ||
    s.selectors?.length ||
    s.attrs?.length ||
    s.q ||
    s.scopeQ ||
    (s.geo && Object.values(s.geo).some((v) => v !== undefined));
  if (!hasFilter) {
    throw badRequest(
      'a temporal query needs at least one of type, id, idPattern, attrs, q, scopeQ or a geo-query',
    );
  }
  const sql = compileSelection(tenant, ctx, s, f);
  let page: { entities: repo.TemporalEntityRow[]; total?: number };
  try {
    page = await repo.selectTemporalEntities(db, sql);
  } catch (err) {
    // Data exceptions raised on user input (an invalid regex, say) are the client's error.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('22')) throw badRequest(`the query cannot be evaluated: ${(err as Error).message}`);
    throw err;
  }
  const attrs = s.attrs?.length ? s.attrs.map((a) => ctx.expand(a)) : undefined;
  const answer = await instancesOf(db, tenant, page.entities, attrs, f, out, ctx, instanceLimit);
  return { ...answer, total: page.total };
}

/** GET /temporal/entities/{id}. */
export async function retrieveTemporal(
  db: Db,
  tenant: string,
  ctx: ResolvedContext,
  id: string,
  attrTerms: string[] | undefined,
  f: TemporalFilter,
  out: OutputOptions & { lang?: string },
  instanceLimit = DEFAULT_INSTANCE_LIMIT,
): Promise<TemporalAnswer & { body: [Record<string, unknown>] }> {
  const e = await repo.findTemporalEntity(db, tenant, id);
  if (!e) throw new ProblemError('ResourceNotFound', `temporal entity ${id} does not exist`);
  const attrs = attrTerms?.length ? attrTerms.map((a) => ctx.expand(a)) : undefined;
  const answer = await instancesOf(db, tenant, [e], attrs, f, out, ctx, instanceLimit);
  return { body: [answer.body[0]], contentRange: answer.contentRange };
}

async function instancesOf(
  db: Db,
  tenant: string,
  entities: repo.TemporalEntityRow[],
  attrs: string[] | undefined,
  f: TemporalFilter,
  out: OutputOptions & { lang?: string },
  ctx: ResolvedContext,
  instanceLimit: number,
): Promise<TemporalAnswer> {
  const ids = entities.map((e) => e.id);
  if (out.representation === 'aggregatedValues') {
    const rows = await repo.aggregateInstances(db, tenant, ids, attrs, f, out.aggrMethods!, out.period!);
    const byEntity = groupBy(rows, (r) => r.entityId);
    return {
      body: entities.map((e) => renderAggregatedEntity(e, byEntity.get(e.id) ?? [], ctx, out.aggrMethods!)),
    };
  }
  const n = f.lastN ? Math.min(f.lastN, instanceLimit) : instanceLimit;
  // One more than can be returned: its presence tells that a stream was cut.
  const rows = await repo.selectInstances(db, tenant, ids, attrs, f, n + 1, f.lastN !== undefined);
  const { kept, contentRange } = paginate(rows, n, f);
  const byEntity = groupBy(kept, (r) => r.entityId);
  const ro = {
    representation: out.representation,
    sysAttrs: out.sysAttrs,
    timeproperty: f.timeproperty,
    lang: out.lang,
  };
  return {
    body: entities.map((e) => renderTemporalEntity(e, byEntity.get(e.id) ?? [], ctx, ro)),
    contentRange,
  };
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/**
 * Temporal pagination (GS CIM 009 6.3.10): at most `n` instances per attribute and datasetId. When a stream
 * has more, every stream is cut at the same instant, so the response is complete over the range it gives
 * in `Content-Range: date-time <start>-<end>/<size>` (size: lastN, or `*`); with lastN the range runs
 * backwards from the most recent instant.
 */
export function paginate(
  rows: repo.StoredInstance[],
  n: number,
  f: TemporalFilter,
): { kept: repo.StoredInstance[]; contentRange?: string } {
  const lastN = f.lastN !== undefined;
  const byStream = groupBy(rows, (r) => `${r.entityId}\u0000${r.attr}\u0000${r.datasetId}`);
  let cut: number | undefined;
  const kept: repo.StoredInstance[] = [];
  for (const list of byStream.values()) {
    // rows are in ascending time; a lastN selection holds the most recent ones.
    const trimmed = list.length > n ? (lastN ? list.slice(list.length - n) : list.slice(0, n)) : list;
    const truncated = list.length > n && (!lastN || n < f.lastN!);
    if (truncated && trimmed.length) {
      const boundary = Date.parse(lastN ? trimmed[0].t : trimmed[trimmed.length - 1].t);
      cut = cut === undefined ? boundary : lastN ? Math.max(cut, boundary) : Math.min(cut, boundary);
    }
    kept.push(...trimmed);
  }
  if (cut === undefined) return { kept };
  const c = cut;
  const inRange = kept.filter((r) => (lastN ? Date.parse(r.t) >= c : Date.parse(r.t) <= c));
  const times = inRange.map((r) => Date.parse(r.t));
  const iso = (ms: number) => new Date(ms).toISOString();
  let start: string;
  if (lastN) {
    start =
      f.timerel === 'between' ? f.endTimeAt! : f.timerel === 'before' ? f.timeAt! : iso(Math.max(...times));
  } else {
    start = f.timerel === 'after' || f.timerel === 'between' ? f.timeAt! : iso(Math.min(...times));
  }
  return {
    kept: inRange,
    contentRange: `date-time ${start}-${iso(c)}/${lastN ? f.lastN : '*'}`,
  };
}

/** DELETE /temporal/entities/{id}: the entity's whole history (its current state is not touched). */
export async function deleteTemporalEntity(db: Db, tenant: string, id: string): Promise<void> {
  const found = await db.transaction((tx) => repo.deleteTemporalEntity(tx, tenant, id));
  if (!found) throw new ProblemError('ResourceNotFound', `temporal entity ${id} does not exist`);
}

/** DELETE /temporal/entities/{id}/attrs/{attrId}: one datasetId's history (default instance if none), or all. */
export async function deleteAttributeHistory(
  db: Db,
  tenant: string,
  id: string,
  attr: string,
  opts: { datasetId?: string; deleteAll?: boolean },
): Promise<void> {
  if (opts.datasetId !== undefined && opts.deleteAll)
    throw badRequest('datasetId and deleteAll cannot be combined');
  if (opts.datasetId !== undefined && !isUri(opts.datasetId)) throw badRequest('datasetId must be a URI');
  const n = await db.transaction(async (tx) => {
    if (!(await repo.findTemporalEntity(tx, tenant, id))) {
      throw new ProblemError('ResourceNotFound', `temporal entity ${id} does not exist`);
    }
    return repo.deleteAttributeHistory(tx, tenant, id, attr, opts.datasetId ?? '', opts.deleteAll ?? false);
  });
  if (n === 0) {
    throw new ProblemError(
      'ResourceNotFound',
      `temporal entity ${id} has no history of that attribute${opts.datasetId ? ` with datasetId ${opts.datasetId}` : ''}`,
    );
  }
}

function instanceNotFound(id: string, instanceId: string): ProblemError {
  return new ProblemError(
    'ResourceNotFound',
    `temporal entity ${id} has no such attribute instance ${instanceId}`,
  );
}

/**
 * PATCH /temporal/entities/{id}/attrs/{attrId}/{instanceId}: the members given replace those of the
 * instance (merge semantics, as PATCH of an attribute); instanceId and datasetId stay.
 */
export async function modifyInstance(
  db: Db,
  tenant: string,
  id: string,
  attr: string,
  instanceId: string,
  patch: Instance,
  now: string,
): Promise<void> {
  const uuid = repo.instanceUuid(instanceId);
  if (!uuid) throw instanceNotFound(id, instanceId);
  await db.transaction(async (tx) => {
    const found = await repo.findInstance(tx, tenant, id, attr, uuid);
    if (!found) throw instanceNotFound(id, instanceId);
    if (patch.datasetId !== undefined && patch.datasetId !== (found.datasetId || undefined)) {
      throw badRequest('the datasetId of an attribute instance cannot change');
    }
    const merged = stripSystem(mergeInstance(found.inst, patch, now));
    if (found.datasetId) merged.datasetId = found.datasetId;
    else delete merged.datasetId;
    const ts = merged.observedAt ? instanceTime(merged, found.ts) : found.ts;
    await repo.ensurePartitions(tx, partitionCache(db), [ts]);
    await repo.updateInstance(tx, tenant, id, attr, uuid, {
      inst: merged,
      num: numericValue(merged),
      ts,
      modifiedAt: now,
    });
  });
}

export async function deleteInstance(
  db: Db,
  tenant: string,
  id: string,
  attr: string,
  instanceId: string,
): Promise<void> {
  const uuid = repo.instanceUuid(instanceId);
  if (!uuid || !(await db.transaction((tx) => repo.deleteInstance(tx, tenant, id, attr, uuid)))) {
    throw instanceNotFound(id, instanceId);
  }
}

/**
 * Retention: deletes history older than its rule (table temporal_retention; see README.md) and drops
 * monthly partitions that have entirely expired. Also creates this month's and next month's partitions
 * ahead of the writes that will need them.
 */
export async function applyTemporalRetention(db: Db, at = new Date()): Promise<repo.RetentionResult> {
  const known = partitionCache(db);
  await ensureComingPartitions(db, at);
  const r = await db.transaction((tx) => repo.applyRetention(tx, at.toISOString()));
  for (const p of r.droppedPartitions) {
    const m = /p(\d{4})(\d{2})$/.exec(p);
    if (m) known.delete(`${m[1]}-${m[2]}`);
  }
  return r;
}

/**
 * Creates this month's and next month's partitions in a transaction of their own. Run at start-up and with
 * retention, so that writes almost never create a partition inside their transaction: two concurrent writes
 * doing so serialise on the partition lock, and ATTACH waits for every writer of the default partition.
 */
export async function ensureComingPartitions(db: Db, at = new Date()): Promise<void> {
  const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)).toISOString();
  await db.transaction((tx) => repo.ensurePartitions(tx, partitionCache(db), [at.toISOString(), next]));
}

export {
  listRetentionRules,
  type RetentionRule,
  removeRetentionRule,
  setRetentionRule,
} from './repository.js';
