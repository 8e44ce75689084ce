import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A notification as a receiver saw it. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    id: string;
    type: string;
    subscriptionId: string;
    notifiedAt: string;
    data: Record<string, unknown>[];
    '@context'?: unknown;
  };
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Every request, answered or not yet: notification id and the status answered (0 while pending). */
  requests: { id: string; status: number }[];
  /** Resolves when `n` notifications (in total) have arrived; rejects after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  /** Notifications whose id was not seen before (a receiver de-duplicates on the notification id). */
  unique(): Received[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Status to answer; a function of the request number (1, 2, ...) to vary it. */
  status?: number | ((n: number) => number);
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Port to listen on (0: any). */
  port?: number;
}

/** A real HTTP receiver on 127.0.0.1 that records every notification POSTed to it. */
export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const received: Received[] = [];
  const requests: { id: string; status: number }[] = [];
  const waiters: { n: number; resolve: (r: Received[]) => void }[] = [];
  const pending = new Set<NodeJS.Timeout>();
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++count;
      const status = typeof opts.status === 'function' ? opts.status(n) : (opts.status ?? 204);
      const request = { id: String(req.headers['idempotency-key'] ?? ''), status: 0 };
      requests.push(request);
      const answer = () => {
        pending.delete(timer);
        request.status = status;
        if (status >= 200 && status < 300) {
          received.push({
            path: req.url ?? '',
            headers: req.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
            at: Date.now(),
          });
          for (const w of [...waiters]) {
            if (received.length >= w.n) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(received.slice());
            }
          }
        }
        res.statusCode = status;
        res.end();
      };
      const timer = setTimeout(answer, opts.delayMs ?? 0);
      pending.add(timer);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    port,
    received,
    requests,
    waitFor(n, timeoutMs = 20_000) {
      if (received.length >= n) return Promise.resolve(received.slice());
      return new Promise((resolve, reject) => {
        const w = {
          n,
          resolve: (r: Received[]) => {
            clearTimeout(t);
            resolve(r);
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`expected ${n} notifications, got ${received.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    unique() {
      const seen = new Set<string>();
      return received.filter((r) => !seen.has(r.body.id) && seen.add(r.body.id));
    },
    async close() {
      for (const t of pending) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (connection refused). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last}` : ''}`);
    await sleep(50);
  }
}

/** Test settings of the notifier: loopback allowed, short timeouts and retries. */
export function notifyEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    ESCALE_NOTIFY_ALLOW: '127.0.0.1,localhost',
    ESCALE_NOTIFY_TIMEOUT_MS: '2000',
    ESCALE_NOTIFY_RETRY_BASE_MS: '100',
    ESCALE_NOTIFY_RETRY_MAX_MS: '400',
    ESCALE_NOTIFY_MAX_ATTEMPTS: '5',
    ESCALE_NOTIFY_POLL_MS: '100',
    ...extra,
  });
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads a text/event-stream response event by event. A call that times out leaves its read under way for the
 * next call: the chunk it brings is kept, not lost (a read abandoned to a timeout would swallow the next chunk,
 * and every later read would then be one chunk behind).
 */
export function sseEvents(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let reading: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  return async function next(timeoutMs = 20_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sep = buffer.indexOf('\n\n');
      if (sep >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const ev: SseEvent = { data: '' };
        let isEvent = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line.startsWith('retry:')) continue;
          const i = line.indexOf(':');
          const k = line.slice(0, i);
          const v = line.slice(i + 1).trimStart();
          if (k === 'id') ev.id = v;
          if (k === 'event') ev.event = v;
          if (k === 'data') ev.data += v;
          isEvent = true;
        }
        if (isEvent) return ev;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      reading ??= reader.read();
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reading,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no event in time')), left);
        }),
      ]).finally(() => clearTimeout(timer));
      reading = undefined;
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
}
