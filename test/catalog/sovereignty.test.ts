import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { gateEvent, IN_PORT, IN_ROUEN, offer, outsider, PORT_AREA, publish } from './fixtures.js';

/**
 * Issue 5, done when: an owner publishes a restricted dataset with a policy, a start-up requests access, the owner
 * agrees, the start-up queries the broker and sees exactly what the policy allows, usage appears on the
 * statement, the agreement is terminated and access stops.
 */
for (const backend of backends()) {
  describe(`data sharing with sovereignty, end to end (${backend})`, () => {
    let t: TestApp;
    let w: World;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
      const r = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entityOperations/upsert',
        json: [gateEvent(1, IN_PORT, 'AB-123-CD'), gateEvent(2, IN_ROUEN, 'EF-456-GH')],
      });
      assert.ok([201, 204].includes(r.statusCode), r.body);
    });
    after(() => t?.dispose());

    it('publishes, requests, agrees, enforces, meters, bills, terminates', async () => {
      const owner = { orgId: w.orgA, token: w.aliceAdminA };
      const startup = { orgId: w.orgB, token: w.carolAdminB };
      const month = new Date().toISOString().slice(0, 7);
      const url = '/ngsi-ld/v1/entities?type=TruckGateEvent';

      // 1. The owner publishes a restricted dataset with a policy and a per-call plan (1 EUR per call).
      const datasetId = await publish(t, owner, {
        entityType: 'TruckGateEvent',
        attributes: ['terminal', 'waitingTime', 'plate', 'location'],
        personal: ['plate'],
        plan: { kind: 'perCall', price: 1000, currency: 'EUR' },
        policy: offer([
          { leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['research', 'logistics'] },
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: PORT_AREA },
          { leftOperand: 'count', operator: 'lteq', rightOperand: 10000 },
        ]),
      });
      // Before any agreement the start-up learns nothing of the data.
      assert.deepEqual((await t.call({ method: 'GET', url, as: startup.token })).json(), []);

      // 2. The start-up requests access; 3. the owner agrees; the start-up finalises.
      const req = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${datasetId}/agreements`,
        json: { orgId: startup.orgId, purpose: 'logistics' },
        as: startup.token,
      });
      assert.equal(req.statusCode, 201, req.body);
      assert.equal(req.json().state, 'REQUESTED');
      const id = req.json().id;
      assert.deepEqual((await t.call({ method: 'GET', url, as: startup.token })).json(), []);
      const agreed = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${id}/agree`,
        as: owner.token,
      });
      assert.equal(agreed.statusCode, 200, agreed.body);
      assert.deepEqual(agreed.json().plan, { kind: 'perCall', price: 1000, currency: 'EUR' });
      const fin = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${id}/finalize`,
        as: startup.token,
      });
      assert.equal(fin.statusCode, 200, fin.body);

      // 4. The start-up queries the broker and sees exactly what the policy allows.
      for (let i = 0; i < 3; i++) {
        const q = await t.call({ method: 'GET', url, as: startup.token });
        assert.equal(q.statusCode, 200, q.body);
        const got = q.json() as Record<string, { value: unknown }>[];
        assert.deepEqual(
          got.map((e) => e.id),
          ['urn:ngsi-ld:TruckGateEvent:1'],
        );
        assert.deepEqual(Object.keys(got[0]).sort(), [
          'id',
          'location',
          'plate',
          'terminal',
          'type',
          'waitingTime',
        ]);
        assert.match(String(got[0].plate.value), /^pseud:/);
      }

      // 5. Usage appears on the statements of both parties, as CloudEvents in the log.
      const events = await t
        .db()
        .query<{ event: Record<string, unknown> }>('SELECT event FROM cat_usage_events ORDER BY at');
      assert.equal(events.rows.length, 3);
      const ev = events.rows[0].event;
      assert.equal(ev.specversion, '1.0');
      assert.equal(ev.type, 'eu.escale.usage.v1');
      assert.ok(ev.id && ev.time && ev.source);
      const data = ev.data as Record<string, unknown>;
      assert.equal(data.agreement, id);
      assert.equal(data.consumer, startup.orgId);
      assert.equal(data.dataset, datasetId);
      assert.equal(data.calls, 1);
      assert.ok((data.bytes as number) > 0);

      const mine = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${startup.orgId}`,
        as: startup.token,
      });
      assert.equal(mine.statusCode, 200, mine.body);
      assert.equal(mine.json().consumption.lines.length, 1);
      assert.equal(mine.json().consumption.lines[0].calls, 3);
      assert.equal(mine.json().consumption.lines[0].counterparty, owner.orgId);
      assert.equal(mine.json().consumption.total, 3);
      assert.deepEqual(mine.json().revenue.lines, []);
      const theirs = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${owner.orgId}`,
        as: owner.token,
      });
      assert.equal(theirs.json().revenue.lines[0].counterparty, startup.orgId);
      assert.equal(theirs.json().revenue.lines[0].calls, 3);
      assert.equal(theirs.json().revenue.total, 3);
      const csv = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${owner.orgId}`,
        headers: { accept: 'text/csv' },
        as: owner.token,
      });
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      assert.equal(
        lines[0],
        'role,agreement,dataset,dataset_title,counterparty,plan,calls,bytes,amount,currency',
      );
      assert.match(
        lines[1],
        new RegExp(`^owner,${id},${datasetId},TruckGateEvent data,${startup.orgId},perCall,3,\\d+,3,EUR$`),
      );
      // Nobody else sees them.
      const nosy = await outsider(t);
      const peek = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${owner.orgId}`,
        as: nosy.token,
      });
      assert.equal(peek.statusCode, 404);
      assert.ok(!peek.body.includes(startup.orgId));

      // 6. The agreement is terminated and access stops.
      const end = await t.call({
        method: 'POST',
        url: `/api/catalog/agreements/${id}/terminate`,
        json: { reason: 'end of the pilot' },
        as: owner.token,
      });
      assert.equal(end.statusCode, 200, end.body);
      assert.deepEqual((await t.call({ method: 'GET', url, as: startup.token })).json(), []);
      const one = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:TruckGateEvent:1',
        as: startup.token,
      });
      assert.equal(one.statusCode, 404);
      // The usage stays on record: the month is billed.
      const after = await t.call({
        method: 'GET',
        url: `/api/catalog/statements?month=${month}&orgId=${startup.orgId}`,
        as: startup.token,
      });
      assert.equal(after.json().consumption.total, 3);
    });
  });
}
