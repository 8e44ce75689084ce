/**
 * `npm run bench:temporal`: the NGSI-LD temporal API on PostgreSQL.
 *
 * Loads 1,000,000 attribute instances (1,000 sensors x 1,000 readings over September 2026, one every 43.2
 * minutes) straight into the temporal store's tables (multi-row INSERT ... SELECT, 50 entities per statement;
 * the daily summaries are maintained by their triggers as in production), then times temporal queries through Escale's HTTP API
 * (in-process server, real sockets) beside the same work written as raw SQL, in the same run. The HTTP
 * write path (entity updates recording history, temporal appends) is measured apart on a smaller volume.
 * A throw-away database is created and dropped. `npm run bench:temporal -- --help` lists the options.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp, contextResolverFor } from '../src/app.js';
import { type Broker, createBroker } from '../src/broker/index.js';
import { loadConfig } from '../src/config.js';
import { type Db, openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';

const USAGE = `usage: npm run bench:temporal -- [options]
  --entities N      sensors to load (default 1000)
  --readings N      readings per sensor over the month (default 1000)
  --runs N          timed runs per query (default 20, after 3 warm-up runs)
  --writes N        entity updates for the HTTP write path (default 3000)
PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres:postgres@127.0.0.1:5432/postgres`;

const { values: args } = parseArgs({
  options: {
    entities: { type: 'string', default: '1000' },
    readings: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '20' },
    writes: { type: 'string', default: '3000' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const ENTITIES = Number(args.entities);
const READINGS = Number(args.readings);
const RUNS = Number(args.runs);
const WRITES = Number(args.writes);

const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const MONTH_START = '2026-09-01T00:00:00Z';
const MONTH_END = '2026-10-01T00:00:00Z';
const SENSOR = 'https://uri.etsi.org/ngsi-ld/default-context/Sensor';
const TEMPERATURE = 'https://uri.etsi.org/ngsi-ld/default-context/temperature';
const sensorId = (i: number) => `urn:ngsi-ld:Sensor:${String(i).padStart(5, '0')}`;

// ---- small helpers -------------------------------------------------------------------------------------
const fmtMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function time(
  fn: () => Promise<unknown>,
  runs = RUNS,
  warmUps = 3,
): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < warmUps; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  out.sort((a, b) => a - b);
  return { median: quantile(out, 0.5), p95: quantile(out, 0.95) };
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const name = `escale_bench_${randomBytes(4).toString('hex')}_temporal`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: url.toString(), poolSize: 8 });
    await migrate(db);
    await run(db);
  } finally {
    await db?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

interface Row {
  operation: string;
  escale: string;
  raw: string;
  note: string;
}

async function run(db: Db): Promise<void> {
  const version = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
  console.log('# Escale temporal benchmark\n');
  console.log(`- CPU: ${cpuModel()}, ${cpus().length} cores; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`- Node.js ${process.version}; PostgreSQL ${version}`);
  console.log(
    `- ${fmtInt(ENTITIES)} entities x ${fmtInt(READINGS)} readings = ${fmtInt(ENTITIES * READINGS)} instances, ${MONTH_START} to ${MONTH_END}`,
  );
  console.log(
    `- latencies: median (p95) of ${RUNS} sequential runs after 3 warm-up runs; aggregations: ${Math.max(5, Math.floor(RUNS / 3))} runs after 1`,
  );
  console.log(
    `- load average at start: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} (1, 5, 15 min)\n`,
  );

  // ---- bulk load, in the storage shape --------------------------------------------------------------
  const t0 = performance.now();
  await db.query(
    `INSERT INTO temporal_entities (tenant, id, types, created_at, modified_at)
     SELECT '', 'urn:ngsi-ld:Sensor:' || lpad(g::text, 5, '0'), ARRAY[$1], $2::timestamptz, $2::timestamptz
       FROM generate_series(0, $3 - 1) g`,
    [SENSOR, MONTH_START, ENTITIES],
  );
  await db.query('SELECT temporal_ensure_partition($1::timestamptz)', [MONTH_START]);
  const step = (30 * 86400) / READINGS;
  const chunk = 50;
  for (let first = 0; first < ENTITIES; first += chunk) {
    // A smooth daily cycle per sensor plus noise: realistic enough for aggregates.
    await db.query(
      `INSERT INTO temporal_instances (tenant, entity_id, attr, ts, created_at, modified_at, inst, num)
       SELECT '', 'urn:ngsi-ld:Sensor:' || lpad(e::text, 5, '0'), $1, x.ts, x.ts, x.ts,
              jsonb_build_object('type', 'Property', 'value', x.v,
                                 'observedAt', to_char(x.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
              x.v
         FROM generate_series($2::int, $3::int) e
        CROSS JOIN LATERAL (
          SELECT $4::timestamptz + make_interval(secs => r * $5::float8) AS ts,
                 round((15 + 5 * sin(r * $5::float8 / 86400 * 2 * pi()) + e % 7 + random())::numeric, 2)::float8 AS v
            FROM generate_series(0, $6::int - 1) r
        ) x`,
      [TEMPERATURE, first, Math.min(first + chunk, ENTITIES) - 1, MONTH_START, step, READINGS],
    );
  }
  await db.query('ANALYZE temporal_entities');
  await db.query('ANALYZE temporal_instances');
  const loadMs = performance.now() - t0;
  const n = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM temporal_instances')).rows[0].n;
  const size = (
    await db.query<{ s: string }>(
      `SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS s FROM pg_inherits
        WHERE inhparent = 'temporal_instances'::regclass`,
    )
  ).rows[0].s;
  console.log(
    `Bulk load (SQL, storage shape): ${fmtInt(n)} instances in ${(loadMs / 1000).toFixed(1)} s ` +
      `(${fmtInt(n / (loadMs / 1000))} instances/s incl. ANALYZE); table + indexes ${size}\n`,
  );

  // ---- the server -------------------------------------------------------------------------------------
  // No rate limit: the benchmark is one client sending thousands of requests.
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ESCALE_RATE_LIMIT: '0' });
  const broker = createBroker(db, await contextResolverFor(config));
  const app = await buildApp({ config, db, broker });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  // Writes need an authenticated caller: a platform administrator's bearer token, sent on every request.
  const admin = await app.governance.createUser({
    email: 'bench-admin@escale.test',
    name: 'Benchmark administrator',
    platformAdmin: true,
  });
  if (!admin) throw new Error('cannot create the benchmark administrator');
  const authorization = `Bearer ${(await app.governance.tokens.sign(admin.id)).token}`;
  const get = async (path: string, expect = 200) => {
    const r = await fetch(`${base}/ngsi-ld/v1${path}`, { headers: { authorization } });
    const body = await r.text();
    if (r.status !== expect) throw new Error(`${path}: ${r.status} ${body.slice(0, 300)}`);
    return body;
  };
  const rows: Row[] = [];
  try {
    const one = sensorId(Math.floor(ENTITIES / 2));
    const window = `timerel=between&timeAt=${MONTH_START}&endTimeAt=${MONTH_END}`;

    // One entity's month.
    const month = `/temporal/entities/${encodeURIComponent(one)}?${window}`;
    const monthBody = JSON.parse(await get(month)) as { temperature: unknown[] };
    if (monthBody.temperature.length !== Math.min(READINGS, 1000))
      throw new Error('unexpected instance count');
    const monthHttp = await time(() => get(month));
    const monthRaw = await time(() =>
      db.query(
        `SELECT instance_id, ts, inst FROM temporal_instances
          WHERE tenant = '' AND entity_id = $1 AND attr = $2 AND ts >= $3 AND ts < $4 ORDER BY ts`,
        [one, TEMPERATURE, MONTH_START, MONTH_END],
      ),
    );
    rows.push(row(`one entity's month (${fmtInt(READINGS)} instances), normalized`, monthHttp, monthRaw, ''));

    const monthValues = `${month}&options=temporalValues`;
    const valuesHttp = await time(() => get(monthValues));
    rows.push(row(`one entity's month, temporalValues`, valuesHttp, monthRaw, 'raw: same SELECT'));

    // lastN.
    const lastN = `/temporal/entities/${encodeURIComponent(one)}?lastN=10`;
    const lastHttp = await time(() => get(lastN));
    const lastRaw = await time(() =>
      db.query(
        `SELECT instance_id, ts, inst FROM temporal_instances
          WHERE tenant = '' AND entity_id = $1 AND attr = $2 ORDER BY ts DESC LIMIT 10`,
        [one, TEMPERATURE],
      ),
    );
    rows.push(row('one entity, lastN=10', lastHttp, lastRaw, ''));

    // Aggregation over every entity: avg and max per day.
    const aggr =
      `/temporal/entities?type=Sensor&attrs=temperature&limit=${Math.min(ENTITIES, 1000)}&${window}` +
      '&options=aggregatedValues&aggrMethods=avg,max&aggrPeriodDuration=P1D';
    const aggrBody = JSON.parse(await get(aggr)) as { temperature: { avg: unknown[] } }[];
    if (aggrBody.length !== Math.min(ENTITIES, 1000) || aggrBody[0].temperature.avg.length !== 30) {
      throw new Error(`unexpected aggregation: ${aggrBody.length} entities`);
    }
    // Heavy statements: fewer runs, one warm-up.
    const heavy = Math.max(5, Math.floor(RUNS / 3));
    const aggrHttp = await time(() => get(aggr), heavy, 1);
    const rawDaily = `SELECT entity_id, date_trunc('day', ts AT TIME ZONE 'UTC') AS day, avg(num), max(num)
             FROM temporal_instances
            WHERE tenant = '' AND attr = $1 AND ts >= $2 AND ts < $3 AND deleted_at IS NULL
            GROUP BY 1, 2 ORDER BY 1, 2`;
    const aggrRaw = await time(() => db.query(rawDaily, [TEMPERATURE, MONTH_START, MONTH_END]), heavy, 1);
    // The same statement with the session setting Escale uses for it (work_mem 64MB).
    const aggrRawTuned = await time(
      () =>
        db.transaction(async (tx) => {
          await tx.query("SET LOCAL work_mem = '64MB'");
          return tx.query(rawDaily, [TEMPERATURE, MONTH_START, MONTH_END]);
        }),
      heavy,
      1,
    );
    // What Escale's statement reads for whole days: the daily summaries (temporal_daily), by hand.
    const aggrRawSummaries = await time(
      () =>
        db.query(
          `SELECT entity_id, day, sum / NULLIF(nnum, 0) AS avg, max FROM temporal_daily
            WHERE tenant = '' AND attr = $1 AND day >= $2 AND day < $3 ORDER BY 1, 2`,
          [TEMPERATURE, MONTH_START, MONTH_END],
        ),
      heavy,
      1,
    );
    const label = `avg+max per day, ${fmtInt(Math.min(ENTITIES, 1000))} entities x month (${fmtInt(ENTITIES * READINGS)} instances)`;
    const target = `target < 1 s: ${aggrHttp.median < 1000 ? 'met' : 'MISSED'}`;
    rows.push(row(label, aggrHttp, aggrRaw, `raw: GROUP BY over the instances, server defaults; ${target}`));
    rows.push(row(`${label}, raw with work_mem 64MB`, aggrHttp, aggrRawTuned, ''));
    rows.push(row(`${label}, raw over the daily summaries`, aggrHttp, aggrRawSummaries, ''));

    // A method the summaries do not hold (stddev): Escale aggregates the instances themselves.
    const aggrStd = aggr.replace('aggrMethods=avg,max', 'aggrMethods=avg,max,stddev');
    const stdHttp = await time(() => get(aggrStd), heavy, 1);
    const stdRaw = await time(
      () =>
        db.transaction(async (tx) => {
          await tx.query("SET LOCAL work_mem = '64MB'");
          return tx.query(
            `SELECT entity_id, date_trunc('day', ts AT TIME ZONE 'UTC') AS day, avg(num), max(num), stddev_samp(num)
               FROM temporal_instances
              WHERE tenant = '' AND attr = $1 AND ts >= $2 AND ts < $3 AND deleted_at IS NULL
              GROUP BY 1, 2 ORDER BY 1, 2`,
            [TEMPERATURE, MONTH_START, MONTH_END],
          );
        }),
      heavy,
      1,
    );
    rows.push(
      row(
        `avg+max+stddev per day (not summarised: reads the ${fmtInt(ENTITIES * READINGS)} instances)`,
        stdHttp,
        stdRaw,
        '',
      ),
    );

    // ---- HTTP write path, smaller volume ------------------------------------------------------------
    const writeRows = await writePath(base, db, broker, authorization);

    console.log(
      `Load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(', ')}\n`,
    );
    console.log('| operation | Escale (HTTP) | raw SQL | note |');
    console.log('| --- | --- | --- | --- |');
    for (const r of [...rows, ...writeRows])
      console.log(`| ${r.operation} | ${r.escale} | ${r.raw} | ${r.note} |`);
  } finally {
    await app.close();
  }
}

function row(
  operation: string,
  http: { median: number; p95: number },
  raw: { median: number; p95: number },
  note: string,
): Row {
  return {
    operation,
    escale: `${fmtMs(http.median)} (${fmtMs(http.p95)})`,
    raw: `${fmtMs(raw.median)} (${fmtMs(raw.p95)})`,
    note: note || `Escale/raw ${(http.median / raw.median).toFixed(1)}x`,
  };
}

/** Runs `total` calls of fn(k) with `inFlight` of them at a time; returns the seconds taken. */
async function parallel(total: number, inFlight: number, fn: (k: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let k = next++; k < total; k = next++) await fn(k);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/**
 * The HTTP write path: entity updates (history recorded by the change listener inside each write
 * transaction), the same updates with the broker's change listeners detached (what history, and any
 * other listener such as subscriptions, costs), and appends through the temporal API.
 */
async function writePath(base: string, db: Db, broker: Broker, authorization: string): Promise<Row[]> {
  const api = `${base}/ngsi-ld/v1`;
  const send = async (method: string, path: string, body: unknown, expect: number) => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
    if (r.status !== expect) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  const vessels = 100;
  const ids = Array.from({ length: vessels }, (_, i) => `urn:ngsi-ld:Vessel:w${i}`);
  await send(
    'POST',
    '/entityOperations/create',
    ids.map((id) => ({
      id,
      type: 'Vessel',
      speed: { type: 'Property', value: 0, observedAt: '2026-10-01T00:00:00Z' },
    })),
    201,
  );
  const count = async () =>
    (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM temporal_instances WHERE entity_id LIKE 'urn:ngsi-ld:Vessel:w%'",
      )
    ).rows[0].n;
  let clock = Date.parse('2026-10-01T00:00:00Z');
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };
  const patch = (k: number) =>
    send(
      'PATCH',
      `/entities/${ids[k % vessels]}/attrs`,
      { speed: { type: 'Property', value: k, observedAt: tick() } },
      204,
    );
  const batches = Math.max(1, Math.floor(WRITES / vessels));
  const upsert = (b: number) => {
    const observedAt = tick();
    return send(
      'POST',
      '/entityOperations/upsert?options=update',
      ids.map((id) => ({ id, type: 'Vessel', speed: { type: 'Property', value: b, observedAt } })),
      204,
    );
  };
  const detached = async (fn: () => Promise<number>) => {
    const saved = broker.store.listeners.splice(0);
    try {
      return await fn();
    } finally {
      broker.store.listeners.push(...saved);
    }
  };
  const out: Row[] = [];
  // With and without history in alternating rounds, so that a change in machine load hits both alike.
  const measure = async (
    label: string,
    total: number,
    inFlight: number,
    fn: (k: number) => Promise<void>,
    per: number,
  ) => {
    const rounds = 3;
    const each = Math.max(1, Math.floor(total / rounds));
    let withS = 0;
    let bareS = 0;
    let recorded = 0;
    for (let r = 0; r < rounds; r++) {
      const before = await count();
      withS += await parallel(each, inFlight, fn);
      recorded += (await count()) - before;
      bareS += await detached(() => parallel(each, inFlight, fn));
    }
    const withRate = (rounds * each * per) / withS;
    const bareRate = (rounds * each * per) / bareS;
    out.push({
      operation: label,
      escale: `${fmtInt(recorded / withS)} instances/s recorded`,
      raw: `${fmtInt(bareRate)} writes/s, change listeners detached`,
      note: `listeners (history, subscriptions) cost ${Math.max(0, (1 - withRate / bareRate) * 100).toFixed(0)}% of the write rate`,
    });
  };
  await measure(
    `HTTP write: PATCH entity attrs (${fmtInt(WRITES)} requests, 8 in flight)`,
    WRITES,
    8,
    patch,
    1,
  );
  await measure(
    `HTTP write: batch upsert (${fmtInt(batches)} x ${vessels} entities, 4 in flight)`,
    batches,
    4,
    upsert,
    vessels,
  );

  // POST /temporal/entities/{id}/attrs with 1000 instances each.
  const appends = Math.max(1, Math.floor(WRITES / 100));
  const before = await count();
  const s = await parallel(appends, 4, async (a) => {
    const from = Date.parse('2026-10-20T00:00:00Z') + a * 1_000_000;
    const speed = Array.from({ length: 1000 }, (_, i) => ({
      type: 'Property',
      value: i,
      observedAt: new Date(from + i * 1000).toISOString(),
    }));
    await send('POST', `/temporal/entities/${ids[a % vessels]}/attrs`, { speed }, 204);
  });
  const recorded = (await count()) - before;
  out.push({
    operation: `HTTP write: temporal append (${fmtInt(appends)} x 1,000 instances, 4 in flight)`,
    escale: `${fmtInt(recorded / s)} instances/s recorded`,
    raw: '',
    note: `${fmtInt(recorded)} history rows`,
  });
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
