/**
 * Truck gate events (gate-in, gate-out at a terminal's lanes) and the statistics derived from them.
 *
 * A visit is a truck's gate-in followed by its next gate-out at the same terminal (the same pseudonymised
 * plate), at most `maxVisitHours` later. Its waiting time is gate-out minus gate-in: the time the truck spent
 * between the gates. Per terminal and hour, `TruckGateStatistics` entities count gate-ins and gate-outs and
 * give the turnaround of the visits that ended in that hour (count, average, median and longest waiting
 * time, in minutes). A visit counts in the hour of its gate-out, so an hour's figures are final once the
 * hour is over (unless events arrive late).
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { Db } from '../db/db.js';
import type { NgsiEntity } from '../ingest/ais/vessels.js';
import type { EntityWriter } from '../ingest/batcher.js';
import type { PlateHasher } from './plates.js';

export const TERMINAL_CODE = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$';

export const GateEventSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "the sender's event id (re-sent events are ignored)",
      }),
    ),
    terminal: Type.String({ pattern: TERMINAL_CODE, description: 'terminal code, e.g. TPO' }),
    lane: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')], { description: 'gate-in or gate-out' }),
    plate: Type.String({
      minLength: 2,
      maxLength: 20,
      description: 'truck plate; pseudonymised at once (HMAC-SHA256), never stored',
    }),
    time: Type.String({ format: 'date-time', description: 'ISO 8601 date-time with its offset' }),
  },
  { additionalProperties: false },
);
export type GateEvent = Static<typeof GateEventSchema>;

export const MAX_GATE_EVENTS = 1000;
export const GateEventsBody = Type.Array(GateEventSchema, { minItems: 1, maxItems: MAX_GATE_EVENTS });

export type GateSource = 'webhook' | 'csv' | 'simulator';

export interface IngestResult {
  received: number;
  inserted: number;
  duplicates: number;
  /** TruckGateStatistics entities written (created or changed). */
  statistics: number;
}

export interface HourStatistics {
  terminal: string;
  /** Start of the hour, ISO 8601 UTC. */
  hour: string;
  gateIns: number;
  gateOuts: number;
  turnarounds: number;
  /** Minutes; undefined when no visit ended in the hour. */
  averageWaitingTime?: number;
  medianWaitingTime?: number;
  maxWaitingTime?: number;
}

export interface GateService {
  /**
   * Validates times, pseudonymises plates, stores the events and (unless `statistics: false`, for bulk
   * imports that call refresh() once at the end) updates the statistics entities.
   */
  ingest(events: GateEvent[], source: GateSource, opts?: { statistics?: boolean }): Promise<IngestResult>;
  /** Recomputes and writes the statistics entities of the terminals for events in [from, to] (ms). */
  refresh(terminals: string[], from: number, to: number): Promise<number>;
  /** Hourly statistics of the terminals over [from, to) (ms, rounded down to the hour). */
  statistics(terminals: string[], from: number, to: number): Promise<HourStatistics[]>;
  /** Events stored since `since` (ms), for the simulator's back-fill check. */
  countSince(since: number): Promise<number>;
}

export interface GateServiceOptions {
  db: Db;
  write: EntityWriter;
  /** Called on first use, so that the key is only resolved (and maybe generated) when gates are used. */
  hasher: () => PlateHasher;
  /** UN/LOCODE of the port: terminal entity ids are urn:ngsi-ld:Terminal:<portCode>-<terminal>. */
  portCode?: string;
  tenant?: string;
  /** Longest visit paired (default 24 h). */
  maxVisitHours?: number;
  now?: () => number;
}

const HOUR = 3_600_000;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export class GateEventError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Checks what the JSON schema cannot: a real date-time, with an offset, not in the future. */
export function checkGateEvent(e: GateEvent, index: number, now: number): number {
  if (!ISO_WITH_OFFSET.test(e.time)) {
    throw new GateEventError(`event ${index}: time must be an ISO 8601 date-time with Z or an offset`, index);
  }
  const at = Date.parse(e.time);
  if (Number.isNaN(at)) throw new GateEventError(`event ${index}: time is not a valid date-time`, index);
  if (at > now + HOUR) throw new GateEventError(`event ${index}: time is in the future`, index);
  if (!new RegExp(TERMINAL_CODE).test(e.terminal)) {
    throw new GateEventError(`event ${index}: terminal must be a code such as TPO`, index);
  }
  if (e.direction !== 'in' && e.direction !== 'out') {
    throw new GateEventError(`event ${index}: direction must be "in" or "out"`, index);
  }
  return at;
}

