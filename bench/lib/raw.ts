import type { Queryable } from '../../src/db/db.js';
import { IRI } from './vessels.js';

/**
 * The raw-SQL reference: the same work as Escale's HTTP path, written by hand against broker_entities and
 * run through the same driver. Each function is one round trip.
 */

/** The statement of saveEntities (src/broker/repository.ts): rows in the stored shape, as one jsonb array. */
const UPSERT_SQL = `INSERT INTO broker_entities (tenant, id, types, scopes, attrs, created_at, modified_at)
  SELECT '', x.id, x.types, x.scopes, x.attrs, x.created_at, x.modified_at
    FROM jsonb_to_recordset($1::jsonb)
      AS x(id text, types text[], scopes text[], attrs jsonb, created_at timestamptz, modified_at timestamptz)
  ON CONFLICT (tenant, id) DO UPDATE SET
    types = EXCLUDED.types, scopes = EXCLUDED.scopes, attrs = EXCLUDED.attrs,
    created_at = EXCLUDED.created_at, modified_at = EXCLUDED.modified_at`;

export async function rawUpsert(db: Queryable, payload: string): Promise<number> {
  const r = await db.query(UPSERT_SQL, [payload]);
  return r.rowCount;
}

/** PATCH attrs/speed {"value": n}: the value and the instance's modifiedAt, and the entity's modified_at. */
const UPDATE_SQL = `UPDATE broker_entities
   SET attrs = jsonb_set(attrs, ARRAY[$2::text, '0'],
                         (attrs -> $2::text -> 0) || jsonb_build_object('value', $3::float8, 'modifiedAt', $4::text)),
       modified_at = now()
 WHERE tenant = '' AND id = $1 AND attrs ? $2::text`;

export async function rawUpdateSpeed(db: Queryable, id: string, speed: number): Promise<void> {
  const r = await db.query(UPDATE_SQL, [id, IRI.speed, speed, new Date().toISOString()]);
  if (r.rowCount !== 1) throw new Error(`UPDATE of ${id} touched ${r.rowCount} rows`);
}

const GET_SQL = `SELECT id, types, scopes, attrs, created_at, modified_at
  FROM broker_entities WHERE tenant = '' AND id = $1`;

export async function rawGet(db: Queryable, id: string): Promise<void> {
  const r = await db.query(GET_SQL, [id]);
  if (r.rows.length !== 1) throw new Error(`no entity ${id}`);
}

/** The stored, GiST-indexed geometry of `location` (src/broker/sql/0004_broker_location_column.sql). */
const GEOM = 'e.location_geom';
const REF = 'ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)';

/**
 * type=Vessel & q=speed>10;status=="underway" & near;maxDistance==$m of ($lon, $lat), nearest first: the GiST
 * index is reached through a planar ST_DWithin in degrees that covers the radius, then the exact geodesic test.
 */
const QUERY_SQL = `SELECT e.id, e.types, e.scopes, e.attrs, e.created_at, e.modified_at
  FROM broker_entities e
 WHERE e.tenant = ''
   AND e.types @> ARRAY['${IRI.Vessel}']
   AND e.attrs -> '${IRI.speed}' -> 0 -> 'value' > '10'::jsonb
   AND e.attrs -> '${IRI.status}' -> 0 -> 'value' = '"underway"'::jsonb
   AND ST_DWithin(${GEOM}, ${REF}, $3::float8)
   AND ST_DWithin(${GEOM}::geography, ${REF}::geography, $4::float8)
 ORDER BY ST_Distance(${GEOM}::geography, ${REF}::geography), e.id
 LIMIT $5`;

/** A radius in degrees never smaller than `meters` around latitude `lat` (mid latitudes only). */
export function degreesCovering(meters: number, lat: number): number {
  const dLat = meters / 110_500;
  const dLon = meters / (111_100 * Math.cos(((Math.abs(lat) + dLat) * Math.PI) / 180));
  return Math.hypot(dLat, dLon);
}

export async function rawQuery(
  db: Queryable,
  lon: number,
  lat: number,
  maxDistance: number,
  limit: number,
): Promise<string[]> {
  const r = await db.query<{ id: string }>(QUERY_SQL, [
    lon,
    lat,
    degreesCovering(maxDistance, lat),
    maxDistance,
    limit,
  ]);
  return r.rows.map((x) => x.id);
}

export async function rawCount(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM broker_entities WHERE tenant = ''`);
  return r.rows[0].n;
}
