/**
 * `npm run bench:notify`: notification latency and throughput of NGSI-LD subscriptions.
 *
 * `escale serve` runs as a child process on PostgreSQL (a throw-away database). Two subscriptions watch the
 * same vessels: one to a receiver in this process, one to a dead endpoint (connection refused) that stays
 * subscribed for the whole run. Updates (PATCH .../attrs, one entity each) are sent open-loop at a fixed
 * rate; latency is from the update's acknowledgement (its 204 received here) to the notification's
 * arrival here, on this process's clock. A second step sends updates as fast as the server takes them
 * and measures the notifications per second that reach the receiver. `--help` lists the options.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { createGovernance } from '../src/governance/service.js';
import { CpuWatch, machineBusy } from './lib/cpu.js';
import { machineInfo, machineLines } from './lib/machine.js';
import { createDatabase, dropDatabase, findPostgres, postmasterPid, redact, runOn } from './lib/postgres.js';
import { freePort, REPO_ROOT, runCompiledServer, serverCommand } from './lib/server.js';
import { fmtInt, fmtMs, percentiles, sleep } from './lib/stats.js';

const USAGE = `usage: npm run bench:notify -- [options]
  --rate R           updates per second during the latency step (default 1000)
  --duration S       seconds of the latency step (default 30)
  --warmup S         seconds at the same rate before it, not measured (default 5)
  --burst S          seconds of the throughput step (default 10; 0 skips it)
  --connections C    concurrent updates in the throughput step (default 32)
  --entities N       vessels updated in turn (default 1000)
PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres:postgres@127.0.0.1:5432/postgres
(a throw-away database is created there and dropped at the end).`;

interface Options {
  rate: number;
  durationS: number;
  warmupS: number;
  burstS: number;
  connections: number;
  entities: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      burst: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      entities: { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`--${name} must be an integer from ${min} to ${max}, got ${v}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  return {
    rate: int('rate', values.rate, 1, 20_000),
    durationS: int('duration', values.duration, 1, 3600),
    warmupS: int('warmup', values.warmup, 0, 600),
    burstS: int('burst', values.burst, 0, 600),
    connections: int('connections', values.connections, 1, 512),
    entities: int('entities', values.entities, 1, 100_000),
  };
}

const TARGET_P99_MS = 100;
const API = '/ngsi-ld/v1';
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const vesselId = (i: number) => `urn:ngsi-ld:Vessel:bench-${i}`;

interface Server {
  pid: number;
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `escale serve` as a child process, with the notifier's settings: loopback receivers allowed (the
 * receiver and the dead endpoint are on 127.0.0.1), no demo data, a throw-away data folder.
 */
async function startEscale(databaseUrl: string, port: number, dataDir: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  for (const k of Object.keys(env)) if (k.startsWith('ESCALE_') || k === 'DATABASE_URL') delete env[k];
  Object.assign(env, {
    DATABASE_URL: databaseUrl,
    ESCALE_DATA_DIR: dataDir,
    ESCALE_DEMO: '0',
    ESCALE_NOTIFY_ALLOW: '127.0.0.1',
    // One client sends every update: the per-caller rate limit would throttle the benchmark itself.
    ESCALE_RATE_LIMIT: '0',
  });
  const child: ChildProcess = spawn(
    process.execPath,
    serverCommand(['serve', '--port', String(port), '--host', '127.0.0.1']),
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const keep = (c: Buffer) => {
    lines.push(c.toString('utf8'));
    if (lines.length > 200) lines.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${lines.join('')}`);
    const ok = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready in time:\n${lines.join('')}`);
    }
    await sleep(200);
  }
  return { pid: child.pid!, baseUrl, output: () => lines.join(''), stop };
}

