import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../../src/app.js';
import { createContextResolver } from '../../../src/broker/jsonld/contexts.js';
import { listRetentionRules, parseRetentionSpec } from '../../../src/broker/temporal/index.js';
import { appendTemporal, parseTemporalEntity } from '../../../src/broker/temporal/service.js';
import { loadConfig } from '../../../src/config.js';
import { type Db, openDb } from '../../../src/db/db.js';
import { migrate } from '../../../src/db/migrate.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { type Backend, backends } from '../../helpers/db.js';
import { templatePath } from '../../helpers/template.js';

const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
const expand = (t: string) => DC + t;

describe('ESCALE_TEMPORAL_RETENTION syntax', () => {
  it('reads every tenant, one tenant, the default tenant, with or without a type', () => {
    assert.deepEqual(
      parseRetentionSpec(' *=P90D, port=p1y ,port/Vessel=P2Y,*/Sensor=PT36H,=P30D,/Truck=P1W', expand),
      [
        { tenant: '*', entityType: '', keep: 'P90D' },
        { tenant: 'port', entityType: '', keep: 'P1Y' },
        { tenant: 'port', entityType: `${DC}Vessel`, keep: 'P2Y' },
        { tenant: '*', entityType: `${DC}Sensor`, keep: 'PT36H' },
        { tenant: '', entityType: '', keep: 'P30D' },
        { tenant: '', entityType: `${DC}Truck`, keep: 'P1W' },
      ],
    );
    // A type with a colon is an IRI, kept as it is.
    assert.deepEqual(parseRetentionSpec('*/https://smartdatamodels.org/dataModel.Ports/Vessel=P1Y', expand), [
      { tenant: '*', entityType: 'https://smartdatamodels.org/dataModel.Ports/Vessel', keep: 'P1Y' },
    ]);
    assert.deepEqual(parseRetentionSpec('', expand), []);
  });

  it('refuses what it cannot read, saying what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['*', /not scope=duration/],
      ['*=90 days', /ISO 8601 duration/],
      ['*=P0D', /non-zero/],
      ['*=PT', /ISO 8601 duration/],
      ['port!=P1D', /not \*, a tenant name or empty/],
      ['port/=P1D', /no type/],
      ['*=P1D,*=P2D', /given twice/],
    ];
    for (const [spec, message] of bad) {
      assert.throws(() => parseRetentionSpec(spec, expand), message, spec);
    }
  });
});

/** A store a separate process can open too: a PGlite folder, or a throw-away PostgreSQL database. */
async function sharedStore(backend: Backend): Promise<{ db: Db; args: string[]; dispose(): Promise<void> }> {
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'escale-temporal-'));
    const file = templatePath();
    const loadDataDir = existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
    const db = await openDb({ dataDir: dir, loadDataDir });
    await migrate(db);
    return {
      db,
      args: ['--data-dir', dir],
      async dispose() {
        await db.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = process.env.TEST_DATABASE_URL as string;
  const name = `escale_test_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), poolSize: 2 });
  await migrate(db);
  return {
    db,
    args: ['--database-url', url.toString()],
    async dispose() {
      await db.close().catch(() => {});
      await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

const cli = ['--import', 'tsx', join(import.meta.dirname, '..', '..', '..', 'src', 'cli.ts')];
const escale = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ESCALE_TEMPORAL_RETENTION: '', ...env },
    timeout: 120_000,
  });

for (const backend of backends()) {
  describe(`temporal retention from configuration on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { ESCALE_TEMPORAL_RETENTION: '*=P200D,port=P30D,*/Sensor=P500D' });
    });
    after(() => t.dispose());

    it('replaces the stored rules with ESCALE_TEMPORAL_RETENTION at start', async () => {
      assert.deepEqual(await listRetentionRules(t.db()), [
        { tenant: '*', entityType: '', keep: '200 days' },
        { tenant: '*', entityType: `${DC}Sensor`, keep: '500 days' },
        { tenant: 'port', entityType: '', keep: '30 days' },
      ]);
      // A second server with another setting makes the table match it; without the setting it is left alone.
      const config = loadConfig({ NODE_ENV: 'test', ESCALE_TEMPORAL_RETENTION: 'port/Vessel=P1Y' });
      const other = await buildApp({ config, db: t.db() });
      await other.close();
      assert.deepEqual(await listRetentionRules(t.db()), [
        { tenant: 'port', entityType: `${DC}Vessel`, keep: '1 year' },
      ]);
      const plain = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), db: t.db() });
      await plain.close();
      assert.equal((await listRetentionRules(t.db())).length, 1);
    });

    it('refuses to start on a setting it cannot read', async () => {
      const config = loadConfig({ NODE_ENV: 'test', ESCALE_TEMPORAL_RETENTION: '*=forever' });
      await assert.rejects(buildApp({ config, db: t.db() }), /ESCALE_TEMPORAL_RETENTION: "FOREVER"/);
    });
  });

  describe(`escale temporal prune on ${backend}`, () => {
    let store: Awaited<ReturnType<typeof sharedStore>>;
    before(async () => {
      store = await sharedStore(backend);
    });
    after(() => store.dispose());

    it('applies the configured retention on demand and lists the rules', { timeout: 240_000 }, async () => {
      // History recorded by the temporal service, then the store handed to the command line.
      const core = (await createContextResolver({})).core;
      const times = ['2025-01-15T00:00:00Z', '2025-06-15T00:00:00Z', '2026-01-15T00:00:00Z'];
      const now = new Date().toISOString();
      const body = {
        id: 'urn:ngsi-ld:Sensor:cli',
        type: 'Sensor',
        level: times.map((observedAt, i) => ({ type: 'Property', value: i, observedAt })),
      };
      await appendTemporal(store.db, '', parseTemporalEntity(body, core, now), now);
      await store.db.close();

      const r = escale(['temporal', 'prune', ...store.args, '--at', '2026-02-01T00:00:00Z'], {
        ESCALE_TEMPORAL_RETENTION: '*=P200D',
      });
      assert.equal(r.status, 0, r.stderr);
      // Every tenant and type is covered: the months that ended 200 days before are dropped whole.
      assert.match(
        r.stdout,
        /deleted 0 instance\(s\); dropped 2 partition\(s\): temporal_instances_p202501, temporal_instances_p202506/,
      );
      const list = escale(['temporal', 'retention', ...store.args]);
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, /every tenant\tevery type\t200 days/);
      const bad = escale(['temporal', 'prune', ...store.args, '--retention', 'nonsense']);
      assert.equal(bad.status, 3);
      assert.match(bad.stderr, /ESCALE_TEMPORAL_RETENTION: "nonsense" is not scope=duration/);

      store.db =
        backend === 'pglite'
          ? await openDb({ dataDir: store.args[1] })
          : await openDb({ databaseUrl: store.args[1], poolSize: 2 });
      const left = await store.db.query<{ v: number }>(
        "SELECT (inst->>'value')::int AS v FROM temporal_instances WHERE entity_id = 'urn:ngsi-ld:Sensor:cli'",
      );
      assert.deepEqual(
        left.rows.map((x) => x.v),
        [2],
      );
      // The daily summaries of the dropped months went with them.
      const days = await store.db.query<{ day: string }>(
        `SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM temporal_daily
          WHERE entity_id = 'urn:ngsi-ld:Sensor:cli'`,
      );
      assert.deepEqual(
        days.rows.map((x) => x.day),
        ['2026-01-15'],
      );
    });
  });
}
