import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { eventually, notifyEnv, type Receiver, sleep, startReceiver } from './helpers.js';

notifyEnv();

const API = '/ngsi-ld/v1';
const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const enc = encodeURIComponent;

for (const backend of backends()) {
  describe(`NGSI-LD notifications on ${backend}`, () => {
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

    const subscribe = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const r = await t.call({
        method: 'POST',
        url: `${API}/subscriptions`,
        json: { type: 'Subscription', ...body },
        headers,
      });
      assert.equal(r.statusCode, 201, r.body);
      return decodeURIComponent(String(r.headers.location).split('/').pop()!);
    };
    const create = async (e: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const r = await t.call({ method: 'POST', url: `${API}/entities`, json: e, headers });
      assert.equal(r.statusCode, 201, r.body);
    };
    const patch = async (
      id: string,
      attrs: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      const r = await t.call({
        method: 'PATCH',
        url: `${API}/entities/${enc(id)}/attrs`,
        json: attrs,
        headers,
      });
      assert.equal(r.statusCode, 204, r.body);
    };
    const prop = (value: unknown) => ({ type: 'Property', value });
    /** Every notification produced so far has been delivered (or dropped): counts are final. */
    const drained = () =>
      eventually(async () => {
        const r = await t.db().query<{ n: number }>('SELECT count(*)::int AS n FROM broker_notifications');
        return r.rows[0].n === 0;
      });
    const getSub = async (id: string) =>
      (await t.call({ method: 'GET', url: `${API}/subscriptions/${enc(id)}` })).json();

    it('notifies entity creation, attribute update and entity deletion', async () => {
      const rcv = await receiver();
      const sid = await subscribe({
        entities: [{ type: 'Ship' }],
        notificationTrigger: ['entityCreated', 'attributeUpdated', 'entityDeleted'],
        notification: { endpoint: { uri: rcv.url } },
      });
      await create({ id: 'urn:ngsi-ld:Ship:1', type: 'Ship', speed: prop(3), name: prop('A') });
      const [first] = await rcv.waitFor(1);
      assert.match(first.body.id, /^urn:ngsi-ld:Notification:[0-9a-f-]{36}$/);
      assert.equal(first.body.type, 'Notification');
      assert.equal(first.body.subscriptionId, sid);
      assert.ok(Date.parse(first.body.notifiedAt) > 0);
      assert.deepEqual(first.body.data, [
        { id: 'urn:ngsi-ld:Ship:1', type: 'Ship', speed: prop(3), name: prop('A') },
      ]);
      assert.equal(first.headers['content-type'], 'application/json');
      assert.match(
        String(first.headers.link),
        new RegExp(`<${CORE}>; rel="http://www.w3.org/ns/json-ld#context"`),
      );
      assert.equal(first.headers['idempotency-key'], first.body.id);
      await patch('urn:ngsi-ld:Ship:1', { speed: prop(4) });
      const second = (await rcv.waitFor(2))[1];
      assert.equal((second.body.data[0].speed as { value: number }).value, 4);
      const d = await t.call({ method: 'DELETE', url: `${API}/entities/${enc('urn:ngsi-ld:Ship:1')}` });
      assert.equal(d.statusCode, 204);
      const third = (await rcv.waitFor(3))[2];
      assert.equal(third.body.data[0].id, 'urn:ngsi-ld:Ship:1');
      assert.equal(third.body.data[0].type, 'Ship');
      assert.ok(Date.parse(String(third.body.data[0].deletedAt)) > 0);
      await drained();
      assert.equal(rcv.received.length, 3);
      const s = await eventually(async () => {
        const x = await getSub(sid);
        return x.notification.timesSent === 3 ? x : undefined;
      });
      assert.equal(s.notification.status, 'ok');
      assert.equal(s.notification.timesFailed, 0);
      assert.ok(Date.parse(s.notification.lastSuccess) > 0);
      assert.ok(Date.parse(s.notification.lastNotification) > 0);
    });

    it('by default notifies attribute creation and update, not entity deletion', async () => {
      const rcv = await receiver();
      await subscribe({ entities: [{ type: 'Barge' }], notification: { endpoint: { uri: rcv.url } } });
      await create({ id: 'urn:ngsi-ld:Barge:1', type: 'Barge', speed: prop(1) });
      await patch('urn:ngsi-ld:Barge:1', { speed: prop(2) });
      await t.call({ method: 'DELETE', url: `${API}/entities/${enc('urn:ngsi-ld:Barge:1')}` });
      await rcv.waitFor(2);
      await drained();
      assert.equal(rcv.received.length, 2);
    });

    it('notifies only changes of the watched attributes', async () => {
      const rcv = await receiver();
      await subscribe({
        entities: [{ type: 'Tug' }],
        watchedAttributes: ['speed'],
        notification: { endpoint: { uri: rcv.url } },
      });
      await create({ id: 'urn:ngsi-ld:Tug:1', type: 'Tug', name: prop('no speed yet') });
      await patch('urn:ngsi-ld:Tug:1', { name: prop('still no speed') });
      const r = await t.call({
        method: 'POST',
        url: `${API}/entities/${enc('urn:ngsi-ld:Tug:1')}/attrs`,
        json: { speed: prop(7) },
      });
      assert.equal(r.statusCode, 204, r.body);
      await patch('urn:ngsi-ld:Tug:1', { name: prop('renamed') });
      await patch('urn:ngsi-ld:Tug:1', { speed: prop(8) });
      await rcv.waitFor(2);
      await drained();
      assert.deepEqual(
        rcv.received.map((x) => (x.body.data[0].speed as { value: number }).value),
        [7, 8],
      );
    });

    it('filters with q, scopeQ and geoQ, evaluated on the entity after the change', async () => {
      const rcv = await receiver();
      const sq = await receiver();
      const geo = await receiver();
      await subscribe({
        entities: [{ type: 'Pilot' }],
        q: 'speed>10;status=="underway"',
        notification: { endpoint: { uri: rcv.url } },
      });
      await subscribe({
        entities: [{ type: 'Pilot' }],
        scopeQ: '/Le_Havre/#',
        notification: { endpoint: { uri: sq.url } },
      });
      await subscribe({
        entities: [{ type: 'Pilot' }],
        geoQ: { geometry: 'Point', coordinates: [0.1066, 49.4806], georel: 'near;maxDistance==1000' },
        notification: { endpoint: { uri: geo.url } },
      });
      const far = { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.2, 49.5] } };
      const near = { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.107, 49.481] } };
      await create({
        id: 'urn:ngsi-ld:Pilot:1',
        type: 'Pilot',
        speed: prop(5),
        status: prop('underway'),
        location: far,
      });
      await patch('urn:ngsi-ld:Pilot:1', { speed: prop(12) });
      await patch('urn:ngsi-ld:Pilot:1', { status: prop('moored') });
      await patch('urn:ngsi-ld:Pilot:1', { location: near });
      const s = await t.call({
        method: 'PATCH',
        url: `${API}/entities/${enc('urn:ngsi-ld:Pilot:1')}`,
        headers: { 'content-type': 'application/merge-patch+json' },
        json: { scope: '/Le_Havre/Port', speed: prop(13) },
      });
      assert.equal(s.statusCode, 204, s.body);
      await rcv.waitFor(1);
      await geo.waitFor(2);
      await sq.waitFor(1);
      await drained();
      assert.deepEqual(
        rcv.received.map((x) => (x.body.data[0].speed as { value: number }).value),
        [12],
        'q: only the change that left speed>10 and underway',
      );
      assert.equal(sq.received.length, 1, 'scopeQ: only once the entity is in scope');
      assert.equal(geo.received.length, 2, 'geoQ: once near, and the change after that');
      assert.deepEqual((geo.received[0].body.data[0].location as { value: unknown }).value, near.value);
    });

    it('evaluates geoQ on a deleted entity as it was before the deletion', async () => {
      const geo = await receiver();
      await subscribe({
        entities: [{ type: 'Buoy' }],
        notificationTrigger: ['entityDeleted'],
        geoQ: { geometry: 'Point', coordinates: [0.1066, 49.4806], georel: 'near;maxDistance==1000' },
        notification: { endpoint: { uri: geo.url } },
      });
      const at = (coordinates: number[]) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates } });
      await create({ id: 'urn:ngsi-ld:Buoy:far', type: 'Buoy', location: at([0.2, 49.5]) });
      await create({ id: 'urn:ngsi-ld:Buoy:near', type: 'Buoy', location: at([0.107, 49.481]) });
      for (const id of ['urn:ngsi-ld:Buoy:far', 'urn:ngsi-ld:Buoy:near']) {
        const d = await t.call({ method: 'DELETE', url: `${API}/entities/${enc(id)}` });
        assert.equal(d.statusCode, 204, d.body);
      }
      await geo.waitFor(1);
      await drained();
      assert.deepEqual(
        geo.received.map((x) => x.body.data[0].id),
        ['urn:ngsi-ld:Buoy:near'],
        'only the deletion of the entity that was near',
      );
    });

    it('applies notificationTrigger: attribute created, deleted (as NGSI-LD Null) and entity updated', async () => {
      const created = await receiver();
      const deleted = await receiver();
      const updated = await receiver();
      await subscribe({
        entities: [{ type: 'Crane' }],
        notificationTrigger: ['attributeCreated'],
        notification: { endpoint: { uri: created.url } },
      });
      await subscribe({
        entities: [{ type: 'Crane' }],
        notificationTrigger: ['attributeDeleted'],
        notification: { endpoint: { uri: deleted.url } },
      });
      await subscribe({
        entities: [{ type: 'Crane' }],
        notificationTrigger: ['entityUpdated'],
        watchedAttributes: ['load'],
        notification: { endpoint: { uri: updated.url } },
      });
      await create({ id: 'urn:ngsi-ld:Crane:1', type: 'Crane', load: prop(1) });
      await patch('urn:ngsi-ld:Crane:1', { load: prop(2) });
      const add = await t.call({
        method: 'POST',
        url: `${API}/entities/${enc('urn:ngsi-ld:Crane:1')}/attrs`,
        json: { height: prop(30) },
      });
      assert.equal(add.statusCode, 204);
      const del = await t.call({
        method: 'DELETE',
        url: `${API}/entities/${enc('urn:ngsi-ld:Crane:1')}/attrs/load`,
      });
      assert.equal(del.statusCode, 204, del.body);
      await created.waitFor(2);
      await deleted.waitFor(1);
      await updated.waitFor(2);
      await drained();
      assert.equal(created.received.length, 2, 'creation (load) and height');
      assert.equal(deleted.received.length, 1);
      assert.deepEqual(
        { ...(deleted.received[0].body.data[0].load as Record<string, unknown>), deletedAt: 'x' },
        { type: 'Property', value: 'urn:ngsi-ld:null', deletedAt: 'x' },
      );
      assert.equal(updated.received.length, 2, 'load updated and load deleted; not height');
    });

    it('throttles: no second notification within the throttling period', async () => {
      const rcv = await receiver();
      const sid = await subscribe({
        entities: [{ type: 'Lock' }],
        throttling: 3600,
        notification: { endpoint: { uri: rcv.url } },
      });
      await create({ id: 'urn:ngsi-ld:Lock:1', type: 'Lock', level: prop(1) });
      for (let i = 2; i < 6; i++) await patch('urn:ngsi-ld:Lock:1', { level: prop(i) });
      await rcv.waitFor(1);
      await drained();
      assert.equal(rcv.received.length, 1);
      assert.equal((await getSub(sid)).throttling, 3600);
    });

    it('pauses with isActive=false and stops at expiresAt', async () => {
      const rcv = await receiver();
      const sid = await subscribe({
        entities: [{ type: 'Gate' }],
        isActive: false,
        notification: { endpoint: { uri: rcv.url } },
      });
      await create({ id: 'urn:ngsi-ld:Gate:1', type: 'Gate', open: prop(false) });
      await patch('urn:ngsi-ld:Gate:1', { open: prop(true) });
      assert.equal((await getSub(sid)).status, 'paused');
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const on = await t.call({
        method: 'PATCH',
        url: `${API}/subscriptions/${enc(sid)}`,
        json: { isActive: true, expiresAt },
      });
      assert.equal(on.statusCode, 204, on.body);
      await patch('urn:ngsi-ld:Gate:1', { open: prop('after resume') });
      await rcv.waitFor(1);
      await eventually(async () => (await getSub(sid)).status === 'expired');
      await patch('urn:ngsi-ld:Gate:1', { open: prop('after expiry') });
      await drained();
      assert.deepEqual(
        rcv.received.map((x) => (x.body.data[0].open as { value: unknown }).value),
        ['after resume'],
      );
    });

    it('renders keyValues, concise, attributes, sysAttrs, lang and application/ld+json', async () => {
      const kv = await receiver();
      const concise = await receiver();
      const ld = await receiver();
      await subscribe({
        entities: [{ type: 'Buoy' }],
        lang: 'fr',
        notification: { format: 'keyValues', attributes: ['depth', 'label'], endpoint: { uri: kv.url } },
      });
      await subscribe({
        entities: [{ type: 'Buoy' }],
        notification: { format: 'concise', sysAttrs: true, endpoint: { uri: concise.url } },
      });
      await subscribe(
        {
          entities: [{ type: 'Buoy' }],
          notification: { endpoint: { uri: ld.url, accept: 'application/ld+json' } },
          '@context': [{ profondeur: 'https://uri.etsi.org/ngsi-ld/default-context/depth' }, CORE],
        },
        { 'content-type': 'application/ld+json' },
      );
      await create({
        id: 'urn:ngsi-ld:Buoy:1',
        type: 'Buoy',
        depth: { type: 'Property', value: 12, unitCode: 'MTR' },
        label: { type: 'LanguageProperty', languageMap: { fr: 'bouée', en: 'buoy' } },
        colour: prop('red'),
      });
      const [k] = await kv.waitFor(1);
      assert.deepEqual(k.body.data, [{ id: 'urn:ngsi-ld:Buoy:1', type: 'Buoy', depth: 12, label: 'bouée' }]);
      const [c] = await concise.waitFor(1);
      const depth = c.body.data[0].depth as Record<string, unknown>;
      assert.equal(depth.value, 12);
      assert.equal(depth.unitCode, 'MTR');
      assert.equal(depth.type, undefined, 'concise has no type');
      assert.ok(depth.createdAt && c.body.data[0].createdAt, 'sysAttrs');
      const [l] = await ld.waitFor(1);
      assert.equal(l.headers['content-type'], 'application/ld+json');
      assert.equal(l.headers.link, undefined);
      assert.deepEqual(l.body['@context'], [
        { profondeur: 'https://uri.etsi.org/ngsi-ld/default-context/depth' },
        CORE,
      ]);
      assert.equal((l.body.data[0].profondeur as { value: number }).value, 12, 'compacted with its @context');
    });

    it('sends receiverInfo and the tenant as headers, and one notification per write for a batch', async () => {
      const rcv = await receiver();
      const tenant = { 'NGSILD-Tenant': 'harbour' };
      await create({ id: 'urn:ngsi-ld:Quay:0', type: 'Quay', len: prop(0) }, tenant);
      await subscribe(
        {
          entities: [{ type: 'Quay' }],
          notification: {
            endpoint: {
              uri: rcv.url,
              receiverInfo: [
                { key: 'Authorization', value: 'Bearer s3cret' },
                { key: 'X-Escale-Test', value: 'yes' },
              ],
            },
          },
        },
        tenant,
      );
      const batch = await t.call({
        method: 'POST',
        url: `${API}/entityOperations/upsert`,
        headers: tenant,
        json: [1, 2, 3].map((i) => ({ id: `urn:ngsi-ld:Quay:${i}`, type: 'Quay', len: prop(i * 100) })),
      });
      assert.equal(batch.statusCode, 201, batch.body);
      const [n] = await rcv.waitFor(1);
      assert.equal(n.headers.authorization, 'Bearer s3cret');
      assert.equal(n.headers['x-escale-test'], 'yes');
      assert.equal(n.headers['ngsild-tenant'], 'harbour');
      assert.deepEqual(
        n.body.data.map((e) => e.id),
        ['urn:ngsi-ld:Quay:1', 'urn:ngsi-ld:Quay:2', 'urn:ngsi-ld:Quay:3'],
      );
      await drained();
      assert.equal(rcv.received.length, 1);
    });

    it('shows previous values with showChanges', async () => {
      const rcv = await receiver();
      await subscribe({
        entities: [{ type: 'Dock' }],
        notificationTrigger: ['attributeUpdated'],
        notification: { showChanges: true, endpoint: { uri: rcv.url } },
      });
      await create({
        id: 'urn:ngsi-ld:Dock:1',
        type: 'Dock',
        depth: prop(10),
        berth: { type: 'Relationship', object: 'urn:ngsi-ld:Berth:1' },
      });
      await patch('urn:ngsi-ld:Dock:1', {
        depth: prop(11),
        berth: { type: 'Relationship', object: 'urn:ngsi-ld:Berth:2' },
      });
      const [n] = await rcv.waitFor(1);
      const e = n.body.data[0] as Record<string, Record<string, unknown>>;
      assert.equal(e.depth.value, 11);
      assert.equal(e.depth.previousValue, 10);
      assert.equal(e.berth.object, 'urn:ngsi-ld:Berth:2');
      assert.equal(e.berth.previousObject, 'urn:ngsi-ld:Berth:1');
    });

    it('records failed deliveries in the status members', async () => {
      const rcv = await receiver({ status: 400 });
      const sid = await subscribe({
        entities: [{ type: 'Silo' }],
        notification: { endpoint: { uri: rcv.url } },
      });
      await create({ id: 'urn:ngsi-ld:Silo:1', type: 'Silo', fill: prop(1) });
      const s = await eventually(async () => {
        const x = await getSub(sid);
        return x.notification.timesFailed >= 1 ? x : undefined;
      });
      assert.equal(s.notification.status, 'failed');
      assert.ok(Date.parse(s.notification.lastFailure) > 0);
      assert.equal(s.notification.lastSuccess, undefined);
    });

    it('sends periodic notifications (timeInterval) with the current state', async () => {
      const rcv = await receiver();
      await create({ id: 'urn:ngsi-ld:Tide:1', type: 'Tide', height: prop(4.2) });
      const sid = await subscribe({
        entities: [{ type: 'Tide' }],
        timeInterval: 1,
        notification: { endpoint: { uri: rcv.url } },
      });
      const got = await rcv.waitFor(2);
      for (const n of got.slice(0, 2)) {
        assert.equal(n.body.subscriptionId, sid);
        assert.deepEqual(n.body.data, [{ id: 'urn:ngsi-ld:Tide:1', type: 'Tide', height: prop(4.2) }]);
      }
      assert.notEqual(got[0].body.id, got[1].body.id);
      const d = await t.call({ method: 'DELETE', url: `${API}/subscriptions/${enc(sid)}` });
      assert.equal(d.statusCode, 204);
    });

    it('never notifies a write that was not committed', async () => {
      const rcv = await receiver();
      await subscribe({ entities: [{ type: 'Crate' }], notification: { endpoint: { uri: rcv.url } } });
      // A batch create that fails for one entity still commits the others; a failing single create commits nothing.
      await create({ id: 'urn:ngsi-ld:Crate:1', type: 'Crate', w: prop(1) });
      const dup = await t.call({
        method: 'POST',
        url: `${API}/entities`,
        json: { id: 'urn:ngsi-ld:Crate:1', type: 'Crate', w: prop(2) },
      });
      assert.equal(dup.statusCode, 409);
      await sleep(100);
      await drained();
      assert.equal(rcv.received.length, 1);
    });
  });
}
