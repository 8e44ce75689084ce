import { nonOverlappingTimer } from '../lib/timer.js';
import type { Db } from './db.js';

/**
 * Autovacuum for the embedded store. PGlite runs PostgreSQL in single-user mode, which has no autovacuum: left
 * alone, its tables are never ANALYZEd (the planner then guesses, and a geo query over 100,000 vessels took
 * seconds instead of milliseconds) nor VACUUMed (every update leaves a dead row behind for good). This does
 * what autovacuum does, with its default thresholds, from the same statistics: a table is analysed once more
 * than 50 + 10 % of its rows changed since the last ANALYZE, and vacuumed once it holds more than 50 + 20 %
 * dead rows. PostgreSQL needs none of it.
 */
export interface MaintenancePass {
  analysed: string[];
  vacuumed: string[];
}

export async function maintainEmbeddedStore(db: Db): Promise<MaintenancePass> {
  const pass: MaintenancePass = { analysed: [], vacuumed: [] };
  if (db.kind !== 'pglite') return pass;
  // reltuples is -1 for a table never analysed: its threshold is then the fixed part alone.
  const due = await db.query<{ rel: string; vacuum: boolean }>(
    `SELECT rel, needs_vacuum AS vacuum FROM (
       SELECT format('%I.%I', s.schemaname, s.relname) AS rel,
              s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) AS needs_vacuum,
              s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) AS needs_analyze
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE c.relkind = 'r') t
      WHERE needs_vacuum OR needs_analyze
      ORDER BY rel`,
  );
  for (const t of due.rows) {
    // VACUUM (ANALYZE) does both in one pass over the table.
    await db.query(t.vacuum ? `VACUUM (ANALYZE) ${t.rel}` : `ANALYZE ${t.rel}`);
    if (t.vacuum) pass.vacuumed.push(t.rel);
    pass.analysed.push(t.rel);
  }
  return pass;
}

/** Runs maintainEmbeddedStore every `intervalMs` on PGlite (a statistics query when nothing is due). */
export function startEmbeddedMaintenance(
  db: Db,
  intervalMs: number,
  log: {
    debug(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  },
): { stop(): void } {
  if (db.kind !== 'pglite') return { stop() {} };
  return nonOverlappingTimer(
    async () => {
      const pass = await maintainEmbeddedStore(db);
      // Debug: with a live feed, some table is due nearly every round.
      if (pass.analysed.length) log.debug(pass, 'embedded store: statistics refreshed (ANALYZE, VACUUM)');
    },
    intervalMs,
    (err) => log.warn({ err: err.message }, 'embedded store: maintenance failed'),
  );
}
