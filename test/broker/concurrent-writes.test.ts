import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEntity } from '../../src/broker/model.js';
import { type BrokerStore, modifyEntity, writeEntities } from '../../src/broker/service.js';
import type { Db } from '../../src/db/db.js';
import { ProblemError } from '../../src/http/problem.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { BASE, ok, temporal, values } from './temporal/helpers.js';

/**
 * Writes that arrive together share transactions (src/broker/coalescer.ts): each must still keep its own
 * outcome, its own history instance and its own error. The writes are sent to the broker's service in one
 * tick, as a busy server receives them, so that most of them wait and share.
 */
const vessel = (n: number) => `urn:ngsi-ld:Vessel:together-${n}`;
const FLEET = 24;

for (const backend of backends()) {
  describe(`simultaneous writes on ${backend}`, () => {
    let t: TestApp;
    let store: BrokerStore;
    let transactions = 0;
    before(async () => {
      t = await startTestApp(backend);
      store = t.broker.store;
      // Counts the transactions the writes take.
      const db = store.db;
      const counting: Db = Object.create(db);
      counting.transaction = (fn) => {
        transactions++;
        return db.transaction(fn);
      };
      store.db = counting;
      const fleet = Array.from({ length: FLEET }, (_, n) => ({
        id: vessel(n),
        type: 'Vessel',
        speed: { type: 'Property', value: 0, observedAt: '2026-03-01T00:00:00Z' },
        name: { type: 'Property', value: `Vessel ${n}` },
      }));
      await ok(t.call({ method: 'POST', url: `${BASE}/entityOperations/create`, json: fleet }), 201);
    });
    after(() => t.dispose());

    const merge = async (id: string, value: unknown, minute = 1) => {
      const ctx = await t.broker.contexts.resolve(undefined);
      const now = new Date().toISOString();
      const body = {
        id,
        speed: {
          type: 'Property',
          value,
          observedAt: `2026-03-01T00:${String(minute).padStart(2, '0')}:00Z`,
        },
      };
      const item = parseEntity(body, ctx, { now, requireType: false, partial: true });
      return writeEntities(store, '', [item], 'merge', now);
    };
    const keyValues = async (id: string) => {
      const r = await t.call({
        method: 'GET',
        url: `${BASE}/entities/${encodeURIComponent(id)}?options=keyValues`,
      });
      return r.json() as { speed?: unknown; draught?: unknown };
    };

    it('gives each of many simultaneous writes its own outcome, in fewer transactions', async () => {
      const missing = 'urn:ngsi-ld:Vessel:together-missing';
      transactions = 0;
      const [answers, noEntity, noAttr] = await Promise.all([
        Promise.all(Array.from({ length: FLEET }, (_, n) => merge(vessel(n), 100 + n))),
        merge(missing, 1).then((r) => r.outcomes[0]),
        modifyEntity(store, '', vessel(FLEET - 1), (e) => {
          if (!e.attrs.draught) throw new ProblemError('ResourceNotFound', 'no draught');
          return e;
        }).then(
          () => 'saved',
          (err: ProblemError) => `${err.errorType}: ${err.message}`,
        ),
      ]);
      assert.ok(transactions < FLEET, `${FLEET + 2} writes took ${transactions} transactions`);
      for (const r of answers) assert.equal(r.outcomes[0].error, undefined);
      assert.equal(noEntity.error?.errorType, 'ResourceNotFound');
      assert.equal(noAttr, 'ResourceNotFound: no draught');
      for (let n = 0; n < FLEET; n++) assert.equal((await keyValues(vessel(n))).speed, 100 + n);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/entities/${missing}` })).statusCode, 404);
    });

    it('keeps each of simultaneous writes to one entity in its history', async () => {
      const id = vessel(1);
      await Promise.all(Array.from({ length: 12 }, (_, k) => merge(id, 200 + k, 10 + k)));
      const e = await temporal(t, id, 'attrs=speed&timerel=after&timeAt=2026-03-01T00:09:00Z');
      assert.deepEqual(
        (values(e, 'speed') as number[]).sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, k) => 200 + k),
      );
    });

    it('a write the database refuses fails alone, and the others sharing its transaction are saved', async () => {
      // PostgreSQL's jsonb cannot hold U+0000: the database itself refuses this one write.
      transactions = 0;
      const settled = await Promise.allSettled([
        ...Array.from({ length: 8 }, (_, n) => merge(vessel(n), 300 + n)),
        merge(vessel(8), 'nul \u0000 inside'),
        ...Array.from({ length: 8 }, (_, n) => merge(vessel(n + 9), 300 + n + 9)),
      ]);
      assert.equal(settled[8].status, 'rejected');
      for (const [k, s] of settled.entries()) if (k !== 8) assert.equal(s.status, 'fulfilled', String(k));
      // Shared, then each write of the failed transaction again on its own.
      assert.ok(transactions > 17, `17 writes took ${transactions} transactions`);
      for (let n = 0; n < 17; n++) if (n !== 8) assert.equal((await keyValues(vessel(n))).speed, 300 + n);
      assert.notEqual((await keyValues(vessel(8))).speed, 'nul \u0000 inside');
    });

    it('answers each of many simultaneous reads by id with its own entity, in fewer statements', async () => {
      const db = store.db;
      let statements = 0;
      const counting: Db = Object.create(db);
      counting.query = (...args: Parameters<Db['query']>) => {
        statements++;
        return db.query(...args);
      };
      store.db = counting;
      try {
        const ids = [
          ...Array.from({ length: FLEET }, (_, n) => vessel(n)),
          'urn:ngsi-ld:Vessel:together-none',
        ];
        const answers = await Promise.all(
          ids.map((id) => t.call({ method: 'GET', url: `${BASE}/entities/${encodeURIComponent(id)}` })),
        );
        assert.ok(statements < FLEET, `${ids.length} reads took ${statements} statements`);
        for (let n = 0; n < FLEET; n++) {
          assert.equal(answers[n].statusCode, 200, answers[n].body);
          assert.equal(answers[n].json().id, vessel(n));
          assert.equal(answers[n].json().name.value, `Vessel ${n}`);
        }
        assert.equal(answers[FLEET].statusCode, 404);
        // Another tenant's reads never share with these, nor see them.
        const other = await t.call({
          method: 'GET',
          url: `${BASE}/entities/${encodeURIComponent(vessel(0))}`,
          headers: { 'NGSILD-Tenant': 'together-other' },
        });
        assert.equal(other.statusCode, 404);
      } finally {
        store.db = db;
      }
    });

    it('simultaneous batches opening the same new month of history all succeed', async () => {
      // Batches over 100 entities run at once (not shared): each needs the 2031-05 partition, which none has.
      const batch = (k: number) =>
        Array.from({ length: 120 }, (_, n) => ({
          id: `urn:ngsi-ld:Vessel:month-${k}-${n}`,
          type: 'Vessel',
          speed: { type: 'Property', value: k * 1000 + n, observedAt: '2031-05-02T10:00:00Z' },
        }));
      const answers = await Promise.all(
        [0, 1, 2, 3].map((k) =>
          t.call({ method: 'POST', url: `${BASE}/entityOperations/upsert`, json: batch(k) }),
        ),
      );
      for (const a of answers) assert.equal(a.statusCode, 201, a.body);
      const e = await temporal(t, 'urn:ngsi-ld:Vessel:month-3-119', 'attrs=speed');
      assert.deepEqual(values(e, 'speed'), [3119]);
    });

    it('the HTTP answer to that write is a 400, not a 500', async () => {
      const r = await t.call({
        method: 'PATCH',
        url: `${BASE}/entities/${encodeURIComponent(vessel(8))}/attrs/speed`,
        json: { type: 'Property', value: 'nul \u0000 inside' },
      });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    });
  });
}

describe('U+0000 anywhere in a request', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.dispose());

  it('is refused with a 400 in a body, a path or a query, never a 500', async () => {
    const id = 'urn:ngsi-ld:Vessel:nul';
    await ok(t.call({ method: 'POST', url: `${BASE}/entities`, json: { id, type: 'Vessel' } }), 201);
    const answers = await Promise.all([
      t.call({
        method: 'POST',
        url: `${BASE}/entities/${id}/attrs`,
        json: { name: { type: 'Property', value: 'a\u0000b' } },
      }),
      t.call({
        method: 'POST',
        url: `${BASE}/entities/${id}/attrs`,
        headers: { 'content-type': 'application/ld+json' },
        payload: JSON.stringify({ 'a\u0000': { type: 'Property', value: 1 }, '@context': [] }),
      }),
      t.call({ method: 'GET', url: `${BASE}/entities/urn:ngsi-ld:Vessel:a%00b` }),
      t.call({ method: 'GET', url: `${BASE}/entities?type=Vessel&q=name==%22a%00b%22` }),
      t.call({ method: 'GET', url: `${BASE}/entities?idPattern=a%00` }),
      t.call({ method: 'GET', url: `${BASE}/entities?type=Vessel%00` }),
    ]);
    for (const [k, a] of answers.entries()) assert.equal(a.statusCode, 400, `${k}: ${a.body}`);
    // An escaped backslash before "u0000" is no NUL: that text is stored as sent.
    await ok(
      t.call({
        method: 'POST',
        url: `${BASE}/entities/${id}/attrs`,
        json: { name: { type: 'Property', value: '\\u0000' } },
      }),
      204,
    );
    const r = await t.call({ method: 'GET', url: `${BASE}/entities/${id}?options=keyValues` });
    assert.equal(r.json().name, '\\u0000');
  });
});
