import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importGateEvents, readGateFile } from '../../src/ingest/commands.js';
import { brokerWriter } from '../../src/ingest/index.js';
import { createGateService } from '../../src/mobility/gates.js';
import { createPlateHasher, normalisePlate } from '../../src/mobility/plates.js';
import { sameSecret } from '../../src/mobility/routes.js';
import { backends } from '../helpers/db.js';
import { type Harness, openHarness } from './harness.js';

const KEY = 'gate-secret-for-tests';
const PLATE_KEY = 'plate-key-for-tests-0123456789';
const csv = fileURLToPath(new URL('../fixtures/gates/tpo-2025-05-02.csv', import.meta.url));
const invalidCsv = fileURLToPath(new URL('../fixtures/gates/invalid.csv', import.meta.url));
const runner = fileURLToPath(new URL('../ingest/ais/run-cli.ts', import.meta.url));

// The same four trucks as the CSV fixture, at terminal TDF, in UTC:
//   AB-123-CD in 08:00 out 08:30 (30 min)   EF-456-GH in 08:10 out 09:05 (55 min)
//   JK-789-LM in 08:50 out 09:10 (20 min)   NP-111-QR in 09:30, still inside
const events = [
  {
    id: 'w1',
    terminal: 'TDF',
    lane: 'L1',
    direction: 'in',
    plate: 'AB-123-CD',
    time: '2025-05-02T08:00:00Z',
  },
  {
    id: 'w2',
    terminal: 'TDF',
    lane: 'L2',
    direction: 'in',
    plate: 'EF-456-GH',
    time: '2025-05-02T08:10:00Z',
  },
  {
    id: 'w3',
    terminal: 'TDF',
    lane: 'L1',
    direction: 'out',
    plate: 'ab 123 cd',
    time: '2025-05-02T10:30:00+02:00',
  },
  {
    id: 'w4',
    terminal: 'TDF',
    lane: 'L3',
    direction: 'in',
    plate: 'JK-789-LM',
    time: '2025-05-02T08:50:00Z',
  },
  { id: 'w5', terminal: 'TDF', lane: 'L2', direction: 'out', plate: 'EF456GH', time: '2025-05-02T09:05:00Z' },
  {
    id: 'w6',
    terminal: 'TDF',
    lane: 'L3',
    direction: 'out',
    plate: 'JK-789-LM',
    time: '2025-05-02T09:10:00Z',
  },
  {
    id: 'w7',
    terminal: 'TDF',
    lane: 'L1',
    direction: 'in',
    plate: 'NP-111-QR',
    time: '2025-05-02T09:30:00Z',
  },
];
const PLATES = ['AB-123-CD', 'AB123CD', 'EF-456-GH', 'EF456GH', 'JK789LM', 'NP111QR'];

type Stat = Record<string, { value?: unknown; unitCode?: string; object?: unknown }>;

function expectHour(s: Stat, terminal: string, hour: string, expected: Record<string, number | undefined>) {
  assert.equal(
    s.id as unknown,
    `urn:ngsi-ld:TruckGateStatistics:FRLEH-${terminal}:${hour.replace(/-/g, '').slice(0, 11)}Z`,
  );
  assert.equal(s.dateObservedFrom.value, `${hour}:00:00Z`);
  assert.equal(s.refTerminal.object, `urn:ngsi-ld:Terminal:FRLEH-${terminal}`);
  for (const [k, v] of Object.entries(expected)) assert.equal(s[k]?.value, v, `${hour} ${k}`);
  if (expected.averageWaitingTime !== undefined) assert.equal(s.averageWaitingTime.unitCode, 'MIN');
}

describe('plates', () => {
  it('are normalised then keyed-hashed; secrets compare in constant time', () => {
    assert.equal(normalisePlate(' ab-123 cd '), 'AB123CD');
    const h = createPlateHasher(Buffer.from(PLATE_KEY));
    assert.equal(h('AB-123-CD'), h('ab 123 cd'));
    assert.notEqual(h('AB-123-CD'), createPlateHasher(Buffer.from(`${PLATE_KEY}x`))('AB-123-CD'));
    assert.match(h('AB-123-CD'), /^[0-9a-f]{64}$/);
    assert.ok(sameSecret('abc', 'abc'));
    assert.ok(!sameSecret('abc', 'abcd'));
  });
});

describe('gate webhook without a configured key', () => {
  const backend = backends()[0];
  it('refuses writes outside demo mode, accepts them in demo mode', async () => {
    const off = await openHarness(backend, { ESCALE_DEMO: '0', ESCALE_PLATE_KEY: PLATE_KEY });
    try {
      const r = await off.app.inject({
        method: 'POST',
        url: '/api/mobility/gate-events',
        payload: [events[0]],
      });
      assert.equal(r.statusCode, 403, r.body);
      assert.match(r.json().detail, /ESCALE_GATE_KEY is not set/);
    } finally {
      await off.dispose();
    }
    const demo = await openHarness(backend, { ESCALE_DEMO: '1', ESCALE_PLATE_KEY: PLATE_KEY });
    try {
      const r = await demo.app.inject({
        method: 'POST',
        url: '/api/mobility/gate-events',
        payload: [events[0]],
      });
      assert.equal(r.statusCode, 200, r.body);
    } finally {
      await demo.dispose();
    }
  });
});

