import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const OPS = '/ngsi-ld/v1/entityOperations';
const enc = encodeURIComponent;

const truck = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `urn:ngsi-ld:Truck:${n}`,
  type: 'Truck',
  plate: { type: 'Property', value: `HMAC-${n}` },
  ...extra,
});

for (const backend of backends()) {
  describe(`NGSI-LD batch operations on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.dispose());

    const get = async (id: string) => t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${enc(id)}` });

    it('creates a batch and reports each failure in a 207', async () => {
      let r = await t.call({ method: 'POST', url: `${OPS}/create`, json: [truck(1), truck(2)] });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json(), ['urn:ngsi-ld:Truck:1', 'urn:ngsi-ld:Truck:2']);
      r = await t.call({
        method: 'POST',
        url: `${OPS}/create`,
        json: [truck(2), truck(3), { id: 'bad id', type: 'Truck' }],
      });
      assert.equal(r.statusCode, 207, r.body);
      const body = r.json();
      assert.deepEqual(body.success, ['urn:ngsi-ld:Truck:3']);
      const errs = Object.fromEntries(
        body.errors.map((e: { entityId: string; error: { type: string } }) => [e.entityId, e.error.type]),
      );
      assert.equal(errs['urn:ngsi-ld:Truck:2'], 'https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
      assert.equal(errs['bad id'], 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
      assert.equal((await get('urn:ngsi-ld:Truck:3')).statusCode, 200);
    });

    it('upserts: replace by default, update mode merges attributes', async () => {
      let r = await t.call({
        method: 'POST',
        url: `${OPS}/upsert`,
        json: [truck(1, { lane: { type: 'Property', value: 4 } }), truck(10)],
      });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json(), ['urn:ngsi-ld:Truck:10']);
      // replace: plate kept (given), lane given
      r = await t.call({
        method: 'POST',
        url: `${OPS}/upsert`,
        json: [{ id: 'urn:ngsi-ld:Truck:1', type: 'Truck', lane: { type: 'Property', value: 5 } }],
      });
      assert.equal(r.statusCode, 204, r.body);
      let e = (await get('urn:ngsi-ld:Truck:1')).json();
      assert.equal(e.plate, undefined, 'replace drops attributes not sent');
      assert.equal(e.lane.value, 5);
      // update: existing attributes kept, new ones added
      r = await t.call({
        method: 'POST',
        url: `${OPS}/upsert?options=update`,
        json: [
          {
            id: 'urn:ngsi-ld:Truck:1',
            type: 'Truck',
            terminal: { type: 'Relationship', object: 'urn:ngsi-ld:Terminal:TNMSC' },
          },
        ],
      });
      assert.equal(r.statusCode, 204, r.body);
      e = (await get('urn:ngsi-ld:Truck:1')).json();
      assert.equal(e.lane.value, 5);
      assert.equal(e.terminal.object, 'urn:ngsi-ld:Terminal:TNMSC');
      r = await t.call({ method: 'POST', url: `${OPS}/upsert?options=sideways`, json: [truck(1)] });
      assert.equal(r.statusCode, 400);
    });

    it('updates existing entities only, honouring noOverwrite', async () => {
      let r = await t.call({
        method: 'POST',
        url: `${OPS}/update`,
        json: [
          { id: 'urn:ngsi-ld:Truck:2', plate: { type: 'Property', value: 'NEW' } },
          { id: 'urn:ngsi-ld:Truck:404', plate: { type: 'Property', value: 'X' } },
        ],
      });
      assert.equal(r.statusCode, 207, r.body);
      assert.deepEqual(r.json().success, ['urn:ngsi-ld:Truck:2']);
      assert.equal(r.json().errors[0].error.type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
      assert.equal((await get('urn:ngsi-ld:Truck:2')).json().plate.value, 'NEW');
      r = await t.call({
        method: 'POST',
        url: `${OPS}/update?options=noOverwrite`,
        json: [
          {
            id: 'urn:ngsi-ld:Truck:2',
            plate: { type: 'Property', value: 'NEWER' },
            lane: { type: 'Property', value: 1 },
          },
        ],
      });
      assert.equal(r.statusCode, 204, r.body);
      const e = (await get('urn:ngsi-ld:Truck:2')).json();
      assert.equal(e.plate.value, 'NEW');
      assert.equal(e.lane.value, 1);
    });

    it('merges and deletes in batches', async () => {
      let r = await t.call({
        method: 'POST',
        url: `${OPS}/merge`,
        json: [{ id: 'urn:ngsi-ld:Truck:2', plate: 'urn:ngsi-ld:null', lane: { value: 2 } }],
      });
      assert.equal(r.statusCode, 204, r.body);
      const e = (await get('urn:ngsi-ld:Truck:2')).json();
      assert.equal(e.plate, undefined);
      assert.deepEqual(e.lane, { type: 'Property', value: 2 });
      r = await t.call({
        method: 'POST',
        url: `${OPS}/delete`,
        json: ['urn:ngsi-ld:Truck:2', 'urn:ngsi-ld:Truck:999'],
      });
      assert.equal(r.statusCode, 207, r.body);
      assert.deepEqual(r.json().success, ['urn:ngsi-ld:Truck:2']);
      assert.equal((await get('urn:ngsi-ld:Truck:2')).statusCode, 404);
      r = await t.call({ method: 'POST', url: `${OPS}/delete`, json: ['urn:ngsi-ld:Truck:3'] });
      assert.equal(r.statusCode, 204);
      r = await t.call({ method: 'POST', url: `${OPS}/delete`, json: [] });
      assert.equal(r.statusCode, 400);
    });

    it('refuses oversized batches and non-arrays', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => truck(10_000 + i));
      let r = await t.call({ method: 'POST', url: `${OPS}/create`, json: many });
      assert.equal(r.statusCode, 400);
      r = await t.call({ method: 'POST', url: `${OPS}/create`, json: truck(5) });
      assert.equal(r.statusCode, 400);
    });

    it('applies concurrent upserts on the same entities without losing or failing any', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => 500 + i);
      const batches = Array.from({ length: 8 }, (_, b) =>
        t.call({
          method: 'POST',
          url: `${OPS}/upsert?options=update`,
          json: (b % 2 ? [...ids].reverse() : ids).map((n) =>
            truck(n, { [`seen${b}`]: { type: 'Property', value: b } }),
          ),
        }),
      );
      const results = await Promise.all(batches);
      for (const r of results) assert.ok(r.statusCode === 201 || r.statusCode === 204, r.body);
      for (const n of ids) {
        const e = (await get(`urn:ngsi-ld:Truck:${n}`)).json();
        for (let b = 0; b < 8; b++)
          assert.equal(e[`seen${b}`]?.value, b, `Truck:${n} lost the write of batch ${b}`);
      }
    });
  });
}
