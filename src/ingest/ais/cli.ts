/** `escale ais decode [FILE]`: NMEA in, gpsd-compatible NDJSON out. */
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type Command, InvalidArgumentError } from 'commander';
import { createAisDecoder, createGpsdJsonDecoder } from './decoder.js';
import type { AisStats } from './sentence.js';

export interface DecodeCommandOptions {
  unscaled?: boolean;
  native?: boolean;
  split24?: boolean;
  device?: string;
  crlf?: boolean;
  stats?: boolean;
  fragmentTimeout?: number;
}

/**
 * Decode `input` to `output`; resolves with the counters. Output backpressure is honoured so a slow pipe
 * does not buffer the whole file in memory.
 */
export async function decodeToNdjson(
  input: Readable,
  output: Writable,
  options: DecodeCommandOptions & { device: string },
): Promise<AisStats> {
  const eol = options.crlf ? '\r\n' : '\n';
  let pending: (string | Buffer)[] = [];
  const common = { fragmentTimeoutMs: options.fragmentTimeout };
  const decoder = options.native
    ? createAisDecoder({ ...common, onMessage: (m) => pending.push(JSON.stringify(m) + eol) })
    : createGpsdJsonDecoder({
        ...common,
        scaled: !options.unscaled,
        split24: options.split24,
        device: options.device,
        eol,
        onNdjson: (bytes) => pending.push(bytes),
      });
  const text = new StringDecoder('latin1');
  const drain = async () => {
    if (pending.length === 0) return;
    // One kind per run: strings for --native, bytes for the gpsd output.
    const chunk =
      typeof pending[0] === 'string' ? (pending as string[]).join('') : Buffer.concat(pending as Buffer[]);
    pending = [];
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', resolve));
  };
  for await (const chunk of input) {
    decoder.write(typeof chunk === 'string' ? chunk : text.write(chunk as Buffer));
    await drain();
  }
  decoder.write(text.end());
  decoder.end();
  await drain();
  return decoder.stats;
}

export function formatStats(stats: AisStats): string {
  const width = Math.max(...Object.keys(stats).map((k) => k.length));
  return Object.entries(stats)
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join('\n');
}

/** Usage errors exit with 2 (src/cli.ts policy); set here because commands registered before the root's
 * exitOverride() do not inherit it. */
const usageExit = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? 0 : 2);

export function registerAisCommands(program: Command): void {
  const ais = program.command('ais').description('AIS (AIVDM/AIVDO) tools').exitOverride(usageExit);
  ais
    .command('decode')
    .exitOverride(usageExit)
    .description(
      'decode NMEA AIVDM/AIVDO sentences from FILE (or stdin) to one JSON object per line, as gpsdecode -j',
    )
    .argument('[file]', 'NMEA file to read; standard input when absent or "-"')
    .option('-u, --unscaled', 'raw integer fields, as gpsdecode -u -j')
    .option('--native', "Escale's own objects (scaled, n/a fields left out) instead of gpsd's JSON")
    .option('-s, --split24', 'also print type 24 halves that were not merged (gpsdecode -s)')
    .option('--device <name>', 'value of the "device" member (default: "stdin", or the file path)')
    .option('--crlf', 'end lines with CR LF like gpsd')
    .option('--fragment-timeout <ms>', 'drop incomplete multi-part messages after this many ms', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of milliseconds');
      return n;
    })
    .option('--stats', 'print counters (sentences, messages, bad checksums...) to stderr at the end')
    .action(async (file: string | undefined, opts: DecodeCommandOptions) => {
      const fromStdin = file === undefined || file === '-';
      const input = fromStdin ? process.stdin : createReadStream(file);
      try {
        const stats = await decodeToNdjson(input, process.stdout, {
          ...opts,
          device: opts.device ?? (fromStdin ? 'stdin' : file),
        });
        if (opts.stats) process.stderr.write(`${formatStats(stats)}\n`);
      } catch (err) {
        process.stderr.write(`escale: ais decode: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
