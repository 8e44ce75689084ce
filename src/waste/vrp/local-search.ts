/**
 * Local search on granular neighbourhoods (each customer's K nearest): relocate (before/after), swap, 2-opt
 * (intra-route reversal), 2-opt* (tail exchange between routes, both variants), Or-opt (segments of 2 and 3,
 * optionally reversed). Every move's cost change is computed in O(1); feasibility (capacity, duration) is
 * checked only on improving moves. First improvement, until a local optimum or the deadline.
 * Reversing moves are used only on symmetric matrices.
 */
import type { VrpProblem } from './problem.js';

export interface LocalSearchContext {
  readonly p: VrpProblem;
  readonly symmetric: boolean;
  /** For each node, its nearest customers (itself excluded). */
  readonly neighbors: Int32Array[];
  readonly rng: () => number;
}

export function nearestCustomers(p: VrpProblem, k: number): Int32Array[] {
  const { n, dist } = p;
  const out: Int32Array[] = [new Int32Array(0)];
  const ids = new Int32Array(n - 1);
  for (let c = 1; c < n; c++) {
    for (let i = 0; i < n - 1; i++) ids[i] = i + 1;
    const row = c * n;
    const sorted = Array.from(ids).sort(
      (a, b) => dist[row + a] + dist[a * n + c] - dist[row + b] - dist[b * n + c],
    );
    out.push(Int32Array.from(sorted.filter((v) => v !== c).slice(0, k)));
  }
  return out;
}

