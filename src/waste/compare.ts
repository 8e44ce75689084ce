/**
 * Planned rounds versus fixed rounds, over simulated days (./simulate.ts is the ground truth).
 *
 * Both policies start from the same state after a warm-up under fixed rounds (whose sensor readings train
 * the forecasts). Each day at the shift start:
 * - fixed: every container of the day's districts is emptied (each district every other day by default),
 *   whatever its level;
 * - planned: the containers whose forecast level at the end of the next day's shift reaches the threshold
 *   (default 100 %: they would overflow before the next round) are emptied.
 * Both sets are routed by the same solver with the same fleet, so kilometres differ only by what is
 * collected. Over each day the true level rises hour by hour; a container reaching 100 % counts one overflow
 * (at most one per container and day); the level falls to 0 when the round reaches it.
 */
import { type FillModel, fitFillModel, forecastLevel } from './forecast.js';
import { type Plan, planRounds, type Vehicle } from './plan.js';
import { distanceMatrix, type RoadGraph } from './roads.js';
import { hourlyRise, type SimContainer, simulateReadings } from './simulate.js';
import { DAY_MS, HOUR_MS, localMidnight } from './time.js';

export interface PolicyResult {
  distanceKm: number;
  containersEmptied: number;
  overflows: number;
  tonnes: number;
  kmPerTonne: number;
  /** Containers planned but left unserved (capacity or shifts exhausted). */
  unserved: number;
  /** The first day's plan, for inspection. */
  firstDay?: Plan;
}

export interface Comparison {
  days: number;
  containers: number;
  vehicles: number;
  threshold: number;
  planned: PolicyResult;
  fixed: PolicyResult;
  distances: 'road-graph' | 'straight-line';
}

export interface CompareOptions {
  containers: SimContainer[];
  depot: [number, number];
  vehicles: Vehicle[];
  /** Local midnight of the first compared day (ms). */
  start: number;
  days?: number;
  warmupDays?: number;
  /** Level not to exceed before the next round: forecast at the end of the next day's shift (default 1). */
  threshold?: number;
  /** Loose household waste density, t/m³ (default 0.12). */
  density?: number;
  timeLimitMs?: number;
  /** Solver iterations per day (reproducible comparisons). */
  maxIterations?: number;
  graph?: RoadGraph;
  /** Fixed rounds empty each district every this many days (default 2). */
  fixedEveryDays?: number;
}

/** Fixed rounds: each district every `every` days, districts staggered. */
export const fixedSchedule = (every: number) => (c: SimContainer, day: number) =>
  (day + c.district) % every === 0;

