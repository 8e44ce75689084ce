/**
 * Coalescing entity writer. Connectors put entity fragments (or expose sources of changed entities); every
 * `intervalMs`, or as soon as `maxEntities` are waiting, everything is written as ONE upsert batch. A burst of
 * thousands of positions per second thus costs one write per second, with the latest state of each entity.
 */
import { ProblemError } from '../http/problem.js';
import type { NgsiEntity } from './ais/vessels.js';

/** Writes a batch (NGSI-LD normalized entities, upsert with update semantics). */
export type EntityWriter = (entities: NgsiEntity[]) => Promise<void>;

/** Something that holds changed entities and renders them on demand (the vessel tracker). */
export interface EntitySource {
  take(max?: number): NgsiEntity[];
  pending(): number;
}

export interface EntityBatcherOptions {
  write: EntityWriter;
  /** Flush period (default 1000 ms). */
  intervalMs?: number;
  /** Flush early when this many entities wait; also the largest single upsert (default 500). */
  maxEntities?: number;
  onError?: (err: Error, entities: number) => void;
}

export interface BatcherStats {
  flushes: number;
  upserts: number;
  entitiesWritten: number;
  errors: number;
  pending: number;
  lastFlushAt?: string;
  lastError?: string;
}

export interface EntityBatcher {
  /** Queues an entity fragment; attributes of a fragment already waiting for the same id are merged (last wins). */
  put(entity: NgsiEntity): void;
  addSource(source: EntitySource): void;
  /** Tells the batcher that a source has grown: flushes now if `maxEntities` are waiting. */
  poke(): void;
  /** Writes everything waiting; resolves when written (or failed and re-queued). */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
  stats(): BatcherStats;
}

export function createEntityBatcher(options: EntityBatcherOptions): EntityBatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const maxEntities = Math.max(1, options.maxEntities ?? 500);
  const queued = new Map<string, NgsiEntity>();
  const sources: EntitySource[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let again = false;
  const s: Omit<BatcherStats, 'pending'> = { flushes: 0, upserts: 0, entitiesWritten: 0, errors: 0 };

  function merge(target: Map<string, NgsiEntity>, e: NgsiEntity, under = false): void {
    const prior = target.get(e.id);
    if (!prior) target.set(e.id, e);
    else target.set(e.id, under ? { ...e, ...prior } : { ...prior, ...e });
  }

  function waiting(): number {
    let n = queued.size;
    for (const src of sources) n += src.pending();
    return n;
  }

  function collect(): NgsiEntity[] {
    const batch = new Map(queued);
    queued.clear();
    for (const src of sources) for (const e of src.take()) merge(batch, e);
    return [...batch.values()];
  }

  async function writeAll(): Promise<void> {
    do {
      again = false;
      const batch = collect();
      if (batch.length === 0) break;
      s.flushes++;
      for (let i = 0; i < batch.length; i += maxEntities) {
        const chunk = batch.slice(i, i + maxEntities);
        try {
          await options.write(chunk);
          s.upserts++;
          s.entitiesWritten += chunk.length;
        } catch (err) {
          s.errors++;
          s.lastError = (err as Error).message;
          // A refused entity would be refused again; a store that is down will come back: keep those.
          if (!(err instanceof ProblemError)) for (const e of chunk) merge(queued, e, true);
          options.onError?.(err as Error, chunk.length);
        }
      }
      s.lastFlushAt = new Date().toISOString();
    } while (again);
  }

  function flush(): Promise<void> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = writeAll().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    put(entity) {
      merge(queued, entity);
      if (queued.size >= maxEntities) void flush();
    },
    addSource(source) {
      sources.push(source);
    },
    poke() {
      if (waiting() >= maxEntities) void flush();
    },
    flush,
    start() {
      if (timer) return;
      timer = setInterval(() => void flush(), intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
      // A flush that was running when close() was called may have left new entries behind.
      if (waiting() > 0) await flush();
    },
    stats: () => ({ ...s, pending: waiting() }),
  };
}
