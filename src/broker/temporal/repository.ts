import type { Db, Queryable } from '../../db/db.js';
import type { Instance } from '../model.js';
import { createParams, type SqlParams } from '../query/params.js';
import type { AggrMethod, Period, TemporalFilter, TimeProperty } from './params.js';

/** The temporal store's SQL (tables of src/broker/sql/0002_temporal.sql). Nothing else touches them. */

export const INSTANCE_URN_PREFIX = 'urn:ngsi-ld:attribute:instance:';

/** One attribute instance to append to the history. */
export interface NewInstance {
  entityId: string;
  attr: string;
  /** '' for the default instance. */
  datasetId: string;
  /** UTC ISO time that places the instance in history: observedAt, else the time of the change. */
  ts: string;
  /** When it entered the history. */
  createdAt: string;
  deletedAt?: string;
  inst: Instance;
  num: number | null;
}

/** The registry row of a temporal entity, written as given (callers merge with what exists). */
export interface EntityState {
  id: string;
  types: string[];
  scopes: string[] | null;
  at: string;
  deletedAt: string | null;
}

export interface TemporalEntityRow {
  id: string;
  types: string[];
  scopes: string[] | null;
  createdAt: string;
  modifiedAt: string;
  deletedAt: string | null;
}

export interface StoredInstance {
  entityId: string;
  attr: string;
  datasetId: string;
  instanceId: string;
  ts: string;
  createdAt: string;
  modifiedAt: string;
  deletedAt: string | null;
  inst: Instance;
  /** The value of the queried timeproperty. */
  t: string;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** UTC month (`YYYY-MM`) of an ISO time. */
export function monthOf(ts: string): string {
  return ts.slice(0, 7);
}

/**
 * Makes sure the monthly partitions holding these times exist (created before the insert; rows of a month
 * without partition would go to the default partition, which works but is not pruned). `known` caches
 * months seen to exist, so the hot path makes no call; a month created by this transaction is cached only
 * once seen again, in case the transaction rolls back.
 */
export async function ensurePartitions(tx: Queryable, known: Set<string>, times: string[]): Promise<void> {
  const months = new Set<string>();
  for (const t of times) {
    const m = monthOf(t);
    // Only plausible years get a partition of their own; others stay in the default partition.
    const year = Number(m.slice(0, 4));
    if (!known.has(m) && year >= 1900 && year < 2200) months.add(m);
  }
  if (months.size === 0) return;
  const list = [...months].sort();
  const r = await tx.query<{ m: string; created: boolean }>(
    `SELECT m, temporal_ensure_partition((m || '-01T00:00:00Z')::timestamptz) AS created
       FROM unnest($1::text[]) AS m`,
    [list],
  );
  for (const row of r.rows) if (!row.created) known.add(row.m);
}

/**
 * Writes registry rows and appends instances in one statement (one round trip per write). A registry row
 * is rewritten when its types, scopes or deletion change, or always with `touch` (temporal API writes,
 * whose time becomes the temporal entity's modifiedAt).
 */
export async function writeHistory(
  tx: Queryable,
  tenant: string,
  entities: EntityState[],
  instances: NewInstance[],
  touch = false,
): Promise<void> {
  if (entities.length === 0 && instances.length === 0) return;
  const params = createParams(1);
  const [ent, inst] = historyStatements(params, tenant, entities, instances, touch);
  await tx.query(`WITH ent AS (${ent}) ${inst}`, params.values, { prepare: true });
}

/**
 * The two statements of writeHistory, to run as data-modifying CTEs of another statement (the broker's
 * save): the registry upsert, then the instances' insert.
 */
export function historyStatements(
  params: SqlParams,
  tenant: string,
  entities: EntityState[],
  instances: NewInstance[],
  touch = false,
): [string, string] {
  const ents = JSON.stringify(
    entities.map((e) => ({ id: e.id, types: e.types, scopes: e.scopes, at: e.at, deleted_at: e.deletedAt })),
  );
  const rows = JSON.stringify(
    instances.map((i) => ({
      e: i.entityId,
      a: i.attr,
      d: i.datasetId,
      ts: i.ts,
      c: i.createdAt,
      del: i.deletedAt ?? null,
      i: i.inst,
      n: i.num,
    })),
  );
  const pTenant = params.add(tenant);
  const pEnts = params.add(ents);
  const pRows = params.add(rows);
  return [
    `INSERT INTO temporal_entities AS t (tenant, id, types, scopes, created_at, modified_at, deleted_at)
       SELECT ${pTenant}::text, x.id, x.types, x.scopes, x.at, x.at, x.deleted_at
         FROM jsonb_to_recordset(${pEnts}::jsonb)
           AS x(id text, types text[], scopes text[], at timestamptz, deleted_at timestamptz)
       ON CONFLICT (tenant, id) DO UPDATE SET
         types = EXCLUDED.types, scopes = EXCLUDED.scopes,
         modified_at = EXCLUDED.modified_at, deleted_at = EXCLUDED.deleted_at
       ${
         touch
           ? ''
           : // Most writes change values only: then the row is left as it is (no new tuple, no WAL).
             `WHERE t.types IS DISTINCT FROM EXCLUDED.types OR t.scopes IS DISTINCT FROM EXCLUDED.scopes
                 OR t.deleted_at IS DISTINCT FROM EXCLUDED.deleted_at`
       }
       RETURNING 1`,
    `INSERT INTO temporal_instances
       (tenant, entity_id, attr, dataset_id, ts, created_at, modified_at, deleted_at, inst, num)
     SELECT ${pTenant}::text, x.e, x.a, x.d, x.ts, x.c, x.c, x.del, x.i, x.n
       FROM jsonb_to_recordset(${pRows}::jsonb)
         AS x(e text, a text, d text, ts timestamptz, c timestamptz, del timestamptz, i jsonb, n float8)`,
  ];
}

interface EntityDbRow {
  id: string;
  types: string[];
  scopes: string[] | null;
  created_at: Date | string;
  modified_at: Date | string;
  deleted_at: Date | string | null;
}

const toEntityRow = (r: EntityDbRow): TemporalEntityRow => ({
  id: r.id,
  types: r.types,
  scopes: r.scopes,
  createdAt: iso(r.created_at),
  modifiedAt: iso(r.modified_at),
  deletedAt: isoOrNull(r.deleted_at),
});

const ENTITY_COLUMNS = 't.id, t.types, t.scopes, t.created_at, t.modified_at, t.deleted_at';

export async function findTemporalEntity(
  db: Queryable,
  tenant: string,
  id: string,
  lock = false,
): Promise<TemporalEntityRow | undefined> {
  const r = await db.query<EntityDbRow>(
    `SELECT ${ENTITY_COLUMNS} FROM temporal_entities t WHERE t.tenant = $1 AND t.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenant, id],
  );
  return r.rows[0] ? toEntityRow(r.rows[0]) : undefined;
}

export interface EntitySelectSql {
  /** FROM clause: `temporal_entities t`, possibly joined with `broker_entities e`. */
  from: string;
  where: string[];
  params: unknown[];
  orderBy?: string;
  limit: number;
  offset: number;
  count: boolean;
}

export async function selectTemporalEntities(
  db: Queryable,
  q: EntitySelectSql,
): Promise<{ entities: TemporalEntityRow[]; total?: number }> {
  const where = q.where.length ? `WHERE ${q.where.join(' AND ')}` : '';
  const order = q.orderBy ? `${q.orderBy}, t.id` : 't.id';
  const entities: TemporalEntityRow[] = [];
  if (q.limit > 0) {
    const r = await db.query<EntityDbRow>(
      `SELECT ${ENTITY_COLUMNS} FROM ${q.from} ${where} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`,
      q.params,
    );
    for (const row of r.rows) entities.push(toEntityRow(row));
  }
  let total: number | undefined;
  if (q.count) {
    const c = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${q.from} ${where}`, q.params);
    total = c.rows[0].n;
  }
  return { entities, total };
}

