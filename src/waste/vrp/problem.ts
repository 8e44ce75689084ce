/**
 * The capacitated vehicle routing problem as the solver sees it: nodes 0..n-1, node 0 the depot, dense
 * row-major matrices in typed arrays. Readers for TSPLIB/CVRPLIB `.vrp` and `.sol` files.
 */

export interface VrpProblem {
  /** Number of nodes, depot (node 0) included. */
  readonly n: number;
  /** Travel cost from i to j at `dist[i * n + j]` (metres, or TSPLIB units). */
  readonly dist: Float64Array;
  /** Demand of each node (the depot's is 0). */
  readonly demand: Float64Array;
  /** Vehicle capacity (same units as demand). */
  readonly capacity: number;
  /** Travel time from i to j (seconds), needed with `maxDuration`. */
  readonly time?: Float64Array;
  /** Service time at each node (seconds). */
  readonly service?: Float64Array;
  /** Longest route duration: travel plus service (seconds). */
  readonly maxDuration?: number;
  /** Largest number of routes (vehicles); unlimited when absent. */
  readonly maxRoutes?: number;
  /** Cost of leaving a customer unserved (only happens when routes or durations run out); default 1e9. */
  readonly penalty?: Float64Array;
}

export interface VrpSolution {
  /** Each route lists customers (node indices 1..n-1) in visiting order, depot left out at both ends. */
  routes: number[][];
  /** Total travel cost of the routes (penalties excluded). */
  cost: number;
  /** Customers left out (no feasible route); empty in every normal case. */
  unassigned: number[];
}

/** TSPLIB nint of the Euclidean distance (the rounding CVRPLIB costs use). */
export function tsplibDistance(ax: number, ay: number, bx: number, by: number): number {
  return Math.floor(Math.sqrt((ax - bx) ** 2 + (ay - by) ** 2) + 0.5);
}

export interface TsplibInstance {
  name: string;
  dimension: number;
  capacity: number;
  x: Float64Array;
  y: Float64Array;
  demand: Float64Array;
  /** Vehicles in the name (A-n32-k5 → 5), when present. */
  vehicles?: number;
}

/** Reads a TSPLIB/CVRPLIB CVRP file (EUC_2D, one depot which must be node 1). */
export function parseTsplib(text: string): TsplibInstance {
  const lines = text.split(/\r?\n/);
  let name = '';
  let dimension = 0;
  let capacity = 0;
  let section = '';
  let x = new Float64Array(0);
  let y = new Float64Array(0);
  let demand = new Float64Array(0);
  let depot = -1;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line === 'EOF') continue;
    const kv = /^([A-Z_]+)\s*:\s*(.*)$/.exec(line);
    if (kv) {
      const [, key, value] = kv;
      if (key === 'NAME') name = value.trim();
      else if (key === 'DIMENSION') {
        dimension = Number.parseInt(value, 10);
        x = new Float64Array(dimension);
        y = new Float64Array(dimension);
        demand = new Float64Array(dimension);
      } else if (key === 'CAPACITY') capacity = Number(value);
      else if (key === 'EDGE_WEIGHT_TYPE' && value.trim() !== 'EUC_2D') {
        throw new Error(`unsupported EDGE_WEIGHT_TYPE ${value.trim()}`);
      }
      section = '';
      continue;
    }
    if (/^[A-Z_]+$/.test(line)) {
      section = line;
      continue;
    }
    const f = line.split(/\s+/).map(Number);
    if (section === 'NODE_COORD_SECTION') {
      x[f[0] - 1] = f[1];
      y[f[0] - 1] = f[2];
    } else if (section === 'DEMAND_SECTION') demand[f[0] - 1] = f[1];
    else if (section === 'DEPOT_SECTION' && f[0] > 0 && depot < 0) depot = f[0];
  }
  if (!dimension || !capacity) throw new Error('DIMENSION and CAPACITY are required');
  if (depot !== -1 && depot !== 1) throw new Error('the depot must be node 1');
  const k = /-k(\d+)/.exec(name);
  return { name, dimension, capacity, x, y, demand, vehicles: k ? Number(k[1]) : undefined };
}

