import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { createKey, entity, makeWorld, type World } from './fixtures.js';

/**
 * The authorisation matrix: every protected route, called by an anonymous caller, by a member of another
 * organisation (a user, then an API key with every scope), must be refused (401, then 403 or 404) and the
 * answer must carry nothing but a problem document that names nothing of the organisation it touched.
 */
interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (w: World, keyId: string) => string;
  /** The body, or a function giving it once the fixtures exist. */
  body?: unknown;
  /** Status for a member of another organisation; undefined: only the anonymous caller is refused. */
  outsider?: 403 | 404;
  /** Status for a plain member of the organisation (role member), when the route needs more. */
  member?: 403 | 404;
}

const ALL_SCOPES = [
  'broker:read',
  'broker:write',
  'catalog:read',
  'catalog:write',
  'mobility:write',
  'ingest:write',
  'observatory:write',
  'innovation:write',
  'governance:read',
  'governance:write',
];

const MATRIX: Row[] = [
  { method: 'GET', url: () => '/api/me' },
  { method: 'POST', url: () => '/ngsi-ld/v1/entities', body: entity(99) },
  { method: 'POST', url: () => '/ngsi-ld/v1/entityOperations/upsert', body: [entity(98)] },
  { method: 'DELETE', url: () => '/ngsi-ld/v1/entities/urn:ngsi-ld:Test:1' },
  {
    method: 'POST',
    url: () => '/api/organisations',
    body: { slug: 'rogue', name: 'Rogue', kind: 'other' },
    outsider: 403,
    member: 403,
  },
  {
    method: 'PATCH',
    url: (w) => `/api/organisations/${w.orgA}`,
    body: { name: 'Taken over' },
    outsider: 403,
    member: 403,
  },
  { method: 'DELETE', url: (w) => `/api/organisations/${w.orgA}`, outsider: 403, member: 403 },
  { method: 'GET', url: (w) => `/api/organisations/${w.orgA}/members`, outsider: 404 },
  {
    method: 'POST',
    url: (w) => `/api/organisations/${w.orgA}/members`,
    body: { email: 'mallory@evil.example', role: 'admin' },
    outsider: 403,
    member: 403,
  },
  {
    method: 'PATCH',
    url: (w) => `/api/organisations/${w.orgA}/members/${w.ids.bob}`,
    body: { role: 'admin' },
    outsider: 403,
    member: 403,
  },
  {
    method: 'DELETE',
    url: (w) => `/api/organisations/${w.orgA}/members/${w.ids.alice}`,
    outsider: 403,
    member: 403,
  },
  { method: 'GET', url: (w) => `/api/organisations/${w.orgA}/api-keys`, outsider: 404, member: 403 },
  {
    method: 'POST',
    url: (w) => `/api/organisations/${w.orgA}/api-keys`,
    body: { name: 'stolen', scopes: ['broker:write'] },
    outsider: 404,
    member: 403,
  },
  {
    method: 'DELETE',
    url: (w, k) => `/api/organisations/${w.orgA}/api-keys/${k}`,
    outsider: 404,
    member: 403,
  },
  { method: 'GET', url: () => '/api/users', outsider: 403, member: 403 },
  {
    method: 'POST',
    url: () => '/api/users',
    body: { email: 'x@evil.example', name: 'X', platformAdmin: true },
    outsider: 403,
    member: 403,
  },
  { method: 'GET', url: (w) => `/api/users/${w.ids.alice}`, outsider: 404, member: 404 },
  {
    method: 'PATCH',
    url: (w) => `/api/users/${w.ids.alice}`,
    body: { name: 'Pwned' },
    outsider: 404,
    member: 404,
  },
  { method: 'GET', url: () => '/api/audit', outsider: 403, member: 403 },
  // Catalog: statements, harvest sources, agreements (catalog objects of org A made in `before`).
  { method: 'GET', url: (w) => `/api/catalog/statements?month=2026-11&orgId=${w.orgA}`, outsider: 404 },
  {
    method: 'POST',
    url: () => '/api/catalog/harvest-sources',
    body: () => ({ orgId: cat?.orgA, url: 'https://data.example/catalog' }),
    outsider: 403,
    member: 403,
  },
  { method: 'GET', url: () => `/api/catalog/harvest-sources/${cat?.source ?? ':source'}`, outsider: 404 },
  {
    method: 'POST',
    url: () => `/api/catalog/harvest-sources/${cat?.source ?? ':source'}/run`,
    outsider: 404,
    member: 403,
  },
  {
    method: 'DELETE',
    url: () => `/api/catalog/harvest-sources/${cat?.source ?? ':source'}`,
    outsider: 404,
    member: 403,
  },
  { method: 'GET', url: () => `/api/catalog/agreements/${cat?.agreement ?? ':agreement'}`, outsider: 404 },
  {
    method: 'POST',
    url: () => `/api/catalog/agreements/${cat?.agreement ?? ':agreement'}/agree`,
    outsider: 404,
    member: 403,
  },
  {
    method: 'POST',
    url: () => `/api/catalog/agreements/${cat?.agreement ?? ':agreement'}/terminate`,
    body: {},
    outsider: 404,
    member: 403,
  },
  {
    method: 'PATCH',
    url: () => `/api/catalog/datasets/${cat?.dataset ?? ':dataset'}`,
    body: { autoAgree: true, plan: { kind: 'free' } },
    outsider: 403,
    member: 403,
  },
];

