import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';
import { fmtBytes } from './stats.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  ram: string;
  node: string;
  postgres: string;
  pglite: string;
  commit: string;
  date: string;
  /** Calibration of loopback HTTP on this machine, filled in by the benchmark. */
  httpCeiling?: string;
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

function packageVersion(name: string): string {
  try {
    const p = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return p.version ?? '?';
  } catch {
    return '?';
  }
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(postgresVersion: string): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    ram: fmtBytes(totalmem()),
    node: process.version,
    postgres: postgresVersion,
    pglite: `@electric-sql/pglite ${packageVersion('@electric-sql/pglite')}, pglite-postgis ${packageVersion('@electric-sql/pglite-postgis')}`,
    commit: commit(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export function machineLines(m: MachineInfo): string[] {
  return [
    `CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ram}`,
    `Node.js ${m.node}; PostgreSQL ${m.postgres}; ${m.pglite}`,
    `Escale commit ${m.commit}; run at ${m.date}`,
    ...(m.httpCeiling ? [`HTTP ceiling: ${m.httpCeiling}`] : []),
  ];
}
