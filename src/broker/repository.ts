import type { Queryable } from '../db/db.js';
import type { Attrs, StoredEntity } from './model.js';
import type { NearestFirst } from './query/geo.js';

/** The broker's SQL. Nothing outside src/broker touches these tables. */

interface Row {
  id: string;
  types: string[];
  scopes: string[] | null;
  attrs: Attrs;
  created_at: Date | string;
  modified_at: Date | string;
}

const COLUMNS = 'id, types, scopes, attrs, created_at, modified_at';
/** The same columns on the alias `e` of the queries. */
const E_COLUMNS = COLUMNS.split(', ')
  .map((c) => `e.${c}`)
  .join(', ');

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function toEntity(r: Row): StoredEntity {
  return {
    id: r.id,
    types: r.types,
    scopes: r.scopes,
    attrs: typeof r.attrs === 'string' ? (JSON.parse(r.attrs) as Attrs) : r.attrs,
    createdAt: iso(r.created_at),
    modifiedAt: iso(r.modified_at),
  };
}

export async function findEntity(
  db: Queryable,
  tenant: string,
  id: string,
): Promise<StoredEntity | undefined> {
  const r = await db.query<Row>(
    `SELECT ${COLUMNS} FROM broker_entities WHERE tenant = $1 AND id = $2`,
    [tenant, id],
    { prepare: true },
  );
  return r.rows[0] ? toEntity(r.rows[0]) : undefined;
}

/** The entities among ids that exist, in one statement. */
export async function findEntities(
  db: Queryable,
  tenant: string,
  ids: readonly string[],
): Promise<Map<string, StoredEntity>> {
  const r = await db.query<Row>(
    `SELECT ${COLUMNS} FROM broker_entities WHERE tenant = $1 AND id = ANY($2::text[])`,
    [tenant, ids],
    { prepare: true },
  );
  return new Map(r.rows.map((row) => [row.id, toEntity(row)]));
}

/**
 * Reads and row-locks the entities that exist among ids, in id order so that two batches never deadlock; with
 * them, the values of `prefetch` (scalar SQL expressions of the tenant, `$1`), in the same round trip.
 */
export async function lockEntities(
  tx: Queryable,
  tenant: string,
  ids: string[],
  prefetch: string[] = [],
): Promise<{ entities: Map<string, StoredEntity>; prefetched: unknown[] }> {
  const entities = new Map<string, StoredEntity>();
  const lock = `SELECT ${COLUMNS} FROM broker_entities WHERE tenant = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`;
  if (prefetch.length === 0) {
    if (ids.length === 0) return { entities, prefetched: [] };
    const r = await tx.query<Row>(lock, [tenant, ids], { prepare: true });
    for (const row of r.rows) entities.set(row.id, toEntity(row));
    return { entities, prefetched: [] };
  }
  const values = prefetch.map((sql, k) => `(${sql}) AS p${k}`).join(', ');
  const r = await tx.query<Partial<Row> & Record<string, unknown>>(
    `WITH locked AS (${lock}) SELECT l.*, p.* FROM (SELECT ${values}) p LEFT JOIN locked l ON true ORDER BY l.id`,
    [tenant, ids],
    { prepare: true },
  );
  for (const row of r.rows)
    if (row.id !== null && row.id !== undefined) entities.set(row.id, toEntity(row as Row));
  const first = r.rows[0] ?? {};
  return { entities, prefetched: prefetch.map((_, k) => first[`p${k}`]) };
}

/** Data-modifying CTEs to run in the statement that saves or deletes, with their bind values. */
export interface Companions {
  ctes: string[];
  params: unknown[];
}

/** Bind values of saveEntities' own statement: companions' placeholders start after them. */
export const SAVE_PARAMS = 3;
/** Bind values of deleteEntities' own statement. */
export const DELETE_PARAMS = 2;

const withCompanions = (c: Companions | undefined) =>
  c?.ctes.length ? `, ${c.ctes.map((sql, k) => `c${k} AS (${sql})`).join(', ')}` : '';

