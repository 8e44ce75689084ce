import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { type Db, openDb } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { templatePath } from './template.js';

export type Backend = 'pglite' | 'postgres';

/** The backends this run covers: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function backends(): Backend[] {
  const list: Backend[] = [];
  if (process.env.TEST_BACKENDS !== 'postgres') list.push('pglite');
  if (process.env.TEST_DATABASE_URL && process.env.TEST_BACKENDS !== 'pglite') list.push('postgres');
  return list;
}

export interface TestDb {
  db: Db;
  /** Drops the throw-away database (PostgreSQL) or closes the in-memory store. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database. PGlite starts from a migrated template tarball made once per
 * `npm test` run (scripts/test.mjs), which turns a 20 s initdb + PostGIS set-up into well under a second...
 * PostgreSQL gets a new throw-away database.
 */
export async function openTestDb(backend: Backend): Promise<TestDb> {
  if (backend === 'pglite') {
    const file = templatePath();
    const loadDataDir = existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
    const db = await openDb({ dataDir: 'memory://', loadDataDir });
    await migrate(db);
    return { db, dispose: () => db.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `escale_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), poolSize: 4 });
  await migrate(db);
  return {
    db,
    async dispose() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
