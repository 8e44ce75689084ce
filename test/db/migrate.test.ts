import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { backends, openTestDb, type TestDb } from '../helpers/db.js';

for (const backend of backends()) {
  describe(`migrations on ${backend}`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
    });
    after(() => t.dispose());

    it('records every migration once and is idempotent', async () => {
      const again = await migrate(t.db);
      assert.deepEqual(again.applied, []);
      const rows = await t.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1');
      assert.deepEqual(
        rows.rows.map((r) => r.version),
        loadMigrations().map((m) => m.version),
      );
    });

    it('refuses to run when an applied migration was edited', async () => {
      const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'x' } : m));
      await assert.rejects(migrate(t.db, edited), /was changed after it was applied/);
    });

    it('has PostGIS available', async () => {
      const r = await t.db.query<{ d: boolean }>(
        "SELECT ST_DWithin('POINT(0.1 49.48)'::geography, 'POINT(0.11 49.48)'::geography, 1000) AS d",
      );
      assert.equal(r.rows[0].d, true);
    });
  });
}