/**
 * Raised when an entity this transaction found absent, and so created, was created meanwhile by a concurrent
 * transaction: the write must be run again (it will then find, lock and merge into that entity).
 */
export class ConcurrentCreate extends Error {}

/**
 * Saves whole entities in one statement: `existing` (ids row-locked by this transaction) are overwritten; the
 * others are inserted, and ConcurrentCreate is thrown if any of them exists by now (absent rows cannot be
 * locked, so two transactions may both decide to create the same entity; the second must not overwrite).
 */
export async function saveEntities(
  tx: Queryable,
  tenant: string,
  entities: StoredEntity[],
  existing: ReadonlySet<string> | ReadonlyMap<string, unknown>,
  companions?: Companions,
): Promise<void> {
  if (entities.length === 0) return;
  const fresh = entities.filter((e) => !existing.has(e.id));
  const payload = JSON.stringify(
    entities.map((e) => ({
      id: e.id,
      types: e.types,
      scopes: e.scopes,
      attrs: e.attrs,
      created_at: e.createdAt,
      modified_at: e.modifiedAt,
    })),
  );
  const written = await tx.query<{ id: string }>(
    `WITH saved AS (
     INSERT INTO broker_entities (tenant, id, types, scopes, attrs, created_at, modified_at)
     SELECT $1, x.id, x.types, x.scopes, x.attrs, x.created_at, x.modified_at
       FROM jsonb_to_recordset($2::jsonb)
         AS x(id text, types text[], scopes text[], attrs jsonb, created_at timestamptz, modified_at timestamptz)
     ON CONFLICT (tenant, id) DO UPDATE SET
       types = EXCLUDED.types, scopes = EXCLUDED.scopes, attrs = EXCLUDED.attrs,
       created_at = EXCLUDED.created_at, modified_at = EXCLUDED.modified_at
     WHERE NOT (broker_entities.id = ANY($3::text[]))
     RETURNING id)${withCompanions(companions)}
     SELECT id FROM saved`,
    [tenant, payload, fresh.map((e) => e.id), ...(companions?.params ?? [])],
    { prepare: true },
  );
  // A row meant to be new and not returned was created concurrently (the conflict's WHERE left it alone).
  if (fresh.length > 0) {
    const returned = new Set(written.rows.map((x) => x.id));
    const missed = fresh.filter((e) => !returned.has(e.id)).length;
    if (missed > 0) throw new ConcurrentCreate(`${missed} entities were created concurrently`);
  }
}

export async function deleteEntities(
  tx: Queryable,
  tenant: string,
  ids: string[],
  companions?: Companions,
): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `WITH gone AS (DELETE FROM broker_entities WHERE tenant = $1 AND id = ANY($2::text[]) RETURNING 1)${withCompanions(companions)}
     SELECT count(*) FROM gone`,
    [tenant, ids, ...(companions?.params ?? [])],
    { prepare: true },
  );
}

