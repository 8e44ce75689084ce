/**
 * `escale ais replay FILE` and `escale import gates FILE.csv`.
 * Exit codes (as src/cli.ts): 0 success, 1 failure, 2 usage error, 3 store or target unavailable.
 */
import { accessSync, constants, createReadStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { createBroker } from '../broker/index.js';
import { createContextResolver } from '../broker/jsonld/contexts.js';
import { loadConfig } from '../config.js';
import { type Db, openDb } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import {
  checkGateEvent,
  createGateService,
  type GateEvent,
  GateEventError,
  type GateService,
} from '../mobility/gates.js';
import { createMobility } from '../mobility/index.js';
import { createPlateHasher, resolvePlateKey } from '../mobility/plates.js';
import { CLASS_B_POLICIES, type ClassBPolicy, type NgsiEntity } from './ais/vessels.js';
import { createEntityBatcher, type EntityWriter } from './batcher.js';
import { createReplayFeed } from './feeds/replay.js';
import { readGateCsv } from './gates-csv.js';
import { brokerWriter, createAisPipeline } from './index.js';

const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3 } as const;
const usageExit = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);

class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const speedArg = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number >= 0 (0: as fast as possible)');
  return n;
};
const classBArg = (v: string) => {
  if (!(CLASS_B_POLICIES as readonly string[]).includes(v))
    throw new InvalidArgumentError('show, coarsen or hide');
  return v as ClassBPolicy;
};
const offsetArg = (v: string) => {
  if (!/^(Z|[+-]\d{2}:\d{2})$/.test(v)) throw new InvalidArgumentError('Z or an offset such as +01:00');
  return v;
};

interface StoreOptions {
  databaseUrl?: string;
  dataDir?: string;
}

async function openStore(opts: StoreOptions) {
  const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  let db: Db;
  try {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrate(db);
  } catch (err) {
    throw new ExitError(`cannot open the store: ${(err as Error).message}`, EXIT.unavailable);
  }
  const contexts = await createContextResolver({
    contextMapFile: config.contextMap,
    fetchTimeoutMs: config.contextFetchTimeoutMs,
    maxBytes: config.contextMaxBytes,
  });
  return { config, db, broker: createBroker(db, contexts) };
}

/**
 * Posts batches to an NGSI-LD broker (Escale or another): batch upsert with update semantics. `token` (a bearer
 * token or an API key, from ESCALE_TARGET_TOKEN: never a flag, which `ps` would show) authenticates the writes.
 */
export function httpWriter(target: string, tenant?: string, token?: string): EntityWriter {
  const url = new URL(
    'ngsi-ld/v1/entityOperations/upsert?options=update',
    target.endsWith('/') ? target : `${target}/`,
  );
  return async (entities: NgsiEntity[]) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(tenant ? { 'NGSILD-Tenant': tenant } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(entities),
      });
    } catch (err) {
      throw new ExitError(`cannot reach ${url.origin}: ${(err as Error).message}`, EXIT.unavailable);
    }
    if (res.status === 201 || res.status === 204 || res.status === 200) return;
    const body = await res.text().catch(() => '');
    throw new ExitError(`${url.href} answered ${res.status}: ${body.slice(0, 300)}`, EXIT.failure);
  };
}

