/**
 * Replays an NMEA file (plain or gzipped) at a chosen speed. Lines are paced by their NMEA 4.0 tag-block
 * time (`\c:...\`) when they carry one, else at `linesPerSecond`; speed 0 replays as fast as possible.
 * With `loop`, the file starts again at its end and times keep increasing (each pass is shifted by the
 * length of the recording), so that a state machine downstream never sees time go backwards.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { AisMessage } from '../ais/types.js';
import {
  type BackoffOptions,
  createBackoff,
  createFeedCore,
  type Feed,
  type MessageHandler,
} from './feed.js';

export interface ReplayFeedOptions {
  name?: string;
  file: string;
  /** 1 = real time, 10 = ten times faster, 0 = as fast as possible (default 1). */
  speed?: number;
  loop?: boolean;
  /**
   * Stamp messages with the time they are replayed instead of their recorded time: a replayed recording then
   * looks live (the demo). Otherwise messages keep their tag-block time (shifted by each loop).
   */
  rebase?: boolean;
  /** Pace of lines without a tag-block time, at speed 1 (default 20 lines per second). */
  linesPerSecond?: number;
  onMessage: MessageHandler;
  backoff?: BackoffOptions;
  onEvent?: (event: 'started' | 'looped' | 'finished' | 'error', detail: Record<string, unknown>) => void;
  now?: () => number;
}

export interface ReplayFeed extends Feed {
  /** Resolves when the file has been read to its end (without loop) or the feed is stopped. */
  done(): Promise<void>;
  /** Bytes of the file read so far and its size (compressed bytes for a gzipped file). */
  progress(): { read: number; total: number };
}

/** Tag-block `c:` time of a line in ms, or undefined. */
export function tagBlockTime(line: string): number | undefined {
  if (line.charCodeAt(0) !== 92) return undefined;
  const end = line.indexOf('\\', 1);
  if (end < 0) return undefined;
  const star = line.lastIndexOf('*', end);
  const block = line.slice(1, star > 0 ? star : end);
  for (const part of block.split(',')) {
    if (part.startsWith('c:')) {
      const v = Number(part.slice(2));
      if (!Number.isFinite(v) || v <= 0) return undefined;
      return v > 1e11 ? v : v * 1000;
    }
  }
  return undefined;
}

export function createReplayFeed(options: ReplayFeedOptions): ReplayFeed {
  const speed = Math.max(0, options.speed ?? 1);
  const loop = options.loop ?? false;
  const lps = Math.max(0.001, options.linesPerSecond ?? 20);
  const now = options.now ?? Date.now;
  const name = options.name ?? `replay:${options.file}`;
  // Effective data time (ms) of the line being decoded; undefined for untimed lines.
  let lineTime: number | undefined;
  let dataTime: number | undefined;
  const core = createFeedCore({
    name,
    kind: 'replay',
    target: options.file,
    onMessage: options.onMessage,
    now,
    transform: (m: AisMessage, receivedAt: number) => {
      if (options.rebase) m.time = receivedAt / 1000;
      else if (lineTime !== undefined) m.time = lineTime / 1000;
    },
  });
  const backoff = createBackoff(options.backoff);
  let stopped = true;
  let loops = 0;
  let stream: Readable | undefined;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let read = 0;
  let total = 0;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  }

  async function run(): Promise<void> {
    // Pacing reference: wall time and data time of the first line; data time includes the loop offsets.
    let wall0: number | undefined;
    let data0: number | undefined;
    let offset = 0;
    let lineNo = 0;
    while (!stopped) {
      let first: number | undefined;
      let prev: number | undefined;
      try {
        const head = await peek(options.file);
        total = statSync(options.file).size;
        read = 0;
        const file = createReadStream(options.file);
        file.on('data', (b) => {
          read += b.length;
        });
        stream = head[0] === 0x1f && head[1] === 0x8b ? file.pipe(createGunzip()) : file;
        file.on('error', (err) => stream?.destroy(err));
        core.connected();
        core.setState('replaying');
        if (loops === 0) options.onEvent?.('started', { feed: name, file: options.file, speed, loop });
        const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) {
          if (stopped) break;
          const tagged = tagBlockTime(line);
          // Untimed lines advance at the line pace from the previous line's time.
          const t = tagged ?? (prev === undefined ? 0 : prev + 1000 / lps);
          first ??= t;
          prev = t;
          const effective = t + offset;
          lineTime = tagged !== undefined ? effective : undefined;
          dataTime = effective;
          lineNo++;
          if (speed > 0) {
            wall0 ??= now();
            data0 ??= effective;
            const due = wall0 + (effective - data0) / speed;
            const wait = due - now();
            if (wait > 2) await sleep(wait);
            if (stopped) break;
          } else if (lineNo % 2000 === 0) {
            // As fast as possible, but let the server answer requests in between.
            await new Promise((resolve) => setImmediate(resolve));
          }
          core.write(line);
          core.write('\n');
        }
        core.endStream();
        lineTime = undefined;
        if (stopped) break;
        backoff.reset();
        if (!loop) {
          core.setState('finished');
          options.onEvent?.('finished', { feed: name, lines: core.status().lines });
          return;
        }
        loops++;
        // Next pass: shift by the recording's length plus one line step, so times keep increasing.
        const span = first !== undefined && prev !== undefined ? prev - first : 0;
        offset += span + 1000 / lps;
        options.onEvent?.('looped', { feed: name, loops });
        if (speed === 0) await new Promise((resolve) => setImmediate(resolve));
      } catch (err) {
        if (stopped) break;
        core.failed((err as Error).message);
        const delay = backoff.next();
        core.setState('backoff', { retryAt: Date.now() + delay });
        options.onEvent?.('error', { feed: name, error: (err as Error).message, retryInMs: delay });
        await sleep(delay);
      }
    }
    core.setState('stopped');
  }

  return {
    name,
    kind: 'replay',
    start() {
      if (!stopped) return;
      stopped = false;
      running = run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      stream?.destroy();
      await running;
      core.setState('stopped');
    },
    status: () =>
      core.status({
        replay: {
          speed,
          loop,
          loops,
          ...(dataTime !== undefined && dataTime > 1e11
            ? { dataTime: new Date(dataTime).toISOString() }
            : {}),
        },
      }),
    sample: core.sample,
    done: async () => {
      await running;
    },
    progress: () => ({ read, total }),
  };
}

async function peek(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b;
  } finally {
    await fh.close();
  }
}
