import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsonld from 'jsonld';
import { Parser } from 'n3';
import { seedCatalogDemo } from '../../src/catalog/index.js';
import { createKey, makeWorld, type World } from '../governance/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';

const dataset = (orgId: string, extra: Record<string, unknown> = {}) => ({
  orgId,
  title: { fr: 'Navires au port', en: 'Vessels in port' },
  description: { fr: 'Positions AIS des navires.', en: 'AIS positions of vessels.' },
  contact: { name: 'Data team', email: 'data@haropa.example' },
  license: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
  themes: ['TRAN'],
  keywords: ['AIS', 'vessels'],
  spatial: { name: 'Le Havre' },
  temporal: { start: '2026-01-01T00:00:00Z' },
  frequency: 'CONT',
  access: 'open',
  ...extra,
});

const GATE_POLICY = {
  '@context': 'http://www.w3.org/ns/odrl.jsonld',
  '@type': 'Offer',
  uid: 'urn:escale:policy:test-gates',
  assigner: 'urn:org:haropa',
  permission: [
    {
      action: 'use',
      constraint: [
        { leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['research', 'logistics'] },
        { leftOperand: 'count', operator: 'lteq', rightOperand: 100 },
      ],
      duty: [{ action: 'attribute' }],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};

for (const backend of backends()) {
  describe(`catalog API (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let openId: string;
    let accountId: string;
    let restrictedId: string;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
    });
    after(() => t?.dispose());

    it('lets an editor of the owner publish a dataset that anyone may read', async () => {
      const r = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: dataset(w.orgA),
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 201, r.body);
      const d = r.json();
      openId = d.id;
      assert.equal(r.headers.location, `/api/catalog/datasets/${d.id}`);
      assert.equal(d.orgId, w.orgA);
      assert.deepEqual(d.title, { fr: 'Navires au port', en: 'Vessels in port' });
      assert.deepEqual(d.distributions, []);
      const anon = await t.call({ method: 'GET', url: `/api/catalog/datasets/${d.id}`, as: null });
      assert.equal(anon.statusCode, 200);
      assert.equal(anon.json().temporal.start, '2026-01-01T00:00:00.000Z');
    });

    it('refuses writes from anonymous callers, plain members, other organisations and keys without the scope', async () => {
      const body = dataset(w.orgA, { access: 'account' });
      const anon = await t.call({ method: 'POST', url: '/api/catalog/datasets', json: body, as: null });
      assert.equal(anon.statusCode, 401);
      const member = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: body,
        as: w.bobMemberA,
      });
      assert.equal(member.statusCode, 403);
      const other = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: body,
        as: w.carolAdminB,
      });
      assert.equal(other.statusCode, 403);
      assert.match(String(other.headers['content-type']), /^application\/problem\+json/);
      const readKey = await createKey(t, w.orgA, ['catalog:read'], w.aliceAdminA);
      const noScope = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: body,
        as: readKey.key,
      });
      assert.equal(noScope.statusCode, 403);
      const writeKey = await createKey(t, w.orgA, ['catalog:write'], w.aliceAdminA);
      const ok = await t.call({ method: 'POST', url: '/api/catalog/datasets', json: body, as: writeKey.key });
      assert.equal(ok.statusCode, 201, ok.body);
      accountId = ok.json().id;
      const foreign = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: dataset(w.orgB),
        as: writeKey.key,
      });
      assert.equal(foreign.statusCode, 403);
    });

    it('validates the metadata', async () => {
      const bad = async (extra: Record<string, unknown>) =>
        (
          await t.call({
            method: 'POST',
            url: '/api/catalog/datasets',
            json: dataset(w.orgA, extra),
            as: w.aliceAdminA,
          })
        ).statusCode;
      assert.equal(await bad({ access: 'secret' }), 400);
      assert.equal(await bad({ themes: ['PORTS'] }), 400);
      assert.equal(await bad({ title: {} }), 400);
      assert.equal(await bad({ title: { de: 'Schiffe' } }), 400);
      assert.equal(await bad({ license: 'javascript:alert(1)' }), 400);
      assert.equal(await bad({ keywords: Array.from({ length: 51 }, (_, i) => `k${i}`) }), 400);
      assert.equal(await bad({ orgId: '00000000-0000-4000-8000-000000000000' }), 403);
    });

    it('refuses a policy whose left operand has no evaluator, with a 400 that names it', async () => {
      const policy = {
        ...GATE_POLICY,
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'odrl:industry', operator: 'eq', rightOperand: 'shipping' }],
          },
        ],
      };
      const r = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: dataset(w.orgA, { access: 'restricted', policy }),
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 400);
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.match(r.json().detail, /left operand "industry" has no evaluator/);
      assert.equal(r.json().issues[0].path, 'permission[0].constraint[0].leftOperand');
      const check = await t.call({
        method: 'POST',
        url: '/api/catalog/policies/validate',
        json: policy,
        as: w.carolAdminB,
      });
      assert.equal(check.statusCode, 200);
      assert.equal(check.json().valid, false);
    });

    it('stores a valid policy and evaluates it for a request', async () => {
      const r = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: dataset(w.orgA, {
          access: 'restricted',
          title: { fr: 'Attente aux portes', en: 'Gate waiting times' },
          description: { fr: 'Temps d’attente des camions.', en: 'Truck waiting times.' },
          themes: ['TRAN', 'ECON'],
          keywords: ['trucks'],
          policy: GATE_POLICY,
        }),
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 201, r.body);
      restrictedId = r.json().id;
      assert.deepEqual(r.json().policy, GATE_POLICY);
      const ev = (body: Record<string, unknown>) =>
        t.call({
          method: 'POST',
          url: `/api/catalog/datasets/${restrictedId}/policy/evaluate`,
          json: body,
          as: w.carolAdminB,
        });
      const permit = await ev({ action: 'read', purpose: 'research', count: 3 });
      assert.equal(permit.statusCode, 200, permit.body);
      assert.equal(permit.json().decision, 'permit');
      assert.deepEqual(permit.json().duties, [{ action: 'attribute', from: 'permission' }]);
      assert.equal((await ev({ action: 'read', purpose: 'marketing', count: 3 })).json().decision, 'deny');
      assert.equal((await ev({ action: 'read', purpose: 'research', count: 100 })).json().decision, 'deny');
      assert.equal(
        (await ev({ action: 'distribute', purpose: 'research', count: 0 })).json().decision,
        'deny',
      );
      assert.equal(
        (await ev({ action: 'transfer', purpose: 'research', count: 0 })).json().decision,
        'not-applicable',
      );
      const anon = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${restrictedId}/policy/evaluate`,
        json: { action: 'read' },
        as: null,
      });
      assert.equal(anon.statusCode, 401);
    });

    it('replaces and removes a policy, owner editors only', async () => {
      const url = `/api/catalog/datasets/${restrictedId}/policy`;
      const next = { ...GATE_POLICY, prohibition: [{ action: 'distribute' }, { action: 'derive' }] };
      assert.equal((await t.call({ method: 'PUT', url, json: next, as: w.carolAdminB })).statusCode, 403);
      assert.equal((await t.call({ method: 'PUT', url, json: next, as: w.bobMemberA })).statusCode, 403);
      const bad = await t.call({
        method: 'PUT',
        url,
        json: {
          permission: [
            { action: 'use', constraint: [{ leftOperand: 'count', operator: 'isA', rightOperand: 3 }] },
          ],
        },
        as: w.aliceAdminA,
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().detail, /"isA" does not apply to count/);
      const ok = await t.call({ method: 'PUT', url, json: next, as: w.aliceAdminA });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().prohibition.length, 2);
      const tmp = await t.call({
        method: 'POST',
        url: '/api/catalog/datasets',
        json: dataset(w.orgA, { policy: GATE_POLICY }),
        as: w.aliceAdminA,
      });
      const del = await t.call({
        method: 'DELETE',
        url: `/api/catalog/datasets/${tmp.json().id}/policy`,
        as: w.aliceAdminA,
      });
      assert.equal(del.statusCode, 204);
      const after = await t.call({ method: 'GET', url: `/api/catalog/datasets/${tmp.json().id}`, as: null });
      assert.equal(after.json().policy, undefined);
      await t.call({ method: 'DELETE', url: `/api/catalog/datasets/${tmp.json().id}`, as: w.aliceAdminA });
    });

    it('shows datasets that are not open only to callers who are signed in', async () => {
      for (const id of [accountId, restrictedId]) {
        const anon = await t.call({ method: 'GET', url: `/api/catalog/datasets/${id}`, as: null });
        assert.equal(anon.statusCode, 401);
        assert.doesNotMatch(anon.body, /Vessels|Gate/);
        assert.equal(
          (await t.call({ method: 'GET', url: `/api/catalog/datasets/${id}`, as: w.carolAdminB })).statusCode,
          200,
        );
      }
      const missing = await t.call({
        method: 'GET',
        url: '/api/catalog/datasets/00000000-0000-4000-8000-000000000000',
        as: null,
      });
      assert.equal(missing.statusCode, 401, 'anonymous callers cannot tell missing from hidden');
      const signedIn = await t.call({
        method: 'GET',
        url: '/api/catalog/datasets/00000000-0000-4000-8000-000000000000',
        as: w.carolAdminB,
      });
      assert.equal(signedIn.statusCode, 404);
      const keyB = await createKey(t, w.orgB, ['broker:read'], w.carolAdminB);
      assert.equal(
        (await t.call({ method: 'GET', url: `/api/catalog/datasets/${accountId}`, as: keyB.key })).statusCode,
        404,
      );
      const list = await t.call({ method: 'GET', url: '/api/catalog/datasets', as: null });
      assert.deepEqual(
        list.json().items.map((d: { id: string }) => d.id),
        [openId],
      );
      assert.equal(list.json().total, 1);
    });

    it('searches with facets, filters and pages', async () => {
      const all = await t.call({ method: 'GET', url: '/api/catalog/datasets', as: w.carolAdminB });
      assert.equal(all.json().total, 3);
      const f = all.json().facets;
      assert.deepEqual(f.theme, [
        { value: 'TRAN', count: 3 },
        { value: 'ECON', count: 1 },
      ]);
      assert.deepEqual(f.publisher, [{ value: w.orgA, count: 3 }]);
      assert.deepEqual(f.access.map((x: { value: string }) => x.value).sort(), [
        'account',
        'open',
        'restricted',
      ]);
      const q = async (query: string) =>
        (await t.call({ method: 'GET', url: `/api/catalog/datasets?${query}`, as: w.carolAdminB })).json();
      assert.equal((await q('theme=ECON')).total, 1);
      assert.equal((await q('keyword=trucks')).items[0].id, restrictedId);
      assert.equal((await q('access=open&access=account')).total, 2);
      assert.equal((await q(`publisher=${w.orgB}`)).total, 0);
      assert.equal((await q('q=camions')).items[0].id, restrictedId, 'French description');
      assert.equal((await q('q=TRUCK%20waiting')).total, 1);
      assert.equal((await q('q=100%25')).total, 0, 'LIKE wildcards are literal');
      const page = await t.call({ method: 'GET', url: '/api/catalog/datasets?limit=2', as: w.carolAdminB });
      assert.equal(page.json().items.length, 2);
      assert.match(String(page.headers.link), /[?&]offset=2[^>]*>; rel="next"/);
      const last = await q('limit=2&offset=2');
      assert.equal(last.items.length, 1);
      assert.equal(
        (await t.call({ method: 'GET', url: '/api/catalog/datasets?limit=1000', as: null })).statusCode,
        400,
      );
      assert.equal(
        (await t.call({ method: 'GET', url: '/api/catalog/datasets?access=secret', as: null })).statusCode,
        400,
      );
    });

    it('updates metadata (owner editors only) and keeps the search in step', async () => {
      const url = `/api/catalog/datasets/${openId}`;
      assert.equal(
        (await t.call({ method: 'PATCH', url, json: { keywords: ['x'] }, as: w.carolAdminB })).statusCode,
        403,
      );
      assert.equal(
        (await t.call({ method: 'PATCH', url, json: { keywords: ['x'] }, as: null })).statusCode,
        401,
      );
      const r = await t.call({
        method: 'PATCH',
        url,
        json: { keywords: ['AIS', 'navires'], contact: null, frequency: 'DAILY' },
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().keywords, ['AIS', 'navires']);
      assert.equal(r.json().contact, undefined);
      assert.equal(r.json().frequency, 'DAILY');
      assert.equal(r.json().license, 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/');
      const found = await t.call({ method: 'GET', url: '/api/catalog/datasets?q=navires', as: null });
      assert.equal(found.json().total, 1);
      assert.equal((await t.call({ method: 'PATCH', url, json: {}, as: w.aliceAdminA })).statusCode, 400);
    });

    it('adds and removes distributions: broker entity types, files, APIs', async () => {
      const url = `/api/catalog/datasets/${openId}/distributions`;
      const ngsi = await t.call({
        method: 'POST',
        url,
        json: { kind: 'ngsi-ld', entityType: 'Vessel', attributes: ['location', 'speedOverGround'] },
        as: w.aliceAdminA,
      });
      assert.equal(ngsi.statusCode, 201, ngsi.body);
      const file = await t.call({
        method: 'POST',
        url,
        json: { kind: 'file', url: 'https://data.example.org/ais.csv', mediaType: 'text/csv', format: 'CSV' },
        as: w.aliceAdminA,
      });
      assert.equal(file.statusCode, 201, file.body);
      assert.equal(
        (
          await t.call({
            method: 'POST',
            url,
            json: { kind: 'file', entityType: 'Vessel' },
            as: w.aliceAdminA,
          })
        ).statusCode,
        400,
      );
      assert.equal(
        (
          await t.call({
            method: 'POST',
            url,
            json: { kind: 'api', url: 'https://x.example' },
            as: w.carolAdminB,
          })
        ).statusCode,
        403,
      );
      const d = (await t.call({ method: 'GET', url: `/api/catalog/datasets/${openId}`, as: null })).json();
      assert.deepEqual(
        d.distributions.map((x: { kind: string }) => x.kind),
        ['ngsi-ld', 'file'],
      );
      assert.deepEqual(d.distributions[0].attributes, ['location', 'speedOverGround']);
      const del = await t.call({ method: 'DELETE', url: `${url}/${file.json().id}`, as: w.aliceAdminA });
      assert.equal(del.statusCode, 204);
      assert.equal(
        (await t.call({ method: 'DELETE', url: `${url}/${file.json().id}`, as: w.aliceAdminA })).statusCode,
        404,
      );
    });

    it('publishes data services that serve the organisation’s own datasets', async () => {
      const body = {
        orgId: w.orgA,
        title: { en: 'Escale NGSI-LD API' },
        endpointUrl: 'https://escale.example/ngsi-ld/v1',
        servesDatasets: [openId],
        access: 'open',
      };
      const r = await t.call({
        method: 'POST',
        url: '/api/catalog/dataservices',
        json: body,
        as: w.aliceAdminA,
      });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json().servesDatasets, [openId]);
      const foreign = await t.call({
        method: 'POST',
        url: '/api/catalog/dataservices',
        json: { ...body, orgId: w.orgB, title: { en: 'Not ours' } },
        as: w.carolAdminB,
      });
      assert.equal(foreign.statusCode, 400);
      const list = await t.call({ method: 'GET', url: '/api/catalog/dataservices', as: null });
      assert.equal(list.json().total, 1);
      assert.equal(
        (await t.call({ method: 'GET', url: `/api/catalog/dataservices/${r.json().id}`, as: null }))
          .statusCode,
        200,
      );
      assert.equal(
        (
          await t.call({
            method: 'DELETE',
            url: `/api/catalog/dataservices/${r.json().id}`,
            as: w.carolAdminB,
          })
        ).statusCode,
        403,
      );
    });

    it('exports the catalog as DCAT-AP JSON-LD, open datasets only for anonymous callers', async () => {
      const r = await t.call({ method: 'GET', url: '/catalog', as: null });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^application\/ld\+json/);
      const doc = r.json();
      assert.equal(doc['@type'], 'dcat:Catalog');
      assert.equal(doc['dcat:dataset'].length, 1);
      const expanded = await jsonld.expand(doc);
      const catalog = expanded[0] as Record<string, unknown>;
      const ds = (catalog[`${DCAT}dataset`] as Array<Record<string, unknown>>)[0];
      assert.deepEqual(ds['@type'], [`${DCAT}Dataset`]);
      assert.deepEqual(
        (ds[`${DCT}title`] as Array<{ '@language': string }>).map((x) => x['@language']).sort(),
        ['en', 'fr'],
      );
      const publisher = (ds[`${DCT}publisher`] as Array<Record<string, unknown>>)[0];
      assert.deepEqual(publisher['http://xmlns.com/foaf/0.1/name'], [{ '@value': 'HAROPA-PORT' }]);
      const dist = (ds[`${DCAT}distribution`] as Array<Record<string, unknown>>)[0];
      assert.match(
        (dist[`${DCAT}accessURL`] as Array<{ '@id': string }>)[0]['@id'],
        /\/ngsi-ld\/v1\/entities\?type=Vessel&attrs=location%2CspeedOverGround$/,
      );
      const signedIn = await t.call({ method: 'GET', url: '/catalog', as: w.carolAdminB });
      assert.equal(signedIn.json()['dcat:dataset'].length, 3);
    });

    it('exports Turtle with ?format=ttl or Accept: text/turtle, policies included', async () => {
      const r = await t.call({ method: 'GET', url: '/catalog?format=ttl', as: w.carolAdminB });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-type']), /^text\/turtle/);
      assert.match(r.body, /@prefix dcat: <http:\/\/www\.w3\.org\/ns\/dcat#>/);
      const quads = new Parser({ format: 'text/turtle' }).parse(r.body);
      const titles = quads.filter(
        (q) => q.predicate.value === `${DCT}title` && q.object.termType === 'Literal',
      );
      assert.ok(
        titles.some(
          (q) =>
            q.object.value === 'Attente aux portes' && (q.object as { language: string }).language === 'fr',
        ),
      );
      const policies = quads.filter((q) => q.predicate.value === 'http://www.w3.org/ns/odrl/2/hasPolicy');
      assert.equal(policies.length, 1);
      assert.ok(quads.some((q) => q.object.value === 'http://www.w3.org/ns/odrl/2/purpose'));
      const negotiated = await t.call({
        method: 'GET',
        url: '/catalog',
        headers: { accept: 'text/turtle' },
        as: null,
      });
      assert.match(String(negotiated.headers['content-type']), /^text\/turtle/);
      assert.doesNotMatch(negotiated.body, /Attente aux portes/);
      assert.equal((await t.call({ method: 'GET', url: '/catalog?format=xml', as: null })).statusCode, 400);
    });

    it('deletes a dataset with its distributions', async () => {
      assert.equal(
        (await t.call({ method: 'DELETE', url: `/api/catalog/datasets/${accountId}`, as: w.carolAdminB }))
          .statusCode,
        403,
      );
      assert.equal(
        (await t.call({ method: 'DELETE', url: `/api/catalog/datasets/${accountId}`, as: w.aliceAdminA }))
          .statusCode,
        204,
      );
      assert.equal(
        (await t.call({ method: 'GET', url: `/api/catalog/datasets/${accountId}`, as: w.aliceAdminA }))
          .statusCode,
        404,
      );
    });

    it('documents its routes in the OpenAPI description', async () => {
      const r = await t.call({ method: 'GET', url: '/docs/json' });
      assert.equal(r.statusCode, 200);
      for (const p of [
        '/api/catalog/datasets',
        '/api/catalog/datasets/{id}/policy',
        '/catalog',
        '/api/catalog/agreements/{id}/agree',
      ]) {
        assert.ok(r.json().paths[p], `missing ${p}`);
      }
    });

    it('seeds the Le Havre demo datasets once, owned by their organisations', async () => {
      const org = async (slug: string) => {
        const r = await t.call({
          method: 'POST',
          url: '/api/organisations',
          json: { slug, name: slug, kind: 'operator' },
        });
        return r.json().id as string;
      };
      const owners: Record<string, string> = {
        'haropa-port': w.orgA,
        soget: await org('soget'),
        'le-havre-seine-metropole': await org('le-havre-seine-metropole'),
      };
      await t.db().query('DELETE FROM cat_datasets');
      const lookup = async (slug: string) => (owners[slug] ? { id: owners[slug] } : undefined);
      assert.deepEqual(await seedCatalogDemo(t.db(), lookup), { datasets: 3, skipped: false });
      assert.deepEqual(await seedCatalogDemo(t.db(), lookup), { datasets: 0, skipped: true });
      const list = (await t.call({ method: 'GET', url: '/api/catalog/datasets', as: null })).json();
      assert.equal(list.total, 1, 'only the AIS dataset is open');
      assert.equal(list.items[0].distributions[0].entityType, 'Vessel');
      const gates = (
        await t.call({
          method: 'GET',
          url: `/api/catalog/datasets?publisher=${owners.soget}`,
          as: w.carolAdminB,
        })
      ).json();
      assert.equal(gates.items[0].access, 'restricted');
      const ev = await t.call({
        method: 'POST',
        url: `/api/catalog/datasets/${gates.items[0].id}/policy/evaluate`,
        json: { action: 'read', purpose: 'research', count: 0, at: '2026-06-01T00:00:00Z' },
        as: w.carolAdminB,
      });
      assert.equal(ev.json().decision, 'permit', ev.body);
    });
  });
}
