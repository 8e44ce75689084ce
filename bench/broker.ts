/**
 * `npm run bench:broker`: the NGSI-LD broker under load, on embedded PGlite and on PostgreSQL.
 *
 * Each figure is Escale's HTTP path (the server runs as a child process, `escale serve`) beside the same
 * work done as raw SQL through the same driver in this process, on the same engine, in the same run:
 * the ratio is the figure. `npm run bench:broker -- --help` lists the options.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Db, type DbOptions, openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { CpuWatch, machineBusy } from './lib/cpu.js';
import { cannon, type HttpRequestSpec, runWorkers, type StepResult } from './lib/load.js';
import { type MachineInfo, machineInfo, machineLines } from './lib/machine.js';
import {
  authenticateWrites,
  countVessels,
  entityPath,
  getEntity,
  httpUpsert,
  queryIds,
  queryPath,
  withWriteHeaders,
} from './lib/ngsi.js';
import {
  createDatabase,
  dropDatabase,
  findPostgres,
  type PgServer,
  postmasterPid,
  redact,
  runOn,
} from './lib/postgres.js';
import {
  monotonicUs,
  type ProfileSummary,
  profileLines,
  serverProfiles,
  summarizeProfiles,
  type Window,
} from './lib/profile.js';
import { rawCount, rawGet, rawQuery, rawUpdateSpeed, rawUpsert } from './lib/raw.js';
import { markdownTable, type TableRow, textTable } from './lib/report.js';
import {
  adminAuthorization,
  freePort,
  REPO_ROOT,
  runCompiledServer,
  type ServerHandle,
  startBareHttp,
  startServer,
} from './lib/server.js';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, sleep } from './lib/stats.js';
import { AREA, makeBatch, toStoredRow, vesselId } from './lib/vessels.js';

type StoreKind = 'postgres' | 'pglite';

interface Options {
  entities: number;
  durationS: number;
  warmupS: number;
  stores: StoreKind[];
  connections: number;
  queryConnections: number;
  upsertConcurrency: number;
  batch: number;
  loadBudgetS: number;
  profile: boolean;
}

const USAGE = `usage: npm run bench:broker -- [options]
  --entities N             entities to load (default 100000)
  --duration S             seconds per measured step (default 10)
  --warmup S               seconds of warm-up before each step, not measured (default 2)
  --store pglite|postgres|both   (default both)
  --connections C          concurrent connections for PATCH and GET (default 16)
  --query-connections C    concurrent connections for the query latency step (default 4)
  --upsert-concurrency C   batches in flight during the load (default 4)
  --batch B                entities per upsert batch (default 1000, the broker's maximum)
  --load-budget S          seconds of Escale upserts at most (default 60); the rest of the fleet is then loaded
                           by raw SQL, unmeasured, and the upsert figures are those of the entities sent
  --profile                run the server with --cpu-prof and print where its CPU time went
PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres:postgres@127.0.0.1:5432/postgres
(a throw-away database is created there and dropped at the end).`;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      entities: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      store: { type: 'string', default: 'both' },
      connections: { type: 'string', default: '16' },
      'query-connections': { type: 'string', default: '4' },
      'upsert-concurrency': { type: 'string', default: '4' },
      batch: { type: 'string', default: '1000' },
      'load-budget': { type: 'string', default: '60' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`--${name} must be an integer from ${min} to ${max}, got ${v}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const store = values.store;
  if (store !== 'both' && store !== 'pglite' && store !== 'postgres') {
    console.error(`--store must be pglite, postgres or both\n${USAGE}`);
    process.exit(2);
  }
  return {
    entities: int('entities', values.entities, 1),
    durationS: int('duration', values.duration, 1),
    warmupS: int('warmup', values.warmup, 0),
    stores: store === 'both' ? ['postgres', 'pglite'] : [store],
    connections: int('connections', values.connections, 1, 1024),
    queryConnections: int('query-connections', values['query-connections'], 1, 1024),
    upsertConcurrency: int('upsert-concurrency', values['upsert-concurrency'], 1, 64),
    batch: int('batch', values.batch, 1, 1000),
    loadBudgetS: int('load-budget', values['load-budget'], 1),
    profile: values.profile,
  };
}

// ---- Targets (they apply to PostgreSQL) ---------------------------------------------------------------------
const TARGET = { upsert: 20_000, updates: 2_000, gets: 5_000, queryP95Ms: 50, idleRssBytes: 150e6 } as const;

/** The query: around this point, varied per request. */
const QUERY = {
  lon: 0.12,
  lat: 49.47,
  jitterLon: 0.03,
  jitterLat: 0.02,
  maxDistance: 2000,
  limit: 20,
} as const;
const TYPICAL_POINTS: readonly [number, number][] = [
  [0.12, 49.47],
  [0.1, 49.48],
  [0.15, 49.46],
  [0.09, 49.45],
  [0.2, 49.49],
];

