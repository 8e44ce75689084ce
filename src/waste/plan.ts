/**
 * Collection planning: which containers to empty tomorrow (forecast level at the end of the next day above a
 * threshold), and the rounds that empty them: a CVRP with capacity and shift-duration constraints solved by
 * ./vrp/solver.ts on road distances (./roads.ts). Exports for drivers (GPX, CSV), and the comparison with
 * fixed rounds (./compare.ts).
 */
import { type DistanceMatrix, distanceMatrix, type RoadGraph } from './roads.js';
import { checkSolution, type VrpProblem } from './vrp/problem.js';
import { solveCvrp } from './vrp/solver.js';

export interface Vehicle {
  id: string;
  /** Loose-waste litres the vehicle takes in one round (body volume × compaction). */
  capacityLitres: number;
  /** Local shift times, "HH:MM". */
  shiftStart: string;
  shiftEnd: string;
}

export interface PlanContainer {
  id: string;
  location: [number, number];
  capacityLitres: number;
  /** Forecast level (0..1, may exceed 1) when the round passes. */
  level: number;
  /**
   * Must it be emptied (default true)? An optional container is added to a round only when the detour costs
   * fewer metres than `worthMetres` (it saves a later visit).
   */
  mandatory?: boolean;
  worthMetres?: number;
}

export interface PlanOptions {
  depot: [number, number];
  vehicles: Vehicle[];
  containers: PlanContainer[];
  /** Average speed including stops at lights (default 20 km/h). */
  speedKmh?: number;
  /** Time to empty one container (default 90 s). */
  serviceSeconds?: number;
  graph?: RoadGraph;
  detourFactor?: number;
  /** Solver budget (default 2000 ms). */
  timeLimitMs?: number;
  /** Stop the solver after this many iterations (reproducible plans; the time limit still applies). */
  maxIterations?: number;
  seed?: number;
  /** A precomputed matrix over [depot, ...containers] (the comparison reuses one). */
  matrix?: DistanceMatrix;
}

export interface Stop {
  id: string;
  location: [number, number];
  /** Minutes after the shift start. */
  arrivalMinutes: number;
  litres: number;
}

export interface Round {
  vehicle: string;
  stops: Stop[];
  distanceKm: number;
  durationMinutes: number;
  litres: number;
}

export interface Plan {
  rounds: Round[];
  /** Containers that no vehicle could take within capacity and shifts. */
  unserved: string[];
  distanceKm: number;
  containersEmptied: number;
  litres: number;
  distances: 'road-graph' | 'straight-line';
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not a time of day: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Rounds for the given containers. Vehicles are treated as one fleet: the smallest capacity and the
 * shortest shift apply to all (a mixed fleet is planned conservatively).
 */
export function planRounds(o: PlanOptions): Plan {
  const speed = ((o.speedKmh ?? 20) * 1000) / 3600; // m/s
  const serviceS = o.serviceSeconds ?? 90;
  const points: [number, number][] = [o.depot, ...o.containers.map((c) => c.location)];
  const mx = o.matrix ?? distanceMatrix(points, { graph: o.graph, detourFactor: o.detourFactor });
  if (mx.n !== points.length) throw new Error('the matrix does not match the containers');
  const n = points.length;
  const time = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) time[i] = mx.metres[i] / speed;
  const demand = new Float64Array(n);
  const service = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const c = o.containers[i - 1];
    demand[i] = Math.min(1.15, Math.max(0, c.level)) * c.capacityLitres; // an overflowing one holds a bit more
    service[i] = serviceS;
  }
  if (o.vehicles.length === 0) throw new Error('at least one vehicle is needed');
  const capacity = Math.min(...o.vehicles.map((v) => v.capacityLitres));
  const shift = Math.min(...o.vehicles.map((v) => minutes(v.shiftEnd) - minutes(v.shiftStart))) * 60;
  // Penalty of leaving a container: proportional to how full it is, far above any detour.
  const penalty = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const c = o.containers[i - 1];
    penalty[i] = c.mandatory === false ? (c.worthMetres ?? 0) : 1e6 * (1 + Math.max(0, c.level));
  }
  const p: VrpProblem = {
    n,
    dist: mx.metres,
    demand,
    capacity,
    time,
    service,
    maxDuration: shift,
    maxRoutes: o.vehicles.length,
    penalty,
  };
  const sol = solveCvrp(p, {
    timeLimitMs: o.timeLimitMs ?? 2000,
    maxIterations: o.maxIterations,
    seed: o.seed ?? 1,
  });
  const errors = checkSolution(p, sol);
  if (errors.length) throw new Error(`internal: infeasible plan: ${errors.join('; ')}`);
  const rounds: Round[] = sol.routes.map((r, k) => {
    let prev = 0;
    let t = 0;
    let d = 0;
    let litres = 0;
    const stops: Stop[] = [];
    for (const v of r) {
      t += time[prev * n + v];
      d += mx.metres[prev * n + v];
      stops.push({
        id: o.containers[v - 1].id,
        location: o.containers[v - 1].location,
        arrivalMinutes: Math.round(t / 6) / 10,
        litres: Math.round(demand[v]),
      });
      t += service[v];
      litres += demand[v];
      prev = v;
    }
    t += time[prev * n];
    d += mx.metres[prev * n];
    return {
      vehicle: o.vehicles[k].id,
      stops,
      distanceKm: Math.round(d) / 1000,
      durationMinutes: Math.round(t / 6) / 10,
      litres: Math.round(litres),
    };
  });
  return {
    rounds,
    unserved: sol.unassigned
      .filter((v) => o.containers[v - 1].mandatory !== false)
      .map((v) => o.containers[v - 1].id),
    distanceKm: Math.round(rounds.reduce((s, r) => s + r.distanceKm, 0) * 1000) / 1000,
    containersEmptied: rounds.reduce((s, r) => s + r.stops.length, 0),
    litres: rounds.reduce((s, r) => s + r.litres, 0),
    distances: mx.source,
  };
}

const xml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

/** GPX 1.1: one route (rte) per round, the depot first and last. */
export function planToGpx(plan: Plan, depot: [number, number], name = 'Escale collection rounds'): string {
  const pt = (tag: string, [lon, lat]: [number, number], label: string) =>
    `    <${tag} lat="${lat.toFixed(6)}" lon="${lon.toFixed(6)}"><name>${xml(label)}</name></${tag}>`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="Escale" xmlns="http://www.topografix.com/GPX/1/1">',
    `  <metadata><name>${xml(name)}</name></metadata>`,
  ];
  for (const r of plan.rounds) {
    lines.push(`  <rte><name>${xml(r.vehicle)}</name>`);
    lines.push(pt('rtept', depot, 'depot'));
    for (const s of r.stops) lines.push(pt('rtept', s.location, s.id));
    lines.push(pt('rtept', depot, 'depot'));
    lines.push('  </rte>');
  }
  lines.push('</gpx>', '');
  return lines.join('\n');
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV for drivers: one line per stop. */
export function planToCsv(plan: Plan): string {
  const rows: (string | number)[][] = [
    ['vehicle', 'sequence', 'container', 'longitude', 'latitude', 'arrival_minutes', 'litres'],
  ];
  for (const r of plan.rounds) {
    r.stops.forEach((s, i) => {
      rows.push([r.vehicle, i + 1, s.id, s.location[0], s.location[1], s.arrivalMinutes, s.litres]);
    });
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
