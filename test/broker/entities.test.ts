import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const BASE = '/ngsi-ld/v1';
const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const enc = encodeURIComponent;

const vessel = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'Vessel',
  name: { type: 'Property', value: 'CMA CGM JACQUES SAADE' },
  speed: { type: 'Property', value: 12.5, unitCode: 'KNT', observedAt: '2026-11-23T08:00:00Z' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.1066, 49.4806] } },
  isDockedAt: { type: 'Relationship', object: 'urn:ngsi-ld:Berth:TPO-1' },
  ...extra,
});

for (const backend of backends()) {
  describe(`NGSI-LD entities on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.dispose());

    it('creates an entity, answers 201 with Location, and reads it back unchanged', async () => {
      const e = vessel('urn:ngsi-ld:Vessel:227006760');
      const r = await t.call({ method: 'POST', url: `${BASE}/entities`, json: e });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.headers.location, `${BASE}/entities/${enc(e.id)}`);
      const g = await t.call({ method: 'GET', url: `${BASE}/entities/${enc(e.id)}` });
      assert.equal(g.statusCode, 200);
      assert.deepEqual(g.json(), e);
      assert.match(String(g.headers.link), /rel="http:\/\/www.w3.org\/ns\/json-ld#context"/);
    });

    it('refuses a second create with 409 AlreadyExists', async () => {
      const r = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: vessel('urn:ngsi-ld:Vessel:227006760'),
      });
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
    });

    it('answers problem details for bad input, never 500', async () => {
      const cases: [unknown, string, number][] = [
        [{ id: 'not a uri', type: 'Vessel' }, 'BadRequestData', 400],
        [{ id: 'urn:x:1' }, 'BadRequestData', 400],
        [{ id: 'urn:x:2', type: 'T', p: { type: 'Property' } }, 'BadRequestData', 400],
        [{ id: 'urn:x:3', type: 'T', r: { type: 'Relationship', object: 'no uri' } }, 'BadRequestData', 400],
        [
          {
            id: 'urn:x:4',
            type: 'T',
            location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 91] } },
          },
          'BadRequestData',
          400,
        ],
        [{ id: 'urn:x:5', type: 'T', p: { type: 'Weird', value: 1 } }, 'BadRequestData', 400],
      ];
      for (const [body, type, status] of cases) {
        const r = await t.call({ method: 'POST', url: `${BASE}/entities`, json: body });
        assert.equal(r.statusCode, status, `${JSON.stringify(body)} -> ${r.body}`);
        assert.equal(r.json().type, `https://uri.etsi.org/ngsi-ld/errors/${type}`);
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
        assert.ok(r.json().detail);
      }
      const malformed = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        payload: '{"id": "urn:x:9", ',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().type, 'https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
      const media = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(media.statusCode, 415);
      const big = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: { id: 'urn:x:big', type: 'T', p: { type: 'Property', value: 'x'.repeat(5 * 1024 * 1024) } },
      });
      assert.equal(big.statusCode, 413);
      const missing = await t.call({
        method: 'GET',
        url: `${BASE}/entities/${enc('urn:ngsi-ld:Nothing:1')}`,
      });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
      const badId = await t.call({ method: 'GET', url: `${BASE}/entities/nope` });
      assert.equal(badId.statusCode, 400);
    });

    it('keeps @context semantics: Link header for JSON, inline for JSON-LD, no mixing, 406 for other types', async () => {
      const ctx = {
        '@context': {
          sdm: 'https://smartdatamodels.org/dataModel.MarineTransport/',
          draught: 'sdm:draught',
          Vessel: 'sdm:Vessel',
        },
      };
      const e = {
        id: 'urn:ngsi-ld:Vessel:ld1',
        type: 'Vessel',
        draught: { type: 'Property', value: 14.5 },
        ...ctx,
      };
      const r = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: e,
        headers: { 'content-type': 'application/ld+json' },
      });
      assert.equal(r.statusCode, 201, r.body);
      // Without the context, the names come back expanded.
      const plain = (await t.call({ method: 'GET', url: `${BASE}/entities/${enc(e.id)}` })).json();
      assert.equal(plain.type, 'https://smartdatamodels.org/dataModel.MarineTransport/Vessel');
      assert.deepEqual(plain['https://smartdatamodels.org/dataModel.MarineTransport/draught'], {
        type: 'Property',
        value: 14.5,
      });
      // With it (inline in JSON-LD), compacted again with @context in the body.
      const ld = await t.call({
        method: 'POST',
        url: `${BASE}/entityOperations/query`,
        json: { type: 'Query', entities: [{ id: e.id }], ...ctx },
        headers: { 'content-type': 'application/ld+json', accept: 'application/ld+json' },
      });
      assert.equal(ld.statusCode, 200, ld.body);
      assert.equal(ld.headers['content-type'], 'application/ld+json; charset=utf-8');
      assert.deepEqual(ld.json()[0], e);
      const mixed = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: { ...e, id: 'urn:ngsi-ld:Vessel:ld2' },
        headers: { link: `<${CORE}>; rel="http://www.w3.org/ns/json-ld#context"` },
      });
      assert.equal(mixed.statusCode, 400);
      const noCtx = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: vessel('urn:ngsi-ld:Vessel:ld3'),
        headers: { 'content-type': 'application/ld+json' },
      });
      assert.equal(noCtx.statusCode, 400);
      const xml = await t.call({
        method: 'GET',
        url: `${BASE}/entities/${enc(e.id)}`,
        headers: { accept: 'application/xml' },
      });
      assert.equal(xml.statusCode, 406);
    });

    it('replaces, appends, updates, partially updates and deletes attributes', async () => {
      const id = 'urn:ngsi-ld:Vessel:attrs';
      const url = `${BASE}/entities/${enc(id)}`;
      assert.equal(
        (await t.call({ method: 'POST', url: `${BASE}/entities`, json: vessel(id) })).statusCode,
        201,
      );

      // append: new attribute + overwrite existing
      let r = await t.call({
        method: 'POST',
        url: `${url}/attrs`,
        json: {
          draught: { type: 'Property', value: 14.2, unitCode: 'MTR' },
          speed: { type: 'Property', value: 3 },
        },
      });
      assert.equal(r.statusCode, 204, r.body);
      let e = (await t.call({ method: 'GET', url })).json();
      assert.equal(e.draught.value, 14.2);
      assert.equal(e.speed.value, 3);

      // append with noOverwrite: existing untouched, 207 names it
      r = await t.call({
        method: 'POST',
        url: `${url}/attrs?options=noOverwrite`,
        json: { speed: { type: 'Property', value: 99 } },
      });
      assert.equal(r.statusCode, 207);
      assert.deepEqual(
        r.json().notUpdated.map((n: { attributeName: string }) => n.attributeName),
        ['speed'],
      );
      e = (await t.call({ method: 'GET', url })).json();
      assert.equal(e.speed.value, 3);

      // update: existing attribute updated, unknown one reported
      r = await t.call({
        method: 'PATCH',
        url: `${url}/attrs`,
        json: { speed: { type: 'Property', value: 7 }, unknownAttr: { type: 'Property', value: 1 } },
      });
      assert.equal(r.statusCode, 207);
      assert.deepEqual(r.json().updated, ['speed']);
      e = (await t.call({ method: 'GET', url })).json();
      assert.equal(e.speed.value, 7);
      assert.equal(e.unknownAttr, undefined);

      // partial update keeps what is not mentioned (unitCode, sub-attributes)
      await t.call({
        method: 'POST',
        url: `${url}/attrs`,
        json: {
          draught: {
            type: 'Property',
            value: 14,
            unitCode: 'MTR',
            accuracy: { type: 'Property', value: 0.1 },
          },
        },
      });
      r = await t.call({ method: 'PATCH', url: `${url}/attrs/draught`, json: { value: 13.1 } });
      assert.equal(r.statusCode, 204, r.body);
      e = (await t.call({ method: 'GET', url })).json();
      assert.deepEqual(e.draught, {
        type: 'Property',
        value: 13.1,
        unitCode: 'MTR',
        accuracy: { type: 'Property', value: 0.1 },
      });
      r = await t.call({ method: 'PATCH', url: `${url}/attrs/nothing`, json: { value: 1 } });
      assert.equal(r.statusCode, 404);

      // replace one attribute
      r = await t.call({ method: 'PUT', url: `${url}/attrs/draught`, json: { type: 'Property', value: 12 } });
      assert.equal(r.statusCode, 204);
      e = (await t.call({ method: 'GET', url })).json();
      assert.deepEqual(e.draught, { type: 'Property', value: 12 });

      // delete attribute
      r = await t.call({ method: 'DELETE', url: `${url}/attrs/draught` });
      assert.equal(r.statusCode, 204);
      e = (await t.call({ method: 'GET', url })).json();
      assert.equal(e.draught, undefined);
      r = await t.call({ method: 'DELETE', url: `${url}/attrs/draught` });
      assert.equal(r.statusCode, 404);

      // merge: urn:ngsi-ld:null deletes, other members merge
      await t.call({
        method: 'POST',
        url: `${url}/attrs`,
        json: { speed: { type: 'Property', value: 7, unitCode: 'KNT', observedAt: '2026-11-23T08:00:00Z' } },
      });
      r = await t.call({
        method: 'PATCH',
        url,
        json: {
          name: 'urn:ngsi-ld:null',
          speed: { value: 8 },
          status: { type: 'Property', value: 'moored' },
        },
      });
      assert.equal(r.statusCode, 204, r.body);
      e = (await t.call({ method: 'GET', url })).json();
      assert.equal(e.name, undefined);
      assert.deepEqual(e.speed, {
        type: 'Property',
        value: 8,
        unitCode: 'KNT',
        observedAt: '2026-11-23T08:00:00Z',
      });
      assert.equal(e.status.value, 'moored');

      // replace the entity: attributes not given are gone, createdAt kept
      const before = (await t.call({ method: 'GET', url: `${url}?options=sysAttrs` })).json();
      r = await t.call({
        method: 'PUT',
        url,
        json: { type: 'Vessel', speed: { type: 'Property', value: 1 } },
      });
      assert.equal(r.statusCode, 204, r.body);
      e = (await t.call({ method: 'GET', url: `${url}?options=sysAttrs` })).json();
      assert.deepEqual(Object.keys(e).sort(), ['createdAt', 'id', 'modifiedAt', 'speed', 'type']);
      assert.equal(e.createdAt, before.createdAt);
      assert.ok(e.modifiedAt >= before.modifiedAt);

      r = await t.call({ method: 'DELETE', url });
      assert.equal(r.statusCode, 204);
      assert.equal((await t.call({ method: 'GET', url })).statusCode, 404);
      assert.equal((await t.call({ method: 'DELETE', url })).statusCode, 404);
    });

    it('holds several instances of one attribute by datasetId', async () => {
      const id = 'urn:ngsi-ld:Vessel:multi';
      const url = `${BASE}/entities/${enc(id)}`;
      const r = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: {
          id,
          type: 'Vessel',
          speed: [
            { type: 'Property', value: 10, datasetId: 'urn:ngsi-ld:Dataset:ais' },
            { type: 'Property', value: 11 },
            { type: 'Property', value: 12, datasetId: 'urn:ngsi-ld:Dataset:radar' },
          ],
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      let e = (await t.call({ method: 'GET', url })).json();
      assert.deepEqual(
        e.speed.map((s: { value: number; datasetId?: string }) => [s.datasetId ?? null, s.value]),
        [
          [null, 11],
          ['urn:ngsi-ld:Dataset:ais', 10],
          ['urn:ngsi-ld:Dataset:radar', 12],
        ],
      );
      const one = (await t.call({ method: 'GET', url: `${url}?datasetId=urn:ngsi-ld:Dataset:radar` })).json();
      assert.deepEqual(one.speed, { type: 'Property', value: 12, datasetId: 'urn:ngsi-ld:Dataset:radar' });
      await t.call({
        method: 'PATCH',
        url: `${url}/attrs/speed`,
        json: { value: 13, datasetId: 'urn:ngsi-ld:Dataset:radar' },
      });
      assert.equal(
        (await t.call({ method: 'DELETE', url: `${url}/attrs/speed?datasetId=urn:ngsi-ld:Dataset:ais` }))
          .statusCode,
        204,
      );
      e = (await t.call({ method: 'GET', url })).json();
      assert.deepEqual(
        e.speed.map((s: { value: number; datasetId?: string }) => [s.datasetId ?? null, s.value]),
        [
          [null, 11],
          ['urn:ngsi-ld:Dataset:radar', 13],
        ],
      );
      const dup = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: {
          id: 'urn:x:dup',
          type: 'T',
          p: [
            { type: 'Property', value: 1 },
            { type: 'Property', value: 2 },
          ],
        },
      });
      assert.equal(dup.statusCode, 400);
    });

    it('supports every attribute type and renders normalized, concise, keyValues, sysAttrs and lang', async () => {
      const id = 'urn:ngsi-ld:Terminal:TNMSC';
      const entity = {
        id,
        type: 'Terminal',
        name: {
          type: 'LanguageProperty',
          languageMap: { fr: 'Terminal de Normandie', en: 'Normandy terminal' },
        },
        category: { type: 'VocabProperty', vocab: 'container' },
        config: { type: 'JsonProperty', json: { lanes: [1, 2, 3], gate: { open: true } } },
        cranes: { type: 'ListProperty', valueList: ['STS-1', 'STS-2'] },
        operators: {
          type: 'ListRelationship',
          objectList: ['urn:ngsi-ld:Company:MSC', 'urn:ngsi-ld:Company:TN'],
        },
        operator: { type: 'Relationship', object: 'urn:ngsi-ld:Company:MSC' },
        location: {
          type: 'GeoProperty',
          value: {
            type: 'Polygon',
            coordinates: [
              [
                [0.15, 49.46],
                [0.17, 49.46],
                [0.17, 49.47],
                [0.15, 49.47],
                [0.15, 49.46],
              ],
            ],
          },
        },
        capacity: {
          type: 'Property',
          value: 1500000,
          unitCode: 'E54',
          observedAt: '2026-01-01T00:00:00Z',
          source: { type: 'Property', value: 'HAROPA' },
        },
        scope: '/Le_Havre/Port/Port_2000',
      };
      const r = await t.call({ method: 'POST', url: `${BASE}/entities`, json: entity });
      assert.equal(r.statusCode, 201, r.body);
      const url = `${BASE}/entities/${enc(id)}`;
      const normalized = (await t.call({ method: 'GET', url })).json();
      assert.deepEqual(normalized, entity);

      const kv = (await t.call({ method: 'GET', url: `${url}?options=keyValues` })).json();
      assert.equal(kv.capacity, 1500000);
      assert.equal(kv.operator, 'urn:ngsi-ld:Company:MSC');
      assert.deepEqual(kv.cranes, ['STS-1', 'STS-2']);
      assert.deepEqual(kv.name, { languageMap: entity.name.languageMap });

      const concise = (await t.call({ method: 'GET', url: `${url}?format=concise` })).json();
      assert.deepEqual(concise.operator, { object: 'urn:ngsi-ld:Company:MSC' });
      assert.deepEqual(concise.location, entity.location.value);
      assert.deepEqual(concise.capacity, {
        value: 1500000,
        unitCode: 'E54',
        observedAt: '2026-01-01T00:00:00Z',
        source: 'HAROPA',
      });
      // concise in, same entity out
      const cid = 'urn:ngsi-ld:Terminal:concise';
      const cr = await t.call({ method: 'POST', url: `${BASE}/entities`, json: { ...concise, id: cid } });
      assert.equal(cr.statusCode, 201, cr.body);
      const back = (await t.call({ method: 'GET', url: `${BASE}/entities/${enc(cid)}` })).json();
      assert.deepEqual(back, { ...normalized, id: cid });

      const fr = (await t.call({ method: 'GET', url: `${url}?lang=fr` })).json();
      assert.deepEqual(fr.name, { type: 'Property', value: 'Terminal de Normandie', lang: 'fr' });
      const de = (await t.call({ method: 'GET', url: `${url}?lang=de,en` })).json();
      assert.equal(de.name.value, 'Normandy terminal');

      const sys = (await t.call({ method: 'GET', url: `${url}?options=sysAttrs` })).json();
      assert.match(sys.createdAt, /^\d{4}-\d\d-\d\dT/);
      assert.match(sys.capacity.modifiedAt, /^\d{4}-\d\d-\d\dT/);

      const picked = (await t.call({ method: 'GET', url: `${url}?pick=id,capacity` })).json();
      assert.deepEqual(Object.keys(picked), ['id', 'capacity']);
      const omitted = (
        await t.call({
          method: 'GET',
          url: `${url}?omit=config,cranes,operators,operator,name,category,location,capacity,scope`,
        })
      ).json();
      assert.deepEqual(omitted, { id, type: 'Terminal' });
      const attrs = (await t.call({ method: 'GET', url: `${url}?attrs=capacity` })).json();
      assert.deepEqual(Object.keys(attrs), ['id', 'type', 'capacity']);
    });

    it('keeps tenants apart', async () => {
      const id = 'urn:ngsi-ld:Vessel:tenant';
      const a = await t.call({
        method: 'POST',
        url: `${BASE}/entities`,
        json: vessel(id),
        headers: { 'ngsild-tenant': 'haropa' },
      });
      assert.equal(a.statusCode, 201);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/entities/${enc(id)}` })).statusCode, 404);
      assert.equal(
        (
          await t.call({
            method: 'GET',
            url: `${BASE}/entities/${enc(id)}`,
            headers: { 'ngsild-tenant': 'haropa' },
          })
        ).statusCode,
        200,
      );
      const other = await t.call({
        method: 'GET',
        url: `${BASE}/entities/${enc(id)}`,
        headers: { 'ngsild-tenant': 'lhsm' },
      });
      assert.equal(other.statusCode, 404);
      assert.equal(other.json().type, 'https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant');
      const bad = await t.call({
        method: 'GET',
        url: `${BASE}/entities/${enc(id)}`,
        headers: { 'ngsild-tenant': 'a b' },
      });
      assert.equal(bad.statusCode, 400);
    });
  });
}
