/**
 * Next-day planning on stored data: forecasts from each container's trusted history, selection against the
 * threshold, rounds by ./plan.ts, kept in waste_plans for the drivers' exports.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db.js';
import { fitFillModel, forecastLevel } from './forecast.js';
import { type Plan, planRounds, type Vehicle } from './plan.js';
import type { RoadGraph } from './roads.js';
import type { WasteService } from './service.js';
import { DAY_MS, HOUR_MS, localMidnight } from './time.js';

export interface NextDayRequest {
  depot: [number, number];
  vehicles: Vehicle[];
  /** Level not to exceed before the round after: forecast at the end of the following day's shift (default 1). */
  threshold?: number;
  /** Local date of the rounds, YYYY-MM-DD (default: tomorrow). */
  date?: string;
  /** Days of history the forecasts learn from (default 28). */
  historyDays?: number;
  timeLimitMs?: number;
  graph?: RoadGraph;
  now?: number;
}

export interface StoredPlan extends Plan {
  id: string;
  date: string;
  createdAt: string;
  threshold: number;
  depot: [number, number];
  /** Containers whose sensor is faulty: planned on the forecast from their last trusted reading. */
  unverified: string[];
  /** Containers without any trusted reading: not planned. */
  unknown: string[];
  /** Loose household waste at 0.12 t/m³. */
  tonnes: number;
  kmPerTonne: number;
}

const DENSITY_T_PER_L = 0.12 / 1000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export async function planNextDay(
  svc: WasteService,
  db: Db,
  r: NextDayRequest,
  tenant = '',
): Promise<StoredPlan> {
  const now = r.now ?? Date.now();
  const threshold = r.threshold ?? 1;
  const day = r.date
    ? localMidnight(Date.parse(`${r.date}T12:00:00Z`))
    : localMidnight(now + DAY_MS + 2 * HOUR_MS);
  const startMin = Math.min(...r.vehicles.map((v) => minutes(v.shiftStart)));
  const endMin = Math.max(...r.vehicles.map((v) => minutes(v.shiftEnd)));
  const shiftStart = day + startMin * 60_000;
  const horizon = day + DAY_MS + endMin * 60_000; // end of the next opportunity's shift
  const midShift = shiftStart + ((endMin - startMin) / 2) * 60_000;
  const histories = await svc.allHistory(now - (r.historyDays ?? 28) * DAY_MS, now + 1);
  const containers = [];
  const unverified: string[] = [];
  const unknown: string[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await svc.listContainers({ limit: 1000, offset });
    for (const c of page.items) {
      const h = histories.get(c.id);
      if (!h || h.length === 0) {
        unknown.push(c.id);
        continue;
      }
      const last = h[h.length - 1];
      const m = fitFillModel(h);
      if (forecastLevel(m, last, horizon) < threshold) continue;
      if (c.sensorStatus !== 'ok') unverified.push(c.id);
      containers.push({
        id: c.id,
        location: c.location,
        capacityLitres: c.capacityLitres,
        level: forecastLevel(m, last, midShift),
      });
    }
    if (page.items.length < 1000) break;
  }
  const plan = planRounds({
    depot: r.depot,
    vehicles: r.vehicles,
    containers,
    graph: r.graph,
    timeLimitMs: r.timeLimitMs ?? 3000,
  });
  const tonnes = Math.round(plan.litres * DENSITY_T_PER_L * 100) / 100;
  const stored: StoredPlan = {
    ...plan,
    id: randomUUID(),
    date: new Date(day + 12 * HOUR_MS).toISOString().slice(0, 10),
    createdAt: new Date(now).toISOString(),
    threshold,
    depot: r.depot,
    unverified,
    unknown,
    tonnes,
    kmPerTonne: tonnes > 0 ? Math.round((plan.distanceKm / tonnes) * 100) / 100 : 0,
  };
  await db.query('INSERT INTO waste_plans (tenant, id, service_date, plan) VALUES ($1, $2, $3, $4)', [
    tenant,
    stored.id,
    stored.date,
    JSON.stringify(stored),
  ]);
  return stored;
}

export async function getPlan(db: Db, id: string, tenant = ''): Promise<StoredPlan | undefined> {
  const r = await db.query<{ plan: StoredPlan | string }>(
    'SELECT plan FROM waste_plans WHERE tenant = $1 AND id = $2',
    [tenant, id],
  );
  const p = r.rows[0]?.plan;
  return p === undefined ? undefined : typeof p === 'string' ? (JSON.parse(p) as StoredPlan) : p;
}

export interface PlanSummary {
  id: string;
  date: string;
  createdAt: string;
  distanceKm: number;
  containersEmptied: number;
  rounds: number;
}

export async function listPlans(
  db: Db,
  opts: { limit: number; offset: number },
  tenant = '',
): Promise<{ items: PlanSummary[]; total: number }> {
  const total = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM waste_plans WHERE tenant = $1',
    [tenant],
  );
  const r = await db.query<{
    id: string;
    date: string;
    created: string;
    km: number;
    emptied: number;
    rounds: number;
  }>(
    `SELECT id, to_char(service_date, 'YYYY-MM-DD') AS date,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
            (plan->>'distanceKm')::float8 AS km, (plan->>'containersEmptied')::int AS emptied,
            jsonb_array_length(plan->'rounds') AS rounds
     FROM waste_plans WHERE tenant = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [tenant, opts.limit, opts.offset],
  );
  return {
    items: r.rows.map((x) => ({
      id: x.id,
      date: x.date,
      createdAt: x.created,
      distanceKm: x.km,
      containersEmptied: x.emptied,
      rounds: x.rounds,
    })),
    total: total.rows[0].n,
  };
}

/** GeoJSON of a plan for the web map: one LineString per round (depot to depot) and one Point per stop. */
export function planToGeoJson(p: StoredPlan): Record<string, unknown> {
  const features: Record<string, unknown>[] = [];
  for (const r of p.rounds) {
    features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: [p.depot, ...r.stops.map((s) => s.location), p.depot] },
      properties: {
        vehicle: r.vehicle,
        distanceKm: r.distanceKm,
        durationMinutes: r.durationMinutes,
        stops: r.stops.length,
      },
    });
    r.stops.forEach((s, i) => {
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: s.location },
        properties: {
          vehicle: r.vehicle,
          sequence: i + 1,
          container: s.id,
          arrivalMinutes: s.arrivalMinutes,
        },
      });
    });
  }
  return { type: 'FeatureCollection', features };
}