/** The column that holds each timeproperty (observedAt: `ts`, which falls back to the change time). */
export function timeColumn(tp: TimeProperty, alias = 'i'): string {
  return `${alias}.${tp === 'observedAt' ? 'ts' : tp === 'createdAt' ? 'created_at' : 'modified_at'}`;
}

/** before: t < timeAt; after: t >= timeAt; between: timeAt <= t < endTimeAt. */
export function timeConditions(f: TemporalFilter, add: (v: unknown) => string, alias = 'i'): string[] {
  const col = timeColumn(f.timeproperty, alias);
  switch (f.timerel) {
    case 'before':
      return [`${col} < ${add(f.timeAt)}::timestamptz`];
    case 'after':
      return [`${col} >= ${add(f.timeAt)}::timestamptz`];
    case 'between':
      return [`${col} >= ${add(f.timeAt)}::timestamptz`, `${col} < ${add(f.endTimeAt)}::timestamptz`];
    default:
      return [];
  }
}

interface InstanceDbRow {
  entity_id: string;
  attr: string;
  dataset_id: string;
  instance_id: string;
  ts: string;
  created_at: string;
  modified_at: string;
  deleted_at: string | null;
  inst: Instance | string;
  tp: string;
}

/** A timestamptz as ISO 8601 UTC text, as toISOString() writes it; parsing Dates in JS costs more. */
export const isoText = (expr: string) =>
  `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Instances of the given entities within the filter, at most `perStream` per attribute and datasetId (the
 * first ones, or the last ones when `fromEnd`), in ascending time order.
 */
export async function selectInstances(
  db: Queryable,
  tenant: string,
  ids: string[],
  attrs: string[] | undefined,
  f: TemporalFilter,
  perStream: number,
  fromEnd: boolean,
): Promise<StoredInstance[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [tenant, ids];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['i.tenant = $1', 'i.entity_id = ANY($2::text[])'];
  if (attrs) where.push(`i.attr = ANY(${add(attrs)}::text[])`);
  where.push(...timeConditions(f, add));
  const col = timeColumn(f.timeproperty);
  const r = await db.query<InstanceDbRow>(
    `SELECT entity_id, attr, dataset_id, instance_id::text AS instance_id, ${isoText('ts')} AS ts,
            ${isoText('created_at')} AS created_at, ${isoText('modified_at')} AS modified_at,
            ${isoText('deleted_at')} AS deleted_at, inst, ${isoText('tp')} AS tp
       FROM (SELECT i.entity_id, i.attr, i.dataset_id, i.instance_id, i.ts, i.created_at, i.modified_at,
                    i.deleted_at, i.inst, ${col} AS tp,
                    row_number() OVER (PARTITION BY i.entity_id, i.attr, i.dataset_id
                                       ORDER BY ${col} ${fromEnd ? 'DESC' : 'ASC'}, i.instance_id) AS rn
               FROM temporal_instances i
              WHERE ${where.join(' AND ')}) s
      WHERE s.rn <= ${add(perStream)}::int
      ORDER BY entity_id, attr, dataset_id, tp, instance_id`,
    params,
  );
  return r.rows.map((x) => ({
    entityId: x.entity_id,
    attr: x.attr,
    datasetId: x.dataset_id,
    instanceId: INSTANCE_URN_PREFIX + x.instance_id,
    ts: x.ts,
    createdAt: x.created_at,
    modifiedAt: x.modified_at,
    deletedAt: x.deleted_at,
    inst: json<Instance>(x.inst),
    t: x.tp,
  }));
}

/** `[value, start, end]`: one period of one aggregation method. */
export type AggregateTriple = [number | null, string, string];

/** The aggregated series of one attribute (and datasetId) of one entity, periods in time order. */
export interface AggregateStream {
  entityId: string;
  attr: string;
  datasetId: string;
  type: string;
  series: Partial<Record<AggrMethod, AggregateTriple[]>>;
}

/** The value member of an instance, whatever its type: what distinctCount counts. */
const VALUE_MEMBER =
  "COALESCE(i.inst->'value', i.inst->'object', i.inst->'languageMap', i.inst->'vocab', i.inst->'json', " +
  "i.inst->'valueList', i.inst->'objectList')";

const AGGREGATES: Record<AggrMethod, string> = {
  totalCount: 'count(*)::int',
  distinctCount: `count(DISTINCT ${VALUE_MEMBER})::int`,
  sum: 'sum(i.num)',
  avg: 'avg(i.num)',
  min: 'min(i.num)',
  max: 'max(i.num)',
  stddev: 'stddev_samp(i.num)',
  sumsq: 'sum(i.num * i.num)',
};

const EPOCH = '1970-01-01T00:00:00Z';

type DailyMethod = Exclude<AggrMethod, 'distinctCount' | 'stddev'>;

/** The same methods over the daily summaries (temporal_daily: n, nnum, sum, sumsq, min, max per day). */
const DAILY_AGGREGATES: Record<DailyMethod, string> = {
  totalCount: 'sum(i.n)::int',
  sum: 'CASE WHEN sum(i.nnum) > 0 THEN sum(i.sum) END',
  avg: 'sum(i.sum) / NULLIF(sum(i.nnum), 0)',
  min: 'min(i.min)',
  max: 'max(i.max)',
  sumsq: 'CASE WHEN sum(i.nnum) > 0 THEN sum(i.sumsq) END',
};

const DAY_MS = 86_400_000;
const atMidnight = (t: string | undefined) => t === undefined || Date.parse(t) % DAY_MS === 0;

/**
 * Whether the daily summaries can answer exactly: observedAt time, periods of whole days (or months) from a
 * UTC midnight, a window bounded at UTC midnights (both bounds for a single period), and methods a day's
 * sums give exactly (not distinctCount; not stddev, which from sums of squares would lose precision when
 * the spread is small beside the values).
 */
function dailyAnswers(
  f: TemporalFilter,
  methods: AggrMethod[],
  period: Period,
  lower: string | undefined,
  upper: string | undefined,
): boolean {
  if (f.timeproperty !== 'observedAt') return false;
  if (!methods.every((m) => m in DAILY_AGGREGATES)) return false;
  if (!atMidnight(lower) || !atMidnight(upper)) return false;
  if (period.months === 0 && period.seconds === 0) return lower !== undefined && upper !== undefined;
  return period.months > 0 || period.seconds % 86_400 === 0;
}

/**
 * Aggregates, in SQL, the instances of the given entities per attribute, datasetId and period (GROUP BY
 * time bucket), and builds each attribute's series there too (one row per attribute, not per period).
 * Periods start at timeAt (after, between) or on the Unix epoch (before, none) so that days are UTC days;
 * a zero period is the whole interval. Deletion records are not counted.
 *
 * The scan reads only narrow columns (the attribute type, in the jsonb, is looked up once per attribute
 * afterwards), and an attribute asked for alone is not a grouping key. work_mem is raised for the
 * statement's transaction: with the default 4MB, a month of daily periods over 1,000 entities (30,000
 * groups) spills to disk.
 */
export async function aggregateInstances(
  db: Db,
  tenant: string,
  ids: string[],
  attrs: string[] | undefined,
  f: TemporalFilter,
  methods: AggrMethod[],
  period: Period,
): Promise<AggregateStream[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [tenant, ids];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const lower = f.timerel === 'after' || f.timerel === 'between' ? f.timeAt : undefined;
  const upper = f.timerel === 'between' ? f.endTimeAt : f.timerel === 'before' ? f.timeAt : undefined;
  const daily = dailyAnswers(f, methods, period, lower, upper);
  const where = ['i.tenant = $1', 'i.entity_id = ANY($2::text[])'];
  if (!daily) where.push('i.deleted_at IS NULL');
  let attrColumn = 'i.attr';
  if (attrs?.length === 1) {
    const one = add(attrs[0]);
    where.push(`i.attr = ${one}`);
    attrColumn = `${one}::text`;
  } else if (attrs) where.push(`i.attr = ANY(${add(attrs)}::text[])`);
  // The daily summaries answer for whole UTC days: a day is in the window when its instances are.
  const col = daily ? 'i.day' : timeColumn(f.timeproperty);
  if (daily) {
    if (lower) where.push(`i.day >= ${add(lower)}::timestamptz`);
    if (upper) where.push(`i.day < ${add(upper)}::timestamptz`);
  } else where.push(...timeConditions(f, add));
  let bucket: string | undefined;
  let start: string;
  let end: string;
  if (period.months === 0 && period.seconds === 0) {
    start = lower ? `${add(lower)}::timestamptz` : 'g.first';
    end = upper ? `${add(upper)}::timestamptz` : 'g.last';
  } else {
    const origin = `${add(lower ?? EPOCH)}::timestamptz`;
    if (period.months > 0) {
      const m = `${add(period.months)}::int`;
      bucket = `temporal_month_bin(${m}, ${col}, ${origin})`;
      end = `(g.bucket AT TIME ZONE 'UTC' + make_interval(months => ${m})) AT TIME ZONE 'UTC'`;
    } else {
      const step = `make_interval(secs => ${add(period.seconds)}::float8)`;
      bucket = `date_bin(${step}, ${col}, ${origin})`;
      end = `g.bucket + ${step}`;
    }
    start = 'g.bucket';
    if (upper) end = `LEAST(${end}, ${add(upper)}::timestamptz)`;
  }
  const groupAttr = attrColumn === 'i.attr';
  const keys = ['i.entity_id', 'i.dataset_id', ...(groupAttr ? ['i.attr'] : []), ...(bucket ? [bucket] : [])];
  const span = bucket || (lower && upper) ? '' : `, min(${col}) AS first, max(${col}) AS last`;
  const aggs = methods
    .map((m) => `${daily ? DAILY_AGGREGATES[m as DailyMethod] : AGGREGATES[m]} AS "${m}"`)
    .join(', ');
  // Per stream, its periods as one JSON array of [start ms, end ms, value per method] in time order:
  // formatting the dates in SQL (to_char) or parsing one row per period in Node cost more than the
  // aggregation itself; the triples are assembled below.
  const sql = `
    SELECT g.entity_id, g.attr, g.dataset_id,
           json_agg(json_build_array(date_part('epoch', ${start}) * 1000, date_part('epoch', ${end}) * 1000,
                                     ${methods.map((m) => `g."${m}"`).join(', ')}) ORDER BY g.bucket) AS p
      FROM (SELECT i.entity_id, i.dataset_id, ${groupAttr ? 'i.attr' : `${attrColumn} AS attr`},
                   ${bucket ?? 'NULL::timestamptz'} AS bucket${span}, ${aggs}
              FROM ${daily ? 'temporal_daily' : 'temporal_instances'} i
             WHERE ${where.join(' AND ')}
             GROUP BY ${keys.join(', ')}) g
     GROUP BY g.entity_id, g.attr, g.dataset_id
     ORDER BY g.entity_id COLLATE "C", g.attr COLLATE "C", g.dataset_id COLLATE "C"`;
  return db.transaction(async (tx) => {
    await tx.query("SET LOCAL work_mem = '64MB'");
    const r = await tx.query<{ entity_id: string; attr: string; dataset_id: string; p: unknown }>(
      sql,
      params,
    );
    const streams = r.rows.map((x): AggregateStream => {
      const series: AggregateStream['series'] = {};
      for (const m of methods) series[m] = [];
      for (const row of json<(number | null)[][]>(x.p as string)) {
        const from = new Date(row[0] as number).toISOString();
        const to = new Date(row[1] as number).toISOString();
        methods.forEach((m, k) => {
          series[m]?.push([row[k + 2], from, to]);
        });
      }
      return { entityId: x.entity_id, attr: x.attr, datasetId: x.dataset_id, type: 'Property', series };
    });
    const types = await streamTypes(tx, tenant, streams, f);
    for (const st of streams) st.type = types.get(streamKey(st)) ?? 'Property';
    return streams;
  });
}

const streamKey = (r: { entityId: string; attr: string; datasetId: string }) =>
  `${r.entityId}\u0000${r.attr}\u0000${r.datasetId}`;

/**
 * The attribute type of each stream (its latest instance in the window): one index probe per stream, so the
 * aggregation itself never reads the jsonb.
 */
async function streamTypes(
  tx: Queryable,
  tenant: string,
  list: AggregateStream[],
  f: TemporalFilter,
): Promise<Map<string, string>> {
  if (list.length === 0) return new Map();
  const params: unknown[] = [
    tenant,
    list.map((r) => r.entityId),
    list.map((r) => r.attr),
    list.map((r) => r.datasetId),
  ];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [
    'i.tenant = $1',
    'i.entity_id = s.e',
    'i.attr = s.a',
    'i.dataset_id = s.d',
    'i.deleted_at IS NULL',
  ];
  where.push(...timeConditions(f, add));
  const r = await tx.query<{ e: string; a: string; d: string; type: string | null }>(
    `SELECT s.e, s.a, s.d,
            (SELECT i.inst->>'type' FROM temporal_instances i WHERE ${where.join(' AND ')}
              ORDER BY ${timeColumn(f.timeproperty)} DESC LIMIT 1) AS type
       FROM unnest($2::text[], $3::text[], $4::text[]) AS s(e, a, d)`,
    params,
  );
  return new Map(
    r.rows.map((x) => [streamKey({ entityId: x.e, attr: x.a, datasetId: x.d }), x.type ?? 'Property']),
  );
}

/** Deletes a whole temporal entity; false when there was none. */
export async function deleteTemporalEntity(tx: Queryable, tenant: string, id: string): Promise<boolean> {
  await tx.query('DELETE FROM temporal_instances WHERE tenant = $1 AND entity_id = $2', [tenant, id]);
  const r = await tx.query('DELETE FROM temporal_entities WHERE tenant = $1 AND id = $2', [tenant, id]);
  return r.rowCount > 0;
}

/** Deletes the history of one attribute: one datasetId ('' = default) or, with `all`, every one. */
export async function deleteAttributeHistory(
  tx: Queryable,
  tenant: string,
  id: string,
  attr: string,
  datasetId: string,
  all: boolean,
): Promise<number> {
  const r = await tx.query(
    `DELETE FROM temporal_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3
        ${all ? '' : 'AND dataset_id = $4'}`,
    all ? [tenant, id, attr] : [tenant, id, attr, datasetId],
  );
  return r.rowCount;
}

/** The uuid of `urn:ngsi-ld:attribute:instance:<uuid>`, undefined for any other URI. */
export function instanceUuid(instanceId: string): string | undefined {
  if (!instanceId.startsWith(INSTANCE_URN_PREFIX)) return undefined;
  const u = instanceId.slice(INSTANCE_URN_PREFIX.length).toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(u) ? u : undefined;
}

export async function findInstance(
  tx: Queryable,
  tenant: string,
  id: string,
  attr: string,
  uuid: string,
): Promise<{ inst: Instance; ts: string; datasetId: string } | undefined> {
  const r = await tx.query<{ inst: Instance | string; ts: Date | string; dataset_id: string }>(
    `SELECT inst, ts, dataset_id FROM temporal_instances
      WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid FOR UPDATE`,
    [tenant, id, attr, uuid],
  );
  const row = r.rows[0];
  return row ? { inst: json<Instance>(row.inst), ts: iso(row.ts), datasetId: row.dataset_id } : undefined;
}

/** Rewrites one instance; a new `ts` moves the row to its month's partition (which must exist). */
export async function updateInstance(
  tx: Queryable,
  tenant: string,
  id: string,
  attr: string,
  uuid: string,
  change: { inst: Instance; num: number | null; ts: string; modifiedAt: string },
): Promise<void> {
  await tx.query(
    `UPDATE temporal_instances SET inst = $5::jsonb, num = $6, ts = $7::timestamptz, modified_at = $8::timestamptz
      WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid`,
    [tenant, id, attr, uuid, JSON.stringify(change.inst), change.num, change.ts, change.modifiedAt],
  );
}

export async function deleteInstance(
  tx: Queryable,
  tenant: string,
  id: string,
  attr: string,
  uuid: string,
): Promise<boolean> {
  const r = await tx.query(
    'DELETE FROM temporal_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid',
    [tenant, id, attr, uuid],
  );
  return r.rowCount > 0;
}

export interface RetentionResult {
  deletedInstances: number;
  droppedPartitions: string[];
}

export async function applyRetention(db: Queryable, at: string): Promise<RetentionResult> {
  const r = await db.query<{ deleted_instances: number; dropped_partitions: string[] }>(
    'SELECT deleted_instances, dropped_partitions FROM temporal_apply_retention($1::timestamptz)',
    [at],
  );
  return {
    deletedInstances: Number(r.rows[0].deleted_instances),
    droppedPartitions: r.rows[0].dropped_partitions,
  };
}

export interface RetentionRule {
  /** A tenant ('' is the default tenant) or '*' for every tenant. */
  tenant: string;
  /** Expanded entity type IRI, or '' (default) for every type. */
  entityType?: string;
  /** An ISO 8601 duration or a PostgreSQL interval, e.g. `P90D` or `90 days`. */
  keep: string;
}

export async function setRetentionRule(db: Queryable, rule: RetentionRule): Promise<void> {
  await db.query(
    `INSERT INTO temporal_retention (tenant, entity_type, keep) VALUES ($1, $2, $3::interval)
     ON CONFLICT (tenant, entity_type) DO UPDATE SET keep = EXCLUDED.keep`,
    [rule.tenant, rule.entityType ?? '', rule.keep],
  );
}

export async function removeRetentionRule(db: Queryable, tenant: string, entityType = ''): Promise<boolean> {
  const r = await db.query('DELETE FROM temporal_retention WHERE tenant = $1 AND entity_type = $2', [
    tenant,
    entityType,
  ]);
  return r.rowCount > 0;
}

export async function listRetentionRules(db: Queryable): Promise<RetentionRule[]> {
  const r = await db.query<{ tenant: string; entity_type: string; keep: string }>(
    `SELECT tenant, entity_type, keep::text AS keep FROM temporal_retention ORDER BY tenant, entity_type`,
  );
  return r.rows.map((x) => ({ tenant: x.tenant, entityType: x.entity_type, keep: x.keep }));
}