export async function ensureTenant(db: Queryable, tenant: string): Promise<void> {
  await db.query('INSERT INTO broker_tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
}

export async function tenantExists(db: Queryable, tenant: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM broker_tenants WHERE name = $1', [tenant]);
  return r.rows.length > 0;
}

export interface EntityQuerySql {
  where: string[];
  params: unknown[];
  orderBy?: string;
  limit: number;
  offset: number;
  count: boolean;
  /**
   * A `near;maxDistance` page to find through the index's nearest neighbours (query/geo.ts, nearestFirst):
   * `condition` is the element of `where` that is the near condition.
   */
  nearest?: { plan: NearestFirst; condition: string };
}

/** Rows the nearest-neighbour scan reads at most, per row of the page, before giving up on a tight bound. */
const KNN_ROWS_PER_RESULT = 20;
/** Pages deeper than this are sorted from the whole circle (the bound would not be tight anyway). */
const KNN_MAX_DEPTH = 1000;

export async function queryEntities(
  db: Queryable,
  q: EntityQuerySql,
): Promise<{ entities: StoredEntity[]; total?: number }> {
  const where = q.where.length ? `WHERE ${q.where.join(' AND ')}` : '';
  const order = q.orderBy ? `${q.orderBy}, e.id` : 'e.id';
  const entities: StoredEntity[] = [];
  const depth = q.offset + q.limit;
  if (q.limit > 0 && q.nearest && depth <= KNN_MAX_DEPTH) {
    // Two steps in one statement: any `depth` matches among the index's nearest neighbours bound the page's
    // radius (the whole maxDistance when fewer are found); the page is then sorted from that small circle.
    // The bound gets a millimetre more: ST_DWithin and ST_Distance round differently at the boundary.
    const { plan, condition } = q.nearest;
    const scan = Math.max(1000, depth * KNN_ROWS_PER_RESULT);
    const final = q.where.map((w) => (w === condition ? plan.within('b.r') : w));
    const r = await db.query<Row>(
      `WITH k AS (
         SELECT ${plan.distance} AS d
           FROM (SELECT * FROM broker_entities n WHERE n.tenant = $1 AND n.location_geom IS NOT NULL
                  ORDER BY ${plan.knnOrder('n')} LIMIT ${scan}) e
          ${where} LIMIT ${depth}),
       b AS (SELECT CASE WHEN count(*) < ${depth} THEN ${plan.maxDistance}
                          ELSE LEAST(max(d) * (1 + 1e-9) + 0.001, ${plan.maxDistance}) END AS r FROM k)
       SELECT ${E_COLUMNS} FROM broker_entities e CROSS JOIN b
        WHERE ${final.join(' AND ')} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`,
      q.params,
    );
    for (const row of r.rows) entities.push(toEntity(row));
  } else if (q.limit > 0) {
    const r = await db.query<Row>(
      `SELECT ${E_COLUMNS} FROM broker_entities e ${where} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`,
      q.params,
    );
    for (const row of r.rows) entities.push(toEntity(row));
  }
  let total: number | undefined;
  if (q.count) {
    const c = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM broker_entities e ${where}`,
      q.params,
    );
    total = c.rows[0].n;
  }
  return { entities, total };
}

export async function listTypes(
  db: Queryable,
  tenant: string,
): Promise<{ type: string; count: number; attrs: string[] }[]> {
  const r = await db.query<{ type: string; count: number; attrs: string[] | null }>(
    `SELECT t AS type, count(DISTINCT e.id)::int AS count,
            array_remove(array_agg(DISTINCT k), NULL) AS attrs
       FROM broker_entities e
       CROSS JOIN LATERAL unnest(e.types) AS t
       LEFT JOIN LATERAL jsonb_object_keys(e.attrs) AS k ON true
      WHERE e.tenant = $1
      GROUP BY t ORDER BY t`,
    [tenant],
  );
  return r.rows.map((x) => ({ type: x.type, count: x.count, attrs: x.attrs ?? [] }));
}

export async function listAttributes(
  db: Queryable,
  tenant: string,
): Promise<{ attr: string; count: number; types: string[]; attrTypes: string[] }[]> {
  const r = await db.query<{ attr: string; count: number; types: string[]; attr_types: string[] }>(
    `SELECT a.key AS attr, count(DISTINCT e.id)::int AS count,
            array_agg(DISTINCT t) AS types,
            array_agg(DISTINCT i->>'type') AS attr_types
       FROM broker_entities e
       CROSS JOIN LATERAL jsonb_each(e.attrs) AS a
       CROSS JOIN LATERAL jsonb_array_elements(a.value) AS i
       CROSS JOIN LATERAL unnest(e.types) AS t
      WHERE e.tenant = $1
      GROUP BY a.key ORDER BY a.key`,
    [tenant],
  );
  return r.rows.map((x) => ({ attr: x.attr, count: x.count, types: x.types, attrTypes: x.attr_types }));
}