/** A problem from a TSPLIB instance, with TSPLIB-rounded Euclidean costs. */
export function problemFromTsplib(inst: TsplibInstance): VrpProblem {
  const n = inst.dimension;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = tsplibDistance(inst.x[i], inst.y[i], inst.x[j], inst.y[j]);
      dist[i * n + j] = d;
      dist[j * n + i] = d;
    }
  }
  return { n, dist, demand: inst.demand, capacity: inst.capacity };
}

/** Reads a CVRPLIB `.sol` file: routes use .vrp node ids minus 1, i.e. our node indices. */
export function parseSolution(text: string): { routes: number[][]; cost?: number } {
  const routes: number[][] = [];
  let cost: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const r = /^Route\s*#\d+\s*:\s*(.*)$/i.exec(line.trim());
    if (r) routes.push(r[1].trim().split(/\s+/).filter(Boolean).map(Number));
    const c = /^Cost\s+([\d.]+)/i.exec(line.trim());
    if (c) cost = Number(c[1]);
  }
  return { routes, cost };
}

/** Travel cost of one route (depot to depot). */
export function routeCost(p: VrpProblem, route: readonly number[]): number {
  const { n, dist } = p;
  let prev = 0;
  let c = 0;
  for (const v of route) {
    c += dist[prev * n + v];
    prev = v;
  }
  return route.length ? c + dist[prev * n] : 0;
}

export function routeLoad(p: VrpProblem, route: readonly number[]): number {
  let l = 0;
  for (const v of route) l += p.demand[v];
  return l;
}

/** Duration of one route (travel time plus service), 0 without a time matrix. */
export function routeDuration(p: VrpProblem, route: readonly number[]): number {
  const { n, time, service } = p;
  if (!time || route.length === 0) return 0;
  let prev = 0;
  let t = 0;
  for (const v of route) {
    t += time[prev * n + v] + (service ? service[v] : 0);
    prev = v;
  }
  return t + time[prev * n];
}

export function solutionCost(p: VrpProblem, routes: readonly (readonly number[])[]): number {
  let c = 0;
  for (const r of routes) c += routeCost(p, r);
  return c;
}

/** Problems found in a solution (empty when feasible): capacity, duration, customers missing or repeated. */
export function checkSolution(p: VrpProblem, sol: Pick<VrpSolution, 'routes' | 'unassigned'>): string[] {
  const errors: string[] = [];
  const seen = new Uint8Array(p.n);
  for (const [i, r] of sol.routes.entries()) {
    const load = routeLoad(p, r);
    if (load > p.capacity + 1e-9) errors.push(`route ${i}: load ${load} over capacity ${p.capacity}`);
    if (p.maxDuration !== undefined) {
      const d = routeDuration(p, r);
      if (d > p.maxDuration + 1e-6) errors.push(`route ${i}: duration ${d} over ${p.maxDuration}`);
    }
    for (const v of r) {
      if (v <= 0 || v >= p.n) errors.push(`route ${i}: node ${v} is not a customer`);
      else if (seen[v]++) errors.push(`customer ${v} visited twice`);
    }
  }
  for (const v of sol.unassigned) if (seen[v]++) errors.push(`customer ${v} both routed and unassigned`);
  for (let v = 1; v < p.n; v++) if (!seen[v]) errors.push(`customer ${v} missing`);
  if (p.maxRoutes !== undefined && sol.routes.length > p.maxRoutes) {
    errors.push(`${sol.routes.length} routes, at most ${p.maxRoutes}`);
  }
  return errors;
}

/** Deterministic PRNG (mulberry32) so that runs are reproducible for a given seed. */
export function rng32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