/** Improves the routes in place; returns true when anything changed. */
export function localSearch(ctx: LocalSearchContext, routes: number[][], deadline: number): boolean {
  const { p, symmetric, neighbors, rng } = ctx;
  const { n, dist: D, demand, capacity: Q } = p;
  const T = p.time;
  const S = p.service;
  const Dmax = p.maxDuration ?? Number.POSITIVE_INFINITY;
  const routeOf = new Int32Array(n).fill(-1);
  const posOf = new Int32Array(n).fill(-1);
  const load: number[] = [];
  const index = (r: number) => {
    const route = routes[r];
    let l = 0;
    for (let i = 0; i < route.length; i++) {
      routeOf[route[i]] = r;
      posOf[route[i]] = i;
      l += demand[route[i]];
    }
    load[r] = l;
  };
  for (let r = 0; r < routes.length; r++) index(r);
  const duration = (route: number[]) => {
    if (!T || route.length === 0) return 0;
    let prev = 0;
    let t = 0;
    for (const v of route) {
      t += T[prev * n + v] + (S ? S[v] : 0);
      prev = v;
    }
    return t + T[prev * n];
  };
  const loadOf = (route: number[]) => {
    let l = 0;
    for (const v of route) l += demand[v];
    return l;
  };
  const ok = (route: number[]) => loadOf(route) <= Q + 1e-9 && (!T || duration(route) <= Dmax + 1e-9);
  const pred = (x: number) => (posOf[x] === 0 ? 0 : routes[routeOf[x]][posOf[x] - 1]);
  const succ = (x: number) => {
    const r = routes[routeOf[x]];
    return posOf[x] === r.length - 1 ? 0 : r[posOf[x] + 1];
  };
  /** Commits one or two new route arrays if feasible. */
  const commit = (r1: number, a: number[], r2 = -1, b?: number[]) => {
    if (!ok(a) || (b && !ok(b))) return false;
    routes[r1] = a;
    index(r1);
    if (b && r2 >= 0) {
      routes[r2] = b;
      index(r2);
    }
    return true;
  };
  const EPS = -1e-9;
  const customers: number[] = [];
  for (let c = 1; c < n; c++) customers.push(c);
  let any = false;
  let improved = true;
  let checks = 0;
  while (improved) {
    improved = false;
    for (let i = customers.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = customers[i];
      customers[i] = customers[j];
      customers[j] = t;
    }
    for (const u of customers) {
      if (routeOf[u] < 0) continue;
      if ((++checks & 63) === 0 && performance.now() > deadline) return any;
      for (const v of neighbors[u]) {
        const ru = routeOf[u];
        const rv = routeOf[v];
        if (rv < 0) continue;
        const up = pred(u);
        const un = succ(u);
        const vp = pred(v);
        const vn = succ(v);
        const du = D[up * n + un] - D[up * n + u] - D[u * n + un];
        const same = ru === rv;
        const fitsU = same || load[rv] + demand[u] <= Q;
        // relocate u after v
        if (fitsU && vn !== u && v !== u) {
          const delta = du + D[v * n + u] + D[u * n + vn] - D[v * n + vn];
          if (delta < EPS) {
            if (same) {
              const a = routes[ru].filter((x) => x !== u);
              a.splice(a.indexOf(v) + 1, 0, u);
              if (commit(ru, a)) {
                improved = any = true;
                break;
              }
            } else {
              const a = routes[ru].filter((x) => x !== u);
              const b = routes[rv].slice();
              b.splice(posOf[v] + 1, 0, u);
              if (commit(ru, a, rv, b)) {
                improved = any = true;
                break;
              }
            }
          }
        }
        // relocate u before v
        if (fitsU && vp !== u && un !== v) {
          const delta = du + D[vp * n + u] + D[u * n + v] - D[vp * n + v];
          if (delta < EPS) {
            const a = routes[ru].filter((x) => x !== u);
            if (same) {
              a.splice(a.indexOf(v), 0, u);
              if (commit(ru, a)) {
                improved = any = true;
                break;
              }
            } else {
              const b = routes[rv].slice();
              b.splice(posOf[v], 0, u);
              if (commit(ru, a, rv, b)) {
                improved = any = true;
                break;
              }
            }
          }
        }
        // swap u and v (not adjacent)
        if (un !== v && vn !== u) {
          const fits =
            same || (load[rv] - demand[v] + demand[u] <= Q && load[ru] - demand[u] + demand[v] <= Q);
          if (fits) {
            const delta =
              D[up * n + v] +
              D[v * n + un] -
              D[up * n + u] -
              D[u * n + un] +
              D[vp * n + u] +
              D[u * n + vn] -
              D[vp * n + v] -
              D[v * n + vn];
            if (delta < EPS) {
              const a = routes[ru].slice();
              if (same) {
                a[posOf[u]] = v;
                a[posOf[v]] = u;
                if (commit(ru, a)) {
                  improved = any = true;
                  break;
                }
              } else {
                const b = routes[rv].slice();
                a[posOf[u]] = v;
                b[posOf[v]] = u;
                if (commit(ru, a, rv, b)) {
                  improved = any = true;
                  break;
                }
              }
            }
          }
        }
        if (same && symmetric) {
          // 2-opt: reverse the path between u's successor and v
          const pu = posOf[u];
          const pv = posOf[v];
          if (pu < pv - 1) {
            const delta = D[u * n + v] + D[un * n + vn] - D[u * n + un] - D[v * n + vn];
            if (delta < EPS) {
              const r = routes[ru];
              const a = r.slice(0, pu + 1).concat(r.slice(pu + 1, pv + 1).reverse(), r.slice(pv + 1));
              if (commit(ru, a)) {
                improved = any = true;
                break;
              }
            }
          }
        }
        if (!same) {
          const r1 = routes[ru];
          const r2 = routes[rv];
          const pu = posOf[u];
          const pv = posOf[v];
          // 2-opt*: u → v's successor, v → u's successor
          const delta = D[u * n + vn] + D[v * n + un] - D[u * n + un] - D[v * n + vn];
          if (delta < EPS) {
            const a = r1.slice(0, pu + 1).concat(r2.slice(pv + 1));
            const b = r2.slice(0, pv + 1).concat(r1.slice(pu + 1));
            if (commit(ru, a, rv, b)) {
              improved = any = true;
              break;
            }
          }
          if (symmetric) {
            // 2-opt* variant: u → v (heads joined), u's and v's successors joined (tails)
            const d2 = D[u * n + v] + D[un * n + vn] - D[u * n + un] - D[v * n + vn];
            if (d2 < EPS) {
              const a = r1.slice(0, pu + 1).concat(r2.slice(0, pv + 1).reverse());
              const b = r1
                .slice(pu + 1)
                .reverse()
                .concat(r2.slice(pv + 1));
              if (commit(ru, a, rv, b)) {
                improved = any = true;
                break;
              }
            }
          }
        }
        // Or-opt: the segment of 2 or 3 starting at u, after v (reversed too when symmetric)
        let moved = false;
        for (let len = 2; len <= 3 && !moved; len++) {
          const r = routes[ru];
          const pu = posOf[u];
          if (pu + len > r.length) break;
          const pv = posOf[v];
          if (same && pv >= pu - 1 && pv < pu + len) continue;
          const last = r[pu + len - 1];
          const ln = pu + len === r.length ? 0 : r[pu + len];
          let segLoad = 0;
          for (let q = 0; q < len; q++) segLoad += demand[r[pu + q]];
          if (!same && load[rv] + segLoad > Q) continue;
          const rem = D[up * n + ln] - D[up * n + u] - D[last * n + ln];
          const fwd = rem + D[v * n + u] + D[last * n + vn] - D[v * n + vn];
          const rev = symmetric ? rem + D[v * n + last] + D[u * n + vn] - D[v * n + vn] : 0;
          const reversed = symmetric && rev < fwd;
          if ((reversed ? rev : fwd) >= EPS) continue;
          const seg = r.slice(pu, pu + len);
          if (reversed) seg.reverse();
          const a = r.slice(0, pu).concat(r.slice(pu + len));
          if (same) {
            a.splice(a.indexOf(v) + 1, 0, ...seg);
            moved = commit(ru, a);
          } else {
            const b = routes[rv].slice();
            b.splice(pv + 1, 0, ...seg);
            moved = commit(ru, a, rv, b);
          }
        }
        if (moved) {
          improved = any = true;
          break;
        }
      }
    }
  }
  return any;
}
