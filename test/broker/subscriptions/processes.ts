import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import { openDb } from '../../../src/db/db.js';
import { migrate } from '../../../src/db/migrate.js';
import { createGovernance } from '../../../src/governance/service.js';
import { deadPort, eventually } from './helpers.js';

/** Real `escale serve` processes (tsx on src/cli.ts), a throw-away PostgreSQL database, a nats-server. */

const CLI = ['--import', 'tsx', join(import.meta.dirname, '..', '..', '..', 'src', 'cli.ts')];

export interface Server {
  base: string;
  child: ChildProcess;
  output: string[];
}

export interface Store {
  dataDir?: string;
  databaseUrl?: string;
}

/** Notifier settings of the processes: loopback allowed, short timeouts and retries. */
export const PROCESS_ENV: Record<string, string> = {
  ESCALE_NOTIFY_ALLOW: '127.0.0.1',
  ESCALE_NOTIFY_TIMEOUT_MS: '1000',
  ESCALE_NOTIFY_RETRY_BASE_MS: '200',
  ESCALE_NOTIFY_RETRY_MAX_MS: '1000',
  ESCALE_NOTIFY_MAX_ATTEMPTS: '1000',
  ESCALE_NOTIFY_POLL_MS: '200',
};

export async function serve(store: Store, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await deadPort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...PROCESS_ENV,
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.ESCALE_DATA_DIR;
  if (!extraEnv.NATS_URL) delete env.NATS_URL;
  const args = [...CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--no-demo'];
  if (store.databaseUrl) args.push('--database-url', store.databaseUrl);
  else args.push('--data-dir', store.dataDir!);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  const died = new Promise<never>((_, reject) =>
    child.once('exit', () => {
      exited = true;
      reject(new Error(`server exited: ${output.join('')}`));
    }),
  );
  died.catch(() => undefined);
  await Promise.race([died, eventually(async () => !exited && (await fetch(`${base}/health`)).ok, 180_000)]);
  return { base, child, output };
}

export async function kill(s: Server | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill(signal);
  await exited;
}

/**
 * Migrates the store and creates a platform administrator in it; returns their bearer token (the token key is
 * kept in the database, so the servers started on this store accept it). Run before the servers start.
 */
export async function prepareStore(store: Store): Promise<string> {
  const db = await openDb(
    store.databaseUrl ? { databaseUrl: store.databaseUrl } : { dataDir: store.dataDir! },
  );
  try {
    await migrate(db);
    const gov = await createGovernance(db, loadConfig({}));
    const admin = await gov.createUser({
      email: 'admin@escale.test',
      name: 'Test admin',
      platformAdmin: true,
    });
    return (await gov.tokens.sign(admin!.id)).token;
  } finally {
    await db.close();
  }
}

/** Calls of the NGSI-LD API of a server, as the administrator of `token`. */
export function ngsi(base: string, token: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${base}/ngsi-ld/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** A new database on TEST_DATABASE_URL's server; `drop` removes it. */
export async function tempDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `escale_test_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/** Path of Debian's nats-server, if installed. */
export function natsServerPath(): string | undefined {
  for (const p of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  return undefined;
}

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

/** A nats-server with JetStream on a free port and a temporary store directory. */
export async function startNats(bin: string): Promise<NatsServer> {
  const port = await deadPort();
  const dir = mkdtempSync(join(tmpdir(), 'escale-nats-'));
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  await eventually(
    () =>
      new Promise<boolean>((resolve, reject) => {
        if (child.exitCode !== null) reject(new Error(`nats-server exited: ${output.join('')}`));
        const s = createConnection({ port, host: '127.0.0.1' });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    30_000,
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