/** Seconds elapsed since t (a performance.now() value), for messages. */
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface StoreReport {
  kind: StoreKind;
  label: string;
  rows: TableRow[];
  notes: string[];
  problems: string[];
  /** Steps during which other processes took a noticeable share of the CPU. */
  warnings: string[];
  profile?: ProfileSummary;
}

interface Prepared {
  /** Batch bodies for HTTP (normalized entities) and for raw SQL (rows in the stored shape). */
  batches: { body: string; rows: string; count: number }[];
}

function prepare(opts: Options): Prepared {
  const batches: Prepared['batches'] = [];
  const now = new Date().toISOString();
  for (let from = 0; from < opts.entities; from += opts.batch) {
    const vessels = makeBatch(from, Math.min(opts.entities, from + opts.batch));
    batches.push({
      body: JSON.stringify(vessels),
      rows: JSON.stringify(vessels.map((v) => toStoredRow(v, now))),
      count: vessels.length,
    });
  }
  return { batches };
}

const randomIndex = (n: number) => Math.floor(Math.random() * n);
const randomSpeed = () => Math.round(Math.random() * 250) / 10;
const queryPoint = (): [number, number] => [
  Number((QUERY.lon + (Math.random() * 2 - 1) * QUERY.jitterLon).toFixed(5)),
  Number((QUERY.lat + (Math.random() * 2 - 1) * QUERY.jitterLat).toFixed(5)),
];

/** Everything one store's run needs: where to send requests, the reference database, and the log. */
interface StoreRun {
  /** The server and the reference store; both are replaced when the PGlite server is restarted. */
  server: ServerHandle;
  rawDb: Db;
  cpu: CpuWatch;
  notes: string[];
  problems: string[];
  warnings: string[];
  /** When each measured Escale step ran, to cut the server's CPU profile by step. */
  windows: Window[];
  /** Error-level lines logged by the server processes of this store. */
  serverErrors: string[];
  /** RSS of the server idle after start-up, before any request of the benchmark. */
  startRss: number;
}

