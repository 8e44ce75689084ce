// The waste service's figures become Observatory indicators (tonnes collected, km per tonne, overflows), computed
// through the Observatory's own API from the plans and readings the waste service holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBroker } from '../../src/broker/index.js';
import { createContextResolver } from '../../src/broker/jsonld/contexts.js';
import { seedObservatoryDemo } from '../../src/observatory/index.js';
import { seedWasteDemo } from '../../src/waste/demo.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const KEY = { 'x-escale-waste-key': 'admin-secret' };

for (const backend of backends()) {
  describe(`waste: figures for the Observatory (${backend})`, () => {
    let t: TestApp;
    let indicators: { id: string; code: string; source: { kind: string; figure?: string } }[];
    before(async () => {
      t = await startTestApp(backend, { ESCALE_WASTE_KEY: 'admin-secret' });
      await seedWasteDemo(t.db(), createBroker(t.db(), await createContextResolver({})), {
        containers: 40,
        days: 7,
      });
      await seedObservatoryDemo(t.db());
      const programmes = (await t.call({ method: 'GET', url: '/api/observatory/programmes' })).json();
      const id = programmes.items[0].id as string;
      indicators = (
        await t.call({ method: 'GET', url: `/api/observatory/programmes/${id}/indicators?limit=500` })
      ).json().items;
    });
    after(() => t?.dispose());

    const compute = async (code: string, period: string) => {
      const ind = indicators.find((i) => i.code === code);
      assert.equal(ind?.source.kind, 'figure', code);
      const r = await t.call({
        method: 'POST',
        url: `/api/observatory/indicators/${ind?.id}/compute`,
        json: { period },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().value as number | null;
    };

    it('counts the tonnes and kilometres of the planned rounds, once per service day', async () => {
      const date = '2027-03-10';
      const first = await t.call({
        method: 'POST',
        url: '/api/waste/plans',
        json: { date, threshold: 0.5, timeLimitMs: 500 },
      });
      assert.equal(first.statusCode, 201, first.body);
      // Planned again the same day: the newest plan is the one that counts.
      const plan = (
        await t.call({
          method: 'POST',
          url: '/api/waste/plans',
          json: { date, threshold: 0.6, timeLimitMs: 500 },
        })
      ).json();
      assert.ok(plan.tonnes > 0);
      assert.equal(await compute('WASTE_TONNES', '2027-03'), plan.tonnes);
      assert.equal(
        await compute('WASTE_KM_PER_TONNE', '2027-03'),
        Math.round((Math.round(plan.distanceKm * 10) / 10 / plan.tonnes) * 100) / 100,
      );
      // Nothing was planned the month before: no tonne, and no ratio rather than a division by zero.
      assert.equal(await compute('WASTE_TONNES', '2027-02'), 0);
      assert.equal(await compute('WASTE_KM_PER_TONNE', '2027-02'), null);
    });

    it('counts overflows as container-days at 100 % on trusted readings', async () => {
      const id = 'urn:ngsi-ld:WasteContainer:LEH-0003';
      const reading = (observedAt: string, fillingLevel: number) => ({
        containerId: id,
        observedAt,
        fillingLevel,
      });
      const r = await t.call({
        method: 'POST',
        url: '/api/waste/readings',
        headers: KEY,
        json: [
          reading('2025-05-02T06:00:00Z', 0.7),
          reading('2025-05-02T09:00:00Z', 1),
          reading('2025-05-02T12:00:00Z', 1), // the same day: one overflow
          reading('2025-05-03T05:00:00Z', 0.05), // emptied
          reading('2025-05-04T18:00:00Z', 0.4),
          reading('2025-05-05T18:00:00Z', 1), // another day: a second one
        ],
      });
      assert.ok(r.statusCode < 300, r.body);
      assert.equal(await compute('WASTE_OVERFLOWS', '2025-05'), 2);
      assert.equal(await compute('WASTE_OVERFLOWS', '2025-06'), 0);
    });
  });
}