const STATS_SQL = `
WITH ev AS (
  SELECT terminal, direction, at,
         lead(direction) OVER w AS next_direction,
         lead(at) OVER w AS next_at
  FROM mobility_gate_events
  WHERE tenant = $1 AND terminal = ANY($2::text[])
    AND at >= $3::timestamptz - $5::interval AND at < $4::timestamptz
  WINDOW w AS (PARTITION BY terminal, plate_hash ORDER BY at, direction)
),
counts AS (
  SELECT terminal, date_trunc('hour', at AT TIME ZONE 'UTC') AS hour,
         count(*) FILTER (WHERE direction = 'in') AS gate_ins,
         count(*) FILTER (WHERE direction = 'out') AS gate_outs
  FROM ev WHERE at >= $3::timestamptz
  GROUP BY 1, 2
),
visits AS (
  SELECT terminal, date_trunc('hour', next_at AT TIME ZONE 'UTC') AS hour,
         extract(epoch FROM next_at - at) AS secs
  FROM ev
  WHERE direction = 'in' AND next_direction = 'out' AND next_at - at <= $5::interval
    AND next_at >= $3::timestamptz AND next_at < $4::timestamptz
),
durations AS (
  SELECT terminal, hour, count(*) AS turnarounds, avg(secs) AS avg_s,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS median_s, max(secs) AS max_s
  FROM visits GROUP BY 1, 2
)
SELECT coalesce(c.terminal, d.terminal) AS terminal,
       to_char(coalesce(c.hour, d.hour), 'YYYY-MM-DD"T"HH24":00:00Z"') AS hour,
       coalesce(c.gate_ins, 0)::int AS gate_ins,
       coalesce(c.gate_outs, 0)::int AS gate_outs,
       coalesce(d.turnarounds, 0)::int AS turnarounds,
       d.avg_s::float8 AS avg_s, d.median_s::float8 AS median_s, d.max_s::float8 AS max_s
FROM counts c FULL JOIN durations d ON c.terminal = d.terminal AND c.hour = d.hour
ORDER BY 1, 2`;

interface StatsRow {
  terminal: string;
  hour: string;
  gate_ins: number;
  gate_outs: number;
  turnarounds: number;
  avg_s: number | null;
  median_s: number | null;
  max_s: number | null;
}

const minutes = (s: number | null) => (s === null ? undefined : Math.round((s / 60) * 10) / 10);

export function statisticsId(portCode: string, terminal: string, hour: string): string {
  return `urn:ngsi-ld:TruckGateStatistics:${portCode}-${terminal}:${hour.slice(0, 13).replace(/-/g, '')}Z`;
}

export function statisticsEntity(portCode: string, s: HourStatistics): NgsiEntity {
  const p = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });
  const NULL = { type: 'Property', value: 'urn:ngsi-ld:null' };
  const min = (v: number | undefined) => (v === undefined ? NULL : p(v, { unitCode: 'MIN' }));
  return {
    id: statisticsId(portCode, s.terminal, s.hour),
    type: 'TruckGateStatistics',
    refTerminal: { type: 'Relationship', object: `urn:ngsi-ld:Terminal:${portCode}-${s.terminal}` },
    terminal: p(s.terminal),
    dateObservedFrom: p(s.hour),
    dateObservedTo: p(new Date(Date.parse(s.hour) + HOUR).toISOString().replace('.000Z', 'Z')),
    gateInCount: p(s.gateIns),
    gateOutCount: p(s.gateOuts),
    turnaroundCount: p(s.turnarounds),
    averageWaitingTime: min(s.averageWaitingTime),
    medianWaitingTime: min(s.medianWaitingTime),
    maxWaitingTime: min(s.maxWaitingTime),
  };
}

