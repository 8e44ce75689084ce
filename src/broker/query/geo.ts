/**
 * NGSI-LD geo-queries (ETSI GS CIM 009 v1.8, clause 4.10): parses `georel`, `geometry`, `coordinates` and
 * `geoproperty`, and compiles them to a PostGIS boolean expression on `broker_entities`
 * (see docs/broker-storage.md).
 */
import { badRequest } from '../../http/problem.js';
import {
  COORDINATES_GEOMETRY_TYPES,
  type Geometry,
  isCoordinatesGeometryType,
  validateCoordinates,
} from '../geojson.js';

/** Collects bind values; `add` pushes one and returns its placeholder (`$n`). */
export interface SqlParams {
  add(value: unknown): string;
}

export const LOCATION_IRI = 'https://uri.etsi.org/ngsi-ld/location';

export type GeoRel = 'near' | 'within' | 'contains' | 'intersects' | 'disjoint' | 'equals' | 'overlaps';

/** Raw query parameters. `coordinates` is JSON text in GET, already parsed (an array) in a POST geoQ. */
export interface GeoQueryInput {
  georel?: string;
  geometry?: string;
  coordinates?: unknown;
  geoproperty?: string;
}

/** A parsed and validated geo-query. */
export interface GeoQuery {
  georel: GeoRel;
  /** Meters; `near` only. At least one of the two is set for `near`. */
  maxDistance?: number;
  minDistance?: number;
  /** The reference geometry (coordinates validated against its type). */
  geometry: Exclude<Geometry, { type: 'GeometryCollection' }>;
  /** The geoproperty as given (a term or an IRI); `location` by default. */
  geoproperty: string;
}

export interface GeoSqlContext {
  /** Alias of `broker_entities` in the enclosing query. */
  alias: string;
  /** Expands an attribute term to its IRI with the request's @context. */
  expand: (term: string) => string;
  params: SqlParams;
}

const SIMPLE_RELS: ReadonlySet<string> = new Set([
  'within',
  'contains',
  'intersects',
  'disjoint',
  'equals',
  'overlaps',
]);
const GEOREL_HELP =
  'expected near;maxDistance==<meters>, near;minDistance==<meters>, within, contains, intersects, disjoint, ' +
  'equals or overlaps';
const DISTANCE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses the geo-query parameters. Returns undefined when none is present; throws BadRequestData when
 * some are missing (georel, geometry and coordinates go together) or any is invalid.
 */
export function parseGeoQuery(input: GeoQueryInput): GeoQuery | undefined {
  const given = (v: unknown) => v !== undefined && v !== null;
  const { georel, geometry, coordinates, geoproperty } = input;
  if (!given(georel) && !given(geometry) && !given(coordinates) && !given(geoproperty)) return undefined;
  const missing = (
    [
      ['georel', georel],
      ['geometry', geometry],
      ['coordinates', coordinates],
    ] as const
  )
    .filter(([, v]) => !given(v))
    .map(([k]) => k);
  if (missing.length > 0) {
    throw badRequest(
      `Incomplete geo-query: georel, geometry and coordinates go together (missing: ${missing.join(', ')})`,
    );
  }
  const rel = parseGeorel(single(georel, 'georel'));
  const type = single(geometry, 'geometry');
  if (!isCoordinatesGeometryType(type)) {
    throw badRequest(
      `Invalid geometry ${JSON.stringify(type)} in geo-query: expected ${COORDINATES_GEOMETRY_TYPES.join(', ')}`,
    );
  }
  const coords = parseCoordinates(coordinates);
  validateCoordinates(type, coords, 'coordinates');
  let prop = 'location';
  if (given(geoproperty)) {
    prop = single(geoproperty, 'geoproperty').trim();
    if (prop === '' || /\s/.test(prop))
      throw badRequest(`Invalid geoproperty ${JSON.stringify(geoproperty)}`);
  }
  return {
    ...rel,
    geometry: { type, coordinates: coords } as GeoQuery['geometry'],
    geoproperty: prop,
  };
}

function single(v: unknown, name: string): string {
  if (typeof v !== 'string') throw badRequest(`${name} must be given once, as a string`);
  return v;
}

