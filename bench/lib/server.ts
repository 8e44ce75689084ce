import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { type DbOptions, openDb } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { createGovernance } from '../../src/governance/index.js';
import { sleep } from './stats.js';

/** The repository root (bench/lib/../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerOptions {
  /** PostgreSQL URL; when absent the server uses embedded PGlite in dataDir. */
  databaseUrl?: string;
  /**
   * The server's data folder: the PGlite store, and files the server keeps (also with PostgreSQL). When
   * absent, a temporary folder, removed when the server stops.
   */
  dataDir?: string;
  port: number;
  /** When set, the child runs with --cpu-prof and writes its profile in this folder when it exits. */
  cpuProfDir?: string;
  /** Settings of the server (ESCALE_*), after the caller's own are cleared. */
  env?: Record<string, string>;
}

export interface MemoryStatus {
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size, bytes. */
  hwm: number;
}

export interface ServerHandle {
  pid: number;
  baseUrl: string;
  memory(): MemoryStatus;
  /** The last lines the server printed (for error reports). */
  output(): string;
  /** The first error-level lines the server logged (pino level >= 50), kept whatever it printed after. */
  errors(): string[];
  /** undefined while it runs; its exit code (null when killed by a signal) once it exited. */
  exitCode(): number | null | undefined;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
  stop(): Promise<number | null>;
}

let compiled = false;

/** The V8 flags of `npm start` and of the `escale` command (package.json, the shebang of src/cli.ts). */
const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=8'];

/**
 * Builds the server (`tsc -p tsconfig.build.json`, into dist/) and makes startServer run it as production
 * does (`npm start`: node dist/src/cli.js): no TypeScript loader in the measured process, whose memory and
 * start-up it would inflate.
 */
export function runCompiledServer(): void {
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error('the server does not build (tsc -p tsconfig.build.json)');
  compiled = true;
}

/** How startServer (and other benchmarks' own launchers) start `escale serve <args>`: node's arguments. */
export function serverCommand(args: string[]): string[] {
  return compiled
    ? [...PRODUCTION_NODE_FLAGS, 'dist/src/cli.js', ...args]
    : ['--import', 'tsx', 'src/cli.ts', ...args];
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status. */
export function readMemory(pid: number): MemoryStatus {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * Starts `escale serve` as a child process (`node --import tsx src/cli.ts serve`, or the build after
 * runCompiledServer) and waits until GET /health answers 200.
 */
export async function startServer(opts: ServerOptions, timeoutMs = 120_000): Promise<ServerHandle> {
  // A reproducible server: none of the caller's Escale settings (feeds, demo...) leak in. ESCALE_DEMO=0: the
  // demo seeds Le Havre reference data and replays AIS, which would write Vessels during the measurements.
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  for (const k of Object.keys(env)) if (k.startsWith('ESCALE_') || k === 'DATABASE_URL') delete env[k];
  env.ESCALE_DEMO = '0';
  Object.assign(env, opts.env);
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  // Also with PostgreSQL: the server keeps files there (the plate key), which must not land in the repository.
  const ownDir = opts.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'escale-bench-server-')) : undefined;
  env.ESCALE_DATA_DIR = opts.dataDir ?? ownDir;
  const profile = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, ...serverCommand(['serve', '--port', String(opts.port), '--host', '127.0.0.1'])],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot spawn the server');
  const lines: string[] = [];
  const errors: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      const level = /"level":(\d+)/.exec(line);
      if (errors.length < 20 && (!level || Number(level[1]) >= 50)) errors.push(line.slice(0, 2000));
    }
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const output = () => lines.join('\n');
  const stop = async () => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    return code;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      throw new Error(`the server exited (code ${exitCode}) before it was ready:\n${output()}`);
    }
    try {
      const r = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready after ${timeoutMs / 1000} s:\n${output()}`);
    }
    await sleep(200);
  }
  return {
    pid,
    baseUrl,
    memory: () => readMemory(pid),
    output,
    errors: () => [...errors],
    stop,
    exitCode: () => exitCode,
  };
}

/** A bare node:http server answering a constant JSON body: the machine's HTTP ceiling, for calibration. */
export async function startBareHttp(port: number): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const code = `require('node:http').createServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end('{"status":"ok"}'); }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(baseUrl, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      return { baseUrl, stop };
    } catch {
      await sleep(100);
    }
  }
  await stop();
  throw new Error('the bare HTTP server did not start');
}

/**
 * Migrates the store and creates a platform administrator in it (before the server opens it: PGlite is one
 * process's); returns the `authorization` header value of their bearer token, for the writes.
 */
export async function adminAuthorization(store: DbOptions): Promise<string> {
  const db = await openDb(store);
  try {
    await migrate(db);
    const gov = await createGovernance(db, loadConfig({}));
    const u = await gov.createUser({
      email: `bench-${Date.now()}@escale.test`,
      name: 'Benchmark',
      platformAdmin: true,
    });
    return `Bearer ${(await gov.tokens.sign(u!.id)).token}`;
  } finally {
    await db.close();
  }
}