/** Records a step's outcome: a line of notes, a problem if anything failed, a warning if the box was shared. */
function check(run: StoreRun, what: string, r: StepResult): void {
  const statuses = Object.entries(r.statuses)
    .map(([code, n]) => `${code}×${fmtInt(n)}`)
    .join(', ');
  const bad = r.failed > 0 || r.errors > 0 || r.ok === 0;
  const foreign = r.cpu ? r.cpu.foreign : 0;
  const line =
    `${what}: ${fmtInt(r.ok)} ok, ${fmtInt(r.failed)} failed, ${fmtInt(r.errors)} transport errors` +
    (statuses ? ` [${statuses}]` : '') +
    (r.cpu ? `; CPU: bench+server+database ${pct(r.cpu.own)}, other processes ${pct(foreign)}` : '') +
    (bad && r.samples.length ? ` — e.g. ${r.samples.join(' | ')}` : '');
  run.notes.push(line);
  if (bad) run.problems.push(line);
  if (foreign > FOREIGN_CPU_WARNING) {
    run.warnings.push(`${what}: other processes used ${pct(foreign)} of the machine's CPU during the step`);
  }
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
/** Above this share of the machine's CPU taken by other processes during a step, the figure is flagged. */
const FOREIGN_CPU_WARNING = 0.1;

/** Runs a measured step, attaches the CPU accounting to its result, and records its window when named. */
async function watched<T extends StepResult>(
  run: StoreRun,
  fn: () => Promise<T>,
  window?: string,
): Promise<T> {
  const start = run.cpu.snapshot();
  const fromUs = monotonicUs();
  const r = await fn();
  if (window) run.windows.push({ name: window, fromUs, toUs: monotonicUs() });
  r.cpu = run.cpu.since(start);
  return r;
}

async function benchStore(
  kind: StoreKind,
  opts: Options,
  prepared: Prepared,
  pgServer: PgServer | undefined,
  cleanups: (() => Promise<void>)[],
): Promise<StoreReport> {
  const label = kind === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded)';
  const tmp = mkdtempSync(join(tmpdir(), `escale-bench-${kind}-`));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

  const busy = await machineBusy(2000);
  const notes: string[] = [];
  if (busy !== undefined) notes.push(`machine CPU busy ${pct(busy)} during the 2 s before this store's run`);

  // ---- Stores: one for the server, one for the raw reference, same engine ----------------------------
  let serverDbUrl: string | undefined;
  let rawUrl: string | undefined;
  let postmaster: number | undefined;
  const rawDir = join(tmp, 'raw');
  const serverDir = join(tmp, 'server');
  if (kind === 'postgres') {
    if (!pgServer) throw new Error('no PostgreSQL server');
    const a = await createDatabase(pgServer.adminUrl, 'http');
    cleanups.push(() => dropDatabase(pgServer.adminUrl, a.name));
    const b = await createDatabase(pgServer.adminUrl, 'raw');
    cleanups.push(() => dropDatabase(pgServer.adminUrl, b.name));
    log(`databases ${a.name} (server) and ${b.name} (raw SQL) created`);
    serverDbUrl = a.url;
    rawUrl = b.url;
    postmaster = await postmasterPid(b.url);
  } else {
    // Creating a PGlite store (initdb, CREATE EXTENSION postgis, migrations) takes tens of seconds of WASM:
    // do it once, and give the server a copy of the migrated, cleanly closed store.
    const t = performance.now();
    const fresh = await openDb({ dataDir: rawDir });
    await migrate(fresh);
    await fresh.close();
    notes.push(`creating a fresh PGlite store (initdb, PostGIS, migrations): ${since(t)}`);
    cpSync(rawDir, serverDir, { recursive: true });
  }
  // The server's pool has openDb's default size (10); the reference uses the same.
  const rawOptions: DbOptions = rawUrl ? { databaseUrl: rawUrl, poolSize: 10 } : { dataDir: rawDir };
  const openRaw = async () => {
    const db = await openDb(rawOptions);
    cleanups.push(() => db.close().catch(() => {}));
    await migrate(db);
    return db;
  };

  const profDir = join(tmp, 'prof');
  if (opts.profile) mkdirSync(profDir);
  authenticateWrites(
    await adminAuthorization(serverDbUrl ? { databaseUrl: serverDbUrl } : { dataDir: serverDir }),
  );
  const launch = async () => {
    const server = await startServer(
      {
        port: await freePort(),
        databaseUrl: serverDbUrl,
        dataDir: serverDir,
        cpuProfDir: opts.profile ? profDir : undefined,
        // The benchmark is one caller sending thousands of requests: no rate limit.
        env: { ESCALE_RATE_LIMIT: '0' },
      },
      300_000,
    );
    cleanups.push(async () => {
      await server.stop();
    });
    return server;
  };
  const t0 = performance.now();
  const [started, opened] = await Promise.allSettled([launch(), openRaw()]);
  if (started.status === 'rejected') throw started.reason;
  if (opened.status === 'rejected') throw opened.reason;
  const run: StoreRun = {
    server: started.value,
    rawDb: opened.value,
    cpu: new CpuWatch(() => run.server.pid, postmaster),
    notes,
    problems: [],
    warnings: [],
    windows: [],
    serverErrors: [],
    startRss: 0,
  };
  log(`${label}: server pid ${run.server.pid} ready at ${run.server.baseUrl} in ${since(t0)}`);
  await sleep(5000);
  run.startRss = run.server.memory().rss;
  log(`  idle RSS after start-up: ${fmtBytes(run.startRss)}`);
  notes.push(
    `server start-up (spawn to GET /health 200, ${kind === 'pglite' ? 'on a copy of that store' : 'fresh database, migrations'}): ${since(t0)}`,
  );

  try {
    return await measureStore(kind, label, opts, prepared, run, {
      serverDbUrl,
      rawUrl,
      rawDir,
      serverDir,
      profDir,
      openRaw,
      launch,
    });
  } catch (err) {
    // Say what the server said: a crash of the server is the most likely cause of a failed step.
    const code = run.server.exitCode();
    const state = code === undefined ? 'still running' : `exited with code ${code}`;
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    throw new Error(
      `${message}\nthe server (pid ${run.server.pid}) ${state}; its last output:\n${run.server.output()}`,
    );
  }
}

interface StoreEnv {
  serverDbUrl?: string;
  rawUrl?: string;
  rawDir: string;
  serverDir: string;
  profDir: string;
  openRaw: () => Promise<Db>;
  launch: () => Promise<ServerHandle>;
}

