/**
 * Road distances. A road graph imported from OpenStreetMap XML (`.osm`: drivable `highway=*` ways, one-way
 * streets respected), shortest paths by Dijkstra with a binary heap on typed arrays; points are snapped to the
 * nearest graph node. Without a graph, the documented fallback: great-circle distance × a detour factor
 * (1.3 by default, the usual urban ratio of road to straight-line distance).
 */
import { readFileSync } from 'node:fs';

export interface RoadGraph {
  /** Node coordinates. */
  lon: Float64Array;
  lat: Float64Array;
  /** CSR adjacency: edges of node i are [offsets[i], offsets[i+1]). */
  offsets: Int32Array;
  targets: Int32Array;
  /** Edge length in metres. */
  lengths: Float64Array;
  /** OSM ids of the nodes. */
  osmIds: Float64Array;
}

const DRIVABLE = new Set([
  'motorway',
  'trunk',
  'primary',
  'secondary',
  'tertiary',
  'unclassified',
  'residential',
  'service',
  'living_street',
  'motorway_link',
  'trunk_link',
  'primary_link',
  'secondary_link',
  'tertiary_link',
  'road',
]);

export function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const R = 6_371_008.8;
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[2] ?? m[3]) : undefined;
};

/** Parses OpenStreetMap XML (as exported by the OSM API, Overpass or osmium) into a road graph. */
export function parseOsm(xml: string): RoadGraph {
  const nodeIndex = new Map<string, number>();
  const lon: number[] = [];
  const lat: number[] = [];
  const ids: number[] = [];
  const nodeRe = /<node\b([^>]*?)\/?>/g;
  for (let m = nodeRe.exec(xml); m; m = nodeRe.exec(xml)) {
    const id = attr(m[1], 'id');
    const la = Number(attr(m[1], 'lat'));
    const lo = Number(attr(m[1], 'lon'));
    if (!id || !Number.isFinite(la) || !Number.isFinite(lo)) continue;
    nodeIndex.set(id, lon.length);
    lon.push(lo);
    lat.push(la);
    ids.push(Number(id));
  }
  const from: number[] = [];
  const to: number[] = [];
  const wayRe = /<way\b[^>]*>([\s\S]*?)<\/way>/g;
  for (let m = wayRe.exec(xml); m; m = wayRe.exec(xml)) {
    const body = m[1];
    const tags = new Map<string, string>();
    for (const t of body.matchAll(/<tag\b([^>]*?)\/?>/g)) {
      const k = attr(t[1], 'k');
      const v = attr(t[1], 'v');
      if (k !== undefined && v !== undefined) tags.set(k, v);
    }
    const hw = tags.get('highway');
    if (!hw || !DRIVABLE.has(hw)) continue;
    if (tags.get('access') === 'no' || tags.get('motor_vehicle') === 'no') continue;
    const refs: number[] = [];
    for (const nd of body.matchAll(/<nd\b([^>]*?)\/?>/g)) {
      const i = nodeIndex.get(attr(nd[1], 'ref') ?? '');
      if (i !== undefined) refs.push(i);
    }
    const ow = tags.get('oneway');
    const oneway =
      ow === 'yes' ||
      ow === '1' ||
      ow === 'true' ||
      tags.get('junction') === 'roundabout' ||
      hw === 'motorway';
    const reverse = ow === '-1';
    for (let i = 1; i < refs.length; i++) {
      const a = refs[i - 1];
      const b = refs[i];
      if (!reverse) {
        from.push(a);
        to.push(b);
      }
      if (!oneway || reverse) {
        from.push(b);
        to.push(a);
      }
    }
  }
  // Keep only nodes on roads, then build CSR.
  const used = new Int32Array(lon.length).fill(-1);
  let k = 0;
  for (const v of [...from, ...to]) if (used[v] < 0) used[v] = k++;
  const g: RoadGraph = {
    lon: new Float64Array(k),
    lat: new Float64Array(k),
    offsets: new Int32Array(k + 1),
    targets: new Int32Array(from.length),
    lengths: new Float64Array(from.length),
    osmIds: new Float64Array(k),
  };
  for (let v = 0; v < lon.length; v++) {
    const u = used[v];
    if (u < 0) continue;
    g.lon[u] = lon[v];
    g.lat[u] = lat[v];
    g.osmIds[u] = ids[v];
  }
  for (const v of from) g.offsets[used[v] + 1]++;
  for (let i = 0; i < k; i++) g.offsets[i + 1] += g.offsets[i];
  const fill = g.offsets.slice(0, k);
  for (let e = 0; e < from.length; e++) {
    const a = used[from[e]];
    const b = used[to[e]];
    const at = fill[a]++;
    g.targets[at] = b;
    g.lengths[at] = haversine(g.lon[a], g.lat[a], g.lon[b], g.lat[b]);
  }
  return g;
}