function parseGeorel(raw: string): Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> {
  const parts = raw.split(';').map((s) => s.trim());
  const rel = parts[0];
  if (SIMPLE_RELS.has(rel)) {
    if (parts.length > 1) throw badRequest(`Invalid georel ${JSON.stringify(raw)}: ${rel} takes no modifier`);
    return { georel: rel as GeoRel };
  }
  if (rel !== 'near') throw badRequest(`Invalid georel ${JSON.stringify(raw)}: ${GEOREL_HELP}`);
  const out: Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> = { georel: 'near' };
  for (const mod of parts.slice(1)) {
    const m = /^(maxDistance|minDistance)==(.*)$/.exec(mod);
    if (!m) {
      throw badRequest(
        `Invalid georel ${JSON.stringify(raw)}: near takes maxDistance==<meters> and/or minDistance==<meters>`,
      );
    }
    const key = m[1] as 'maxDistance' | 'minDistance';
    if (out[key] !== undefined) throw badRequest(`Invalid georel ${JSON.stringify(raw)}: ${key} given twice`);
    const n = Number(m[2]);
    if (!DISTANCE.test(m[2]) || !Number.isFinite(n)) {
      throw badRequest(
        `Invalid georel ${JSON.stringify(raw)}: ${key} must be a non-negative number of meters`,
      );
    }
    out[key] = n;
  }
  if (out.maxDistance === undefined && out.minDistance === undefined) {
    throw badRequest(
      `Invalid georel ${JSON.stringify(raw)}: near needs a distance (near;maxDistance==<meters> or ` +
        'near;minDistance==<meters>)',
    );
  }
  if (out.maxDistance !== undefined && out.minDistance !== undefined && out.minDistance > out.maxDistance) {
    throw badRequest(`Invalid georel ${JSON.stringify(raw)}: minDistance is greater than maxDistance`);
  }
  return out;
}

function parseCoordinates(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') {
    try {
      return JSON.parse(raw);
    } catch {
      // Some clients encode twice; the HTTP layer decoded once already.
    }
    if (raw.includes('%')) {
      try {
        return JSON.parse(decodeURIComponent(raw));
      } catch {
        // fall through to the error below
      }
    }
  }
  throw badRequest('coordinates must be a JSON array of GeoJSON coordinates, e.g. [0.1066,49.4806]');
}

/**
 * A SQL boolean expression, true for the entities (rows of `ctx.alias`) whose geoproperty (its first
 * instance) is in relation `georel` with the reference geometry. Entities without the geoproperty never
 * match (the expression is false or NULL for them, also for `disjoint`).
 */
export function compileGeoQuery(g: GeoQuery, ctx: GeoSqlContext): string {
  const target = targetGeometry(g, ctx);
  const ref = refSql(g, ctx.params);
  switch (g.georel) {
    case 'near':
      return compileNear(g, target, ref, ctx.params);
    case 'within':
      return `ST_Within(${target}, ${ref})`;
    case 'contains':
      return `ST_Contains(${target}, ${ref})`;
    case 'intersects':
      return `ST_Intersects(${target}, ${ref})`;
    case 'overlaps':
      return `ST_Overlaps(${target}, ${ref})`;
    case 'equals':
      return `ST_Equals(${target}, ${ref})`;
    case 'disjoint':
      // ST_Disjoint cannot use an index, and NOT ST_Intersects is the same relation, computed faster.
      return `(${target} IS NOT NULL AND NOT ST_Intersects(${target}, ${ref}))`;
  }
}

/**
 * A SQL expression giving the geodesic distance in meters between the entity's geoproperty and the
 * reference geometry: sort ascending for "nearest first". NULL for entities without the geoproperty.
 */
export function orderByDistance(g: GeoQuery, ctx: GeoSqlContext): string {
  return `ST_Distance(${targetGeometry(g, ctx)}::geography, ${refSql(g, ctx.params)}::geography)`;
}

/**
 * The pieces of a nearest-first page found through the GiST index (K nearest neighbours), for
 * `near;maxDistance` on the indexed `location`; undefined otherwise. The index orders by planar distance in
 * degrees, not by geodesic distance, so it does not give the page itself; it gives a bound: the geodesic
 * distance `r` of the farthest of any `k` matching entities. The k nearest by geodesic distance are all
 * within `r` (there are k matches within it), so the page is the nearest-first sort of the matches within
 * `r` — a small circle instead of the whole maxDistance circle. See repository.queryEntities.
 */
export interface NearestFirst {
  /** The planar distance the index orders by, on the given alias. */
  knnOrder: (alias: string) => string;
  /** The geodesic distance on `ctx.alias`, meters. */
  distance: string;
  /** The near condition with maxDistance replaced by the SQL expression `radius` (meters, <= maxDistance). */
  within: (radius: string) => string;
  /** maxDistance, a bind placeholder. */
  maxDistance: string;
}

export function nearestFirst(g: GeoQuery, ctx: GeoSqlContext): NearestFirst | undefined {
  if (g.georel !== 'near' || g.maxDistance === undefined) return undefined;
  if (ctx.expand(g.geoproperty) !== LOCATION_IRI) return undefined;
  const degrees = planarRadius(g.geometry, g.maxDistance);
  if (degrees === undefined) return undefined;
  const ref = refSql(g, ctx.params);
  const target = targetGeometry(g, ctx);
  const maxDistance = `${ctx.params.add(g.maxDistance)}::float8`;
  const pDegrees = `${ctx.params.add(degrees)}::float8`;
  return {
    knnOrder: (alias) => `${alias}.location_geom <-> ${ref}`,
    distance: `ST_Distance(${target}::geography, ${ref}::geography)`,
    // planarRadius grows at most linearly with the meters below maxDistance (its cosine only shrinks with
    // the radius), so degrees * radius / maxDistance still covers the radius.
    within: (radius) =>
      compileNear(g, target, ref, ctx.params, {
        meters: radius,
        degrees: `${pDegrees} * ${radius} / ${maxDistance}`,
      }),
    maxDistance,
  };
}

