/**
 * Clarke & Wright (1964) savings, parallel version: start from one route per customer and merge route ends in
 * decreasing order of saving s(i,j) = d(0,i) + d(j,0) - d(i,j) while capacity (and duration) allow.
 * Route reversal is allowed only when the matrices are symmetric.
 */
import { routeDuration, solutionCost, type VrpProblem, type VrpSolution } from './problem.js';

export function isSymmetric(p: VrpProblem): boolean {
  const { n, dist, time } = p;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dist[i * n + j] !== dist[j * n + i]) return false;
      if (time && time[i * n + j] !== time[j * n + i]) return false;
    }
  }
  return true;
}

export function clarkeWright(p: VrpProblem, symmetric = isSymmetric(p)): VrpSolution {
  const { n, dist, demand, capacity } = p;
  const time = p.time;
  const maxDuration = p.maxDuration ?? Number.POSITIVE_INFINITY;
  const m = n - 1;
  // Savings of every pair, sorted by a typed index sort.
  const count = symmetric ? (m * (m - 1)) / 2 : m * (m - 1);
  const si = new Int32Array(count);
  const sj = new Int32Array(count);
  const sv = new Float64Array(count);
  let k = 0;
  for (let i = 1; i < n; i++) {
    for (let j = symmetric ? i + 1 : 1; j < n; j++) {
      if (i === j) continue;
      si[k] = i;
      sj[k] = j;
      sv[k] = dist[i * n] + dist[j] - dist[i * n + j];
      k++;
    }
  }
  const order = new Uint32Array(count);
  for (let q = 0; q < count; q++) order[q] = q;
  order.sort((a, b) => sv[b] - sv[a] || a - b);

  const routes: (number[] | null)[] = [];
  const routeOf = new Int32Array(n).fill(-1);
  const load: number[] = [];
  const dur: number[] = [];
  const unassigned: number[] = [];
  for (let c = 1; c < n; c++) {
    const r = [c];
    const d = routeDuration(p, r);
    if (demand[c] > capacity || (time && d > maxDuration)) {
      unassigned.push(c);
      continue;
    }
    routeOf[c] = routes.length;
    routes.push(r);
    load.push(demand[c]);
    dur.push(d);
  }
  const tt = (a: number, b: number) => (time ? time[a * n + b] : 0);
  for (let q = 0; q < count; q++) {
    const e = order[q];
    if (sv[e] <= 0) break;
    const i = si[e];
    const j = sj[e];
    const ri = routeOf[i];
    const rj = routeOf[j];
    if (ri < 0 || rj < 0 || ri === rj) continue;
    const a = routes[ri] as number[];
    const b = routes[rj] as number[];
    if (load[ri] + load[rj] > capacity) continue;
    let merged: number[] | undefined;
    if (a[a.length - 1] === i && b[0] === j) merged = a.concat(b);
    else if (symmetric) {
      if (a[0] === i && b[b.length - 1] === j) merged = b.concat(a);
      else if (a[0] === i && b[0] === j) merged = a.slice().reverse().concat(b);
      else if (a[a.length - 1] === i && b[b.length - 1] === j) merged = a.concat(b.slice().reverse());
    }
    if (!merged) continue;
    let d = 0;
    if (time) {
      d = dur[ri] + dur[rj] - tt(i, 0) - tt(0, j) + tt(i, j);
      if (symmetric) d = routeDuration(p, merged);
      if (d > maxDuration) continue;
    }
    routes[ri] = merged;
    routes[rj] = null;
    load[ri] += load[rj];
    dur[ri] = d;
    for (const c of b) routeOf[c] = ri;
  }
  const out = routes.filter((r): r is number[] => r !== null);
  return { routes: out, cost: solutionCost(p, out), unassigned };
}