export function createGateService(options: GateServiceOptions): GateService {
  const { db } = options;
  const tenant = options.tenant ?? '';
  const portCode = options.portCode ?? 'FRLEH';
  const maxVisit = `${options.maxVisitHours ?? 24} hours`;
  const maxVisitMs = (options.maxVisitHours ?? 24) * HOUR;
  const now = options.now ?? Date.now;
  let hasher: PlateHasher | undefined;
  // Last values written per statistics entity: unchanged hours are not rewritten.
  const written = new Map<string, string>();

  async function statistics(terminals: string[], from: number, to: number): Promise<HourStatistics[]> {
    const start = Math.floor(from / HOUR) * HOUR;
    const r = await db.query<StatsRow>(STATS_SQL, [
      tenant,
      terminals,
      new Date(start).toISOString(),
      new Date(to).toISOString(),
      maxVisit,
    ]);
    return r.rows.map((row) => ({
      terminal: row.terminal,
      hour: row.hour,
      gateIns: row.gate_ins,
      gateOuts: row.gate_outs,
      turnarounds: row.turnarounds,
      averageWaitingTime: minutes(row.avg_s),
      medianWaitingTime: minutes(row.median_s),
      maxWaitingTime: minutes(row.max_s),
    }));
  }

  async function refresh(terminals: string[], from: number, last: number): Promise<number> {
    // A late gate-in can pair with a gate-out up to maxVisitHours later: those hours are recomputed too.
    const to = Math.floor(last / HOUR) * HOUR + HOUR + maxVisitMs;
    const stats = await statistics(terminals, from, to);
    const changed: NgsiEntity[] = [];
    for (const s of stats) {
      const e = statisticsEntity(portCode, s);
      const key = JSON.stringify(s);
      if (written.get(e.id) === key) continue;
      changed.push(e);
      written.set(e.id, key);
    }
    for (let i = 0; i < changed.length; i += 500) {
      try {
        await options.write(changed.slice(i, i + 500));
      } catch (err) {
        for (const e of changed.slice(i)) written.delete(e.id);
        throw err;
      }
    }
    if (written.size > 100_000) written.clear();
    return changed.length;
  }

  async function ingest(
    events: GateEvent[],
    source: GateSource,
    opts: { statistics?: boolean } = {},
  ): Promise<IngestResult> {
    const t = now();
    const times = events.map((e, i) => checkGateEvent(e, i, t));
    hasher ??= options.hasher();
    const rows = events.map((e, i) => {
      const plate = hasher!(e.plate);
      const at = new Date(times[i]).toISOString();
      const id = e.id
        ? `${e.terminal}:${e.id}`
        : createHash('sha256')
            .update(`${e.terminal}|${e.lane ?? ''}|${e.direction}|${at}|${plate}`)
            .digest('hex')
            .slice(0, 40);
      return { id, terminal: e.terminal, lane: e.lane ?? null, direction: e.direction, plate, at };
    });
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const r = await db.query<{ event_id: string }>(
        `INSERT INTO mobility_gate_events (tenant, event_id, terminal, lane, direction, plate_hash, at, source)
         SELECT $1, e.id, e.terminal, e.lane, e.direction, e.plate, e.at, $8
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
           AS e(id, terminal, lane, direction, plate, at)
         ON CONFLICT DO NOTHING
         RETURNING event_id`,
        [
          tenant,
          chunk.map((r) => r.id),
          chunk.map((r) => r.terminal),
          chunk.map((r) => r.lane),
          chunk.map((r) => r.direction),
          chunk.map((r) => r.plate),
          chunk.map((r) => r.at),
          source,
        ],
      );
      inserted += r.rows.length;
    }
    let statsWritten = 0;
    if (inserted > 0 && opts.statistics !== false) {
      const terminals = [...new Set(events.map((e) => e.terminal))];
      statsWritten = await refresh(terminals, Math.min(...times), Math.max(...times));
    }
    return {
      received: events.length,
      inserted,
      duplicates: events.length - inserted,
      statistics: statsWritten,
    };
  }

  return {
    ingest,
    refresh,
    statistics,
    async countSince(since) {
      const r = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM mobility_gate_events WHERE tenant = $1 AND at >= $2',
        [tenant, new Date(since).toISOString()],
      );
      return r.rows[0].n;
    },
  };
}
