/**
 * The waste service's figures for the Observatory's computed indicators (through its figure-provider
 * interface; the Observatory does not import this module). Rounds count once per service day: when a day was
 * planned several times, its newest plan is the one the drivers got.
 */
import type { Queryable } from '../db/db.js';

export const WASTE_FIGURES = {
  /** Tonnes collected by the planned rounds of the period's days (loose household waste, 0.12 t/m³). */
  'waste.tonnes': 'tonnes',
  /** Kilometres driven by those rounds. */
  'waste.kilometres': 'kilometres',
  /** Kilometres per tonne collected (null without any tonne). */
  'waste.kmPerTonne': 'kmPerTonne',
  /** Overflows: container-days with a trusted reading at 100 %. */
  'waste.overflows': 'overflows',
} as const;

export interface WasteFigures {
  tonnes: number;
  kilometres: number;
  kmPerTonne: number | null;
  overflows: number;
}

export async function wasteFigures(
  db: Queryable,
  period: { start: Date; end: Date },
  tenant = '',
): Promise<WasteFigures> {
  const [start, end] = [period.start.toISOString(), period.end.toISOString()];
  const rounds = await db.query<{ tonnes: number | null; km: number | null }>(
    `SELECT sum((plan->>'tonnes')::float8) AS tonnes, sum((plan->>'distanceKm')::float8) AS km
       FROM (SELECT DISTINCT ON (service_date) plan
               FROM waste_plans
              WHERE tenant = $1 AND service_date >= $2::timestamptz::date AND service_date < $3::timestamptz::date
              ORDER BY service_date, created_at DESC) AS newest`,
    [tenant, start, end],
  );
  const overflows = await db.query<{ n: number }>(
    `SELECT count(DISTINCT (container_id, (at AT TIME ZONE 'UTC')::date))::int AS n
       FROM waste_readings
      WHERE tenant = $1 AND at >= $2 AND at < $3 AND level >= 1 AND fault IS NULL`,
    [tenant, start, end],
  );
  const tonnes = Math.round((rounds.rows[0]?.tonnes ?? 0) * 100) / 100;
  const kilometres = Math.round((rounds.rows[0]?.km ?? 0) * 10) / 10;
  return {
    tonnes,
    kilometres,
    kmPerTonne: tonnes > 0 ? Math.round((kilometres / tonnes) * 100) / 100 : null,
    overflows: overflows.rows[0]?.n ?? 0,
  };
}

/** A figure provider for the Observatory (src/observatory/figures.ts's FigureProvider shape). */
export function wasteFigure(db: Queryable): {
  figures: readonly string[];
  compute(figure: string, period: { start: Date; end: Date }): Promise<number | null>;
} {
  return {
    figures: Object.keys(WASTE_FIGURES),
    async compute(figure, period) {
      const key = (WASTE_FIGURES as Record<string, keyof WasteFigures>)[figure];
      if (!key) return null;
      return (await wasteFigures(db, period))[key];
    },
  };
}