/** Migrates the database and creates a platform administrator; returns their bearer token. */
async function adminToken(databaseUrl: string): Promise<string> {
  const db = await openDb({ databaseUrl });
  try {
    await migrate(db);
    const gov = await createGovernance(db, loadConfig({}));
    const u = await gov.createUser({ email: 'bench@escale.test', name: 'Benchmark', platformAdmin: true });
    return (await gov.tokens.sign(u!.id)).token;
  } finally {
    await db.close();
  }
}

/** The receiver: records when each update's notification arrived (by the sequence number it carries). */
class Receiver {
  readonly arrivals = new Map<number, number>();
  notifications = 0;
  duplicates = 0;
  private readonly ids = new Set<string>();
  private server: http.Server | undefined;

  async start(): Promise<number> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const n = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          id: string;
          data: { speed?: { value: number } }[];
        };
        this.notifications++;
        if (this.ids.has(n.id)) this.duplicates++;
        this.ids.add(n.id);
        for (const e of n.data) {
          const seq = e.speed?.value;
          if (typeof seq === 'number' && !this.arrivals.has(seq)) this.arrivals.set(seq, at);
        }
        res.statusCode = 204;
        res.end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Keep-alive HTTP client for the updates (node:http: less overhead per request than fetch). */
class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  constructor(
    private readonly base: URL,
    private readonly token: string,
  ) {}

  request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Sent {
  seq: number;
  sentAt: number;
  ackAt?: number;
  ok?: boolean;
}

let nextSeq = 0;

function update(client: Client, entities: number, sent: Map<number, Sent>): Promise<void> {
  const seq = nextSeq++;
  const s: Sent = { seq, sentAt: performance.now() };
  sent.set(seq, s);
  return client
    .request('PATCH', `${API}/entities/${encodeURIComponent(vesselId(seq % entities))}/attrs`, {
      speed: { type: 'Property', value: seq },
    })
    .then(
      (r) => {
        s.ackAt = performance.now();
        s.ok = r.status === 204;
      },
      () => {
        s.ackAt = performance.now();
        s.ok = false;
      },
    );
}

/** Open loop: update number i is sent at start + i / rate, whatever the answers to earlier ones. */
async function openLoop(
  client: Client,
  opts: Options,
  seconds: number,
  sent: Map<number, Sent>,
): Promise<number> {
  const start = performance.now();
  const total = Math.round(seconds * opts.rate);
  const inflight = new Set<Promise<void>>();
  let lagged = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -50) lagged++;
    const p = update(client, opts.entities, sent);
    inflight.add(p);
    void p.then(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  return lagged;
}

async function closedLoop(client: Client, opts: Options, sent: Map<number, Sent>): Promise<void> {
  const end = performance.now() + opts.burstS * 1000;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) await update(client, opts.entities, sent);
    }),
  );
}

