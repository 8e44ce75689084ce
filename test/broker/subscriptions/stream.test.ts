import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { sseEvents as events, notifyEnv, startReceiver } from './helpers.js';

notifyEnv();

const API = '/ngsi-ld/v1';
const enc = encodeURIComponent;
const prop = (value: unknown) => ({ type: 'Property', value });

for (const backend of backends()) {
  describe(`Subscription event streams (SSE) on ${backend}`, () => {
    let t: TestApp;
    let base: string;
    before(async () => {
      t = await startTestApp(backend);
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => t.dispose());

    const subscribe = async (uri: string) => {
      const r = await t.call({
        method: 'POST',
        url: `${API}/subscriptions`,
        json: {
          type: 'Subscription',
          entities: [{ type: 'Beacon' }],
          notification: { format: 'keyValues', endpoint: { uri } },
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      return decodeURIComponent(String(r.headers.location).split('/').pop()!);
    };

    it('streams the notifications of a stream-only subscription as they are produced', async () => {
      const sid = await subscribe('urn:escale:sse');
      const ctl = new AbortController();
      const res = await fetch(`${base}${API}/subscriptions/${enc(sid)}/events`, {
        signal: ctl.signal,
        headers: { authorization: `Bearer ${t.adminToken}` }, // a stream is its creator's business
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /^text\/event-stream/);
      const next = events(res);
      await t.call({
        method: 'POST',
        url: `${API}/entities`,
        json: { id: 'urn:ngsi-ld:Beacon:1', type: 'Beacon', on: prop(true) },
      });
      const e1 = await next();
      assert.equal(e1.event, 'notification');
      const n1 = JSON.parse(e1.data);
      assert.equal(n1.type, 'Notification');
      assert.equal(n1.subscriptionId, sid);
      assert.equal(e1.id, n1.id);
      assert.deepEqual(n1.data, [{ id: 'urn:ngsi-ld:Beacon:1', type: 'Beacon', on: true }]);
      for (let i = 0; i < 3; i++) {
        await t.call({
          method: 'PATCH',
          url: `${API}/entities/${enc('urn:ngsi-ld:Beacon:1')}/attrs`,
          json: { on: prop(i) },
        });
      }
      const values: unknown[] = [];
      for (let i = 0; i < 3; i++) values.push(JSON.parse((await next()).data).data[0].on);
      assert.deepEqual(values, [0, 1, 2]);
      // Deleting the subscription ends the stream.
      await t.call({ method: 'DELETE', url: `${API}/subscriptions/${enc(sid)}` });
      assert.equal((await next()).event, 'end');
      ctl.abort();
    });

    it('streams the notifications of an HTTP subscription too, with the same ids as delivered', async () => {
      const rcv = await startReceiver();
      try {
        const sid = await subscribe(rcv.url);
        const ctl = new AbortController();
        const res = await fetch(`${base}${API}/subscriptions/${enc(sid)}/events`, {
          signal: ctl.signal,
          headers: { authorization: `Bearer ${t.adminToken}` }, // a stream is its creator's business
        });
        const next = events(res);
        await t.call({
          method: 'PATCH',
          url: `${API}/entities/${enc('urn:ngsi-ld:Beacon:1')}/attrs`,
          json: { on: prop('x') },
        });
        const e = await next();
        const [delivered] = await rcv.waitFor(1);
        assert.equal(e.id, delivered.body.id);
        ctl.abort();
      } finally {
        await rcv.close();
      }
    });

    it('answers 404 for an unknown subscription', async () => {
      const r = await fetch(`${base}${API}/subscriptions/${enc('urn:ngsi-ld:Subscription:none')}/events`);
      assert.equal(r.status, 404);
      assert.equal((await r.json()).type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
    });
  });
}
