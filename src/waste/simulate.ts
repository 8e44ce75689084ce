/**
 * Simulated containers across Le Havre with realistic fill patterns, for the demo, the tests and the
 * comparison with fixed rounds: neighbourhood clusters, a daily volume per container (busy streets fill 3×
 * faster than quiet ones), a weekday profile (Monday after the weekend, Saturday markets) and an hourly profile
 * (morning and evening peaks, quiet nights), with multiplicative noise. Deterministic for a given seed.
 */

import { HOUR_MS, weekSlot } from './time.js';
import { rng32 } from './vrp/problem.js';

export interface SimContainer {
  id: string;
  location: [number, number];
  capacityLitres: number;
  /** Mean fill per day (fraction of the container). */
  dailyFill: number;
  /** Multiplier per weekday (Monday 0). */
  weekday: number[];
  /** Share of the day's fill per local hour (sums to 1). */
  hourly: number[];
  /** Neighbourhood index (the fixed rounds' sectors follow them). */
  district: number;
  seed: number;
}

/** Le Havre's neighbourhoods: [name, lon, lat, weight]. */
export const LE_HAVRE_DISTRICTS: [string, number, number, number][] = [
  ['Centre-ville', 0.1075, 49.4935, 3],
  ['Saint-François', 0.1135, 49.4865, 1.5],
  ['Sanvic', 0.1085, 49.5085, 2],
  ['Sainte-Adresse', 0.0855, 49.5035, 1],
  ['Graville', 0.1515, 49.4985, 1.5],
  ['Aplemont', 0.1355, 49.5105, 1.5],
  ['Mont-Gaillard', 0.1455, 49.5215, 1.5],
  ['Caucriauville', 0.1705, 49.5095, 1.5],
  ['Bléville', 0.1255, 49.5255, 1.5],
  ['Rouelles', 0.1855, 49.5195, 1],
];

/** The collection depot (east of the city, by the industrial zone). */
export const LE_HAVRE_DEPOT: [number, number] = [0.1642, 49.4912];

/** The demo fleet: four refuse trucks of 30,000 L on the morning shift. */
export const DEFAULT_VEHICLES = [1, 2, 3, 4].map((i) => ({
  id: `BOM-${i}`,
  capacityLitres: 30_000,
  shiftStart: '06:00',
  shiftEnd: '13:00',
}));

const HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2, 2.2, 1.6, 1.3, 1.4, 1.8, 1.6, 1.2, 1.1, 1.3, 1.8, 2.4, 2.6, 2, 1.3,
  0.8, 0.4,
];

export function simulateContainers(count: number, seed = 42): SimContainer[] {
  const rng = rng32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const totalW = LE_HAVRE_DISTRICTS.reduce((s, d) => s + d[3], 0);
  const out: SimContainer[] = [];
  for (let i = 0; i < count; i++) {
    let x = rng() * totalW;
    let district = 0;
    while (x > LE_HAVRE_DISTRICTS[district][3]) x -= LE_HAVRE_DISTRICTS[district++][3];
    const [, lon, lat] = LE_HAVRE_DISTRICTS[district];
    const busy = rng();
    const hourlyRaw = HOURLY.map((h) => h * (0.8 + 0.4 * rng()));
    const hs = hourlyRaw.reduce((s, v) => s + v, 0);
    out.push({
      id: `urn:ngsi-ld:WasteContainer:LEH-${String(i + 1).padStart(4, '0')}`,
      location: [round6(lon + gauss() * 0.005), round6(lat + gauss() * 0.0035)],
      capacityLitres: rng() < 0.7 ? 660 : 1100,
      dailyFill: 0.12 + 0.28 * busy * busy + 0.05 * rng(),
      weekday: [1.25, 0.95, 0.95, 1, 1.05, 1.2 + (district === 0 ? 0.3 : 0), 0.7].map(
        (w) => w * (0.9 + 0.2 * rng()),
      ),
      hourly: hourlyRaw.map((h) => h / hs),
      district,
      seed: Math.floor(rng() * 2 ** 31),
    });
  }
  return out;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Deterministic noise in [0.6, 1.4) for a container and hour. */
function noise(seed: number, hour: number): number {
  let h = (seed ^ Math.imul(hour, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return 0.6 + (((h ^ (h >>> 16)) >>> 0) / 4294967296) * 0.8;
}

/** True rise of the container's level over the local hour starting at `hourMs`. */
export function hourlyRise(c: SimContainer, hourMs: number, timeZone = 'Europe/Paris'): number {
  const slot = weekSlot(hourMs, timeZone);
  return (
    c.dailyFill * c.weekday[Math.floor(slot / 24)] * c.hourly[slot % 24] * noise(c.seed, hourMs / HOUR_MS)
  );
}

export interface SimReading {
  containerId: string;
  at: number;
  /** What the sensor reports (0..1, with ±1 % measurement noise). */
  level: number;
}

/**
 * Hourly sensor readings over [from, to) with the containers emptied by `collect(container, dayIndex)`
 * at 07:00 local time (fixed rounds by default: each district twice a week).
 */
export function simulateReadings(
  containers: readonly SimContainer[],
  from: number,
  to: number,
  collect: (c: SimContainer, day: number) => boolean = (c, day) =>
    day % 7 === c.district % 7 || day % 7 === (c.district + 3) % 7,
): SimReading[] {
  const out: SimReading[] = [];
  for (const c of containers) {
    let level = 0.2 * noise(c.seed, 1);
    for (let t = Math.floor(from / HOUR_MS) * HOUR_MS; t < to; t += HOUR_MS) {
      const slot = weekSlot(t);
      if (slot % 24 === 7 && collect(c, Math.floor((t - from) / 86_400_000))) level = 0;
      level += hourlyRise(c, t);
      const measured = Math.min(1, Math.max(0, level + (noise(c.seed + 7, t / HOUR_MS) - 1) * 0.025));
      out.push({ containerId: c.id, at: t + HOUR_MS, level: Math.round(measured * 1000) / 1000 });
    }
  }
  return out;
}