async function waitDelivered(rcv: Receiver, seqs: number[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = seqs.filter((s) => !rcv.arrivals.has(s)).length;
    if (missing === 0 || Date.now() > deadline) return missing;
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions();
  // The server runs as production runs it (npm start): compiled, without the TypeScript loader.
  runCompiledServer();
  const url =
    process.env.BENCH_DATABASE_URL ||
    process.env.TEST_DATABASE_URL ||
    'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const found = await findPostgres([url]);
  if (!found.server) {
    console.error(`no PostgreSQL server answers: ${found.tried.join('; ')}`);
    process.exit(3);
  }
  const pgServer = found.server;
  const machine = machineInfo(pgServer.version);
  const cleanups: (() => Promise<void>)[] = [];
  const rcv = new Receiver();
  let server: Server | undefined;
  try {
    const busy = await machineBusy(2000);
    const db = await createDatabase(pgServer.adminUrl, 'notify');
    cleanups.push(() => dropDatabase(pgServer.adminUrl, db.name));
    log(`database ${db.name} on ${redact(pgServer.adminUrl)}`);
    const token = await adminToken(db.url);
    const rcvPort = await rcv.start();
    cleanups.push(() => rcv.stop());
    const deadPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'escale-bench-notify-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    server = await startEscale(db.url, await freePort(), dataDir);
    const srv = server;
    cleanups.push(async () => {
      await srv.stop();
    });
    log(`server pid ${server.pid} at ${server.baseUrl}`);
    const client = new Client(new URL(server.baseUrl), token);
    cleanups.push(async () => client.close());

    for (let from = 0; from < opts.entities; from += 1000) {
      const batch = [];
      for (let i = from; i < Math.min(opts.entities, from + 1000); i++) {
        batch.push({ id: vesselId(i), type: 'Vessel', speed: { type: 'Property', value: -1 } });
      }
      const r = await client.request('POST', `${API}/entityOperations/upsert`, batch);
      if (r.status >= 300) throw new Error(`loading the vessels: ${r.status} ${r.text}`);
    }
    const subscribe = async (uri: string) => {
      const r = await client.request('POST', `${API}/subscriptions`, {
        type: 'Subscription',
        entities: [{ type: 'Vessel' }],
        watchedAttributes: ['speed'],
        notification: { endpoint: { uri } },
      });
      if (r.status !== 201) throw new Error(`subscription refused: ${r.status} ${r.text}`);
    };
    await subscribe(`http://127.0.0.1:${deadPort}/dead`);
    await subscribe(`http://127.0.0.1:${rcvPort}/notify`);
    log(`${fmtInt(opts.entities)} vessels, one live and one dead subscription`);

    const cpu = new CpuWatch(() => srv.pid, await postmasterPid(db.url));
    if (opts.warmupS > 0) {
      log(`warm-up: ${opts.warmupS} s at ${opts.rate} updates/s`);
      await openLoop(client, opts, opts.warmupS, new Map());
    }

    // ---- Latency at a fixed rate --------------------------------------------------------------------------
    log(`latency step: ${opts.durationS} s at ${opts.rate} updates/s`);
    const sent = new Map<number, Sent>();
    const c0 = cpu.snapshot();
    const t0 = performance.now();
    const lagged = await openLoop(client, opts, opts.durationS, sent);
    const sendSeconds = (performance.now() - t0) / 1000;
    const share = cpu.since(c0);
    const acked = [...sent.values()].filter((s) => s.ok);
    const missing = await waitDelivered(
      rcv,
      acked.map((s) => s.seq),
      30_000,
    );
    const fromAck: number[] = [];
    const fromSend: number[] = [];
    let early = 0;
    let lastArrival = 0;
    for (const s of acked) {
      const at = rcv.arrivals.get(s.seq);
      if (at === undefined) continue;
      lastArrival = Math.max(lastArrival, at);
      const d = at - s.ackAt!;
      if (d < 0) early++;
      fromAck.push(Math.max(0, d));
      fromSend.push(at - s.sentAt);
    }
    const notifRate = fromAck.length / ((lastArrival - t0) / 1000);
    const [a50, a95, a99, aMax] = percentiles(fromAck, [50, 95, 99, 100]);
    const [s50, s99] = percentiles(fromSend, [50, 99]);
    const ackLatency = acked.map((s) => s.ackAt! - s.sentAt);
    const [u50, u99] = percentiles(ackLatency, [50, 99]);

    // ---- Throughput, closed loop ----------------------------------------------------------------------------
    let burst:
      | { updates: number; delivered: number; seconds: number; drainS: number; missing: number }
      | undefined;
    if (opts.burstS > 0) {
      log(`throughput step: ${opts.burstS} s, ${opts.connections} concurrent updates`);
      const bsent = new Map<number, Sent>();
      const b0 = performance.now();
      await closedLoop(client, opts, bsent);
      const bSeconds = (performance.now() - b0) / 1000;
      const backed = [...bsent.values()].filter((s) => s.ok).map((s) => s.seq);
      const bMissing = await waitDelivered(rcv, backed, 60_000);
      let last = 0;
      for (const s of backed) last = Math.max(last, rcv.arrivals.get(s) ?? 0);
      burst = {
        updates: backed.length,
        delivered: backed.length - bMissing,
        seconds: bSeconds,
        drainS: (last - b0) / 1000,
        missing: bMissing,
      };
    }

    const dead = await runOn<{ n: number; failed: number }>(
      db.url,
      `SELECT (SELECT count(*)::int FROM broker_notifications WHERE endpoint LIKE '%/dead') AS n,
              (SELECT max(times_failed)::int FROM broker_subscriptions WHERE body->'notification'->'endpoint'->>'uri' LIKE '%/dead') AS failed`,
    );

    // ---- Report -----------------------------------------------------------------------------------------------
    const rows: [string, string, string][] = [
      [
        'updates sent (latency step)',
        `${fmtInt(sent.size)} in ${sendSeconds.toFixed(1)} s (${fmtInt(sent.size / sendSeconds)}/s)`,
        `${opts.rate}/s`,
      ],
      ['updates acknowledged (204)', fmtInt(acked.length), 'all'],
      ['update latency p50 / p99 (send to 204)', `${fmtMs(u50)} / ${fmtMs(u99)}`, ''],
      ['notification latency p50 (204 to receipt)', fmtMs(a50), ''],
      ['notification latency p95', fmtMs(a95), ''],
      ['notification latency p99', fmtMs(a99), `< ${TARGET_P99_MS} ms`],
      ['notification latency max', fmtMs(aMax), ''],
      ['notification latency p50 / p99 (send to receipt)', `${fmtMs(s50)} / ${fmtMs(s99)}`, ''],
      ['notifications received before their 204', fmtInt(early), ''],
      ['notifications/s at that rate', fmtInt(notifRate), `${opts.rate}/s`],
      ['acknowledged updates never notified', fmtInt(missing), '0'],
    ];
    if (burst) {
      rows.push(
        [
          'throughput step: updates acknowledged',
          `${fmtInt(burst.updates)} in ${burst.seconds.toFixed(1)} s (${fmtInt(burst.updates / burst.seconds)}/s)`,
          '',
        ],
        [
          'sustained notifications/s (all delivered)',
          `${fmtInt(burst.delivered / burst.drainS)} (${fmtInt(burst.delivered)} in ${burst.drainS.toFixed(1)} s)`,
          '',
        ],
        ['throughput step: never notified', fmtInt(burst.missing), '0'],
      );
    }
    rows.push(
      ['dead endpoint: rows waiting for a retry at the end', fmtInt(dead[0]?.n ?? 0), ''],
      ['dead endpoint: failed attempts recorded', fmtInt(dead[0]?.failed ?? 0), ''],
      ['duplicate notifications received', fmtInt(rcv.duplicates), '0'],
    );

    console.log('');
    for (const l of machineLines(machine)) console.log(l);
    if (busy !== undefined) console.log(`Machine CPU busy before the run: ${(busy * 100).toFixed(0)}%`);
    if (share) {
      console.log(
        `CPU during the latency step: bench + server + PostgreSQL ${(share.own * 100).toFixed(0)}%, ` +
          `other processes ${(share.foreign * 100).toFixed(0)}% of the machine`,
      );
    }
    if (lagged > 0)
      console.log(`The sender fell behind its schedule by more than 50 ms for ${fmtInt(lagged)} updates.`);
    console.log('');
    console.log('| measure | value | target |');
    console.log('| --- | ---: | ---: |');
    for (const [m, v, t] of rows) console.log(`| ${m} | ${v} | ${t} |`);
    console.log('');
    const pass = a99 < TARGET_P99_MS && missing === 0;
    console.log(
      pass
        ? `p99 ${fmtMs(a99)}: within the target.`
        : `p99 ${fmtMs(a99)} or missing notifications: target NOT met.`,
    );
  } catch (err) {
    if (server) console.error(`server output:\n${server.output()}`);
    throw err;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

await main();