export function loadOsmFile(path: string): RoadGraph {
  return parseOsm(readFileSync(path, 'utf8'));
}

/** Nearest graph node of a point (linear scan: called once per container). */
export function snap(g: RoadGraph, lon: number, lat: number): number {
  let best = -1;
  let bestD = Number.POSITIVE_INFINITY;
  const c = Math.cos((lat * Math.PI) / 180);
  for (let i = 0; i < g.lon.length; i++) {
    const dx = (g.lon[i] - lon) * c;
    const dy = g.lat[i] - lat;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Shortest distances (metres) from `source` to every node; Infinity when unreachable. */
export function dijkstra(g: RoadGraph, source: number): Float64Array {
  const n = g.lon.length;
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const heapNode = new Int32Array(g.targets.length + 1);
  const heapKey = new Float64Array(g.targets.length + 1);
  let size = 0;
  const push = (v: number, key: number) => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapKey[p] <= key) break;
      heapNode[i] = heapNode[p];
      heapKey[i] = heapKey[p];
      i = p;
    }
    heapNode[i] = v;
    heapKey[i] = key;
  };
  const pop = () => {
    const v = heapNode[0];
    const lastN = heapNode[--size];
    const lastK = heapKey[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && heapKey[c + 1] < heapKey[c]) c++;
      if (heapKey[c] >= lastK) break;
      heapNode[i] = heapNode[c];
      heapKey[i] = heapKey[c];
      i = c;
    }
    heapNode[i] = lastN;
    heapKey[i] = lastK;
    return v;
  };
  dist[source] = 0;
  push(source, 0);
  while (size > 0) {
    const key = heapKey[0];
    const u = pop();
    if (key > dist[u]) continue;
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      const nd = key + g.lengths[e];
      if (nd < dist[v]) {
        dist[v] = nd;
        push(v, nd);
      }
    }
  }
  return dist;
}

export interface DistanceMatrix {
  n: number;
  /** metres, row-major */
  metres: Float64Array;
  source: 'road-graph' | 'straight-line';
}

/**
 * Distances between points ([lon, lat]). With a graph: road distances between the snapped nodes, plus the
 * straight-line access legs from each point to its node; pairs the graph cannot connect fall back to the
 * straight line × detour. Without: straight line × detour.
 */
export function distanceMatrix(
  points: readonly [number, number][],
  opts: { graph?: RoadGraph; detourFactor?: number } = {},
): DistanceMatrix {
  const n = points.length;
  const detour = opts.detourFactor ?? 1.3;
  const m = new Float64Array(n * n);
  const fallback = (i: number, j: number) =>
    haversine(points[i][0], points[i][1], points[j][0], points[j][1]) * detour;
  const g = opts.graph;
  if (!g || g.lon.length === 0) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = i === j ? 0 : fallback(i, j);
    return { n, metres: m, source: 'straight-line' };
  }
  const nodes = points.map(([lo, la]) => snap(g, lo, la));
  const access = points.map(([lo, la], i) => haversine(lo, la, g.lon[nodes[i]], g.lat[nodes[i]]));
  for (let i = 0; i < n; i++) {
    const d = dijkstra(g, nodes[i]);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const road = d[nodes[j]];
      m[i * n + j] = Number.isFinite(road) ? access[i] + road + access[j] : fallback(i, j);
    }
  }
  return { n, metres: m, source: 'road-graph' };
}
