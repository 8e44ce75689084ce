/**
 * GeoJSON geometry validation (RFC 7946) for NGSI-LD GeoProperty values and geo-query reference geometries.
 *
 * Hand-written rather than a JSON Schema: it runs on every write, and it checks what a schema cannot
 * (ring closure, coordinate ranges). Anything it accepts is accepted by PostGIS ST_GeomFromGeoJSON, so
 * maintaining the GiST index on `location` never fails on insert.
 */
import { badRequest } from '../http/problem.js';

/** [longitude, latitude] or [longitude, latitude, altitude], WGS 84. */
export type Position = number[];

export interface Point {
  type: 'Point';
  coordinates: Position;
}
export interface MultiPoint {
  type: 'MultiPoint';
  coordinates: Position[];
}
export interface LineString {
  type: 'LineString';
  coordinates: Position[];
}
export interface MultiLineString {
  type: 'MultiLineString';
  coordinates: Position[][];
}
export interface Polygon {
  type: 'Polygon';
  coordinates: Position[][];
}
export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}
export interface GeometryCollection {
  type: 'GeometryCollection';
  geometries: Geometry[];
}

export type Geometry =
  | Point
  | MultiPoint
  | LineString
  | MultiLineString
  | Polygon
  | MultiPolygon
  | GeometryCollection;

/** Geometry types that carry `coordinates` (all but GeometryCollection). */
export type CoordinatesGeometryType = Exclude<Geometry['type'], 'GeometryCollection'>;

export const COORDINATES_GEOMETRY_TYPES: readonly CoordinatesGeometryType[] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
];

const COORDINATE_TYPES = new Set<string>(COORDINATES_GEOMETRY_TYPES);

// PostGIS recurses on nested collections; a bound keeps a hostile payload from exhausting the stack.
const MAX_COLLECTION_DEPTH = 16;

export function isCoordinatesGeometryType(t: unknown): t is CoordinatesGeometryType {
  return typeof t === 'string' && COORDINATE_TYPES.has(t);
}

/**
 * Throws ProblemError('BadRequestData') naming `path` (e.g. `location.value`) unless `value` is a valid
 * GeoJSON geometry. Features and FeatureCollections are refused: a GeoProperty value is a geometry.
 */
export function validateGeometry(value: unknown, path: string): asserts value is Geometry {
  checkGeometry(value, path, 0);
}

/**
 * Validates the `coordinates` of a geometry of the given type; `path` names the coordinates themselves
 * (used for geo-queries, where type and coordinates arrive as separate parameters).
 */
export function validateCoordinates(type: CoordinatesGeometryType, coordinates: unknown, path: string): void {
  switch (type) {
    case 'Point':
      checkPosition(coordinates, path);
      return;
    case 'MultiPoint':
      for (const [i, p] of nonEmptyArray(coordinates, path, 'positions').entries())
        checkPosition(p, `${path}[${i}]`);
      return;
    case 'LineString':
      checkLine(coordinates, path);
      return;
    case 'MultiLineString':
      for (const [i, l] of nonEmptyArray(coordinates, path, 'line strings').entries())
        checkLine(l, `${path}[${i}]`);
      return;
    case 'Polygon':
      checkPolygon(coordinates, path);
      return;
    case 'MultiPolygon':
      for (const [i, p] of nonEmptyArray(coordinates, path, 'polygons').entries())
        checkPolygon(p, `${path}[${i}]`);
      return;
  }
}

function checkGeometry(value: unknown, path: string, depth: number): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${path}: a GeoJSON geometry must be an object with "type" and "coordinates"`);
  }
  const g = value as Record<string, unknown>;
  const type = g.type;
  // PostGIS honours a `crs` member and would give the geometry another SRID, breaking every query on it.
  if (g.crs !== undefined) {
    throw badRequest(`${path}: "crs" is not supported; GeoJSON coordinates are WGS 84 longitude/latitude`);
  }
  if (type === 'GeometryCollection') {
    if (depth >= MAX_COLLECTION_DEPTH) throw badRequest(`${path}: GeometryCollections are nested too deeply`);
    if (!Array.isArray(g.geometries)) {
      throw badRequest(`${path}: a GeometryCollection needs a "geometries" array`);
    }
    for (const [i, child] of g.geometries.entries())
      checkGeometry(child, `${path}.geometries[${i}]`, depth + 1);
    return;
  }
  if (isCoordinatesGeometryType(type)) {
    if (g.coordinates === undefined) throw badRequest(`${path}: a ${type} needs "coordinates"`);
    validateCoordinates(type, g.coordinates, `${path}.coordinates`);
    return;
  }
  if (type === 'Feature' || type === 'FeatureCollection') {
    throw badRequest(`${path}: expected a GeoJSON geometry, not a ${type}`);
  }
  throw badRequest(
    `${path}: unknown GeoJSON geometry type ${JSON.stringify(type)} (expected Point, MultiPoint, LineString, ` +
      'MultiLineString, Polygon, MultiPolygon or GeometryCollection)',
  );
}

function nonEmptyArray(value: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw badRequest(`${path}: expected an array of ${what}`);
  if (value.length === 0) throw badRequest(`${path}: expected at least one of ${what}, got an empty array`);
  return value;
}

function checkPosition(p: unknown, path: string): void {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3) {
    throw badRequest(`${path}: a position is an array of 2 or 3 numbers [longitude, latitude(, altitude)]`);
  }
  for (let i = 0; i < p.length; i++) {
    const n = p[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw badRequest(`${path}[${i}]: expected a finite number, got ${describe(n)}`);
    }
  }
  if (p[0] < -180 || p[0] > 180) throw badRequest(`${path}: longitude ${p[0]} is outside [-180, 180]`);
  if (p[1] < -90 || p[1] > 90) throw badRequest(`${path}: latitude ${p[1]} is outside [-90, 90]`);
}

function checkLine(line: unknown, path: string): void {
  const ps = nonEmptyArray(line, path, 'positions');
  if (ps.length < 2) throw badRequest(`${path}: a line string needs at least 2 positions`);
  for (let i = 0; i < ps.length; i++) checkPosition(ps[i], `${path}[${i}]`);
}

function checkPolygon(poly: unknown, path: string): void {
  const rings = nonEmptyArray(poly, path, 'linear rings');
  for (let r = 0; r < rings.length; r++) {
    const rp = `${path}[${r}]`;
    const ring = nonEmptyArray(rings[r], rp, 'positions');
    if (ring.length < 4) throw badRequest(`${rp}: a linear ring needs at least 4 positions`);
    for (let i = 0; i < ring.length; i++) checkPosition(ring[i], `${rp}[${i}]`);
    const first = ring[0] as Position;
    const last = ring[ring.length - 1] as Position;
    if (first.length !== last.length || first.some((v, i) => v !== last[i])) {
      throw badRequest(
        `${rp}: a linear ring must be closed (its last position ${JSON.stringify(last)} must equal ` +
          `its first ${JSON.stringify(first)})`,
      );
    }
  }
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
}
