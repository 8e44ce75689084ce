import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { maintainEmbeddedStore } from '../../src/db/maintenance.js';
import { openTestDb, type TestDb } from '../helpers/db.js';

/** PGlite publishes a session's table statistics once it has been idle for a second: wait for them. */
async function statsOf(t: TestDb, table: string, until: (s: Stats) => boolean): Promise<Stats> {
  for (let i = 0; ; i++) {
    const r = await t.db.query<Stats>(
      `SELECT s.n_live_tup::int AS live, s.n_dead_tup::int AS dead, s.n_mod_since_analyze::int AS modified,
              c.reltuples::int AS reltuples
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = $1`,
      [table],
    );
    if (until(r.rows[0]) || i === 40) return r.rows[0];
    await new Promise((res) => setTimeout(res, 150));
  }
}
interface Stats {
  live: number;
  dead: number;
  modified: number;
  reltuples: number;
}

describe('embedded store maintenance (PGlite has no autovacuum)', () => {
  let t: TestDb;
  before(async () => {
    t = await openTestDb('pglite');
    await t.db.query('CREATE TABLE probe (id int PRIMARY KEY, v text)');
  });
  after(() => t.dispose());

  it('analyses a table once enough of it changed, so that the planner knows its size', async () => {
    await t.db.query(`INSERT INTO probe SELECT g, 'v' || g FROM generate_series(1, 2000) g`);
    assert.equal((await statsOf(t, 'probe', (s) => s.modified >= 2000)).modified, 2000);
    const pass = await maintainEmbeddedStore(t.db);
    assert.ok(pass.analysed.includes('public.probe'), JSON.stringify(pass));
    const s = await statsOf(t, 'probe', (x) => x.modified === 0);
    assert.equal(s.reltuples, 2000);
    assert.equal(s.modified, 0);
    // Nothing changed since: nothing to do.
    assert.ok(!(await maintainEmbeddedStore(t.db)).analysed.includes('public.probe'));
  });

  it('leaves a table alone below the threshold, and vacuums the dead rows of many updates', async () => {
    await t.db.query(`UPDATE probe SET v = v || '.' WHERE id <= 100`); // 100 < 50 + 10 % of 2,000
    await statsOf(t, 'probe', (s) => s.modified >= 100);
    assert.ok(!(await maintainEmbeddedStore(t.db)).analysed.includes('public.probe'));
    await t.db.query(`UPDATE probe SET v = v || '.' WHERE id <= 1500`);
    assert.ok((await statsOf(t, 'probe', (s) => s.dead >= 1500)).dead >= 1500);
    const pass = await maintainEmbeddedStore(t.db);
    assert.ok(pass.vacuumed.includes('public.probe'), JSON.stringify(pass));
    assert.equal((await statsOf(t, 'probe', (s) => s.dead === 0)).dead, 0);
  });
});