function progressBar(label: string, unit: string): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {extra}`,
    hideCursor: true,
    clearOnComplete: true,
  });
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const code = err instanceof ExitError ? err.code : EXIT.failure;
    process.stderr.write(`escale: ${(err as Error).message}\n`);
    process.exit(code);
  }
}

interface ReplayOptions extends StoreOptions {
  speed: number;
  loop?: boolean;
  liveTimes?: boolean;
  target?: string;
  tenant?: string;
  classB?: ClassBPolicy;
  linesPerSecond?: number;
  portCalls: boolean;
}

async function replay(file: string, opts: ReplayOptions): Promise<void> {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new ExitError(`cannot read ${file}: ${(err as Error).message}`, EXIT.failure);
  }
  const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  const store = opts.target ? undefined : await openStore(opts);
  let writeError: Error | undefined;
  const batcher = createEntityBatcher({
    write: opts.target
      ? httpWriter(opts.target, opts.tenant, process.env.ESCALE_TARGET_TOKEN || undefined)
      : brokerWriter(store!.broker, opts.tenant),
    intervalMs: config.aisFlushMs,
    maxEntities: config.aisFlushMax,
    onError: (err) => {
      writeError = err;
    },
  });
  const mobility =
    store && opts.portCalls
      ? createMobility(store.config, { db: store.db, broker: store.broker, batcher })
      : undefined;
  let calls = 0;
  const pipeline = createAisPipeline({
    batcher,
    classB: opts.classB ?? config.aisClassB,
    onPosition: mobility
      ? (p) => {
          const before = mobility.portCalls.phase(p.mmsi);
          mobility.onPosition(p);
          if (before !== 'inPort' && before !== 'atBerth' && mobility.portCalls.phase(p.mmsi) === 'inPort')
            calls++;
        }
      : undefined,
  });
  let failure: string | undefined;
  const feed = createReplayFeed({
    file,
    speed: opts.speed,
    loop: opts.loop,
    rebase: opts.liveTimes,
    linesPerSecond: opts.linesPerSecond,
    onMessage: (m, receivedAt) => pipeline.accept(m, receivedAt),
    onEvent: (event, detail) => {
      if (event === 'error') failure = String(detail.error);
    },
  });
  const bar = progressBar('replay', 'bytes');
  const timer = setInterval(() => {
    const p = feed.progress();
    const s = feed.status();
    bar?.setTotal(p.total);
    bar?.update(p.read, { extra: `${s.messages} messages, ${pipeline.tracker.size()} vessels` });
    if (failure) void feed.stop();
    if (writeError instanceof ExitError) void feed.stop();
  }, 250);
  bar?.start(1, 0, { extra: '' });
  batcher.start();
  const interrupted = () => void feed.stop();
  process.once('SIGINT', interrupted);
  feed.start();
  await feed.done();
  clearInterval(timer);
  bar?.stop();
  process.removeListener('SIGINT', interrupted);
  await batcher.close();
  await store?.db.close();
  const s = feed.status();
  const w = batcher.stats();
  if (failure) throw new ExitError(`replay failed: ${failure}`, EXIT.failure);
  if (writeError) {
    throw writeError instanceof ExitError
      ? writeError
      : new ExitError(`writes failed: ${writeError.message}`, EXIT.failure);
  }
  process.stdout.write(
    `replayed ${file}: ${s.lines} lines, ${s.messages} messages, ${pipeline.tracker.size()} vessels; ` +
      `${w.entitiesWritten} entities written in ${w.upserts} batches` +
      (mobility ? `; ${calls} port calls opened` : '') +
      '\n',
  );
}

interface ImportOptions extends StoreOptions {
  utcOffset?: string;
  skipInvalid?: boolean;
}

/** Reads and checks every row of a gate CSV file; rows with errors are reported by line number. */
export async function readGateFile(
  file: string,
  utcOffset?: string,
): Promise<{ events: GateEvent[]; errors: string[] }> {
  const events: GateEvent[] = [];
  const errors: string[] = [];
  const now = Date.now();
  for await (const row of readGateCsv(createReadStream(file), { utcOffset })) {
    if ('error' in row) {
      errors.push(`line ${row.line}: ${row.error}`);
      continue;
    }
    try {
      checkGateEvent(row.event, events.length, now);
      if (row.event.plate.length < 2 || row.event.plate.length > 20)
        throw new Error('plate length out of range');
      events.push(row.event);
    } catch (err) {
      const why =
        err instanceof GateEventError ? err.message.replace(/^event \d+: /, '') : (err as Error).message;
      errors.push(`line ${row.line}: ${why}`);
    }
  }
  return { events, errors };
}

/** Stores checked events in chunks, then computes the statistics once for the whole period. */
export async function importGateEvents(
  gates: GateService,
  events: GateEvent[],
  onProgress?: (done: number, inserted: number) => void,
): Promise<{ inserted: number; statistics: number }> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const r = await gates.ingest(events.slice(i, i + 1000), 'csv', { statistics: false });
    inserted += r.inserted;
    onProgress?.(Math.min(events.length, i + 1000), inserted);
  }
  let statistics = 0;
  if (inserted > 0) {
    const times = events.map((e) => Date.parse(e.time));
    const terminals = [...new Set(events.map((e) => e.terminal))];
    statistics = await gates.refresh(
      terminals,
      times.reduce((a, b) => Math.min(a, b)),
      times.reduce((a, b) => Math.max(a, b)),
    );
  }
  return { inserted, statistics };
}

async function importGates(file: string, opts: ImportOptions): Promise<void> {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new ExitError(`cannot read ${file}: ${(err as Error).message}`, EXIT.failure);
  }
  // Read and check every row first: a file with errors imports nothing unless --skip-invalid.
  let read: { events: GateEvent[]; errors: string[] };
  try {
    read = await readGateFile(file, opts.utcOffset);
  } catch (err) {
    throw new ExitError(`${file}: ${(err as Error).message}`, EXIT.failure);
  }
  const { events, errors } = read;
  for (const e of errors.slice(0, 20)) process.stderr.write(`${e}\n`);
  if (errors.length > 20) process.stderr.write(`... and ${errors.length - 20} more\n`);
  if (errors.length && !opts.skipInvalid) {
    throw new ExitError(
      `${errors.length} invalid rows: nothing imported (--skip-invalid imports the others)`,
      EXIT.failure,
    );
  }
  const { config, db, broker } = await openStore(opts);
  try {
    const key = resolvePlateKey({ plateKey: config.plateKey, dataDir: config.dataDir });
    if (key.origin === 'generated') {
      process.stderr.write(
        `warning: ESCALE_PLATE_KEY is not set; a plate key was generated in ${key.file}: the server must use the same key\n`,
      );
    }
    const gates = createGateService({
      db,
      write: brokerWriter(broker),
      hasher: () => createPlateHasher(key.key),
    });
    const bar = events.length > 5000 ? progressBar('import', 'events') : undefined;
    bar?.start(events.length, 0, { extra: '' });
    const r = await importGateEvents(gates, events, (done, inserted) =>
      bar?.update(done, { extra: `${inserted} new` }),
    );
    bar?.stop();
    process.stdout.write(
      `imported ${r.inserted} gate events from ${file} (${events.length - r.inserted} already known` +
        `${errors.length ? `, ${errors.length} invalid rows skipped` : ''}); ${r.statistics} statistics entities written\n`,
    );
  } finally {
    await db.close();
  }
}

export function registerMobilityCommands(program: Command): void {
  const ais = program.commands.find((c) => c.name() === 'ais') ?? program.command('ais');
  ais
    .command('replay')
    .exitOverride(usageExit)
    .description(
      'replay an NMEA file (plain or .gz) into the local store, or into another broker with --target: Vessel entities, port calls and berth occupancy',
    )
    .argument('<file>', 'NMEA file; lines with a tag-block time (\\c:...\\) are paced by it')
    .option(
      '-s, --speed <n>',
      'replay speed: 1 real time, 10 ten times faster, 0 as fast as possible',
      speedArg,
      1,
    )
    .option('--loop', 'start again at the end of the file (until interrupted)')
    .option('--live-times', 'stamp positions with the current time instead of the recorded one')
    .option(
      '--lines-per-second <n>',
      'pace of lines without a tag-block time at speed 1 (default 20)',
      speedArg,
    )
    .option('--class-b <policy>', 'class B units: show, coarsen or hide (env ESCALE_AIS_CLASS_B)', classBArg)
    .option('--no-port-calls', 'do not derive port calls and berth occupancy')
    .option(
      '--target <url>',
      'base URL of an NGSI-LD broker to post to (e.g. http://localhost:8080); its bearer token or API key in env ESCALE_TARGET_TOKEN',
    )
    .option('--tenant <name>', 'NGSI-LD tenant to write into')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
    .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure (unreadable file, refused writes), 2 usage error, 3 store or target unavailable.\n' +
        'The embedded store is used by one process at a time: stop `escale serve` or use --target.',
    )
    .action((file: string, opts: ReplayOptions) => run(() => replay(file, opts)));

  const imp =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data files into the store').exitOverride(usageExit);
  imp
    .command('gates')
    .exitOverride(usageExit)
    .description(
      'import truck gate events from a CSV file; plates are pseudonymised before anything is stored',
    )
    .argument('<file>', 'CSV with a header: time, terminal, lane, direction (in/out), plate [, id]')
    .option('--utc-offset <offset>', 'offset of times written without one, e.g. +01:00 or Z', offsetArg)
    .option('--skip-invalid', 'import the valid rows even if some are invalid (default: import nothing)')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
    .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure (unreadable file, invalid rows), 2 usage error, 3 store unavailable.\n' +
        "Set ESCALE_PLATE_KEY to the server's key, or the pseudonyms will not match the webhook's.",
    )
    .action((file: string, opts: ImportOptions) => run(() => importGates(file, opts)));
}
