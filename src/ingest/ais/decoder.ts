/**
 * Public decoder API: plain functions returning plain objects.
 *
 *   const dec = createAisDecoder({ onMessage: (m) => ... });
 *   dec.write(chunk); ...; dec.end();          // or: const m = dec.push(line);
 */

import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createType24Store, decodePayload } from './decode.js';
import { createGpsdFormatter, type GpsdFormatter, type GpsdJsonOptions } from './gpsd.js';
import { type AisStats, createSentenceParser, type PayloadMeta, type SentenceOptions } from './sentence.js';
import type { AisMessage } from './types.js';
import { ascii, createWriter, reserve } from './writer.js';

export interface AisDecoder<T> {
  /** Decode one line (with or without its line ending); returns the message it completed, if any. */
  push(line: string): T | undefined;
  /** Feed any text: whole lines are decoded now (messages go to onMessage), a trailing partial line waits. */
  write(text: string): void;
  /** Decode a buffered partial line and drop incomplete multi-part groups. */
  end(): void;
  /** Incomplete multi-part groups currently held. */
  pending(): number;
  readonly stats: AisStats;
}

export interface AisDecoderOptions extends SentenceOptions {
  /** Receives every decoded message (from write(), end() and push()). */
  onMessage?: (message: AisMessage) => void;
  /** Part A names kept while waiting for their type 24 part B (default 4096). */
  type24Cache?: number;
}

export interface GpsdJsonDecoderOptions extends SentenceOptions, GpsdJsonOptions {
  /** Receives every JSON object (one line, without line ending). */
  onJson?: (json: string) => void;
  /**
   * Receives NDJSON as bytes, in chunks of about 64 KiB (at the latest on write() and end() returns): the
   * fastest way to produce output, no string is built per message unless onJson is also given.
   */
  onNdjson?: (chunk: Buffer) => void;
  /** Line ending for onNdjson (default '\n'; gpsd writes '\r\n'). */
  eol?: '\n' | '\r\n';
}

function createLineDecoder<T>(
  options: SentenceOptions,
  onValue: ((value: T) => void) | undefined,
  decodeOne: (w: Uint32Array, bitLength: number, meta: PayloadMeta, stats: AisStats) => T | undefined,
): AisDecoder<T> {
  let last: T | undefined;
  let rest = '';
  const parser = createSentenceParser(options, (w, bitLength, meta) => {
    const value = decodeOne(w, bitLength, meta, parser.stats);
    if (value !== undefined) {
      parser.stats.messages++;
      last = value;
    }
  });

  function take(): T | undefined {
    const value = last;
    last = undefined;
    if (value !== undefined && onValue !== undefined) onValue(value);
    return value;
  }

  function lines(s: string, from: number): number {
    let start = from;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) return start;
      parser.line(s, start, nl);
      if (last !== undefined) take();
      start = nl + 1;
    }
  }

  return {
    push(line: string): T | undefined {
      parser.line(line, 0, line.length);
      return take();
    },
    write(text: string): void {
      if (rest !== '') {
        // Complete the pending partial line first, then scan the new text in place.
        const nl = text.indexOf('\n');
        if (nl < 0) {
          rest += text;
          return;
        }
        const first = rest + text.slice(0, nl);
        rest = '';
        parser.line(first, 0, first.length);
        if (last !== undefined) take();
        const stop = lines(text, nl + 1);
        rest = stop < text.length ? text.slice(stop) : '';
        return;
      }
      const stop = lines(text, 0);
      rest = stop < text.length ? text.slice(stop) : '';
    },
    end(): void {
      if (rest !== '') {
        const line = rest;
        rest = '';
        parser.line(line, 0, line.length);
        if (last !== undefined) take();
      }
      parser.flush();
    },
    pending: () => parser.pending(),
    stats: parser.stats,
  };
}

/** Decoder producing native AisMessage objects. */
export function createAisDecoder(options: AisDecoderOptions = {}): AisDecoder<AisMessage> {
  const store = createType24Store(options.type24Cache);
  return createLineDecoder<AisMessage>(options, options.onMessage, (w, bitLength, meta, stats) =>
    decodePayload(w, bitLength, meta, store, stats),
  );
}

/** Decoder producing gpsd-compatible JSON lines (`gpsdecode -j`, or `-u -j` with scaled: false). */
export function createGpsdJsonDecoder(options: GpsdJsonDecoderOptions = {}): AisDecoder<string> {
  let format: GpsdFormatter | undefined;
  const out = createWriter();
  const wantText = options.onJson !== undefined || options.onNdjson === undefined;
  const eol = options.eol ?? '\n';
  const flushAt = 1 << 16;
  const decoder = createLineDecoder<string>(options, options.onJson, (w, bitLength, meta, stats) => {
    format ??= createGpsdFormatter(options, stats);
    const start = out.pos;
    if (!format(w, bitLength, meta.channel, out)) return undefined;
    // NDJSON consumers get bytes; a string is only made when someone asked for one.
    const json = wantText ? out.buf.toString('latin1', start, out.pos) : '';
    if (options.onNdjson === undefined) out.pos = start;
    else {
      reserve(out, 2);
      ascii(out, eol);
      if (out.pos >= flushAt) flushBytes();
    }
    return json;
  });
  function flushBytes(): void {
    if (out.pos === 0 || options.onNdjson === undefined) return;
    options.onNdjson(Buffer.from(out.buf.subarray(0, out.pos)));
    out.pos = 0;
  }
  return {
    ...decoder,
    stats: decoder.stats,
    write(text: string): void {
      decoder.write(text);
      flushBytes();
    },
    end(): void {
      decoder.end();
      flushBytes();
    },
  };
}

/**
 * Transform stream: NMEA text (Buffer or string chunks) in, AisMessage objects out. Never errors on bad
 * input; see `stream.stats` for what was skipped.
 */
export function createAisDecodeStream(options: Omit<AisDecoderOptions, 'onMessage'> = {}): Transform & {
  stats: AisStats;
} {
  const text = new StringDecoder('latin1');
  let out: Transform | undefined;
  const decoder = createAisDecoder({ ...options, onMessage: (m) => out?.push(m) });
  out = new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback) {
      decoder.write(typeof chunk === 'string' ? chunk : text.write(chunk));
      done();
    },
    flush(done: TransformCallback) {
      decoder.write(text.end());
      decoder.end();
      done();
    },
  });
  return Object.assign(out, { stats: decoder.stats });
}

/** Async generator over the messages of an NMEA text source (a file stream, a socket, process.stdin). */
export async function* decodeAis(
  source: AsyncIterable<Buffer | string>,
  options: Omit<AisDecoderOptions, 'onMessage'> = {},
): AsyncGenerator<AisMessage, AisStats> {
  const text = new StringDecoder('latin1');
  let batch: AisMessage[] = [];
  const decoder = createAisDecoder({ ...options, onMessage: (m) => batch.push(m) });
  for await (const chunk of source) {
    decoder.write(typeof chunk === 'string' ? chunk : text.write(chunk));
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
  }
  decoder.write(text.end());
  decoder.end();
  yield* batch;
  return decoder.stats;
}
