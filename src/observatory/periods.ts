/**
 * Reporting periods, written as SDMX time periods (ISO 8601 based): `2026` (year), `2026-S1` (half-year),
 * `2026-Q1` (quarter), `2026-03` (month).
 */

export const PERIODICITIES = ['yearly', 'semiannual', 'quarterly', 'monthly'] as const;
export type Periodicity = (typeof PERIODICITIES)[number];

export const PERIOD_PATTERN = '^\\d{4}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$';

export interface Period {
  code: string;
  periodicity: Periodicity;
  year: number;
  /** First instant, inclusive (UTC). */
  start: Date;
  /** Instant after the last, exclusive (UTC). */
  end: Date;
}

export function parsePeriod(code: string): Period | undefined {
  const m = /^(\d{4})(?:-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$/.exec(code);
  if (!m) return undefined;
  const year = Number(m[1]);
  const sub = m[2];
  const utc = (y: number, month0: number) => new Date(Date.UTC(y, month0, 1));
  if (!sub) return { code, periodicity: 'yearly', year, start: utc(year, 0), end: utc(year + 1, 0) };
  if (sub.startsWith('S')) {
    const s = Number(sub[1]) - 1;
    return { code, periodicity: 'semiannual', year, start: utc(year, s * 6), end: utc(year, s * 6 + 6) };
  }
  if (sub.startsWith('Q')) {
    const q = Number(sub[1]) - 1;
    return { code, periodicity: 'quarterly', year, start: utc(year, q * 3), end: utc(year, q * 3 + 3) };
  }
  const mo = Number(sub) - 1;
  return { code, periodicity: 'monthly', year, start: utc(year, mo), end: utc(year, mo + 1) };
}

/** Orders period codes chronologically (a year sorts before its sub-periods). */
export function comparePeriods(a: string, b: string): number {
  const pa = parsePeriod(a);
  const pb = parsePeriod(b);
  if (!pa || !pb) return a.localeCompare(b);
  return pa.start.getTime() - pb.start.getTime() || pb.end.getTime() - pa.end.getTime();
}

/** True when period `inner` lies within `outer` (a quarter within its year, say). */
export function periodWithin(inner: string, outer: string): boolean {
  const i = parsePeriod(inner);
  const o = parsePeriod(outer);
  return !!i && !!o && i.start >= o.start && i.end <= o.end;
}
