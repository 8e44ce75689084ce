import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { verifyAudit } from '../../src/governance/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { templatePath } from '../helpers/template.js';
import { createKey, entity, makeWorld, type World } from './fixtures.js';

const cli = ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli.ts')];

for (const backend of backends()) {
  describe(`audit log (${backend})`, () => {
    let t: TestApp;
    let w: World;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
    });
    after(() => t?.dispose());

    it('records logins, key creation, use and revocation, role changes and denials', async () => {
      await t.call({
        method: 'POST',
        url: '/api/auth/login',
        json: { email: 'bob@haropa.example', password: 'wrong one' },
        as: null,
      });
      const k = await createKey(t, w.orgA, ['broker:write'], w.aliceAdminA);
      await t.call({ method: 'POST', url: '/ngsi-ld/v1/entities', json: entity(1), as: k.key });
      await t.call({
        method: 'DELETE',
        url: `/api/organisations/${w.orgA}/api-keys/${k.id}`,
        as: w.aliceAdminA,
      });
      await t.call({ method: 'POST', url: '/ngsi-ld/v1/entities', json: entity(2), as: k.key });
      await t.call({
        method: 'PATCH',
        url: `/api/organisations/${w.orgA}/members/${w.ids.bob}`,
        json: { role: 'editor' },
        as: w.aliceAdminA,
      });
      await t.call({ method: 'GET', url: `/api/organisations/${w.orgB}/members`, as: w.bobMemberA });
      await t.call({ method: 'POST', url: '/ngsi-ld/v1/entities', json: entity(3), as: null });

      const r = await t.call({ method: 'GET', url: '/api/audit?limit=500' });
      assert.equal(r.statusCode, 200);
      const entries = r.json().items as {
        event: string;
        outcome: string;
        actor: string | null;
        detail: Record<string, unknown>;
      }[];
      const has = (event: string, outcome: string) =>
        entries.some((e) => e.event === event && e.outcome === outcome);
      assert.ok(has('auth.login', 'success'));
      assert.ok(has('auth.login', 'failure'));
      assert.ok(has('apikey.created', 'success'));
      assert.ok(has('apikey.used', 'success'));
      assert.ok(has('apikey.revoked', 'success'));
      assert.ok(entries.some((e) => e.event === 'apikey.rejected' && e.detail.reason === 'revoked API key'));
      assert.ok(
        entries.some(
          (e) => e.event === 'membership.changed' && e.detail.role === 'editor' && e.detail.from === 'member',
        ),
      );
      assert.ok(entries.some((e) => e.event === 'access.denied' && e.actor === `user:${w.ids.bob}`));
      assert.ok(
        entries.some(
          (e) => e.event === 'access.denied' && e.actor === null && e.detail.reason === 'not authenticated',
        ),
      );
      // Newest first, and the key's secret appears nowhere.
      assert.ok(r.json().items[0].seq > r.json().items.at(-1).seq);
      assert.equal(r.body.includes(k.key), false);
      assert.equal(r.body.includes(k.key.slice(4, 20)), false);

      const paged = await t.call({ method: 'GET', url: '/api/audit?limit=2&event=auth.login' });
      assert.equal(paged.json().items.length, 2);
      assert.ok(paged.json().total >= 4);
      assert.equal((await t.call({ method: 'GET', url: '/api/audit', as: w.aliceAdminA })).statusCode, 403);
      assert.equal((await t.call({ method: 'GET', url: '/api/audit', as: null })).statusCode, 401);
    });

    it('is append-only: UPDATE and DELETE are refused by the database', async () => {
      await assert.rejects(
        t.db().query(`UPDATE gov_audit_log SET outcome = 'success' WHERE seq = 1`),
        /append-only/,
      );
      await assert.rejects(t.db().query('DELETE FROM gov_audit_log WHERE seq = 1'), /append-only/);
    });

    it('verifies the chain, then names the first entry edited behind the trigger', async () => {
      const ok = await verifyAudit(t.db());
      assert.equal(ok.ok, true);
      assert.ok(ok.checked >= 10);
      await t.db().exec(`ALTER TABLE gov_audit_log DISABLE TRIGGER gov_audit_log_no_change;
        UPDATE gov_audit_log SET detail = jsonb_set(detail, '{reason}', '"nothing to see"') WHERE seq = 3;
        ALTER TABLE gov_audit_log ENABLE TRIGGER gov_audit_log_no_change;`);
      const broken = await verifyAudit(t.db());
      assert.equal(broken.ok, false);
      assert.deepEqual(broken.broken, { seq: 3, reason: 'content does not match its hash' });
      assert.equal(broken.checked, 3);
    });
  });
}

describe('escale audit verify', () => {
  let dataDir: string;
  before(async () => {
    // An embedded store on disk, started from the migrated template, with a few events in its log.
    dataDir = mkdtempSync(join(tmpdir(), 'escale-audit-'));
    const file = templatePath();
    const db = await openDb({
      dataDir,
      loadDataDir: existsSync(file) ? new Blob([readFileSync(file)]) : undefined,
    });
    await migrate(db);
    const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', ESCALE_RATE_LIMIT: '0' }), db });
    await app.ready();
    await app.governance.createUser({
      email: 'eve@example.org',
      name: 'Eve',
      password: 'a long enough password',
    });
    for (const password of ['a long enough password', 'wrong']) {
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'eve@example.org', password },
      });
    }
    await app.close();
    await db.close();
  });

  const run = () =>
    spawnSync(process.execPath, [...cli, 'audit', 'verify', '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('exits 0 on an intact chain and 1 naming the first broken entry', { timeout: 300_000 }, async () => {
    const ok = run();
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /audit log intact: 2 entries, last #2/);
    const db = await openDb({ dataDir });
    await db.exec(`ALTER TABLE gov_audit_log DISABLE TRIGGER gov_audit_log_no_change;
      UPDATE gov_audit_log SET outcome = 'success' WHERE seq = 2;
      ALTER TABLE gov_audit_log ENABLE TRIGGER gov_audit_log_no_change;`);
    await db.close();
    const bad = run();
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /BROKEN at entry #2: content does not match its hash/);
  });
});