async function measureStore(
  kind: StoreKind,
  label: string,
  opts: Options,
  prepared: Prepared,
  run: StoreRun,
  env: StoreEnv,
): Promise<StoreReport> {
  const { notes, problems } = run;
  const n = opts.entities;

  // ---- 1. Load: batch upsert, Escale for at most the load budget, the same batches as raw SQL --------------
  let nextMark = 0.1;
  const loadStart = performance.now();
  const up = await watched(
    run,
    () =>
      httpUpsert(run.server.baseUrl, prepared.batches, {
        concurrency: opts.upsertConcurrency,
        budgetS: opts.loadBudgetS,
        onProgress: (done) => {
          if (done / n >= nextMark) {
            const s = (performance.now() - loadStart) / 1000;
            log(`  Escale upsert ${fmtInt(done)}/${fmtInt(n)} (${fmtInt(done / s)} entities/s)`);
            while (done / n >= nextMark) nextMark += 0.1;
          }
        },
      }),
    'batch upsert',
  );
  const measured = prepared.batches.slice(0, up.sent);
  const measuredEntities = measured.reduce((sum, b) => sum + b.count, 0);
  log(`  Escale upsert: ${fmtInt(up.entities)} entities in ${up.seconds.toFixed(1)} s`);
  check(run, 'Escale upsert batches', up);
  const rawUp = await watched(run, () =>
    runWorkers({
      concurrency: opts.upsertConcurrency,
      total: measured.length,
      op: async (i) => {
        const rows = await rawUpsert(run.rawDb, measured[i].rows);
        if (rows !== measured[i].count) throw new Error(`upsert wrote ${rows} rows of ${measured[i].count}`);
      },
    }),
  );
  const rawUpsertRate = rawUp.failed === 0 ? measuredEntities / rawUp.seconds : Number.NaN;
  log(`  raw SQL upsert: ${fmtInt(measuredEntities)} entities in ${rawUp.seconds.toFixed(1)} s`);
  check(run, 'raw SQL upsert batches', rawUp);

  // The rest of the fleet (beyond the budget), and any batch Escale failed, is loaded by raw SQL, unmeasured,
  // so that the other steps see the whole fleet in both stores. A failed batch still invalidates the upsert row.
  const rest = prepared.batches.slice(up.sent);
  const failed = up.failedBatches.map((i) => prepared.batches[i]);
  if (rest.length > 0 || failed.length > 0) {
    const t = performance.now();
    const fill = async (db: Db, batches: Prepared['batches']) => {
      for (const b of batches) await rawUpsert(db, b.rows);
    };
    if (kind === 'postgres' && env.serverDbUrl) {
      const serverDb = await openDb({ databaseUrl: env.serverDbUrl, poolSize: 2 });
      try {
        await Promise.all([fill(serverDb, [...failed, ...rest]), fill(run.rawDb, rest)]);
      } finally {
        await serverDb.close();
      }
    } else {
      // PGlite is one process's: stop the server, fill the reference store, give the server a copy of it.
      await stopChecked(run, run.server, 'after the load');
      run.serverErrors.push(...run.server.errors());
      await fill(run.rawDb, rest);
      await run.rawDb.close();
      rmSync(env.serverDir, { recursive: true, force: true });
      cpSync(env.rawDir, env.serverDir, { recursive: true });
      // The copy has none of the first store's users: the writes need an administrator of this one.
      authenticateWrites(await adminAuthorization({ dataDir: env.serverDir }));
      const [server, rawDb] = await Promise.all([env.launch(), env.openRaw()]);
      run.server = server;
      run.rawDb = rawDb;
      notes.push(
        `the server was restarted on a copy of the reference store after the fill (pid ${server.pid}); ` +
          'the figures below are of that process',
      );
    }
    const restEntities = rest.reduce((sum, b) => sum + b.count, 0);
    const failedEntities = failed.reduce((sum, b) => sum + b.count, 0);
    const msg =
      (rest.length
        ? `load budget ${opts.loadBudgetS} s: Escale upserted the first ${fmtInt(measuredEntities)} entities ` +
          `(the upsert figures are theirs); the other ${fmtInt(restEntities)} were loaded by raw SQL, unmeasured`
        : 'Escale upserted the whole fleet') +
      (failed.length
        ? `; the ${fmtInt(failedEntities)} entities of its failed batches were loaded by raw SQL`
        : '') +
      ` (${since(t)})`;
    log(`  ${msg}`);
    notes.push(msg);
  }
  const server = run.server;

  const [httpCount, sqlCount] = [await countVessels(server.baseUrl), await rawCount(run.rawDb)];
  notes.push(
    `entities stored: Escale ${fmtInt(httpCount)} (NGSILD-Results-Count), raw SQL ${fmtInt(sqlCount)}`,
  );
  if (httpCount !== n || sqlCount !== n) {
    problems.push(`expected ${n} entities, Escale has ${httpCount}, raw ${sqlCount}`);
  }

  if (kind === 'postgres' && env.serverDbUrl && env.rawUrl) {
    // What autovacuum would do within a minute of the load.
    await runOn(env.serverDbUrl, 'ANALYZE broker_entities');
    await runOn(env.rawUrl, 'ANALYZE broker_entities');
    notes.push('both databases ANALYZEd after the load, as autovacuum would do');
  } else {
    // PGlite has no autovacuum: Escale's server does that work itself every 10 s (src/db/maintenance.ts);
    // the reference store is analysed here, and the server given the time of one round.
    await run.rawDb.query('ANALYZE broker_entities');
    await sleep(12_000);
    notes.push(
      'the reference PGlite store ANALYZEd after the load; Escale analyses its own (src/db/maintenance.ts, every 10 s), given 12 s',
    );
  }

  // Idle memory after the load.
  await sleep(5000);
  const idle = server.memory();
  log(`  idle RSS after load: ${fmtBytes(idle.rss)}`);

  // The HTTP floor: the same server answering without touching the database.
  const floor = await watched(run, () =>
    cannon({
      baseUrl: server.baseUrl,
      connections: opts.connections,
      durationS: Math.min(5, opts.durationS),
      next: () => ({ method: 'GET', path: '/health/live' }),
    }),
  );
  check(run, 'HTTP floor GET /health/live', floor);

  // ---- Correctness: what we measure returns the right thing -------------------------------------------
  const sample = (await getEntity(server.baseUrl, vesselId(n - 1))) as {
    type?: unknown;
    speed?: { value?: unknown };
  };
  if (sample.type !== 'Vessel' || typeof sample.speed?.value !== 'number') {
    problems.push(
      `GET ${vesselId(n - 1)} returned an unexpected body: ${JSON.stringify(sample).slice(0, 300)}`,
    );
  }
  let same = 0;
  let hits = 0;
  for (const [lon, lat] of TYPICAL_POINTS) {
    const viaHttp = await queryIds(server.baseUrl, lon, lat, QUERY.maxDistance, QUERY.limit);
    const viaSql = await rawQuery(run.rawDb, lon, lat, QUERY.maxDistance, QUERY.limit);
    hits += viaHttp.length;
    if (viaHttp.join() === viaSql.join()) same++;
    else {
      problems.push(
        `query at [${lon}, ${lat}]: Escale and raw SQL disagree (${viaHttp.length} vs ${viaSql.length} ids; ` +
          `first ${viaHttp[0]} vs ${viaSql[0]})`,
      );
    }
  }
  notes.push(
    `query cross-check before the updates: ${same}/${TYPICAL_POINTS.length} points give the same ids in the same ` +
      `order through Escale and raw SQL (${(hits / TYPICAL_POINTS.length).toFixed(1)} results per query on average)`,
  );

  // ---- 2. Partial updates ---------------------------------------------------------------------------------
  const patch = await measurePair(run, opts, {
    what: 'PATCH attrs/speed',
    connections: opts.connections,
    next: () => ({
      method: 'PATCH',
      path: `${entityPath(vesselId(randomIndex(n)))}/attrs/speed`,
      body: JSON.stringify({ value: randomSpeed() }),
      headers: withWriteHeaders({ 'content-type': 'application/json' }),
    }),
    op: () => rawUpdateSpeed(run.rawDb, vesselId(randomIndex(n)), randomSpeed()),
  });

  // ---- 3. GET by id ------------------------------------------------------------------------------------------
  const get = await measurePair(run, opts, {
    what: 'GET entity',
    connections: opts.connections,
    next: () => ({ method: 'GET', path: entityPath(vesselId(randomIndex(n))) }),
    op: () => rawGet(run.rawDb, vesselId(randomIndex(n))),
  });

  // ---- 4. Query latency -------------------------------------------------------------------------------------
  const query = await measurePair(run, opts, {
    what: 'query',
    connections: opts.queryConnections,
    next: () => {
      const [lon, lat] = queryPoint();
      return { method: 'GET', path: queryPath(lon, lat, QUERY.maxDistance, QUERY.limit) };
    },
    op: async () => {
      const [lon, lat] = queryPoint();
      await rawQuery(run.rawDb, lon, lat, QUERY.maxDistance, QUERY.limit);
    },
    sameCount: true,
  });
  notes.push(
    `query throughput at ${opts.queryConnections} connections: Escale ${fmtInt(query.escale.perSec)}/s, ` +
      `raw SQL ${fmtInt(query.raw.perSec)}/s (raw SQL ran the same number of queries as Escale answered)`,
  );

  const after = server.memory();
  notes.push(
    `server RSS: ${fmtBytes(idle.rss)} idle after the load, ${fmtBytes(after.rss)} after all steps, peak ${fmtBytes(after.hwm)}`,
  );

  await stopChecked(run, server, 'at the end');
  run.serverErrors.push(...server.errors());
  if (run.serverErrors.length) {
    problems.push(
      `the server logged ${run.serverErrors.length}${run.serverErrors.length >= 20 ? '+' : ''} errors, the first:\n    ` +
        run.serverErrors.slice(0, 5).join('\n    '),
    );
  }
  let profile: ProfileSummary | undefined;
  if (opts.profile) {
    const files = serverProfiles(env.profDir).map((file, i) => {
      const keep = join(REPO_ROOT, 'bench', 'results', `broker-${kind}-${i + 1}.cpuprofile`);
      copyFileSync(file, keep);
      return keep;
    });
    if (files.length) profile = summarizeProfiles(files, run.windows);
    else notes.push('no CPU profile was written');
  }

  // ---- Table -----------------------------------------------------------------------------------------------
  const pgTargets = kind === 'postgres';
  const verdict = (met: boolean) => (pgTargets ? (met ? ' ✓' : ' ✗ missed') : ' (PostgreSQL target)');
  const rate = (x: number, unit: string) => `${fmtInt(x)} ${unit}`;
  const upRate = up.entitiesPerSec;
  const flag = (bad: boolean) => (bad ? ' (with errors)' : '');
  const loadNote = up.sent < prepared.batches.length ? `, first ${fmtInt(measuredEntities)}` : '';
  const rows: TableRow[] = [
    {
      operation: `batch upsert (${fmtInt(opts.batch)}/batch, ${opts.upsertConcurrency} in flight${loadNote})`,
      escale: rate(upRate, 'entities/s') + flag(up.failed + up.errors > 0),
      raw: rate(rawUpsertRate, 'entities/s'),
      ratio: fmtRatio(upRate / rawUpsertRate),
      target: `≥ ${fmtInt(TARGET.upsert)}/s${verdict(upRate >= TARGET.upsert)}`,
    },
    {
      operation: `PATCH attrs/speed (${opts.connections} conns)`,
      escale: rate(patch.escale.perSec, 'updates/s'),
      raw: rate(patch.raw.perSec, 'updates/s'),
      ratio: fmtRatio(patch.escale.perSec / patch.raw.perSec),
      target: `≥ ${fmtInt(TARGET.updates)}/s${verdict(patch.escale.perSec >= TARGET.updates)}`,
    },
    {
      operation: `GET entity by id (${opts.connections} conns)`,
      escale: rate(get.escale.perSec, 'GETs/s'),
      raw: rate(get.raw.perSec, 'GETs/s'),
      ratio: fmtRatio(get.escale.perSec / get.raw.perSec),
      target: `≥ ${fmtInt(TARGET.gets)}/s${verdict(get.escale.perSec >= TARGET.gets)}`,
    },
    {
      operation: `query type+q+near p50 (${opts.queryConnections} conns)`,
      escale: fmtMs(query.escale.p50),
      raw: fmtMs(query.raw.p50),
      ratio: fmtRatio(query.escale.p50 / query.raw.p50),
      target: '',
    },
    {
      operation: `query type+q+near p95 (${opts.queryConnections} conns)`,
      escale: fmtMs(query.escale.p95),
      raw: fmtMs(query.raw.p95),
      ratio: fmtRatio(query.escale.p95 / query.raw.p95),
      target: `< ${TARGET.queryP95Ms} ms${verdict(query.escale.p95 < TARGET.queryP95Ms)}`,
    },
    {
      operation: `HTTP floor: GET /health/live, no database (${opts.connections} conns)`,
      escale: rate(floor.perSec, 'req/s'),
      raw: '',
      ratio: '',
      target: '',
    },
    {
      operation: 'server idle RSS after start-up',
      escale: fmtBytes(run.startRss),
      raw: '',
      ratio: '',
      target: `< 150 MB (143 MiB)${verdict(run.startRss < TARGET.idleRssBytes)}`,
    },
    {
      operation: 'server idle RSS after the load',
      escale: fmtBytes(idle.rss),
      raw: '',
      ratio: '',
      target: '',
    },
  ];
  return { kind, label, rows, notes, problems, warnings: run.warnings, profile };
}

