import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  notifyEnv,
  type Receiver,
  sseEvents,
  startReceiver,
} from '../broker/subscriptions/helpers.js';
import { makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { agreement, gateEvent, IN_PORT, IN_ROUEN, offer, outsider, PORT_AREA, publish } from './fixtures.js';

notifyEnv();

const weather = (n: number) => ({
  id: 'urn:ngsi-ld:WeatherObserved:1',
  type: 'WeatherObserved',
  temperature: { type: 'Property', value: n },
});

for (const backend of backends()) {
  describe(`subscriptions under agreements (${backend})`, () => {
    let t: TestApp;
    let w: World;
    const receivers: Receiver[] = [];
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
    });
    after(async () => {
      await t?.dispose();
      for (const r of receivers) await r.close();
    });

    const upsert = async (entities: unknown[]) => {
      const r = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entityOperations/upsert?options=update',
        json: entities,
      });
      assert.ok([201, 204].includes(r.statusCode), r.body);
    };
    /** Every queued notification has been delivered (or dropped). */
    const drained = () =>
      eventually(async () => {
        const r = await t.db().query<{ n: number }>('SELECT count(*)::int AS n FROM broker_notifications');
        return r.rows[0].n === 0;
      });
    const subscribe = async (as: string) => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const r = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/subscriptions',
        json: {
          type: 'Subscription',
          entities: [{ type: 'TruckGateEvent' }, { type: 'WeatherObserved' }],
          notification: { endpoint: { uri: receiver.url } },
        },
        as,
      });
      assert.equal(r.statusCode, 201, r.body);
      return receiver;
    };
    const gateIds = (r: Receiver) =>
      r.received.flatMap((n) =>
        n.body.data.filter((e) => e.type === 'TruckGateEvent').map((e) => e.id as string),
      );

    it('delivers only what the agreement allows, nothing without one, and stops when it ends', async () => {
      const owner = { orgId: w.orgA, token: w.aliceAdminA };
      const consumer = { orgId: w.orgB, token: w.carolAdminB };
      const nosy = await outsider(t);
      const datasetId = await publish(t, owner, {
        entityType: 'TruckGateEvent',
        attributes: ['terminal', 'plate', 'location'],
        personal: ['plate'],
        policy: offer([
          { leftOperand: 'purpose', operator: 'eq', rightOperand: 'research' },
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: PORT_AREA },
        ]),
      });
      const agreementId = await agreement(t, datasetId, consumer, owner, 'research');
      const theirs = await subscribe(consumer.token);
      const nosys = await subscribe(nosy.token);
      const owners = await subscribe(owner.token);

      await upsert([gateEvent(1, IN_PORT, 'AB-123-CD'), gateEvent(3, IN_ROUEN, 'EF-456-GH')]);
      await upsert([weather(1)]);
      await theirs.waitFor(2);
      await nosys.waitFor(1);
      await owners.waitFor(2);
      await drained();
      // The consumer: the entity in the area, the shared attributes, a pseudonymous plate.
      assert.deepEqual(gateIds(theirs), ['urn:ngsi-ld:TruckGateEvent:1']);
      const seen = theirs.received.flatMap((n) => n.body.data).find((e) => e.type === 'TruckGateEvent')!;
      assert.deepEqual(Object.keys(seen).sort(), ['id', 'location', 'plate', 'terminal', 'type']);
      assert.match(String((seen.plate as { value: string }).value), /^pseud:/);
      // Without an agreement: the weather only.
      assert.deepEqual(gateIds(nosys), []);
      assert.ok(nosys.received.some((n) => n.body.data.some((e) => e.type === 'WeatherObserved')));
      // The owner: everything.
      assert.deepEqual(gateIds(owners).sort(), [
        'urn:ngsi-ld:TruckGateEvent:1',
        'urn:ngsi-ld:TruckGateEvent:3',
      ]);
      const usage = await t
        .db()
        .query<{ n: number }>('SELECT count(*)::int AS n FROM cat_usage_events WHERE agreement_id = $1', [
          agreementId,
        ]);
      assert.equal(usage.rows[0].n, 1);

      // The agreement ends: the consumer's subscription stops delivering the restricted type.
      const end = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${agreementId}/terminate`,
        json: {},
        as: owner.token,
      });
      assert.equal(end.statusCode, 200, end.body);
      const before = theirs.received.length;
      await upsert([gateEvent(1, IN_PORT, 'AB-123-CD', '2026-07-01T10:00:00Z')]);
      await upsert([weather(2)]);
      await theirs.waitFor(before + 1);
      await drained();
      const later = theirs.received.slice(before).flatMap((n) => n.body.data);
      assert.deepEqual(
        later.map((e) => e.type),
        ['WeatherObserved'],
      );
    });

    it('filters the SSE stream of a subscription as its notifications: an outsider streams no restricted data', async () => {
      const owner = { orgId: w.orgA, token: w.aliceAdminA };
      await publish(t, owner, {
        entityType: 'TruckGateEvent',
        attributes: ['terminal', 'plate', 'location'],
        personal: ['plate'],
        policy: offer([{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'research' }]),
      });
      const nosy = await outsider(t, 'curious-startup');
      const created = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/subscriptions',
        json: {
          type: 'Subscription',
          entities: [{ type: 'TruckGateEvent' }, { type: 'WeatherObserved' }],
          notification: { endpoint: { uri: 'urn:escale:sse' } },
        },
        as: nosy.token,
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = String(created.headers.location).split('/').pop()!;
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (t.app.server.address() as AddressInfo).port;
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/ngsi-ld/v1/subscriptions/${id}/events`, {
        signal: ac.signal,
        headers: { authorization: `Bearer ${nosy.token}` },
      });
      assert.equal(res.status, 200);
      const next = sseEvents(res);
      try {
        await upsert([gateEvent(7, IN_PORT, 'IJ-789-KL', '2026-08-01T10:00:00Z')]);
        await upsert([weather(3)]);
        // The gate event's notification carried restricted data only: nothing of it is streamed.
        const ev = await next();
        const body = JSON.parse(ev.data) as { data: { type: string }[] };
        assert.deepEqual(
          body.data.map((e) => e.type),
          ['WeatherObserved'],
        );
      } finally {
        ac.abort();
      }
    });
  });
}
