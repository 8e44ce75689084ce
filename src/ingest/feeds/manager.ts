/** Runs a set of feeds: starts and stops them, samples their rates every second and logs a summary. */
import type { Feed, FeedStatus } from './feed.js';

/** The few pino methods used here (Fastify's logger fits). */
export interface IngestLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: IngestLog = { info() {}, warn() {}, error() {} };

export interface FeedManager {
  add(feed: Feed): void;
  list(): FeedStatus[];
  readonly size: number;
  /** Starts the feeds (and those added later); logs a rate summary every `logIntervalMs` (0: never). */
  start(log?: IngestLog, logIntervalMs?: number): void;
  stop(): Promise<void>;
}

export function createFeedManager(): FeedManager {
  const feeds: Feed[] = [];
  let running = false;
  let sampler: NodeJS.Timeout | undefined;
  let logger: NodeJS.Timeout | undefined;
  return {
    add(feed) {
      feeds.push(feed);
      if (running) feed.start();
    },
    list: () => feeds.map((f) => f.status()),
    get size() {
      return feeds.length;
    },
    start(log = silentLog, logIntervalMs = 60_000) {
      if (running) return;
      running = true;
      for (const f of feeds) f.start();
      sampler = setInterval(() => {
        const t = Date.now();
        for (const f of feeds) f.sample(t);
      }, 1000);
      sampler.unref();
      if (logIntervalMs > 0) {
        logger = setInterval(() => {
          for (const s of feeds.map((f) => f.status())) {
            log.info(
              {
                feed: s.name,
                state: s.state,
                messagesPerSecond: s.messagesPerSecond,
                messages: s.messages,
                rejected: s.rejected,
                failures: s.failures,
              },
              'ais feed',
            );
          }
        }, logIntervalMs);
        logger.unref();
      }
    },
    async stop() {
      running = false;
      if (sampler) clearInterval(sampler);
      if (logger) clearInterval(logger);
      await Promise.all(feeds.map((f) => f.stop()));
    },
  };
}
