import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeWorld } from '../../governance/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { notifyEnv } from './helpers.js';

notifyEnv();

const BASE = '/ngsi-ld/v1/subscriptions';
const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const ERR = 'https://uri.etsi.org/ngsi-ld/errors/';
const enc = encodeURIComponent;
const ENDPOINT = 'http://127.0.0.1:9/notify';
const future = () => new Date(Date.now() + 3600_000).toISOString();

const inlineContext = {
  Vessel: 'https://smartdatamodels.org/dataModel.MarineTransport/Vessel',
  speed: 'https://smartdatamodels.org/dataModel.MarineTransport/speed',
  name: 'https://schema.org/name',
};

const minimal = (extra: Record<string, unknown> = {}) => ({
  type: 'Subscription',
  entities: [{ type: 'Vessel' }],
  notification: { endpoint: { uri: ENDPOINT } },
  ...extra,
});

for (const backend of backends()) {
  describe(`NGSI-LD subscriptions API on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.dispose());

    it("keeps a subscription to its creator's organisations: others neither see, list, change nor delete it", async () => {
      const w = await makeWorld(t);
      const tenant = { 'NGSILD-Tenant': 'owners' };
      const r = await t.call({
        method: 'POST',
        url: BASE,
        headers: tenant,
        json: minimal({
          id: 'urn:ngsi-ld:Subscription:alice',
          notification: { endpoint: { uri: ENDPOINT, receiverInfo: [{ key: 'X-Secret', value: 's3cr3t' }] } },
        }),
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 201, r.body);
      const url = `${BASE}/${enc('urn:ngsi-ld:Subscription:alice')}`;
      // A colleague of the same organisation, and a platform administrator, see it.
      assert.equal((await t.call({ method: 'GET', url, headers: tenant, as: w.bobMemberA })).statusCode, 200);
      assert.equal((await t.call({ method: 'GET', url, headers: tenant })).statusCode, 200);
      // Another organisation and an anonymous caller learn nothing, not even that it exists.
      for (const as of [w.carolAdminB, null]) {
        const one = await t.call({ method: 'GET', url, headers: tenant, as });
        assert.equal(one.statusCode, 404);
        assert.ok(!one.body.includes('s3cr3t'));
        const list = await t.call({ method: 'GET', url: `${BASE}?count=true`, headers: tenant, as });
        assert.deepEqual(list.json(), []);
        assert.equal(list.headers['ngsild-results-count'], '0');
        assert.equal(
          (await t.call({ method: 'GET', url: `${url}/events`, headers: tenant, as })).statusCode,
          404,
        );
      }
      const patch = await t.call({
        method: 'PATCH',
        url,
        headers: tenant,
        json: { description: 'mine now' },
        as: w.carolAdminB,
      });
      assert.equal(patch.statusCode, 404);
      const del = await t.call({ method: 'DELETE', url, headers: tenant, as: w.carolAdminB });
      assert.equal(del.statusCode, 404);
      const listed = await t.call({ method: 'GET', url: BASE, headers: tenant, as: w.bobMemberA });
      assert.deepEqual(
        (listed.json() as { id: string }[]).map((x) => x.id),
        ['urn:ngsi-ld:Subscription:alice'],
      );
    });

    it('creates with a generated id, answers 201 with Location, and reads it back', async () => {
      const r = await t.call({ method: 'POST', url: BASE, json: minimal({ watchedAttributes: ['speed'] }) });
      assert.equal(r.statusCode, 201, r.body);
      const loc = String(r.headers.location);
      assert.match(loc, /^\/ngsi-ld\/v1\/subscriptions\/urn%3Angsi-ld%3ASubscription%3A[0-9a-f-]{36}$/);
      const g = await t.call({ method: 'GET', url: loc });
      assert.equal(g.statusCode, 200, g.body);
      const s = g.json();
      assert.match(s.id, /^urn:ngsi-ld:Subscription:/);
      assert.deepEqual(s, {
        id: s.id,
        type: 'Subscription',
        entities: [{ type: 'Vessel' }],
        watchedAttributes: ['speed'],
        isActive: true,
        status: 'active',
        notification: {
          format: 'normalized',
          endpoint: { uri: ENDPOINT, accept: 'application/json' },
          timesSent: 0,
          timesFailed: 0,
        },
      });
      assert.match(String(g.headers.link), /rel="http:\/\/www.w3.org\/ns\/json-ld#context"/);
    });

    it('keeps every member given, and answers 409 for an id taken', async () => {
      const id = 'urn:ngsi-ld:Subscription:full';
      const expiresAt = future();
      const body = {
        id,
        type: 'Subscription',
        subscriptionName: 'Vessels near Le Havre',
        description: 'speed changes',
        entities: [
          { id: 'urn:ngsi-ld:Vessel:1', type: 'Vessel' },
          { idPattern: '^urn:ngsi-ld:Vessel:2', type: 'Vessel,Tanker' },
        ],
        watchedAttributes: ['speed', 'name'],
        notificationTrigger: ['attributeUpdated', 'entityDeleted'],
        q: 'speed>10',
        geoQ: { geometry: 'Point', coordinates: [0.1, 49.48], georel: 'near;maxDistance==2000' },
        scopeQ: '/Le_Havre/#',
        lang: 'fr',
        throttling: 5,
        expiresAt,
        isActive: false,
        notification: {
          attributes: ['speed'],
          format: 'keyValues',
          endpoint: {
            uri: ENDPOINT,
            accept: 'application/ld+json',
            receiverInfo: [{ key: 'Authorization', value: 'Bearer x' }],
            notifierInfo: [{ key: 'note', value: 'n' }],
          },
          sysAttrs: true,
        },
      };
      const r = await t.call({ method: 'POST', url: BASE, json: body });
      assert.equal(r.statusCode, 201, r.body);
      const g = await t.call({ method: 'GET', url: `${BASE}/${enc(id)}?options=sysAttrs` });
      const s = g.json();
      assert.equal(s.status, 'paused');
      assert.equal(s.isActive, false);
      assert.deepEqual(s.entities, body.entities);
      assert.deepEqual(s.geoQ, body.geoQ);
      for (const k of [
        'subscriptionName',
        'description',
        'watchedAttributes',
        'notificationTrigger',
        'q',
        'scopeQ',
        'lang',
        'throttling',
        'expiresAt',
      ]) {
        assert.deepEqual(s[k], body[k as keyof typeof body], k);
      }
      assert.deepEqual(s.notification.endpoint, body.notification.endpoint);
      assert.deepEqual(s.notification.attributes, ['speed']);
      assert.equal(s.notification.format, 'keyValues');
      assert.equal(s.notification.sysAttrs, true);
      assert.ok(Date.parse(s.createdAt) > 0 && Date.parse(s.modifiedAt) > 0);
      const again = await t.call({ method: 'POST', url: BASE, json: body });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().type, `${ERR}AlreadyExists`);
    });

    it('stores expanded names and compacts them with the @context of each request', async () => {
      const id = 'urn:ngsi-ld:Subscription:ctx';
      const r = await t.call({
        method: 'POST',
        url: BASE,
        headers: { 'content-type': 'application/ld+json' },
        json: {
          ...minimal({ id, watchedAttributes: ['speed'], q: 'speed>3' }),
          notification: { attributes: ['name'], endpoint: { uri: ENDPOINT } },
          '@context': [inlineContext, CORE],
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      const core = (await t.call({ method: 'GET', url: `${BASE}/${enc(id)}` })).json();
      assert.equal(core.entities[0].type, inlineContext.Vessel);
      assert.deepEqual(core.watchedAttributes, [inlineContext.speed]);
      assert.deepEqual(core.notification.attributes, [inlineContext.name]);
      const ld = await t.call({
        method: 'GET',
        url: `${BASE}/${enc(id)}`,
        headers: { accept: 'application/ld+json' },
      });
      assert.equal(ld.headers['content-type'], 'application/ld+json; charset=utf-8');
      assert.equal(ld.json()['@context'], CORE);
    });

    it('lists with limit, offset, count and Link headers', async () => {
      const tenant = { 'NGSILD-Tenant': 'listing' };
      for (let i = 0; i < 5; i++) {
        const r = await t.call({
          method: 'POST',
          url: BASE,
          headers: tenant,
          json: minimal({ id: `urn:ngsi-ld:Subscription:list-${i}` }),
        });
        assert.equal(r.statusCode, 201, r.body);
      }
      const p1 = await t.call({ method: 'GET', url: `${BASE}?limit=2&count=true`, headers: tenant });
      assert.equal(p1.statusCode, 200, p1.body);
      assert.deepEqual(
        p1.json().map((s: { id: string }) => s.id),
        ['urn:ngsi-ld:Subscription:list-0', 'urn:ngsi-ld:Subscription:list-1'],
      );
      assert.equal(p1.headers['ngsild-results-count'], '5');
      assert.match(String(p1.headers.link), /offset=2>; rel="next"/);
      const p3 = await t.call({ method: 'GET', url: `${BASE}?limit=2&offset=4`, headers: tenant });
      assert.deepEqual(
        p3.json().map((s: { id: string }) => s.id),
        ['urn:ngsi-ld:Subscription:list-4'],
      );
      assert.match(String(p3.headers.link), /rel="prev"/);
      assert.doesNotMatch(String(p3.headers.link), /rel="next"/);
      // Tenants are apart.
      const other = await t.call({ method: 'GET', url: `${BASE}?count=true&limit=0` });
      assert.notEqual(other.headers['ngsild-results-count'], '5');
      const unknown = await t.call({ method: 'GET', url: BASE, headers: { 'NGSILD-Tenant': 'nobody' } });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().type, `${ERR}NonexistentTenant`);
      const g = await t.call({ method: 'GET', url: `${BASE}/${enc('urn:ngsi-ld:Subscription:list-1')}` });
      assert.equal(g.statusCode, 404, 'not visible from the default tenant');
    });

    it('updates with PATCH: members replaced, notification merged, null removes', async () => {
      const id = 'urn:ngsi-ld:Subscription:patch';
      await t.call({
        method: 'POST',
        url: BASE,
        json: minimal({ id, watchedAttributes: ['speed'], throttling: 10, description: 'd' }),
      });
      const p = await t.call({
        method: 'PATCH',
        url: `${BASE}/${enc(id)}`,
        json: {
          watchedAttributes: ['name'],
          throttling: null,
          description: 'urn:ngsi-ld:null',
          isActive: false,
          notification: { format: 'concise', attributes: ['name'] },
        },
      });
      assert.equal(p.statusCode, 204, p.body);
      const s = (await t.call({ method: 'GET', url: `${BASE}/${enc(id)}` })).json();
      assert.deepEqual(s.watchedAttributes, ['name']);
      assert.equal(s.throttling, undefined);
      assert.equal(s.description, undefined);
      assert.equal(s.status, 'paused');
      assert.equal(s.notification.format, 'concise');
      assert.deepEqual(s.notification.attributes, ['name']);
      assert.equal(s.notification.endpoint.uri, ENDPOINT, 'endpoint kept');
      const merge = await t.call({
        method: 'PATCH',
        url: `${BASE}/${enc(id)}`,
        headers: { 'content-type': 'application/merge-patch+json' },
        json: { isActive: true },
      });
      assert.equal(merge.statusCode, 204, merge.body);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/${enc(id)}` })).json().status, 'active');
      const bad = await t.call({
        method: 'PATCH',
        url: `${BASE}/${enc(id)}`,
        json: { watchedAttributes: [] },
      });
      assert.equal(bad.statusCode, 400);
      const both = await t.call({ method: 'PATCH', url: `${BASE}/${enc(id)}`, json: { timeInterval: 5 } });
      assert.equal(both.statusCode, 400, 'timeInterval with watchedAttributes');
      assert.match(both.json().detail, /timeInterval and watchedAttributes/);
      const missing = await t.call({
        method: 'PATCH',
        url: `${BASE}/${enc('urn:ngsi-ld:Subscription:none')}`,
        json: { isActive: true },
      });
      assert.equal(missing.statusCode, 404);
    });

    it('deletes: 204, then 404', async () => {
      const id = 'urn:ngsi-ld:Subscription:del';
      await t.call({ method: 'POST', url: BASE, json: minimal({ id }) });
      const d = await t.call({ method: 'DELETE', url: `${BASE}/${enc(id)}` });
      assert.equal(d.statusCode, 204);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/${enc(id)}` })).statusCode, 404);
      assert.equal((await t.call({ method: 'DELETE', url: `${BASE}/${enc(id)}` })).statusCode, 404);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/not%20a%20uri` })).statusCode, 400);
    });

    it('refuses invalid subscriptions with 400 and a detail that names the defect', async () => {
      const n = { endpoint: { uri: ENDPOINT } };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ type: 'Subscription', notification: n }, /entities or watchedAttributes/],
        [minimal({ type: 'Sub' }), /type must be "Subscription"/],
        [minimal({ id: 'not a uri' }), /id must be a URI/],
        [{ entities: [{ type: 'Vessel' }] }, /notification is mandatory/],
        [minimal({ entities: [] }), /entities must be a non-empty array/],
        [minimal({ entities: [{ id: 'urn:x:1' }] }), /must have a type/],
        [
          minimal({ entities: [{ type: 'Vessel', idPattern: '(' }] }),
          /idPattern is not a valid regular expression/,
        ],
        [minimal({ entities: [{ type: 'Vessel;' }] }), /type selector/],
        [minimal({ entities: [{ type: 'Vessel', foo: 1 }] }), /unknown member foo/],
        [minimal({ watchedAttributes: 'speed' }), /watchedAttributes must be a non-empty array/],
        [minimal({ notificationTrigger: ['entityChanged'] }), /unknown trigger "entityChanged"/],
        [minimal({ q: 'speed>>1' }), /in q/],
        [minimal({ scopeQ: 'nope' }), /scopeQ/],
        [
          minimal({ geoQ: { geometry: 'Point', coordinates: [0, 91], georel: 'near;maxDistance==1' } }),
          /latitude|coordinates/i,
        ],
        [minimal({ geoQ: { geometry: 'Point', coordinates: [0, 1] } }), /georel/],
        [minimal({ throttling: 0 }), /throttling must be a number of seconds greater than 0/],
        [minimal({ timeInterval: -1 }), /timeInterval must be/],
        [minimal({ timeInterval: 5, throttling: 5 }), /timeInterval and throttling/],
        [minimal({ expiresAt: '2001-01-01T00:00:00Z' }), /not in the future/],
        [minimal({ expiresAt: 'tomorrow' }), /expiresAt must be an ISO 8601 date-time/],
        [minimal({ isActive: 'yes' }), /isActive must be true or false/],
        [minimal({ lang: 'fr;;' }), /lang must be/],
        [minimal({ status: 'active' }), /status is set by the broker/],
        [minimal({ foo: 1 }), /unknown member foo/],
        [minimal({ temporalQ: {} }), /temporalQ is not supported/],
        [minimal({ notification: {} }), /notification.endpoint is mandatory/],
        [minimal({ notification: { endpoint: { uri: 'ftp://x/y' } } }), /scheme ftp: is not supported/],
        [minimal({ notification: { endpoint: { uri: 'not a uri' } } }), /not a valid URI/],
        [minimal({ notification: { endpoint: { uri: ENDPOINT, accept: 'text/plain' } } }), /accept must be/],
        [
          minimal({ notification: { endpoint: { uri: 'mqtt://127.0.0.1:1883' } } }),
          /MQTT endpoint needs a topic/,
        ],
        [
          minimal({ notification: { endpoint: { uri: ENDPOINT }, format: 'xml' } }),
          /format must be normalized, keyValues or concise/,
        ],
        [
          minimal({ notification: { endpoint: { uri: ENDPOINT }, attributes: [] } }),
          /attributes must be a non-empty array/,
        ],
        [
          minimal({ notification: { endpoint: { uri: ENDPOINT }, timesSent: 3 } }),
          /timesSent is set by the broker/,
        ],
        [
          minimal({
            notification: {
              endpoint: { uri: ENDPOINT, receiverInfo: [{ key: 'Content-Type', value: 'x' }] },
            },
          }),
          /cannot be given in receiverInfo/,
        ],
        [
          minimal({
            notification: { endpoint: { uri: ENDPOINT, receiverInfo: [{ key: 'Bad Header', value: 'x' }] } },
          }),
          /not a valid HTTP header name/,
        ],
        [
          minimal({
            notification: { endpoint: { uri: ENDPOINT, receiverInfo: [{ key: 'X-A', value: 'a\r\nb' }] } },
          }),
          /single line/,
        ],
        [
          minimal({
            notification: {
              endpoint: { uri: 'mqtt://127.0.0.1/t', notifierInfo: [{ key: 'MQTT-QoS', value: '3' }] },
            },
          }),
          /MQTT-QoS must be 0, 1 or 2/,
        ],
        [
          minimal({ notification: { endpoint: { uri: ENDPOINT }, format: 'keyValues', showChanges: true } }),
          /showChanges/,
        ],
      ];
      for (const [body, detail] of cases) {
        const r = await t.call({ method: 'POST', url: BASE, json: body });
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)} -> ${r.body}`);
        assert.equal(r.json().type, `${ERR}BadRequestData`, r.body);
        assert.match(r.json().detail, detail, `${JSON.stringify(body)} -> ${r.json().detail}`);
      }
      const notJson = await t.call({
        method: 'POST',
        url: BASE,
        payload: '{"type": ',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(notJson.statusCode, 400);
      const mixed = await t.call({
        method: 'POST',
        url: BASE,
        json: { ...minimal(), '@context': CORE },
      });
      assert.equal(mixed.statusCode, 400, 'application/json with @context in the body');
    });

    it('refuses private and loopback endpoints that are not allowed (SSRF)', async () => {
      // The allowlist is read when the app is built: this app has none.
      const saved = process.env.ESCALE_NOTIFY_ALLOW;
      delete process.env.ESCALE_NOTIFY_ALLOW;
      const app = await startTestApp(backend).finally(() => {
        process.env.ESCALE_NOTIFY_ALLOW = saved;
      });
      try {
        for (const uri of [
          'http://127.0.0.1:8080/notify',
          'http://localhost:8080/notify',
          'http://10.1.2.3/notify',
          'http://192.168.1.1/notify',
          'http://169.254.169.254/latest/meta-data',
          'http://[::1]:8080/notify',
          'mqtt://127.0.0.1:1883/topic',
        ]) {
          const r = await app.call({
            method: 'POST',
            url: BASE,
            json: minimal({ notification: { endpoint: { uri } } }),
          });
          assert.equal(r.statusCode, 400, `${uri}: ${r.body}`);
          assert.match(r.json().detail, /refused/, r.body);
        }
        const stream = await app.call({
          method: 'POST',
          url: BASE,
          json: minimal({ notification: { endpoint: { uri: 'urn:escale:sse' } } }),
        });
        assert.equal(stream.statusCode, 201, 'a stream-only subscription makes no outgoing call');
      } finally {
        await app.dispose();
      }
    });
  });
}
