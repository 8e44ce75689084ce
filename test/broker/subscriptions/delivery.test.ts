import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends, openTestDb } from '../../helpers/db.js';
import { deadPort, eventually, notifyEnv, type Receiver, startReceiver } from './helpers.js';

// Long enough for the slow receiver (5 s) to answer: it is slow, not dead.
notifyEnv({ ESCALE_NOTIFY_TIMEOUT_MS: '10000', ESCALE_NOTIFY_CONCURRENCY: '3' });

const API = '/ngsi-ld/v1';
const enc = encodeURIComponent;
const prop = (value: unknown) => ({ type: 'Property', value });

for (const backend of backends()) {
  describe(`Notification delivery on ${backend}`, () => {
    let t: TestApp;
    const receivers: Receiver[] = [];
    before(async () => {
      t = await startTestApp(backend);
    });
    after(async () => {
      await t.dispose();
      for (const r of receivers) await r.close();
    });

    const receiver = async (opts?: Parameters<typeof startReceiver>[0]) => {
      const r = await startReceiver(opts);
      receivers.push(r);
      return r;
    };
    const subscribe = async (type: string, uri: string) => {
      const r = await t.call({
        method: 'POST',
        url: `${API}/subscriptions`,
        json: { type: 'Subscription', entities: [{ type }], notification: { endpoint: { uri } } },
      });
      assert.equal(r.statusCode, 201, r.body);
      return decodeURIComponent(String(r.headers.location).split('/').pop()!);
    };
    const getSub = async (id: string) =>
      (await t.call({ method: 'GET', url: `${API}/subscriptions/${enc(id)}` })).json();

    it('a dead and a slow endpoint do not delay a healthy one', async () => {
      const healthy = await receiver();
      const slow = await receiver({ delayMs: 5000 });
      const dead = `http://127.0.0.1:${await deadPort()}/notify`;
      await subscribe('Ferry', slow.url);
      const deadSub = await subscribe('Ferry', dead);
      await subscribe('Ferry', healthy.url);
      const N = 9;
      for (let i = 0; i < N; i++) {
        const r = await t.call({
          method: 'POST',
          url: `${API}/entityOperations/upsert?options=update`,
          json: [{ id: `urn:ngsi-ld:Ferry:${i % 3}`, type: 'Ferry', seq: prop(i) }],
        });
        assert.ok(r.statusCode === 201 || r.statusCode === 204, r.body);
      }
      const got = await healthy.waitFor(N);
      assert.deepEqual(
        got.map((n) => (n.body.data[0].seq as { value: number }).value).sort((a, b) => a - b),
        [...Array(N).keys()],
      );
      // Arrival order, not time: all N are at the healthy receiver while the slow one is still on its first ones.
      assert.ok(slow.received.length < N, `slow receiver already answered ${slow.received.length}`);
      assert.ok(slow.requests.length > 0, 'the slow receiver is being served');
      const s = await eventually(async () => {
        const x = await getSub(deadSub);
        return x.notification.timesFailed > 0 ? x : undefined;
      });
      assert.equal(s.notification.status, 'failed');
      // The slow one gets everything in the end.
      await slow.waitFor(N, 60_000);
    });

    it('retries with backoff, then succeeds; the notification keeps its id', async () => {
      const flaky = await receiver({ status: (n) => (n <= 2 ? 503 : 200) });
      const sid = await subscribe('Pontoon', flaky.url);
      const c = await t.call({
        method: 'POST',
        url: `${API}/entities`,
        json: { id: 'urn:ngsi-ld:Pontoon:1', type: 'Pontoon', w: prop(1) },
      });
      assert.equal(c.statusCode, 201);
      const [n] = await flaky.waitFor(1);
      assert.deepEqual(
        flaky.requests.map((r) => r.status),
        [503, 503, 200],
      );
      assert.ok(
        flaky.requests.every((r) => r.id === n.body.id),
        'same notification id on every attempt',
      );
      const s = await eventually(async () => {
        const x = await getSub(sid);
        return x.notification.timesSent === 3 ? x : undefined;
      });
      assert.equal(s.notification.timesFailed, 2);
      assert.equal(s.notification.status, 'ok');
    });

    it('gives up after the last attempt and records the failure', async () => {
      const broken = await receiver({ status: 500 });
      const sid = await subscribe('Wreck', broken.url);
      await t.call({
        method: 'POST',
        url: `${API}/entities`,
        json: { id: 'urn:ngsi-ld:Wreck:1', type: 'Wreck', w: prop(1) },
      });
      const s = await eventually(async () => {
        const x = await getSub(sid);
        return x.notification.timesFailed === 5 ? x : undefined;
      });
      assert.equal(s.notification.status, 'failed');
      assert.equal(s.notification.timesSent, 5);
      await eventually(async () => {
        const r = await t
          .db()
          .query<{ n: number }>(
            'SELECT count(*)::int AS n FROM broker_notifications WHERE subscription_id = $1',
            [sid],
          );
        return r.rows[0].n === 0;
      });
      assert.equal(broken.requests.length, 5);
    });
  });

  describe(`Delivery-time SSRF check on ${backend}`, () => {
    it('refuses to deliver to an address the allowlist no longer covers', async () => {
      const rcv = await startReceiver();
      const tdb = await openTestDb(backend);
      const saved = process.env.ESCALE_NOTIFY_ALLOW;
      try {
        const config = loadConfig({ NODE_ENV: 'test' });
        const first = await buildApp({ config, db: tdb.db });
        await first.ready();
        const admin = await first.governance.createUser({
          email: 'admin@escale.test',
          name: 'Test admin',
          platformAdmin: true,
        });
        // The token key is kept in the database: the second app accepts the token too.
        const auth = `Bearer ${(await first.governance.tokens.sign(admin!.id)).token}`;
        const r = await first.inject({
          method: 'POST',
          url: `${API}/subscriptions`,
          headers: { 'content-type': 'application/json', authorization: auth },
          payload: JSON.stringify({
            type: 'Subscription',
            entities: [{ type: 'Rig' }],
            notification: { endpoint: { uri: rcv.url } },
          }),
        });
        assert.equal(r.statusCode, 201, r.body);
        const sid = decodeURIComponent(String(r.headers.location).split('/').pop()!);
        await first.close();
        // Same database, new process settings: loopback is no longer allowed.
        delete process.env.ESCALE_NOTIFY_ALLOW;
        const second = await buildApp({ config, db: tdb.db });
        await second.ready();
        try {
          const c = await second.inject({
            method: 'POST',
            url: `${API}/entities`,
            headers: { 'content-type': 'application/json', authorization: auth },
            payload: JSON.stringify({ id: 'urn:ngsi-ld:Rig:1', type: 'Rig', w: prop(1) }),
          });
          assert.equal(c.statusCode, 201);
          const s = await eventually(async () => {
            const g = await second.inject({
              method: 'GET',
              url: `${API}/subscriptions/${enc(sid)}`,
              headers: { authorization: auth },
            });
            const x = g.json();
            return x.notification.timesFailed >= 1 ? x : undefined;
          });
          assert.equal(s.notification.status, 'failed');
          assert.equal(rcv.requests.length, 0, 'nothing reached the receiver');
          const row = await tdb.db.query<{ last_error: string }>(
            'SELECT last_error FROM broker_notifications WHERE subscription_id = $1',
            [sid],
          );
          if (row.rows.length) assert.match(row.rows[0].last_error, /private, loopback or reserved/);
        } finally {
          await second.close();
        }
      } finally {
        process.env.ESCALE_NOTIFY_ALLOW = saved;
        await tdb.dispose();
        await rcv.close();
      }
    });
  });
}