/** Stops the server (SIGTERM) and says how long it took and how it exited; a failed exit is a problem. */
async function stopChecked(run: StoreRun, server: ServerHandle, when: string): Promise<void> {
  const t = performance.now();
  const code = await server.stop();
  const line = `server shutdown ${when} (SIGTERM to exit): ${since(t)}, exit code ${code}`;
  run.notes.push(line);
  if (code !== 0) {
    run.problems.push(
      `${line}: escale serve did not shut down cleanly (its forced exit after 15 s is exit code 1)` +
        (server.output() ? `; last output: ${server.output().split('\n').slice(-5).join(' | ')}` : ''),
    );
  }
}

/** Escale over HTTP (autocannon), then the raw SQL reference, each after a warm-up. */
async function measurePair(
  run: StoreRun,
  opts: Options,
  step: {
    what: string;
    connections: number;
    next: () => HttpRequestSpec;
    op: () => Promise<void>;
    /** Run the raw reference as many times as Escale answered, instead of for the same duration. */
    sameCount?: boolean;
  },
): Promise<{ escale: StepResult; raw: StepResult }> {
  const { what, connections, next, op } = step;
  const baseUrl = run.server.baseUrl;
  if (opts.warmupS > 0) {
    check(
      run,
      `Escale ${what} (warm-up)`,
      await cannon({ baseUrl, connections, durationS: opts.warmupS, next }),
    );
  }
  const escale = await watched(
    run,
    () => cannon({ baseUrl, connections, durationS: opts.durationS, next }),
    `${what} (${connections} conns)`,
  );
  check(run, `Escale ${what}`, escale);
  log(
    `  Escale ${what}: ${fmtInt(escale.perSec)}/s, p50 ${fmtMs(escale.p50)}, p95 ${fmtMs(escale.p95)} ` +
      `(${fmtInt(escale.ok)} ok, ${fmtInt(escale.failed + escale.errors)} not)`,
  );
  if (opts.warmupS > 0) {
    check(
      run,
      `raw SQL ${what} (warm-up)`,
      await runWorkers({ concurrency: connections, durationS: opts.warmupS, op }),
    );
  }
  const raw = await watched(run, () =>
    runWorkers(
      step.sameCount
        ? { concurrency: connections, total: Math.max(1, escale.ok), op }
        : { concurrency: connections, durationS: opts.durationS, op },
    ),
  );
  check(run, `raw SQL ${what}`, raw);
  log(
    `  raw SQL ${what}: ${fmtInt(raw.perSec)}/s, p50 ${fmtMs(raw.p50)}, p95 ${fmtMs(raw.p95)} ` +
      `(${fmtInt(raw.ok)} ok, ${fmtInt(raw.failed)} failed)`,
  );
  return { escale, raw };
}

