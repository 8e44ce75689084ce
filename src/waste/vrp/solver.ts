/**
 * The CVRP solver: Clarke-Wright savings, local search, then ruin-and-recreate under simulated annealing until
 * the deadline — the SISR method (Slack Induction by String Removals, Christiaens & Vanden Berghe,
 * Transportation Science 2020): remove a few strings of customers that are close to each other (spread over
 * several routes), reinsert them greedily at their best position with "blinks" (each position skipped with a
 * small probability), accept by a simulated-annealing criterion whose temperature falls with time. Every new
 * best solution goes through the local search of ./local-search.ts.
 *
 * Capacity, route duration (travel + service) and a fleet size limit are hard constraints; customers that
 * cannot be served within them stay unassigned at a penalty.
 */
import { type LocalSearchContext, localSearch, nearestCustomers } from './local-search.js';
import {
  rng32,
  routeCost,
  routeDuration,
  routeLoad,
  solutionCost,
  type VrpProblem,
  type VrpSolution,
} from './problem.js';
import { clarkeWright, isSymmetric } from './savings.js';

export interface SolveOptions {
  /** Wall-clock budget (default 1000 ms). */
  timeLimitMs?: number;
  /** Stop after this many ruin-and-recreate iterations (default: unlimited, the time limit decides). */
  maxIterations?: number;
  /** PRNG seed (default 1): the same seed and iteration count give the same result. */
  seed?: number;
  /** Starting solution (Clarke-Wright savings when absent). */
  initial?: VrpSolution;
  /** Mean number of customers removed per ruin (default 10). */
  averageRemoved?: number;
  /** Longest string removed (default 10). */
  maxString?: number;
}

export interface SolveResult extends VrpSolution {
  iterations: number;
  elapsedMs: number;
  /** Cost of the construction (Clarke-Wright unless an initial solution was given). */
  initialCost: number;
}

const DEFAULT_PENALTY = 1e9;

interface State {
  routes: number[][];
  load: number[];
  dur: number[];
  cost: number[];
  unassigned: number[];
  obj: number;
}