export function compareWithFixedRounds(o: CompareOptions): Comparison {
  const days = o.days ?? 7;
  const warm = o.warmupDays ?? 21;
  const threshold = o.threshold ?? 1;
  const density = o.density ?? 0.12;
  const warmStart = o.start - warm * DAY_MS;
  // Warm-up under fixed rounds: the readings train the forecasts; both policies start from its end state.
  const fixed = fixedSchedule(o.fixedEveryDays ?? 2);
  const readings = simulateReadings(o.containers, warmStart, o.start, fixed);
  const byId = new Map<string, { at: number; level: number }[]>();
  for (const r of readings) {
    let a = byId.get(r.containerId);
    if (!a) {
      a = [];
      byId.set(r.containerId, a);
    }
    a.push({ at: r.at, level: r.level });
  }
  const models = new Map<string, FillModel>();
  const startLevel = new Map<string, number>();
  for (const c of o.containers) {
    const h = byId.get(c.id) ?? [];
    models.set(c.id, fitFillModel(h));
    startLevel.set(c.id, h.length ? h[h.length - 1].level : 0);
  }
  const points: [number, number][] = [o.depot, ...o.containers.map((c) => c.location)];
  const full = distanceMatrix(points, { graph: o.graph });
  const shiftStartMin = Math.min(...o.vehicles.map((v) => toMin(v.shiftStart)));
  const shiftHours = Math.max(...o.vehicles.map((v) => toMin(v.shiftEnd))) / 60 - shiftStartMin / 60;

  const run = (policy: 'planned' | 'fixed'): PolicyResult => {
    const level = new Map(startLevel);
    const res: PolicyResult = {
      distanceKm: 0,
      containersEmptied: 0,
      overflows: 0,
      tonnes: 0,
      kmPerTonne: 0,
      unserved: 0,
    };
    for (let d = 0; d < days; d++) {
      const midnight = localMidnight(o.start + d * DAY_MS + 12 * HOUR_MS);
      const shiftStart = midnight + shiftStartMin * 60_000;
      // level at shift start: rise from midnight
      const overflowed = new Set<string>();
      const advance = (from: number, to: number) => {
        for (let t = from; t < to; t += HOUR_MS) {
          for (const c of o.containers) {
            const l = (level.get(c.id) ?? 0) + hourlyRise(c, t);
            level.set(c.id, l);
            if (l >= 1) overflowed.add(c.id);
          }
        }
      };
      advance(midnight, shiftStart);
      const chosen: number[] = [];
      o.containers.forEach((c, i) => {
        const l = level.get(c.id) ?? 0;
        if (policy === 'fixed') {
          if (fixed(c, Math.round((midnight - o.start) / DAY_MS) + warm)) chosen.push(i);
        } else {
          const m = models.get(c.id) as FillModel;
          const f = forecastLevel(
            m,
            { at: shiftStart, level: Math.min(1, l) },
            shiftStart + DAY_MS + shiftHours * HOUR_MS,
          );
          if (f >= threshold) chosen.push(i);
        }
      });
      // sub-matrix of the chosen containers
      const idx = [0, ...chosen.map((i) => i + 1)];
      const k = idx.length;
      const sub = new Float64Array(k * k);
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) sub[a * k + b] = full.metres[idx[a] * full.n + idx[b]];
      const plan = planRounds({
        depot: o.depot,
        vehicles: o.vehicles,
        containers: chosen.map((i) => {
          const c = o.containers[i];
          const m = models.get(c.id) as FillModel;
          const l = Math.min(1, level.get(c.id) ?? 0);
          return {
            id: c.id,
            location: c.location,
            capacityLitres: c.capacityLitres,
            level:
              policy === 'planned'
                ? forecastLevel(m, { at: shiftStart, level: l }, shiftStart + 3 * HOUR_MS)
                : l,
          };
        }),
        matrix: { n: k, metres: sub, source: full.source },
        timeLimitMs: o.timeLimitMs ?? 1000,
        maxIterations: o.maxIterations,
        seed: d + 1,
      });
      if (d === 0) res.firstDay = plan;
      res.distanceKm += plan.distanceKm;
      res.unserved += plan.unserved.length;
      // empty at arrival; hours advance with the emptying applied at the stop's hour
      const emptyAt = new Map<string, number>();
      for (const r of plan.rounds)
        for (const s of r.stops) emptyAt.set(s.id, shiftStart + s.arrivalMinutes * 60_000);
      for (let t = shiftStart; t < midnight + DAY_MS; t += HOUR_MS) {
        for (const c of o.containers) {
          const at = emptyAt.get(c.id);
          let l = level.get(c.id) ?? 0;
          if (at !== undefined && at >= t && at < t + HOUR_MS) {
            res.containersEmptied++;
            res.tonnes += (Math.min(1.15, l) * c.capacityLitres * density) / 1000;
            l = 0;
          }
          l += hourlyRise(c, t);
          level.set(c.id, l);
          if (l >= 1) overflowed.add(c.id);
        }
      }
      res.overflows += overflowed.size;
      // an overflowing container stays full (the excess is on the pavement)
      for (const c of o.containers) level.set(c.id, Math.min(1.15, level.get(c.id) ?? 0));
    }
    res.distanceKm = Math.round(res.distanceKm * 10) / 10;
    res.tonnes = Math.round(res.tonnes * 10) / 10;
    res.kmPerTonne = res.tonnes > 0 ? Math.round((res.distanceKm / res.tonnes) * 100) / 100 : 0;
    return res;
  };
  return {
    days,
    containers: o.containers.length,
    vehicles: o.vehicles.length,
    threshold,
    planned: run('planned'),
    fixed: run('fixed'),
    distances: full.source,
  };
}

function toMin(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
