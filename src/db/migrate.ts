import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceRoot } from '../paths.js';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/**
 * Migrations live beside the capability that owns them, in `src/<capability>/sql/NNNN_name.sql`,
 * numbered globally so that their order is one total order.
 */
export function loadMigrations(root = sourceRoot()): Migration[] {
  const out: Migration[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const sqlDir = join(root, dir.name, 'sql');
    let files: string[];
    try {
      files = readdirSync(sqlDir);
    } catch {
      continue;
    }
    for (const file of files) {
      const m = /^(\d{4})_([\w-]+)\.sql$/.exec(file);
      if (!m) continue;
      const sql = readFileSync(join(sqlDir, file), 'utf8');
      out.push({
        version: Number(m[1]),
        name: `${dir.name}/${m[2]}`,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      });
    }
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i].version === out[i - 1].version) {
      throw new Error(`two migrations share number ${out[i].version}: ${out[i - 1].name}, ${out[i].name}`);
    }
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

/** Applies pending migrations, each in its own transaction; refuses if an applied one was edited. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<MigrateResult> {
  // Serialise concurrent start-ups of several nodes on one PostgreSQL.
  if (db.kind === 'postgres') await db.query('SELECT pg_advisory_lock(7253001)');
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(done.rows.map((r) => [r.version, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = known.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new Error(`migration ${m.version} (${m.name}) was changed after it was applied`);
        }
        continue;
      }
      await db.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
      });
      applied.push(`${String(m.version).padStart(4, '0')} ${m.name}`);
    }
    const current = migrations.length ? migrations[migrations.length - 1].version : 0;
    return { applied, current };
  } finally {
    if (db.kind === 'postgres') await db.query('SELECT pg_advisory_unlock(7253001)');
  }
}