for (const backend of backends()) {
  describe(`truck gates on ${backend}`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(backend, { ESCALE_DEMO: '0', ESCALE_GATE_KEY: KEY, ESCALE_PLATE_KEY: PLATE_KEY });
    });
    after(() => h.dispose());

    const post = (payload: unknown, key: string | null = KEY) =>
      h.app.inject({
        method: 'POST',
        url: '/api/mobility/gate-events',
        headers: key === null ? {} : { 'x-escale-gate-key': key },
        payload: payload as object,
      });

    it('asks for the key (401) and refuses a wrong one (403)', async () => {
      let r = await post(events, null);
      assert.equal(r.statusCode, 401, r.body);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/Unauthorized');
      r = await post(events, 'not-the-key');
      assert.equal(r.statusCode, 403, r.body);
    });

    it('validates the events (400) and caps the request size (413)', async () => {
      const bad = [
        [{ ...events[0], plate: undefined }],
        [{ ...events[0], direction: 'sideways' }],
        [{ ...events[0], colour: 'red' }],
        [{ ...events[0], time: '2025-05-02 08:00' }],
        [{ ...events[0], time: '2025-05-02T08:00:00' }], // no offset: ambiguous
        [{ ...events[0], time: '2999-01-01T00:00:00Z' }],
        [{ ...events[0], terminal: 'T P O' }],
        [],
        { not: 'an array' },
        Array.from({ length: 1001 }, () => events[0]),
      ];
      for (const payload of bad) {
        const r = await post(payload);
        assert.equal(r.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)}: ${r.body}`);
        assert.doesNotMatch(r.body, /AB-123-CD/, 'an error never echoes a plate');
      }
      const big = Array.from({ length: 1000 }, () => ({
        ...events[0],
        lane: 'x'.repeat(32),
        id: 'y'.repeat(128),
      }));
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/mobility/gate-events',
        headers: { 'x-escale-gate-key': KEY, 'content-type': 'application/json' },
        payload: JSON.stringify(big) + ' '.repeat(300_000),
      });
      assert.equal(r.statusCode, 413, r.body);
    });

    it('stores events, ignores re-sent ones and derives hourly statistics', async () => {
      let r = await post(events);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { received: 7, inserted: 7, duplicates: 0, statistics: 2 });
      r = await post(events.slice(0, 2));
      assert.deepEqual(r.json(), { received: 2, inserted: 0, duplicates: 2, statistics: 0 });

      const stats = await h.getJson<Stat[]>(
        '/ngsi-ld/v1/entities?type=TruckGateStatistics&q=terminal==%22TDF%22',
      );
      stats.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      assert.equal(stats.length, 2);
      // 08h: 3 in, 1 out; the visit that ended (AB-123-CD) took 30 min.
      expectHour(stats[0], 'TDF', '2025-05-02T08', {
        gateInCount: 3,
        gateOutCount: 1,
        turnaroundCount: 1,
        averageWaitingTime: 30,
        medianWaitingTime: 30,
        maxWaitingTime: 30,
      });
      // 09h: 1 in, 2 out; visits of 55 and 20 min.
      expectHour(stats[1], 'TDF', '2025-05-02T09', {
        gateInCount: 1,
        gateOutCount: 2,
        turnaroundCount: 2,
        averageWaitingTime: 37.5,
        medianWaitingTime: 37.5,
        maxWaitingTime: 55,
      });
    });

    it('never stores a plate in clear, anywhere in the database', async () => {
      const tables = await h.db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      let rows = 0;
      for (const { table_name } of tables.rows) {
        const dump = await h.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
        rows += dump.rows.length;
        for (const { row } of dump.rows) {
          for (const plate of PLATES)
            assert.ok(!row.toUpperCase().includes(plate), `${plate} in ${table_name}`);
        }
      }
      assert.ok(rows >= 9, 'the events and statistics were there to search');
      const stored = await h.db.query<{ plate_hash: string }>(
        "SELECT DISTINCT plate_hash FROM mobility_gate_events WHERE terminal = 'TDF'",
      );
      assert.equal(stored.rows.length, 4, 'four trucks, whatever the plate spelling');
    });

    it('imports a CSV file (French headers, local times) with the same statistics', async () => {
      const read = await readGateFile(csv, '+02:00');
      assert.deepEqual(read.errors, []);
      assert.equal(read.events.length, 7);
      const gates = createGateService({
        db: h.db,
        write: brokerWriter(h.broker),
        hasher: () => createPlateHasher(Buffer.from(PLATE_KEY)),
      });
      const r = await importGateEvents(gates, read.events);
      assert.deepEqual(r, { inserted: 7, statistics: 2 });
      assert.deepEqual(await importGateEvents(gates, read.events), { inserted: 0, statistics: 0 });
      const stats = await h.getJson<Stat[]>(
        '/ngsi-ld/v1/entities?type=TruckGateStatistics&q=terminal==%22TPO%22',
      );
      stats.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      expectHour(stats[0], 'TPO', '2025-05-02T08', {
        gateInCount: 3,
        turnaroundCount: 1,
        averageWaitingTime: 30,
      });
      expectHour(stats[1], 'TPO', '2025-05-02T09', {
        gateOutCount: 2,
        medianWaitingTime: 37.5,
        maxWaitingTime: 55,
      });
    });
  });
}

describe('escale import gates', () => {
  const escale = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', runner, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('reports invalid rows by line and imports nothing (exit 1); usage errors exit 2', () => {
    const r = escale(['import', 'gates', invalidCsv, '--data-dir', 'memory://']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /line 3: direction "sideways" is neither in nor out/);
    assert.match(r.stderr, /line 4: time must be an ISO 8601 date-time/);
    assert.match(r.stderr, /2 invalid rows: nothing imported/);
    assert.doesNotMatch(r.stderr, /AB-123-CD/);
    assert.equal(escale(['import', 'gates', '/nonexistent.csv']).status, 1);
    assert.equal(escale(['import', 'gates', csv, '--utc-offset', 'local']).status, 2);
    const help = escale(['import', 'gates', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--skip-invalid/);
  });
});
