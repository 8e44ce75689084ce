/**
 * AIS over TCP: plain NMEA lines, as AIS-catcher, AISHub, rtl-ais, gpsd's raw port or most receivers serve
 * them. Reconnects with exponential backoff when the connection fails, drops or goes silent.
 */
import net from 'node:net';
import {
  type BackoffOptions,
  createBackoff,
  createFeedCore,
  type Feed,
  type MessageHandler,
} from './feed.js';

export interface TcpFeedOptions {
  name?: string;
  host: string;
  port: number;
  onMessage: MessageHandler;
  backoff?: BackoffOptions;
  /** A connection that sends nothing for this long is dropped and reopened (default 120 s). */
  idleTimeoutMs?: number;
  /** Connection attempt timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Told of state changes worth a log line. */
  onEvent?: (event: 'connected' | 'disconnected' | 'error', detail: Record<string, unknown>) => void;
}

export function createTcpFeed(options: TcpFeedOptions): Feed {
  const target = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const name = options.name ?? `tcp:${target}`;
  const core = createFeedCore({ name, kind: 'tcp', target, onMessage: options.onMessage });
  const backoff = createBackoff(options.backoff);
  const idleMs = options.idleTimeoutMs ?? 120_000;
  const connectMs = options.connectTimeoutMs ?? 10_000;
  let socket: net.Socket | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = true;

  function connect(): void {
    if (stopped) return;
    core.setState('connecting');
    const s = net.connect({ host: options.host, port: options.port });
    socket = s;
    let open = false;
    let failure: string | undefined;
    s.setTimeout(connectMs);
    s.on('connect', () => {
      open = true;
      core.connected();
      core.setState('connected');
      s.setKeepAlive(true, 30_000);
      s.setTimeout(idleMs);
      options.onEvent?.('connected', { feed: name, target });
    });
    s.on('data', (chunk: Buffer) => {
      // Data flowing means the source is healthy again: the next failure starts from the shortest delay.
      backoff.reset();
      core.write(chunk);
    });
    s.on('timeout', () => {
      failure = open ? `no data for ${Math.round(idleMs / 1000)} s` : 'connection attempt timed out';
      s.destroy();
    });
    s.on('error', (err) => {
      failure = err.message;
    });
    s.on('close', () => {
      if (socket === s) socket = undefined;
      core.endStream();
      if (stopped) {
        core.setState('stopped');
        return;
      }
      const error = failure ?? 'connection closed by peer';
      core.failed(error);
      const delay = backoff.next();
      core.setState('backoff', { error, retryAt: Date.now() + delay });
      options.onEvent?.(open ? 'disconnected' : 'error', { feed: name, target, error, retryInMs: delay });
      retry = setTimeout(connect, delay);
      retry.unref();
    });
  }

  return {
    name,
    kind: 'tcp',
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      const s = socket;
      if (s && !s.destroyed) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        });
      }
      core.setState('stopped');
    },
    status: () => core.status(),
    sample: core.sample,
  };
}
