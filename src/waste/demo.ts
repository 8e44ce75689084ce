/**
 * The Le Havre demo: 300 simulated containers (./simulate.ts). `seedWasteContainers` creates the containers
 * and their current level in two statements and one entity batch (fast: the server waits for it);
 * `backfillWasteReadings` then loads 21 days of hourly readings under fixed rounds, in chunks, while the
 * server already runs (the forecasts and plans need them).
 */
import type { Broker } from '../broker/index.js';
import type { Db } from '../db/db.js';
import { fixedSchedule } from './compare.js';
import { listPlans, planNextDay, type StoredPlan } from './planning.js';
import { containerEntity, createWasteService } from './service.js';
import {
  DEFAULT_VEHICLES,
  LE_HAVRE_DEPOT,
  type SimReading,
  simulateContainers,
  simulateReadings,
} from './simulate.js';
import { DAY_MS, HOUR_MS } from './time.js';

export interface WasteDemoSeed {
  skipped: boolean;
  containers: number;
  /** The readings to back-fill (none when skipped), computed on call (about a second). */
  readings: () => SimReading[];
}

export async function seedWasteContainers(
  db: Db,
  broker: Broker,
  opts: { containers?: number; days?: number; now?: number } = {},
): Promise<WasteDemoSeed> {
  const existing = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM waste_containers WHERE tenant = ''",
  );
  if (existing.rows[0].n > 0) return { skipped: true, containers: 0, readings: () => [] };
  const end = Math.floor((opts.now ?? Date.now()) / HOUR_MS) * HOUR_MS;
  const start = end - (opts.days ?? 21) * DAY_MS;
  const sim = simulateContainers(opts.containers ?? 300, 42);
  const fixed = fixedSchedule(2);
  // The current levels from the last 4 days only (every container was emptied since: same state as the full
  // history gives); the full history is simulated lazily, for the back-fill.
  const days = opts.days ?? 21;
  const recent = simulateReadings(sim, end - 4 * DAY_MS, end - HOUR_MS, (c, d) => fixed(c, d + days - 4));
  const latest = new Map<string, SimReading>();
  for (const r of recent) latest.set(r.containerId, r);
  const last = sim.map((c) => latest.get(c.id) as SimReading);
  await db.query(
    `INSERT INTO waste_containers (tenant, id, lon, lat, capacity_l, waste_kind, level, level_at)
     SELECT '', id, lon, lat, cap, 'inorganic', level, to_timestamp(at / 1000.0)
     FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[])
       AS u(id, lon, lat, cap, level, at)
     ON CONFLICT DO NOTHING`,
    [
      sim.map((c) => c.id),
      sim.map((c) => c.location[0]),
      sim.map((c) => c.location[1]),
      sim.map((c) => c.capacityLitres),
      last.map((r) => r.level),
      last.map((r) => r.at),
    ],
  );
  await broker.upsert(
    sim.map((c, i) => ({
      ...containerEntity({ id: c.id, location: c.location, capacityLitres: c.capacityLitres }),
      fillingLevel: {
        type: 'Property',
        value: last[i].level,
        observedAt: new Date(last[i].at).toISOString(),
      },
    })),
  );
  return {
    skipped: false,
    containers: sim.length,
    readings: () => simulateReadings(sim, start, end - HOUR_MS, fixed),
  };
}

/** Loads the readings (chunks of 20,000 rows, stops between chunks when aborted); returns how many were stored. */
export async function backfillWasteReadings(
  db: Db,
  readings: readonly SimReading[],
  signal?: AbortSignal,
): Promise<number> {
  let stored = 0;
  const CHUNK = 20_000;
  for (let i = 0; i < readings.length && !signal?.aborted; i += CHUNK) {
    const part = readings.slice(i, i + CHUNK);
    const r = await db.query(
      `INSERT INTO waste_readings (tenant, container_id, at, level, source)
       SELECT '', c, to_timestamp(t / 1000.0), l, 'demo'
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS u(c, t, l)
       ON CONFLICT DO NOTHING`,
      [part.map((x) => x.containerId), part.map((x) => x.at), part.map((x) => x.level)],
    );
    stored += r.rowCount;
  }
  return stored;
}

/** Both steps, waiting for the back-fill (tests, CLI). */
export async function seedWasteDemo(
  db: Db,
  broker: Broker,
  opts: { containers?: number; days?: number; now?: number } = {},
): Promise<{ skipped: boolean; containers: number; readings: number }> {
  const s = await seedWasteContainers(db, broker, opts);
  const readings = await backfillWasteReadings(db, s.readings());
  return { skipped: s.skipped, containers: s.containers, readings };
}

/**
 * Plans the next day's rounds once the readings are in, so the demo's map shows them; nothing when a plan
 * exists already.
 */
export async function planDemoRounds(db: Db, broker: Broker): Promise<StoredPlan | undefined> {
  if ((await listPlans(db, { limit: 1, offset: 0 })).total > 0) return undefined;
  const svc = createWasteService({ db, broker });
  return planNextDay(svc, db, { depot: LE_HAVRE_DEPOT, vehicles: DEFAULT_VEHICLES, timeLimitMs: 5_000 });
}
