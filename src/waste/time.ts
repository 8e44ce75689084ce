/** Local weekday and hour of an instant in a time zone (Europe/Paris by default), cached per hour. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const caches = new Map<string, Map<number, number>>();
const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Slot 0..167: weekday (Monday 0) × 24 + hour, in local time. */
export function weekSlot(ms: number, timeZone = 'Europe/Paris'): number {
  const hour = Math.floor(ms / HOUR_MS);
  let cache = caches.get(timeZone);
  if (!cache) {
    cache = new Map();
    caches.set(timeZone, cache);
  }
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  let wd = 0;
  let h = 0;
  for (const part of f.formatToParts(new Date(hour * HOUR_MS))) {
    if (part.type === 'weekday') wd = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') h = Number(part.value);
  }
  const slot = wd * 24 + h;
  if (cache.size > 100_000) cache.clear();
  cache.set(hour, slot);
  return slot;
}

/** Local midnight at or before `ms` (to the hour: zone offsets are whole hours in Europe). */
export function localMidnight(ms: number, timeZone = 'Europe/Paris'): number {
  const h = weekSlot(ms, timeZone) % 24;
  return Math.floor(ms / HOUR_MS) * HOUR_MS - h * HOUR_MS;
}
