import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /**
   * `prepare`: a statement of fixed text run on every request (the broker's writes and reads). PostgreSQL
   * then parses it once per connection and may reuse its plan; never for text built from user input, as
   * each distinct text stays prepared on every connection.
   */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** An open transaction. */
export interface Transaction extends Queryable {
  /**
   * Runs fn once the transaction has committed (never if it rolls back). What others must see only after
   * the commit (the rows it wrote, the events it produced) is announced from there.
   */
  onCommit(fn: () => void): void;
}

export interface QueryOptions {
  prepare?: boolean;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/**
 * The one data layer every capability uses. The same SQL runs on PostgreSQL (production)
 * and on embedded PGlite (the zero-install default): both are real PostgreSQL with PostGIS.
 */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Cheap round trip used by the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://... ; when absent the embedded store is used. */
  databaseUrl?: string;
  /** Folder of the embedded store; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Embedded only: a tarball made by dumpDataDir() to start from (tests use a migrated template). */
  loadDataDir?: Blob;
  poolSize?: number;
}

export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir ?? './data', options.loadDataDir);
}

function toResult<T>(rows: T[], rowCount: number | null | undefined): QueryResult<T> {
  return { rows, rowCount: rowCount ?? rows.length };
}

async function openPostgres(url: string, max: number): Promise<Db> {
  // int8 (counts, sums) as JS numbers: counts here never exceed 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(1700, (v) => Number(v));
  // JIT compilation pays off for long analytical queries, not for the broker's short ones: the cost estimates of
  // jsonpath and PostGIS functions trip its threshold and it adds tens of ms to queries that run in a few.
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'escale', options: '-c jit=off' });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Nothing to do here.
  });
  try {
    await pool.query('SELECT 1'); // fail fast, at start-up, when the server is unreachable
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const run = async <T>(c: pg.Pool | pg.PoolClient, sql: string, params?: unknown[], o?: QueryOptions) => {
    const r = o?.prepare
      ? await c.query({ name: statementName(sql), text: sql, values: params as unknown[] })
      : await c.query(sql, params as unknown[]);
    return toResult<T>(r.rows as T[], r.rowCount);
  };
  return {
    kind: 'postgres',
    query: (sql, params, o) => run(pool, sql, params, o),
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      const committed: (() => void)[] = [];
      try {
        await client.query('BEGIN');
        const out = await fn({
          query: (sql, params, o) => run(client, sql, params, o),
          exec: async (sql) => {
            await client.query(sql);
          },
          onCommit: (f) => committed.push(f),
        });
        await client.query('COMMIT');
        runCommitted(committed);
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

/** The after-commit callbacks of a transaction; one that throws does not keep the others from running. */
function runCommitted(fns: (() => void)[]): void {
  for (const f of fns) {
    try {
      f();
    } catch {
      // A callback's failure is its own (they announce, they do not write): the commit stands.
    }
  }
}

const statementNames = new Map<string, string>();

/** A prepared statement's name, the same for the same text on every connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `escale_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { postgis } = await import('@electric-sql/pglite-postgis');
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(resolve(dataDir), { recursive: true });
  const db: PGlite = await PGlite.create({
    dataDir: inMemory ? undefined : resolve(dataDir),
    extensions: { postgis },
    loadDataDir,
    parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
  });
  // PGlite is one connection; it queues queries and transactions behind one mutex, so statements of two
  // requests never interleave inside a transaction.
  const run = async <T>(c: PGlite | PgliteTransaction, sql: string, params?: unknown[]) => {
    const r = await c.query<T>(sql, params);
    return toResult<T>(r.rows, r.affectedRows ?? r.rows.length);
  };
  const self: Db & { pglite: PGlite } = {
    kind: 'pglite',
    pglite: db,
    query: (sql, params) => run(db, sql, params),
    exec: async (sql) => {
      await db.exec(sql);
    },
    async transaction(fn) {
      const committed: (() => void)[] = [];
      const out = await db.transaction((tx) =>
        fn({
          query: (sql, params) => run(tx, sql, params),
          exec: async (sql) => {
            await tx.exec(sql);
          },
          onCommit: (f) => committed.push(f),
        }),
      );
      runCommitted(committed);
      return out;
    },
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
  return self;
}

/** The PGlite instance behind an embedded Db (for dumpDataDir in tests), or undefined on PostgreSQL. */
export function embeddedHandle(db: Db): PGlite | undefined {
  return (db as Db & { pglite?: PGlite }).pglite;
}
