/**
 * Fill forecast per container: a fill rate per local weekday × hour (168 slots), learnt from the
 * container's trusted readings, then integrated hour by hour from the latest reading. See README.md.
 */
import type { Reading } from './faults.js';
import { DAY_MS, HOUR_MS, localMidnight, weekSlot } from './time.js';

export interface FillModel {
  /** Fill rate (fraction of the container per hour) for each of the 168 weekday-hour slots. */
  rates: Float64Array;
  /** Mean rate over all observed hours. */
  meanRate: number;
  /** Hours of history used. */
  hours: number;
}

export interface ForecastOptions {
  timeZone?: string;
  /** A fall larger than this between two readings is an emptying (default 0.05). */
  emptyingDrop?: number;
  /** Pseudo-count pulling a slot towards the hour-of-day mean, then the overall mean (default 2). */
  shrinkage?: number;
}

/**
 * Learns the weekday-hour fill rates. Each interval between consecutive readings that is not an emptying
 * contributes its rise, spread evenly over the hours it covers, to their slots. A slot's rate is the mean
 * of its contributions shrunk towards the same hour's mean over all weekdays, itself shrunk towards the
 * overall mean (few weeks of history are enough).
 */
export function fitFillModel(history: readonly Reading[], o: ForecastOptions = {}): FillModel {
  const tz = o.timeZone ?? 'Europe/Paris';
  const drop = o.emptyingDrop ?? 0.05;
  const k = o.shrinkage ?? 2;
  const sum = new Float64Array(168);
  const cnt = new Float64Array(168);
  let total = 0;
  let hours = 0;
  for (let i = 1; i < history.length; i++) {
    const a = history[i - 1];
    const b = history[i];
    const dh = (b.at - a.at) / HOUR_MS;
    if (dh <= 0 || dh > 24) continue;
    const rise = b.level - a.level;
    if (rise < -drop) continue; // emptied in between
    const rate = Math.max(0, rise) / dh;
    // attribute to the hours covered (by their start), weighted by overlap
    for (let t = a.at; t < b.at; ) {
      const next = Math.min(b.at, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS);
      const w = (next - t) / HOUR_MS;
      const s = weekSlot(t, tz);
      sum[s] += rate * w;
      cnt[s] += w;
      t = next;
    }
    total += rate * dh;
    hours += dh;
  }
  const meanRate = hours > 0 ? total / hours : 0;
  const hourSum = new Float64Array(24);
  const hourCnt = new Float64Array(24);
  for (let s = 0; s < 168; s++) {
    hourSum[s % 24] += sum[s];
    hourCnt[s % 24] += cnt[s];
  }
  const rates = new Float64Array(168);
  for (let s = 0; s < 168; s++) {
    const h = s % 24;
    const hourMean = (hourSum[h] + k * meanRate) / (hourCnt[h] + k);
    rates[s] = (sum[s] + k * hourMean) / (cnt[s] + k);
  }
  return { rates, meanRate, hours };
}

/** Expected rise from `from` to `to` (ms). */
export function expectedRise(m: FillModel, from: number, to: number, timeZone = 'Europe/Paris'): number {
  let rise = 0;
  for (let t = from; t < to; ) {
    const next = Math.min(to, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS);
    rise += m.rates[weekSlot(t, timeZone)] * ((next - t) / HOUR_MS);
    t = next;
  }
  return rise;
}

/** Level at `at` from the last reading (may exceed 1: the container overflows). */
export function forecastLevel(m: FillModel, last: Reading, at: number, timeZone?: string): number {
  return last.level + expectedRise(m, last.at, at, timeZone);
}

/** Time at which the level reaches `level` (ms), or undefined beyond `horizonMs`. */
export function timeToLevel(
  m: FillModel,
  last: Reading,
  level: number,
  horizonMs = 7 * DAY_MS,
  timeZone?: string,
): number | undefined {
  let l = last.level;
  if (l >= level) return last.at;
  for (let t = last.at; t < last.at + horizonMs; ) {
    const next = (Math.floor(t / HOUR_MS) + 1) * HOUR_MS;
    const r = m.rates[weekSlot(t, timeZone)];
    const add = (r * (next - t)) / HOUR_MS;
    if (l + add >= level) return t + (r > 0 ? ((level - l) / r) * HOUR_MS : 0);
    l += add;
    t = next;
  }
  return undefined;
}

export interface Evaluation {
  containers: number;
  /** Held-out readings predicted. */
  points: number;
  /** Mean absolute error of the weekday-hour model (fraction of the container). */
  mae: number;
  /** Same, constant mean rate (reference). */
  maeMeanRate: number;
  /** Same, persistence: the level stays as it was at the forecast origin (reference). */
  maePersistence: number;
}

/**
 * Hold-out evaluation: the last `testDays` local days of each history are held out; the model is fitted on
 * the days before. Each held-out day is forecast from its first reading (the origin), every later reading of
 * the day is predicted; after an emptying the origin moves to the first reading after it.
 */
export function evaluateForecast(
  histories: Iterable<readonly Reading[]>,
  testDays = 7,
  o: ForecastOptions = {},
): Evaluation {
  const tz = o.timeZone ?? 'Europe/Paris';
  const drop = o.emptyingDrop ?? 0.05;
  let n = 0;
  let e = 0;
  let eMean = 0;
  let ePers = 0;
  let containers = 0;
  for (const h of histories) {
    if (h.length < 2) continue;
    const cut = localMidnight(h[h.length - 1].at, tz) - (testDays - 1) * DAY_MS;
    const train = h.filter((r) => r.at < cut);
    const test = h.filter((r) => r.at >= cut);
    if (train.length < 24 || test.length < 2) continue;
    containers++;
    const m = fitFillModel(train, o);
    let origin: Reading | undefined;
    let day = -1;
    for (let i = 0; i < test.length; i++) {
      const r = test[i];
      const d = localMidnight(r.at, tz);
      const emptied = i > 0 && r.level < test[i - 1].level - drop;
      if (!origin || d !== day || emptied) {
        origin = r;
        day = d;
        continue;
      }
      const pred = Math.min(1, forecastLevel(m, origin, r.at, tz));
      const predMean = Math.min(1, origin.level + (m.meanRate * (r.at - origin.at)) / HOUR_MS);
      e += Math.abs(pred - r.level);
      eMean += Math.abs(predMean - r.level);
      ePers += Math.abs(origin.level - r.level);
      n++;
    }
  }
  return {
    containers,
    points: n,
    mae: n ? e / n : 0,
    maeMeanRate: n ? eMean / n : 0,
    maePersistence: n ? ePers / n : 0,
  };
}
