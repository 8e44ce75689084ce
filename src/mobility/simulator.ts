/**
 * Demo truck traffic at the terminals' gates: trucks arrive (a Poisson process whose rate follows the hours
 * of a working day), spend 20 minutes to a few hours inside, and leave. On start, the last hours are
 * back-filled (when the store has no recent gate event) so that the statistics have something to show at
 * once. Plates are made up, and pseudonymised like real ones.
 */
import type { IngestLog } from '../ingest/feeds/manager.js';
import type { GateEvent, GateService } from './gates.js';

export interface GateSimulatorOptions {
  gates: GateService;
  /** Terminal codes, with their busiest hourly arrival rate. */
  terminals: { code: string; trucksPerHour: number }[];
  /** Period of the real-time simulation (default 5 s). */
  tickMs?: number;
  /** Hours back-filled on start (default 6). */
  backfillHours?: number;
  random?: () => number;
  now?: () => number;
  log?: IngestLog;
}

export interface GateSimulator {
  start(): Promise<void>;
  /** Simulates from the last tick to `now` and sends the events; returns how many were sent. */
  tick(now?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Share of the peak rate by hour of day (UTC+1 working hours, roughly). */
const PROFILE = [
  0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1, 1, 0.9, 0.8, 0.7, 0.9, 1, 1, 0.9, 0.7, 0.5, 0.3, 0.2, 0.1,
  0.1, 0.05,
];

const LETTERS = 'ABCDEFGHJKLMNPQRSTVWXYZ';

export function createGateSimulator(options: GateSimulatorOptions): GateSimulator {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 5000;
  const inside: { terminal: string; plate: string; lane: string; out: number }[] = [];
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const pick = (s: string) => s[Math.floor(random() * s.length)];
  const plate = () =>
    `${pick(LETTERS)}${pick(LETTERS)}-${String(Math.floor(random() * 900) + 100)}-${pick(LETTERS)}${pick(LETTERS)}`;
  // Exponential waiting times between arrivals; turnaround of 20 min plus an exponential tail (mean 35 min).
  const expo = (mean: number) => -Math.log(1 - random()) * mean;

  function simulate(from: number, to: number): GateEvent[] {
    const events: GateEvent[] = [];
    for (const t of options.terminals) {
      let at = from;
      for (;;) {
        const rate = t.trucksPerHour * PROFILE[new Date(at).getUTCHours()];
        at += expo(3_600_000 / Math.max(rate, 0.01));
        if (at >= to) break;
        const truck = {
          terminal: t.code,
          plate: plate(),
          lane: `L${1 + Math.floor(random() * 4)}`,
          out: at + Math.min(4 * 3_600_000, 20 * 60_000 + expo(35 * 60_000)),
        };
        inside.push(truck);
        events.push({
          terminal: t.code,
          lane: truck.lane,
          direction: 'in',
          plate: truck.plate,
          time: new Date(Math.round(at)).toISOString(),
        });
      }
    }
    for (let i = inside.length - 1; i >= 0; i--) {
      const truck = inside[i];
      if (truck.out >= to) continue;
      inside.splice(i, 1);
      events.push({
        terminal: truck.terminal,
        lane: truck.lane,
        direction: 'out',
        plate: truck.plate,
        time: new Date(Math.round(truck.out)).toISOString(),
      });
    }
    return events;
  }

  async function tick(at = now()): Promise<number> {
    const from = last || at - tickMs;
    last = at;
    const events = simulate(from, at);
    for (let i = 0; i < events.length; i += 1000)
      await options.gates.ingest(events.slice(i, i + 1000), 'simulator');
    return events.length;
  }

  return {
    async start() {
      const t = now();
      const backfill = (options.backfillHours ?? 6) * 3_600_000;
      if (backfill > 0 && (await options.gates.countSince(t - backfill)) === 0) {
        last = t - backfill;
        const n = await tick(t);
        options.log?.info(
          { events: n, hours: options.backfillHours ?? 6 },
          'demo: truck gate events back-filled',
        );
      } else last = t;
      timer = setInterval(() => {
        running = tick().catch((err: Error) =>
          options.log?.warn({ err: err.message }, 'demo: gate simulator'),
        );
      }, tickMs);
      timer.unref();
    },
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