function methodLines(opts: Options): string[] {
  return [
    `${fmtInt(opts.entities)} Vessel entities (name, mmsi, speed KNT+observedAt, course, status, location Point around ` +
      `Le Havre lon ${AREA.minLon}–${AREA.maxLon} lat ${AREA.minLat}–${AREA.maxLat}, isDockedAt) loaded by ` +
      `POST /entityOperations/upsert; then ${opts.durationS} s per step after ${opts.warmupS} s of warm-up.`,
    'Escale runs as a child process built and run as `npm start` runs it (`node --max-semi-space-size=8 dist/src/cli.js serve`), driven by autocannon from the bench ' +
      'process; raw SQL runs in the bench process through the same driver (pg Pool of 10 / a second PGlite) on a ' +
      'separate database of the same engine loaded with the same rows.',
    `Query: type=Vessel&q=speed>10;status=="underway"&georel=near;maxDistance==${QUERY.maxDistance}&geometry=Point` +
      `&coordinates=[${QUERY.lon}±${QUERY.jitterLon},${QUERY.lat}±${QUERY.jitterLat}]&limit=${QUERY.limit}; raw SQL: ` +
      'jsonb conditions + ST_DWithin on the indexed location expression, every match of the circle sorted by distance (the plain way; Escale first walks the nearest neighbours in the index), same number of runs.',
    'Escale/raw: for rates, below 1 means Escale is slower; for latencies, above 1 means Escale is slower. ' +
      'Latency percentiles are computed from every response time (autocannon gives no p95). Client and server ' +
      'share the machine.',
  ];
}