/** Catalog objects of org A, made in `before`: a restricted dataset, an agreement with org C, a harvest source. */
let cat: { orgA: string; dataset: string; agreement: string; source: string } | undefined;

const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'detail', 'instance']);

for (const backend of backends()) {
  describe(`authorisation matrix (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let keyA: { id: string; key: string };
    let keyB: { id: string; key: string };
    let secrets: string[];
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
      keyA = await createKey(t, w.orgA, ['broker:write'], w.aliceAdminA);
      keyB = await createKey(t, w.orgB, ALL_SCOPES, w.carolAdminB);
      // What org A's outsiders must never see.
      // Catalog: a restricted dataset of A sharing an entity type, an agreement with C, a harvest source of A.
      const orgC = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'third-party', name: 'Third party', kind: 'start-up' },
      });
      const ds = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: {
          orgId: w.orgA,
          title: { en: 'Gate events' },
          description: { en: 'Restricted.' },
          access: 'restricted',
          policy: { permission: [{ action: 'use' }] },
        },
        as: w.aliceAdminA,
      });
      assert.equal(ds.statusCode, 201, ds.body);
      const dist = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${ds.json().id}/distributions`,
        json: { kind: 'ngsi-ld', entityType: 'SecretGateEvent' },
        as: w.aliceAdminA,
      });
      assert.equal(dist.statusCode, 201, dist.body);
      const ag = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${ds.json().id}/agreements`,
        json: { orgId: orgC.json().id, purpose: 'research' },
      });
      assert.equal(ag.statusCode, 201, ag.body);
      const src = await t.call({
        method: 'POST',
        url: '/api/catalog/harvest-sources',
        json: { orgId: w.orgA, url: 'https://data.example/catalog' },
        as: w.aliceAdminA,
      });
      assert.equal(src.statusCode, 201, src.body);
      cat = { orgA: w.orgA, dataset: ds.json().id, agreement: ag.json().id, source: src.json().id };
      const ent = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: {
          id: 'urn:ngsi-ld:SecretGateEvent:1',
          type: 'SecretGateEvent',
          plate: { type: 'Property', value: 'AB-123-CD' },
        },
      });
      assert.equal(ent.statusCode, 201, ent.body);
      secrets = [
        'AB-123-CD',
        'HAROPA-PORT',
        'alice@haropa.example',
        'bob@haropa.example',
        keyA.key.slice(0, 12),
        keyA.key,
      ];
    });
    after(() => t?.dispose());

    const check = (label: string, r: { statusCode: number; body: string }, expected: number[]) => {
      assert.ok(expected.includes(r.statusCode), `${label}: ${r.statusCode} ${r.body}`);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      for (const k of Object.keys(body)) assert.ok(PROBLEM_KEYS.has(k), `${label}: leaks field ${k}`);
      for (const s of secrets) assert.equal(r.body.includes(s), false, `${label}: leaks ${s}`);
    };

    for (const row of MATRIX) {
      it(`${row.method} ${row.url({ orgA: ':orgA', ids: { alice: ':alice', bob: ':bob' } } as unknown as World, ':key')}`, async () => {
        const url = row.url(w, keyA.id);
        const json = typeof row.body === 'function' ? (row.body as () => unknown)() : row.body;
        check('anonymous', await t.call({ method: row.method, url, json, as: null }), [401]);
        if (!row.outsider) return;
        check(
          'member of another organisation',
          await t.call({ method: row.method, url, json, as: w.carolAdminB }),
          [row.outsider],
        );
        check(
          "another organisation's API key",
          await t.call({ method: row.method, url, json, as: keyB.key }),
          [403, 404],
        );
        if (row.member) {
          check('plain member', await t.call({ method: row.method, url, json, as: w.bobMemberA }), [
            row.member,
          ]);
        }
      });
    }

    it('restricted broker data: anonymous callers, other organisations and their keys learn nothing', async () => {
      for (const [label, as] of [
        ['anonymous', null],
        ['member of another organisation', w.carolAdminB],
        ["another organisation's API key", keyB.key],
      ] as const) {
        const one = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:SecretGateEvent:1',
          as,
        });
        const none = await t.call({
          method: 'GET',
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:SecretGateEvent:2',
          as,
        });
        assert.equal(one.statusCode, 404, label);
        assert.deepEqual(one.json().type, none.json().type, label);
        for (const url of [
          '/ngsi-ld/v1/entities?type=SecretGateEvent',
          '/ngsi-ld/v1/entities?id=urn:ngsi-ld:SecretGateEvent:1',
          '/ngsi-ld/v1/entities?q=plate==%22AB-123-CD%22',
          '/ngsi-ld/v1/temporal/entities?type=SecretGateEvent',
        ]) {
          const r = await t.call({ method: 'GET', url, as });
          assert.equal(r.statusCode, 200, `${label} ${url}: ${r.body}`);
          assert.deepEqual(r.json(), [], `${label} ${url}`);
        }
        const types = await t.call({ method: 'GET', url: '/ngsi-ld/v1/types', as });
        assert.ok(!types.body.includes('SecretGateEvent'), label);
      }
      // The owner sees its data.
      const own = await t.call({
        method: 'GET',
        url: '/ngsi-ld/v1/entities?type=SecretGateEvent',
        as: w.aliceAdminA,
      });
      assert.equal(own.json().length, 1);
    });

    it('left everything as it was', async () => {
      const org = await t.call({ method: 'GET', url: `/api/organisations/${w.orgA}` });
      assert.equal(org.json().name, 'HAROPA-PORT');
      const members = await t.call({ method: 'GET', url: `/api/organisations/${w.orgA}/members` });
      assert.deepEqual(
        members.json().items.map((m: { email: string; role: string }) => `${m.email} ${m.role}`),
        ['alice@haropa.example admin', 'bob@haropa.example member'],
      );
      const keys = await t.call({ method: 'GET', url: `/api/organisations/${w.orgA}/api-keys` });
      assert.equal(keys.json().total, 1);
      assert.equal(keys.json().items[0].revokedAt, null);
      const users = await t.call({ method: 'GET', url: '/api/users' });
      assert.equal(users.json().total, 4);
    });
  });
}
