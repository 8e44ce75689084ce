/**
 * AIS over UDP: receivers (AIS-catcher, OpenCPN, dAISy, most AIS transponders' NMEA output) send one or a
 * few sentences per datagram. The socket is re-bound with exponential backoff if binding fails (port taken)
 * or the socket errors.
 */
import dgram from 'node:dgram';
import {
  type BackoffOptions,
  createBackoff,
  createFeedCore,
  type Feed,
  type MessageHandler,
} from './feed.js';

export interface UdpFeedOptions {
  name?: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Address to bind (default 0.0.0.0; an IPv6 address binds udp6). */
  host?: string;
  onMessage: MessageHandler;
  backoff?: BackoffOptions;
  onEvent?: (event: 'listening' | 'error', detail: Record<string, unknown>) => void;
}

export interface UdpFeed extends Feed {
  /** The bound port, once listening. */
  port(): number | undefined;
}

export function createUdpFeed(options: UdpFeedOptions): UdpFeed {
  const host = options.host ?? '0.0.0.0';
  const shown = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const name = options.name ?? `udp:${shown}`;
  const core = createFeedCore({ name, kind: 'udp', target: shown, onMessage: options.onMessage });
  const backoff = createBackoff(options.backoff);
  let socket: dgram.Socket | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = true;
  let bound: number | undefined;

  function bind(): void {
    if (stopped) return;
    const s = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    socket = s;
    s.on('message', (msg: Buffer) => {
      backoff.reset();
      core.write(msg);
      // A datagram is whole sentences; a sender that leaves out the final newline must not glue the next one.
      const last = msg[msg.length - 1];
      if (last !== 10 && last !== 13) core.write('\n');
    });
    s.on('listening', () => {
      bound = s.address().port;
      core.connected();
      core.setState('listening');
      options.onEvent?.('listening', { feed: name, port: bound });
    });
    s.on('error', (err) => {
      core.failed(err.message);
      s.close();
    });
    s.on('close', () => {
      if (socket === s) socket = undefined;
      bound = undefined;
      if (stopped) {
        core.setState('stopped');
        return;
      }
      const delay = backoff.next();
      core.setState('backoff', { retryAt: Date.now() + delay });
      options.onEvent?.('error', { feed: name, error: core.status().lastError, retryInMs: delay });
      retry = setTimeout(bind, delay);
      retry.unref();
    });
    s.bind(options.port, host);
  }

  return {
    name,
    kind: 'udp',
    start() {
      if (!stopped) return;
      stopped = false;
      bind();
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      const s = socket;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      core.setState('stopped');
    },
    status: () => core.status(),
    sample: core.sample,
    port: () => bound,
  };
}
