/**
 * AIS decoder benchmark: `npm run bench:ais [-- FILE]`.
 *
 * Decodes an NMEA file held in memory to NDJSON several times with Escale's decoder, then runs the same
 * work through `gpsdecode -j` (if installed) and the npm decoders, and prints sentences per second.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createAisDecoder, createGpsdJsonDecoder } from '../src/ingest/ais/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const candidates = [
  process.argv[2],
  '/work/shared/data/ais/nmea-sample.nmea',
  new URL('../../shared/data/ais/nmea-sample.nmea', import.meta.url).pathname,
  new URL('../test/fixtures/ais/nmea-sample.nmea', import.meta.url).pathname,
].filter((p): p is string => p !== undefined && p !== '');
const file = candidates.find((p) => existsSync(p));
if (file === undefined) {
  console.error(`bench:ais: no input file (tried ${candidates.join(', ')})`);
  process.exit(2);
}
const text = readFileSync(file, 'latin1');
// The npm decoders want bare lines (ais-stream-decoder rejects a trailing CR).
const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
const sentences = lines.length;

interface Result {
  name: string;
  seconds: number;
  messages: number;
  note?: string;
}

/** Best of ROUNDS after two warm-ups; `run` returns (a promise of) the number of messages produced. */
async function measure(name: string, run: () => number | Promise<number>, note?: string): Promise<Result> {
  await run();
  await run();
  let best = Number.POSITIVE_INFINITY;
  let messages = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    messages = await run();
    best = Math.min(best, performance.now() - t0);
  }
  return { name, seconds: best / 1000, messages, note };
}

const results: Result[] = [];

results.push(
  await measure('escale (gpsd JSON, NDJSON bytes)', () => {
    let bytes = 0;
    const dec = createGpsdJsonDecoder({ device: 'stdin', onNdjson: (c) => (bytes += c.length) });
    dec.write(text);
    dec.end();
    return bytes > 0 ? dec.stats.messages : 0;
  }),
);
results.push(
  await measure('escale (gpsd JSON, one string per message)', () => {
    let n = 0;
    const dec = createGpsdJsonDecoder({ device: 'stdin', onJson: () => n++ });
    dec.write(text);
    dec.end();
    return n;
  }),
);
results.push(
  await measure('escale (native objects)', () => {
    let n = 0;
    const dec = createAisDecoder({ onMessage: () => n++ });
    dec.write(text);
    dec.end();
    return n;
  }),
);
results.push(
  await measure('escale (native objects + JSON.stringify)', () => {
    const out: string[] = [];
    const dec = createAisDecoder({ onMessage: (m) => out.push(JSON.stringify(m)) });
    dec.write(text);
    dec.end();
    return `${out.join('\n')}\n`.length > 0 ? out.length : 0;
  }),
);

// gpsd's C decoder, as a separate process reading the file.
const gpsdecode = ['/usr/bin/gpsdecode', '/usr/local/bin/gpsdecode'].find((p) => existsSync(p));
if (gpsdecode !== undefined) {
  const v = spawnSync(gpsdecode, ['-V'], { encoding: 'utf8' });
  const version = `${v.stdout}${v.stderr}`.trim() || 'gpsdecode';
  results.push(
    await measure(
      'gpsdecode -j',
      () => {
        const fd = openSync(file, 'r');
        try {
          const r = spawnSync(gpsdecode, ['-j'], { stdio: [fd, 'pipe', 'ignore'], maxBuffer: 1 << 30 });
          return r.stdout.toString('latin1').split('\n').length - 1;
        } finally {
          closeSync(fd);
        }
      },
      `${version}, separate process, includes process start`,
    ),
  );
} else {
  results.push({ name: 'gpsdecode -j', seconds: Number.NaN, messages: 0, note: 'not installed' });
}

const require = createRequire(import.meta.url);

// ais-stream-decoder: a Transform stream fed line by line.
try {
  type Decoder = import('node:stream').Transform;
  const mod = require('ais-stream-decoder') as { default: new (o: { silent: boolean }) => Decoder };
  const run = () =>
    new Promise<number>((resolve) => {
      let n = 0;
      const dec = new mod.default({ silent: true });
      dec.on('data', (m: unknown) => {
        if (JSON.stringify(m).length > 0) n++;
      });
      dec.on('error', () => {});
      dec.on('end', () => resolve(n));
      for (const l of lines) dec.write(l);
      dec.end();
    });
  results.push(await measure('ais-stream-decoder (npm) + JSON', run, 'types 1-5, 8, 18, 24 only'));
} catch (err) {
  results.push({
    name: 'ais-stream-decoder (npm)',
    seconds: Number.NaN,
    messages: 0,
    note: `unavailable: ${(err as Error).message}`,
  });
}

// ggencoder: one AisDecode object per sentence, multi-part state in a session object.
try {
  type Decoded = { valid: boolean };
  const { AisDecode } = require('ggencoder') as { AisDecode: new (s: string, session: object) => Decoded };
  const run = () => {
    const out: string[] = [];
    let session = {};
    for (const l of lines) {
      const m = new AisDecode(l, session);
      if (m.valid) {
        out.push(JSON.stringify(m));
        session = {};
      }
    }
    return out.length;
  };
  results.push(await measure('ggencoder (npm) + JSON', run));
} catch (err) {
  results.push({
    name: 'ggencoder (npm)',
    seconds: Number.NaN,
    messages: 0,
    note: `unavailable: ${(err as Error).message}`,
  });
}

const cpu = os.cpus();
console.log(`AIS decoding benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
);
console.log(
  `node ${process.version}; input ${file}: ${sentences} sentences, ${(text.length / 1e6).toFixed(1)} MB; best of ${ROUNDS} rounds after two warm-ups\n`,
);
const ref = results[0].seconds;
const rows = results.map((r) => [
  r.name,
  Number.isNaN(r.seconds) ? '-' : Math.round(sentences / r.seconds).toLocaleString('en-US'),
  Number.isNaN(r.seconds) ? '-' : r.messages.toLocaleString('en-US'),
  Number.isNaN(r.seconds) ? '-' : `${(r.seconds / ref).toFixed(2)}x`,
  r.note ?? '',
]);
const head = ['decoder', 'sentences/s', 'messages', 'time vs escale', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));
