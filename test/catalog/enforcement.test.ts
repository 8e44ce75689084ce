import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { agreement, gateEvent, IN_PORT, IN_ROUEN, offer, outsider, PORT_AREA, publish } from './fixtures.js';

const GATE = (q = '') => `/ngsi-ld/v1/entities?type=TruckGateEvent${q}`;

for (const backend of backends()) {
  describe(`catalog enforcement in the broker (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let owner: { orgId: string; token: string };
    let consumer: { orgId: string; token: string };
    let nosy: { orgId: string; token: string };
    let datasetId: string;
    before(async () => {
      t = await startTestApp(backend, { LOG_LEVEL: 'error' });
      w = await makeWorld(t);
      owner = { orgId: w.orgA, token: w.aliceAdminA };
      consumer = { orgId: w.orgB, token: w.carolAdminB };
      nosy = await outsider(t);
      const entities = [
        gateEvent(1, IN_PORT, 'AB-123-CD'),
        gateEvent(2, IN_PORT, 'AB-123-CD'),
        gateEvent(3, IN_ROUEN, 'EF-456-GH'),
        {
          id: 'urn:ngsi-ld:WeatherObserved:1',
          type: 'WeatherObserved',
          temperature: { type: 'Property', value: 12 },
        },
      ];
      const r = await t.call({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert', json: entities });
      assert.ok([201, 204].includes(r.statusCode), r.body);
      // An older reading, before the policy's time window.
      const old = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:1/attrs',
        json: { waitingTime: { type: 'Property', value: 99, observedAt: '2025-06-01T10:00:00Z' } },
      });
      assert.equal(old.statusCode, 204, old.body);
      datasetId = await publish(t, owner, {
        entityType: 'TruckGateEvent',
        attributes: ['terminal', 'waitingTime', 'plate', 'location'],
        personal: ['plate'],
        personalClearPurposes: ['security'],
        policy: offer([
          { leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['research', 'security'] },
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: PORT_AREA },
          { leftOperand: 'dateTime', operator: 'gteq', rightOperand: '2026-01-01T00:00:00Z' },
          { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2099-01-01T00:00:00Z' },
        ]),
      });
    });
    after(() => t?.dispose());

    it('hides a restricted type from callers without an agreement, and leaves other types alone', async () => {
      for (const as of [null, nosy.token, consumer.token]) {
        const q = await t.call({ method: 'GET', url: GATE(), as });
        assert.equal(q.statusCode, 200, q.body);
        assert.deepEqual(q.json(), []);
        const one = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:TruckGateEvent:1',
          as,
        });
        assert.equal(one.statusCode, 404);
        const missing = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:TruckGateEvent:9',
          as,
        });
        assert.deepEqual(one.json().type, missing.json().type);
        const temporal = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/temporal/entities?type=TruckGateEvent&timerel=after&timeAt=2020-01-01T00:00:00Z',
          as,
        });
        assert.equal(temporal.statusCode, 200, temporal.body);
        assert.deepEqual(temporal.json(), []);
        const hist = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:1',
          as,
        });
        assert.equal(hist.statusCode, 404);
        const types = await t.call({ method: 'GET', url: '/ngsi-ld/v1/types', as });
        assert.deepEqual(types.json().typeList, ['WeatherObserved']);
        const attrs = await t.call({ method: 'GET', url: '/ngsi-ld/v1/attributes', as });
        assert.deepEqual(attrs.json().attributeList, ['temperature']);
        const attr = await t.call({ method: 'GET', url: '/ngsi-ld/v1/attributes/driverPhone', as });
        assert.equal(attr.statusCode, 404);
        const byId = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/entities?id=urn:ngsi-ld:TruckGateEvent:1',
          as,
        });
        assert.deepEqual(byId.json(), []);
        const weather = await t.call({ method: 'GET', url: '/ngsi-ld/v1/entities?type=WeatherObserved', as });
        assert.equal(weather.json().length, 1);
      }
    });

    it('shows the owner and platform administrators everything', async () => {
      for (const as of [owner.token, w.bobMemberA, undefined]) {
        const q = await t.call({ method: 'GET', url: GATE(), as });
        assert.equal(q.json().length, 3);
        assert.equal(q.json()[0].plate.value, 'AB-123-CD');
        assert.ok(q.json()[0].driverPhone);
      }
    });

    it('shows a consumer with an agreement only the attributes, area and time window allowed, plates pseudonymised', async () => {
      await agreement(t, datasetId, consumer, owner, 'research');
      const q = await t.call({ method: 'GET', url: GATE('&count=true'), as: consumer.token });
      assert.equal(q.statusCode, 200, q.body);
      assert.equal(q.headers['ngsild-results-count'], '2');
      const got = q.json() as Record<string, { value: unknown }>[];
      assert.deepEqual(
        got.map((e) => e.id),
        ['urn:ngsi-ld:TruckGateEvent:1', 'urn:ngsi-ld:TruckGateEvent:2'],
      );
      for (const e of got) {
        assert.equal(e.driverPhone, undefined);
        assert.ok(e.terminal && e.waitingTime && e.location);
        assert.match(String(e.plate.value), /^pseud:/);
        assert.ok(!q.body.includes('AB-123-CD'));
      }
      // The same plate gets the same pseudonym within the agreement: trucks can be followed, not named.
      assert.equal(got[0].plate.value, got[1].plate.value);
      const outside = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:TruckGateEvent:3',
        as: consumer.token,
      });
      assert.equal(outside.statusCode, 404);
      const one = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:TruckGateEvent:1?options=keyValues',
        as: consumer.token,
      });
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().plate, got[0].plate.value);
      assert.equal(one.json().driverPhone, undefined);
      const types = await t.call({ method: 'GET', url: '/ngsi-ld/v1/types', as: consumer.token });
      assert.deepEqual(types.json().typeList, ['TruckGateEvent', 'WeatherObserved']);
      // Filters on what is shared work; filters on what is hidden or pseudonymised reveal nothing.
      const ids = async (q: string) =>
        ((await t.call({ method: 'GET', url: GATE(q), as: consumer.token })).json() as { id: string }[]).map(
          (e) => e.id,
        );
      assert.deepEqual(await ids('&q=terminal==%22TDF%22'), ['urn:ngsi-ld:TruckGateEvent:2']);
      assert.deepEqual(await ids('&q=driverPhone'), []);
      assert.deepEqual(await ids('&q=plate==%22AB-123-CD%22'), []);
      assert.deepEqual(await ids('&attrs=driverPhone'), []);
      assert.equal((await ids('&attrs=plate')).length, 2);

      // Temporal: only instances in the policy's window (from 2026), same attributes and pseudonyms.
      const hist = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/temporal/entities?type=TruckGateEvent&timerel=after&timeAt=2020-01-01T00:00:00Z',
        as: consumer.token,
      });
      assert.equal(hist.statusCode, 200, hist.body);
      const h = hist.json() as Record<string, unknown>[];
      assert.deepEqual(
        h.map((e) => e.id),
        ['urn:ngsi-ld:TruckGateEvent:1', 'urn:ngsi-ld:TruckGateEvent:2'],
      );
      const waits = (h[0].waitingTime as { value: number }[]).map((i) => i.value);
      assert.deepEqual(waits, [10]);
      assert.equal(h[0].driverPhone, undefined);
      assert.ok(!hist.body.includes('AB-123-CD'));
      const byOwner = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:1?timerel=after&timeAt=2020-01-01T00:00:00Z',
        as: owner.token,
      });
      assert.deepEqual(
        (byOwner.json().waitingTime as { value: number }[]).map((i) => i.value).sort(),
        [10, 99],
      );
      const simplified = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:1?timerel=after&timeAt=2020-01-01T00:00:00Z&options=temporalValues',
        as: consumer.token,
      });
      assert.equal(simplified.statusCode, 200, simplified.body);
      assert.deepEqual(
        simplified.json().waitingTime.values.map((p: unknown[]) => p[0]),
        [10],
      );
      // Aggregates are computed over the agreement's window only: the maximum is not the 99 of 2025.
      const aggregated = (as: string) =>
        t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:1?timerel=after&timeAt=2020-01-01T00:00:00Z&options=aggregatedValues&aggrMethods=max&attrs=waitingTime',
          as,
        });
      const theirMax = await aggregated(consumer.token);
      assert.equal(theirMax.statusCode, 200, theirMax.body);
      assert.equal(theirMax.json().waitingTime.max[0][0], 10);
      assert.equal((await aggregated(owner.token)).json().waitingTime.max[0][0], 99);
      const inQuery = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/temporal/entities?type=TruckGateEvent&timerel=after&timeAt=2020-01-01T00:00:00Z&options=aggregatedValues&aggrMethods=max&attrs=waitingTime',
        as: consumer.token,
      });
      assert.equal(inQuery.statusCode, 200, inQuery.body);
      assert.deepEqual(
        (inQuery.json() as { waitingTime: { max: unknown[][] } }[]).map((e) => e.waitingTime.max[0][0]),
        [10, 20],
      );
      const outsideHist = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:TruckGateEvent:3',
        as: consumer.token,
      });
      assert.equal(outsideHist.statusCode, 404);
    });

    it('shows personal attributes in clear when the agreement is for a purpose the owner allows', async () => {
      const other = await outsider(t, 'harbour-security');
      await agreement(t, datasetId, other, owner, 'security');
      const q = await t.call({ method: 'GET', url: GATE(), as: other.token });
      assert.deepEqual(
        q.json().map((e: { plate: { value: string } }) => e.plate.value),
        ['AB-123-CD', 'AB-123-CD'],
      );
    });

    it('stops when the count of uses is spent', async () => {
      const vessels = await publish(t, owner, {
        entityType: 'VesselTrack',
        policy: offer([
          { leftOperand: 'purpose', operator: 'eq', rightOperand: 'research' },
          { leftOperand: 'count', operator: 'lteq', rightOperand: 2 },
        ]),
      });
      const r = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: { id: 'urn:ngsi-ld:VesselTrack:1', type: 'VesselTrack', speed: { type: 'Property', value: 7 } },
      });
      assert.equal(r.statusCode, 201, r.body);
      await agreement(t, vessels, nosy, owner, 'research');
      const url = '/ngsi-ld/v1/entities?type=VesselTrack';
      const first = await t.call({ method: 'GET', url, as: nosy.token });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().length, 1);
      assert.equal((await t.call({ method: 'GET', url, as: nosy.token })).json().length, 1);
      assert.deepEqual((await t.call({ method: 'GET', url, as: nosy.token })).json(), []);
      const one = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:VesselTrack:1',
        as: nosy.token,
      });
      assert.equal(one.statusCode, 404);
      // The owner still sees it.
      assert.equal((await t.call({ method: 'GET', url, as: owner.token })).json().length, 1);
    });
  });
}