function compileNear(
  g: GeoQuery,
  target: string,
  ref: string,
  params: SqlParams,
  radius?: { meters: string; degrees: string },
): string {
  const parts: string[] = [];
  if (radius) {
    parts.push(`ST_DWithin(${target}, ${ref}, ${radius.degrees})`);
    parts.push(`ST_DWithin(${target}::geography, ${ref}::geography, ${radius.meters})`);
  } else if (g.maxDistance !== undefined) {
    // The geography test cannot use the GiST index (built on geometry); a planar ST_DWithin with a radius
    // in degrees that is never smaller than the meters asked for can, and keeps the result exact.
    const degrees = planarRadius(g.geometry, g.maxDistance);
    if (degrees !== undefined) parts.push(`ST_DWithin(${target}, ${ref}, ${params.add(degrees)}::float8)`);
    parts.push(`ST_DWithin(${target}::geography, ${ref}::geography, ${params.add(g.maxDistance)}::float8)`);
  }
  if (g.minDistance !== undefined) {
    if (g.maxDistance === undefined) parts.push(`${target} IS NOT NULL`);
    parts.push(
      `NOT ST_DWithin(${target}::geography, ${ref}::geography, ${params.add(g.minDistance)}::float8)`,
    );
  }
  return `(${parts.join(' AND ')})`;
}

// Lower bounds of the length of one degree, in meters, on the WGS 84 spheroid (meridian >= 110 574 m,
// parallel >= 111 319 m * cos(lat)) and on PostGIS's sphere (111 195 m), with some margin.
const MIN_METERS_PER_DEGREE_LAT = 110_500;
const MIN_METERS_PER_DEGREE_LON_AT_EQUATOR = 111_100;

/**
 * A planar radius in degrees such that two points at most `meters` apart on the spheroid are at most that
 * many degrees apart in the lon/lat plane, or undefined when no such radius holds (the circle reaches a
 * pole or the antimeridian, where nearby points can be 360 degrees of longitude apart).
 *
 * A path of length <= m from a point of the reference moves at most m / 110 500 degrees in latitude, so it
 * stays below |lat|max + dLat, where one degree of longitude is at least 111 100 * cos(that) meters.
 * This bounds points of the geometries with edges as straight lon/lat lines (RFC 7946); the exact test casts
 * to geography, whose edges are great-circle arcs: the two differ only for edges tens of km long.
 */
export function planarRadius(geometry: GeoQuery['geometry'], meters: number): number | undefined {
  let maxAbsLat = 0;
  let minLon = 180;
  let maxLon = -180;
  for (const [lon, lat] of positions(geometry)) {
    maxAbsLat = Math.max(maxAbsLat, Math.abs(lat));
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
  }
  const dLat = meters / MIN_METERS_PER_DEGREE_LAT;
  const latLimit = maxAbsLat + dLat;
  if (latLimit >= 89) return undefined;
  const dLon = meters / (MIN_METERS_PER_DEGREE_LON_AT_EQUATOR * Math.cos((latLimit * Math.PI) / 180));
  if (minLon - dLon <= -180 || maxLon + dLon >= 180) return undefined;
  return Math.hypot(dLat, dLon);
}

function positions(g: GeoQuery['geometry']): number[][] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
  }
}

const SQL_ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The geometry of the first instance of the geoproperty, NULL when the entity has none. */
function targetGeometry(g: GeoQuery, ctx: GeoSqlContext): string {
  if (!SQL_ALIAS.test(ctx.alias)) throw new Error(`Invalid SQL alias ${JSON.stringify(ctx.alias)}`);
  const iri = ctx.expand(g.geoproperty);
  if (iri === LOCATION_IRI) {
    // Parsed once at write time into a stored, GiST-indexed column (src/broker/sql/0004_*.sql).
    return `${ctx.alias}.location_geom`;
  }
  // No index on other geoproperties; the CASE keeps ST_GeomFromGeoJSON away from a same-named attribute
  // that is not a GeoProperty in some entity (its value is not GeoJSON and would fail the whole query).
  const attr = `${ctx.alias}.attrs -> ${ctx.params.add(iri)}::text -> 0`;
  return `(CASE WHEN ${attr} ->> 'type' = 'GeoProperty' THEN ST_GeomFromGeoJSON(${attr} ->> 'value') END)`;
}

/** The reference geometry, a bind parameter PostgreSQL folds to a constant at planning. */
function refSql(g: GeoQuery, params: SqlParams): string {
  const geom = `ST_GeomFromGeoJSON(${params.add(JSON.stringify(g.geometry))}::text)`;
  // An invalid (e.g. self-intersecting) reference polygon makes GEOS < 3.13 raise a TopologyException;
  // ST_MakeValid returns valid geometries unchanged.
  return g.geometry.type === 'Polygon' || g.geometry.type === 'MultiPolygon' ? `ST_MakeValid(${geom})` : geom;
}
