import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parentPid } from './cpu.js';

/** Throw-away databases on a PostgreSQL server for one benchmark run. */

export interface PgServer {
  adminUrl: string;
  version: string;
}

/** The first URL that answers, with its server version; undefined when none does. */
export async function findPostgres(
  candidates: readonly string[],
): Promise<{ server?: PgServer; tried: string[] }> {
  const tried: string[] = [];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      const r = await client.query<{ server_version: string }>('SHOW server_version');
      const postgis = await client.query<{ default_version: string | null }>(
        "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'",
      );
      const gis = postgis.rows[0]?.default_version
        ? `, PostGIS ${postgis.rows[0].default_version}`
        : ', no PostGIS';
      return { server: { adminUrl: url, version: `${r.rows[0].server_version}${gis}` }, tried };
    } catch (err) {
      tried.push(`${redact(url)}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { tried };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Creates a fresh database `escale_bench_<random>_<suffix>` and returns its URL. */
export async function createDatabase(
  adminUrl: string,
  suffix: string,
): Promise<{ name: string; url: string }> {
  const name = `escale_bench_${randomBytes(4).toString('hex')}_${suffix}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { name, url: withDatabase(adminUrl, name) };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^escale_bench_[0-9a-f]{8}_\w+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Runs one statement on a database (ANALYZE after the load, EXPLAIN). */
export async function runOn<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The pid of the postmaster serving url, when it runs on this machine (for CPU accounting). */
export async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = r.rows[0].pid;
    // On a remote server that pid means nothing here.
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return undefined;
    return parentPid(pid);
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}
