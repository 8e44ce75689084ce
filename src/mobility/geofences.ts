/**
 * Geofences of a port: its area, basins, terminals and berths, from a GeoJSON FeatureCollection (see
 * data/le-havre-geofences.geojson). Each feature has `properties.kind` (port, basin, terminal, berth), an
 * entity `id` (a URI), a `name`, a `code`, and for berths the `terminal` id they belong to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Geometry, validateGeometry } from '../broker/geojson.js';
import { sourceRoot } from '../paths.js';

export type GeofenceKind = 'port' | 'basin' | 'terminal' | 'berth';

export interface Geofence {
  kind: GeofenceKind;
  id: string;
  code: string;
  name: string;
  /** Berths: the terminal's id. */
  terminal?: string;
  /** Polygons as rings of [lon, lat]. */
  polygons: number[][][][];
  geometry: Geometry;
  bbox: [number, number, number, number];
}

export interface Geofences {
  port: Geofence;
  basins: Geofence[];
  terminals: Geofence[];
  berths: Geofence[];
  /** The FeatureCollection as loaded (for the web map). */
  geojson: unknown;
}

export function defaultGeofencesFile(): string {
  return join(sourceRoot(), 'mobility', 'data', 'le-havre-geofences.geojson');
}

const KINDS = new Set<GeofenceKind>(['port', 'basin', 'terminal', 'berth']);

export function loadGeofences(file = defaultGeofencesFile()): Geofences {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`geofences ${file}: ${(err as Error).message}`);
  }
  return parseGeofences(parsed, file);
}

export function parseGeofences(geojson: unknown, where = 'geofences'): Geofences {
  const fc = geojson as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new Error(`${where}: expected a GeoJSON FeatureCollection`);
  }
  const all: Geofence[] = [];
  fc.features.forEach((f: unknown, i: number) => {
    const feature = f as { geometry?: unknown; properties?: Record<string, unknown> };
    const p = feature.properties ?? {};
    const at = `${where}: feature ${i}${typeof p.id === 'string' ? ` (${p.id})` : ''}`;
    const kind = p.kind as GeofenceKind;
    if (!KINDS.has(kind)) throw new Error(`${at}: properties.kind must be port, basin, terminal or berth`);
    if (typeof p.id !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(p.id)) {
      throw new Error(`${at}: properties.id must be a URI (the entity id)`);
    }
    const g = feature.geometry as { type?: string; coordinates?: unknown };
    try {
      validateGeometry(g, 'geometry');
    } catch (err) {
      throw new Error(`${at}: ${(err as Error).message}`);
    }
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon')
      throw new Error(`${at}: geometry must be a Polygon`);
    const polygons =
      g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as number[][][][]);
    const bbox: [number, number, number, number] = [180, 90, -180, -90];
    for (const poly of polygons) {
      for (const [lon, lat] of poly[0]) {
        bbox[0] = Math.min(bbox[0], lon);
        bbox[1] = Math.min(bbox[1], lat);
        bbox[2] = Math.max(bbox[2], lon);
        bbox[3] = Math.max(bbox[3], lat);
      }
    }
    all.push({
      kind,
      id: p.id,
      code: typeof p.code === 'string' ? p.code : p.id.split(':').pop()!,
      name: typeof p.name === 'string' ? p.name : p.id,
      terminal: typeof p.terminal === 'string' ? p.terminal : undefined,
      polygons,
      geometry: g as Geometry,
      bbox,
    });
  });
  const ports = all.filter((g) => g.kind === 'port');
  if (ports.length !== 1) throw new Error(`${where}: expected exactly one feature of kind "port"`);
  return {
    port: ports[0],
    basins: all.filter((g) => g.kind === 'basin'),
    terminals: all.filter((g) => g.kind === 'terminal'),
    berths: all.filter((g) => g.kind === 'berth'),
    geojson,
  };
}

/** Ray casting on one ring; lon/lat are treated as planar, which is exact enough at port scale. */
function inRing(lon: number, lat: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function contains(g: Geofence, lon: number, lat: number): boolean {
  if (lon < g.bbox[0] || lon > g.bbox[2] || lat < g.bbox[1] || lat > g.bbox[3]) return false;
  for (const poly of g.polygons) {
    if (!inRing(lon, lat, poly[0])) continue;
    let inHole = false;
    for (let h = 1; h < poly.length; h++) if (inRing(lon, lat, poly[h])) inHole = true;
    if (!inHole) return true;
  }
  return false;
}

const M_PER_DEG_LAT = 111_320;

/** Distance in metres from a point to the geofence (0 inside), in a local flat projection. */
export function distanceTo(g: Geofence, lon: number, lat: number): number {
  if (contains(g, lon, lat)) return 0;
  const kx = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  let best = Number.POSITIVE_INFINITY;
  for (const poly of g.polygons) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) {
        const ax = (ring[i - 1][0] - lon) * kx;
        const ay = (ring[i - 1][1] - lat) * M_PER_DEG_LAT;
        const bx = (ring[i][0] - lon) * kx;
        const by = (ring[i][1] - lat) * M_PER_DEG_LAT;
        const dx = bx - ax;
        const dy = by - ay;
        const len = dx * dx + dy * dy;
        const t = len === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len));
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
    }
  }
  return best;
}

/** The first geofence of the list within `toleranceM` metres of the point (nearest first when several). */
export function findNear(list: Geofence[], lon: number, lat: number, toleranceM = 0): Geofence | undefined {
  let found: Geofence | undefined;
  let best = Number.POSITIVE_INFINITY;
  const padLat = toleranceM / M_PER_DEG_LAT;
  const padLon = padLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  for (const g of list) {
    if (lon < g.bbox[0] - padLon || lon > g.bbox[2] + padLon) continue;
    if (lat < g.bbox[1] - padLat || lat > g.bbox[3] + padLat) continue;
    const d = distanceTo(g, lon, lat);
    if (d <= toleranceM && d < best) {
      best = d;
      found = g;
    }
  }
  return found;
}