async function main(): Promise<void> {
  const opts = parseOptions();
  // The server runs as production runs it (npm start): compiled, without the TypeScript loader.
  runCompiledServer();
  const cleanups: (() => Promise<void>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      for (const c of cleanups.splice(0).reverse()) {
        try {
          await c();
        } catch (err) {
          console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return cleaning;
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: cleaning up`);
      void cleanup().then(() => process.exit(130));
    });
  }

  let pgServer: PgServer | undefined;
  let stores = opts.stores;
  const problems: string[] = [];
  if (stores.includes('postgres')) {
    const url =
      process.env.BENCH_DATABASE_URL ||
      process.env.TEST_DATABASE_URL ||
      'postgres://postgres:postgres@127.0.0.1:5432/postgres';
    const found = await findPostgres([url]);
    pgServer = found.server;
    if (!pgServer) {
      const msg = `PostgreSQL is unreachable (${found.tried.join('; ')}): ${
        stores.length > 1 ? 'benchmarking PGlite only' : 'nothing to benchmark'
      }`;
      console.error(`\n!!! ${msg}\n`);
      problems.push(msg);
      stores = stores.filter((s) => s !== 'postgres');
      if (stores.length === 0) process.exit(1);
    } else log(`PostgreSQL at ${redact(pgServer.adminUrl)}: ${pgServer.version}`);
  }
  const machine: MachineInfo = machineInfo(pgServer?.version ?? 'not reachable');
  // Calibration: what this machine's loopback HTTP can do at all, without Escale.
  const bare = await startBareHttp(await freePort());
  const ceiling = await cannon({
    baseUrl: bare.baseUrl,
    connections: opts.connections,
    durationS: Math.min(5, opts.durationS),
    next: () => ({ method: 'GET', path: '/' }),
  });
  await bare.stop();
  machine.httpCeiling = `a bare node:http server answers ${fmtInt(ceiling.perSec)} req/s to autocannon (${opts.connections} conns) on this machine`;
  console.log(['', ...machineLines(machine), ''].join('\n'));

  log(`preparing ${fmtInt(opts.entities)} entities`);
  const prepared = prepare(opts);
  const reports: StoreReport[] = [];
  const started = performance.now();
  try {
    for (const kind of stores) {
      log(`==== ${kind} ====`);
      const mark = cleanups.length;
      try {
        reports.push(await benchStore(kind, opts, prepared, pgServer, cleanups));
      } catch (err) {
        const msg = `${kind}: the benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        console.error(`\n!!! ${msg}\n`);
        problems.push(msg);
      } finally {
        for (const c of cleanups.splice(mark).reverse()) {
          await c().catch((e: unknown) =>
            console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`),
          );
        }
      }
    }
  } finally {
    await cleanup();
  }
  const elapsed = (performance.now() - started) / 1000;

  // ---- Output ------------------------------------------------------------------------------------------------
  const out: string[] = ['', ...machineLines(machine), `total run time ${elapsed.toFixed(0)} s`, ''];
  const md: string[] = [
    `# Escale broker benchmark, ${machine.date.slice(0, 10)}`,
    '',
    ...machineLines(machine).map((l) => `- ${l}`),
    '',
    ...methodLines(opts).map((l) => `- ${l}`),
    '',
  ];
  for (const r of reports) {
    out.push(`== ${r.label} ==`, ...textTable(r.rows), '', ...r.notes.map((x) => `  ${x}`), '');
    md.push(`## ${r.label}`, '', ...markdownTable(r.rows), '', ...r.notes.map((x) => `- ${x}`), '');
    if (r.profile) {
      out.push(...profileLines(r.profile), '');
      md.push(
        '<details><summary>server CPU profile</summary>',
        '',
        '```',
        ...profileLines(r.profile),
        '```',
        '</details>',
        '',
      );
    }
  }
  const allProblems = [...problems, ...reports.flatMap((r) => r.problems.map((p) => `${r.label}: ${p}`))];
  const allWarnings = reports.flatMap((r) => r.warnings.map((w) => `${r.label}: ${w}`));
  if (allWarnings.length) {
    out.push(
      '*** WARNING: the machine was shared during these steps; their figures are pessimistic (re-run on a quiet machine):',
      ...allWarnings.map((w) => `***   ${w}`),
      '',
    );
    md.push(
      '## Warning: shared machine',
      '',
      'Other processes took a noticeable share of the CPU during these steps; their figures are pessimistic:',
      '',
      ...allWarnings.map((w) => `- ${w}`),
      '',
    );
  }
  if (allProblems.length) {
    const banner = [
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!!! THIS RUN HAD ERRORS: the figures above are not valid until these are fixed:',
      ...allProblems.map((p) => `!!! - ${p}`),
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ];
    out.push(...banner);
    md.push(
      '## ERRORS',
      '',
      '**This run had errors; the figures are not valid:**',
      '',
      ...allProblems.map((p) => `- ${p}`),
      '',
    );
  } else {
    out.push('all responses were 2xx and all raw SQL statements succeeded; query results cross-checked');
  }
  console.log(out.join('\n'));
  const file = join(REPO_ROOT, 'bench', 'results', `broker-${machine.date.slice(0, 10)}.md`);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${md.join('\n')}\n`);
  console.log(`\nwrote ${file}`);
  // Exit explicitly: a stray keep-alive socket of the load generator must not keep the run open.
  process.exit(allProblems.length ? 1 : 0);
}

await main();
