/**
 * What every AIS feed shares: its decoder (one per feed, so multi-part messages from two sources never
 * mix), counters, a message-rate meter, its state for `GET /api/ingest/feeds`, and reconnection backoff.
 */
import { StringDecoder } from 'node:string_decoder';
import { type AisDecoder, createAisDecoder } from '../ais/decoder.js';
import type { AisMessage } from '../ais/types.js';

export type FeedKind = 'tcp' | 'udp' | 'replay';

export type FeedState =
  /** created, not started */
  | 'idle'
  /** TCP: opening the connection */
  | 'connecting'
  /** TCP: connected and reading */
  | 'connected'
  /** UDP: socket bound */
  | 'listening'
  /** replay: reading the file */
  | 'replaying'
  /** waiting before the next attempt after a failure or a dropped connection */
  | 'backoff'
  /** replay without loop: the file has been read to its end */
  | 'finished'
  | 'stopped';

export interface FeedStatus {
  name: string;
  kind: FeedKind;
  /** host:port, :port or the file replayed. */
  target: string;
  state: FeedState;
  /** When the feed entered its state (ISO 8601). */
  since: string;
  /** Successful connections (TCP), binds (UDP) or file opens (replay). */
  connections: number;
  /** Failed attempts and dropped connections. */
  failures: number;
  lastError?: string;
  /** Next attempt, while in backoff. */
  retryAt?: string;
  bytes: number;
  lines: number;
  messages: number;
  /** Lines that were not valid AIS sentences (bad checksum, malformed, garbage). */
  rejected: number;
  /** Over the last ten seconds or so. */
  linesPerSecond: number;
  messagesPerSecond: number;
  replay?: { speed: number; loop: boolean; loops: number; dataTime?: string };
}

/** Receives every decoded message with the time it was received (ms). */
export type MessageHandler = (message: AisMessage, receivedAt: number, feed: string) => void;

export interface Feed {
  readonly name: string;
  readonly kind: FeedKind;
  start(): void;
  stop(): Promise<void>;
  status(): FeedStatus;
  /** Records a message-rate sample (the manager calls it every second). */
  sample(now?: number): void;
}

export interface BackoffOptions {
  /** First delay (default 1 s). */
  initialMs?: number;
  /** Longest delay (default 60 s). */
  maxMs?: number;
  /** Random spread, as a fraction of the delay (default 0.2), so that many clients do not retry in step. */
  jitter?: number;
  random?: () => number;
}

/** Exponential backoff: 1 s, 2 s, 4 s... up to maxMs; reset() once data flows again. */
export function createBackoff(options: BackoffOptions = {}): {
  next(): number;
  reset(): void;
  attempt(): number;
} {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  let n = 0;
  return {
    next() {
      const base = Math.min(max, initial * 2 ** n);
      n++;
      return Math.round(base * (1 - jitter + 2 * jitter * random()));
    },
    reset() {
      n = 0;
    },
    attempt: () => n,
  };
}

export interface FeedCore {
  readonly decoder: AisDecoder<AisMessage>;
  /** Decodes a chunk of bytes (latin1: AIS text is 7-bit) or text. */
  write(chunk: Buffer | string): void;
  /** Ends the current stream: decodes a partial last line, drops incomplete groups. */
  endStream(): void;
  setState(state: FeedState, extra?: { error?: string; retryAt?: number }): void;
  state(): FeedState;
  connected(): void;
  failed(error: string): void;
  status(extra?: Pick<FeedStatus, 'replay'>): FeedStatus;
  /** Records a rate sample; the manager calls it every second. */
  sample(now?: number): void;
}

export interface FeedCoreOptions {
  name: string;
  kind: FeedKind;
  target: string;
  onMessage: MessageHandler;
  /** Rewrites a message before it is handed on (replay: times). */
  transform?: (m: AisMessage, receivedAt: number) => void;
  now?: () => number;
}

const RATE_WINDOW_MS = 10_000;

export function createFeedCore(options: FeedCoreOptions): FeedCore {
  const now = options.now ?? Date.now;
  let bytes = 0;
  let state: FeedState = 'idle';
  let since = now();
  let connections = 0;
  let failures = 0;
  let lastError: string | undefined;
  let retryAt: number | undefined;
  const text = new StringDecoder('latin1');
  const decoder = createAisDecoder({
    onMessage: (m) => {
      const t = now();
      options.transform?.(m, t);
      options.onMessage(m, t, options.name);
    },
  });
  const samples: { t: number; lines: number; messages: number }[] = [];

  function sample(t = now()): void {
    samples.push({ t, lines: decoder.stats.lines, messages: decoder.stats.messages });
    while (samples.length > 2 && t - samples[0].t > RATE_WINDOW_MS) samples.shift();
  }

  function rates(): { linesPerSecond: number; messagesPerSecond: number } {
    const t = now();
    const first = samples[0];
    if (!first || t - first.t < 500) return { linesPerSecond: 0, messagesPerSecond: 0 };
    const dt = (t - first.t) / 1000;
    const r = (x: number) => Math.round(x * 10) / 10;
    return {
      linesPerSecond: r((decoder.stats.lines - first.lines) / dt),
      messagesPerSecond: r((decoder.stats.messages - first.messages) / dt),
    };
  }

  return {
    decoder,
    write(chunk) {
      bytes += chunk.length;
      decoder.write(typeof chunk === 'string' ? chunk : text.write(chunk));
    },
    endStream() {
      decoder.write(text.end());
      decoder.end();
    },
    setState(next, extra = {}) {
      if (next !== state) {
        state = next;
        since = now();
      }
      if (extra.error !== undefined) lastError = extra.error;
      retryAt = extra.retryAt;
    },
    state: () => state,
    connected() {
      connections++;
    },
    failed(error) {
      failures++;
      lastError = error;
    },
    status(extra = {}) {
      const st = decoder.stats;
      return {
        name: options.name,
        kind: options.kind,
        target: options.target,
        state,
        since: new Date(since).toISOString(),
        connections,
        failures,
        ...(lastError !== undefined ? { lastError } : {}),
        ...(retryAt !== undefined ? { retryAt: new Date(retryAt).toISOString() } : {}),
        bytes,
        lines: st.lines,
        messages: st.messages,
        rejected: st.badChecksum + st.badTagBlock + st.malformed + st.garbage + st.badPayload,
        ...rates(),
        ...extra,
      };
    },
    sample,
  };
}

/** "host:port" (IPv6 as "[::1]:port") to its parts; throws a readable error otherwise. */
export function parseHostPort(spec: string, defaultHost?: string): { host: string; port: number } {
  const s = spec.trim();
  let host: string | undefined;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (/^\d+$/.test(s)) {
    host = defaultHost;
    portText = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0) throw new Error(`expected host:port, got "${spec}"`);
    host = s.slice(0, i);
    portText = s.slice(i + 1);
  }
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`expected host:port with a port 0-65535, got "${spec}"`);
  }
  return { host, port };
}