export function solveCvrp(p: VrpProblem, options: SolveOptions = {}): SolveResult {
  const started = performance.now();
  const deadline = started + (options.timeLimitMs ?? 1000);
  const maxIterations = options.maxIterations ?? Number.POSITIVE_INFINITY;
  const rng = rng32(options.seed ?? 1);
  const { n, dist: D, demand, capacity: Q } = p;
  const T = p.time;
  const S = p.service;
  const Dmax = p.maxDuration ?? Number.POSITIVE_INFINITY;
  const maxRoutes = p.maxRoutes ?? Number.POSITIVE_INFINITY;
  const pen = (c: number) => (p.penalty ? p.penalty[c] : DEFAULT_PENALTY);
  const symmetric = isSymmetric(p);
  const cbar = options.averageRemoved ?? 10;
  const Lmax = options.maxString ?? 10;
  const blink = 0.01;

  if (n <= 1) return { routes: [], cost: 0, unassigned: [], iterations: 0, elapsedMs: 0, initialCost: 0 };

  const adjacency = nearestCustomers(p, n - 1); // all customers by distance (itself excluded)
  const lsCtx: LocalSearchContext = {
    p,
    symmetric,
    neighbors: adjacency.map((a) => a.subarray(0, Math.min(40, a.length))),
    rng,
  };

  const makeState = (routes: number[][], unassigned: number[]): State => {
    const s: State = { routes, load: [], dur: [], cost: [], unassigned, obj: 0 };
    for (let r = 0; r < routes.length; r++) {
      s.load.push(routeLoad(p, routes[r]));
      s.dur.push(routeDuration(p, routes[r]));
      s.cost.push(routeCost(p, routes[r]));
    }
    s.obj = objective(s);
    return s;
  };
  const objective = (s: State) => {
    let o = 0;
    for (const c of s.cost) o += c;
    for (const c of s.unassigned) o += pen(c);
    return o;
  };
  const copy = (s: State): State => ({
    routes: s.routes.map((r) => r.slice()),
    load: s.load.slice(),
    dur: s.dur.slice(),
    cost: s.cost.slice(),
    unassigned: s.unassigned.slice(),
    obj: s.obj,
  });

  // Construction; a fleet limit is met by leaving the smallest routes' customers for the recreate step.
  const init = options.initial ?? clarkeWright(p, symmetric);
  const initialCost = solutionCost(p, init.routes);
  let initRoutes = init.routes.map((r) => r.slice());
  const initUnassigned = init.unassigned.slice();
  if (initRoutes.length > maxRoutes) {
    initRoutes.sort((a, b) => routeLoad(p, b) - routeLoad(p, a));
    for (const r of initRoutes.slice(maxRoutes)) initUnassigned.push(...r);
    initRoutes = initRoutes.slice(0, maxRoutes);
  }
  localSearch(lsCtx, initRoutes, deadline);
  let current = makeState(
    initRoutes.filter((r) => r.length),
    initUnassigned,
  );
  recreate(current, initUnassigned.splice(0));
  current.obj = objective(current);
  let best = copy(current);

  const routeOf = new Int32Array(n);
  const routeStamp: number[] = [];
  let stamp = 0;

  function insertionOrder(removed: number[]): void {
    const x = rng() * 11;
    if (x < 4) {
      for (let i = removed.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        const t = removed[i];
        removed[i] = removed[j];
        removed[j] = t;
      }
    } else if (x < 8) removed.sort((a, b) => demand[b] - demand[a]);
    else if (x < 10) removed.sort((a, b) => D[b] - D[a]);
    else removed.sort((a, b) => D[a] - D[b]);
  }

  function recreate(s: State, removed: number[]): void {
    insertionOrder(removed);
    for (const c of removed) {
      let bestDelta = Number.POSITIVE_INFINITY;
      let bestR = -1;
      let bestPos = -1;
      let bestDt = 0;
      const dc = demand[c];
      const sc = S ? S[c] : 0;
      for (let r = 0; r < s.routes.length; r++) {
        if (s.load[r] + dc > Q) continue;
        const route = s.routes[r];
        let prev = 0;
        for (let i = 0; i <= route.length; i++) {
          const next = i < route.length ? route[i] : 0;
          if (rng() >= blink) {
            const delta = D[prev * n + c] + D[c * n + next] - D[prev * n + next];
            if (delta < bestDelta) {
              let dt = 0;
              if (T) dt = T[prev * n + c] + T[c * n + next] - T[prev * n + next] + sc;
              if (!T || s.dur[r] + dt <= Dmax) {
                bestDelta = delta;
                bestR = r;
                bestPos = i;
                bestDt = dt;
              }
            }
          }
          prev = next;
        }
      }
      const worth = pen(c); // an optional customer is only served when it costs less than leaving it
      if (s.routes.length < maxRoutes) {
        const delta = D[c] + D[c * n];
        const dt = T ? T[c] + T[c * n] + sc : 0;
        if (delta < bestDelta && delta < worth && dt <= Dmax && dc <= Q) {
          s.routes.push([c]);
          s.load.push(dc);
          s.dur.push(dt);
          s.cost.push(delta);
          continue;
        }
      }
      if (bestR < 0 || bestDelta >= worth) {
        s.unassigned.push(c);
        continue;
      }
      s.routes[bestR].splice(bestPos, 0, c);
      s.load[bestR] += dc;
      s.dur[bestR] += bestDt;
      s.cost[bestR] += bestDelta;
    }
  }

  function ruin(s: State): number[] {
    const removed = s.unassigned;
    s.unassigned = [];
    const nr = s.routes.length;
    if (nr === 0) return removed;
    for (let r = 0; r < nr; r++) for (const c of s.routes[r]) routeOf[c] = r;
    for (const c of removed) routeOf[c] = -1;
    const assigned = n - 1 - removed.length;
    const lsMax = Math.min(Lmax, assigned / nr);
    const ksMax = (4 * cbar) / (1 + lsMax) - 1;
    const ks = Math.floor(rng() * ksMax) + 1;
    stamp++;
    let ruined = 0;
    const seed = 1 + Math.floor(rng() * (n - 1));
    const adj = adjacency[seed];
    for (let q = -1; q < adj.length && ruined < ks; q++) {
      const c = q < 0 ? seed : adj[q];
      const r = routeOf[c];
      if (r < 0 || routeStamp[r] === stamp) continue;
      routeStamp[r] = stamp;
      ruined++;
      const route = s.routes[r];
      const len = route.length;
      const ltMax = Math.min(len, lsMax);
      const lt = Math.floor(rng() * ltMax) + 1;
      const pos = route.indexOf(c);
      if (lt === len || rng() < 0.5) {
        const lo = Math.max(0, pos - lt + 1);
        const hi = Math.min(pos, len - lt);
        const start = lo + Math.floor(rng() * (hi - lo + 1));
        for (const x of route.splice(start, lt)) removed.push(x);
      } else {
        // split string: a string of lt + m around c, of which m consecutive customers stay
        let m = 1;
        while (lt + m < len && rng() < 0.5) m++;
        const L = lt + m;
        const lo = Math.max(0, pos - L + 1);
        const hi = Math.min(pos, len - L);
        const start = lo + Math.floor(rng() * (hi - lo + 1));
        const keepAt = start + Math.floor(rng() * (lt + 1));
        const kept: number[] = [];
        for (let i = start; i < start + L; i++) {
          if (i >= keepAt && i < keepAt + m) kept.push(route[i]);
          else removed.push(route[i]);
        }
        route.splice(start, L, ...kept);
      }
      s.load[r] = routeLoad(p, route);
      s.dur[r] = routeDuration(p, route);
      s.cost[r] = routeCost(p, route);
    }
    // drop emptied routes
    let w = 0;
    for (let r = 0; r < s.routes.length; r++) {
      if (s.routes[r].length === 0) continue;
      s.routes[w] = s.routes[r];
      s.load[w] = s.load[r];
      s.dur[w] = s.dur[r];
      s.cost[w] = s.cost[r];
      w++;
    }
    s.routes.length = s.load.length = s.dur.length = s.cost.length = w;
    return removed;
  }

  // Temperatures relative to the mean cost per customer (the paper's 100 → 1 on CVRPLIB X costs).
  const scale = Math.max(1e-9, solutionCost(p, best.routes) / Math.max(1, n - 1));
  const T0 = 0.3 * scale;
  const Tf = 0.003 * scale;
  const budget = deadline - started;
  let iterations = 0;
  let temperature = T0;
  while (iterations < maxIterations) {
    if ((iterations & 63) === 0) {
      const now = performance.now();
      if (now >= deadline) break;
      // With an iteration budget the schedule follows iterations (reproducible), else the clock.
      const progress = Number.isFinite(maxIterations) ? iterations / maxIterations : (now - started) / budget;
      temperature = T0 * (Tf / T0) ** progress;
    }
    iterations++;
    const next = copy(current);
    recreate(next, ruin(next));
    next.obj = objective(next);
    if (next.obj < current.obj - temperature * Math.log(rng())) {
      current = next;
      if (current.obj < best.obj - 1e-9) {
        const routes = current.routes.map((r) => r.slice());
        if (localSearch(lsCtx, routes, deadline)) {
          const improved = makeState(
            routes.filter((r) => r.length),
            current.unassigned.slice(),
          );
          if (improved.obj < current.obj) current = improved;
        }
        best = copy(current);
      }
    }
  }
  const routes = best.routes.filter((r) => r.length);
  return {
    routes,
    cost: solutionCost(p, routes),
    unassigned: best.unassigned.slice().sort((a, b) => a - b),
    iterations,
    elapsedMs: performance.now() - started,
    initialCost,
  };
}
