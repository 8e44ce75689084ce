/**
 * Sensor fault detection. A reading is not trusted when:
 * - stuck: the last `stuckReadings` readings (this one included) are all within `stuckTolerance` of each
 *   other while time passed (a frozen ultrasonic echo, a lid obstruction);
 * - jump: the level rose by more than `maxRisePerHour` × hours since the previous reading (plus one hour of
 *   slack) — a fall is an emptying and is normal;
 * - silent: no reading for `silenceFactor` × the expected period (checked at planning time).
 */

export interface FaultSettings {
  stuckReadings: number;
  stuckTolerance: number;
  maxRisePerHour: number;
  expectedPeriodMs: number;
  silenceFactor: number;
}

export const DEFAULT_FAULTS: FaultSettings = {
  stuckReadings: 12,
  stuckTolerance: 0.002,
  maxRisePerHour: 0.25,
  expectedPeriodMs: 3_600_000,
  silenceFactor: 3,
};

export type SensorStatus = 'ok' | 'stuck' | 'jump' | 'silent';

export interface Reading {
  at: number;
  level: number;
}

/** Judges `next` given the previous readings of the container (oldest first). */
export function judgeReading(history: readonly Reading[], next: Reading, s = DEFAULT_FAULTS): SensorStatus {
  const prev = history[history.length - 1];
  if (prev) {
    const hours = Math.max(0, (next.at - prev.at) / 3_600_000);
    if (next.level - prev.level > s.maxRisePerHour * (hours + 1)) return 'jump';
  }
  if (history.length >= s.stuckReadings - 1) {
    const last = history.slice(history.length - (s.stuckReadings - 1));
    let lo = next.level;
    let hi = next.level;
    for (const r of last) {
      lo = Math.min(lo, r.level);
      hi = Math.max(hi, r.level);
    }
    if (hi - lo <= s.stuckTolerance && next.at > last[0].at) return 'stuck';
  }
  return 'ok';
}

export function isSilent(lastAt: number | undefined, now: number, s = DEFAULT_FAULTS): boolean {
  return lastAt === undefined || now - lastAt > s.silenceFactor * s.expectedPeriodMs;
}
