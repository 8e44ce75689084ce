import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBroker } from '../../src/broker/index.js';
import { createContextResolver } from '../../src/broker/jsonld/contexts.js';
import { seedWasteDemo } from '../../src/waste/demo.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const ADMIN = { 'x-escale-waste-key': 'admin-secret' };

for (const backend of backends()) {
  describe(`waste: demo data, forecasts and plans over HTTP (${backend})`, () => {
    let t: TestApp;
    let seeded: Awaited<ReturnType<typeof seedWasteDemo>>;
    before(async () => {
      t = await startTestApp(backend, { ESCALE_WASTE_KEY: 'admin-secret' });
      const broker = createBroker(t.db(), await createContextResolver({}));
      seeded = await seedWasteDemo(t.db(), broker);
    });
    after(() => t.dispose());

    it('seeds 300 Le Havre containers with three weeks of readings, once', async () => {
      assert.equal(seeded.containers, 300);
      assert.equal(seeded.readings, 300 * (21 * 24 - 1));
      const list = await t.call({ method: 'GET', url: '/api/waste/containers?limit=5&offset=10' });
      assert.equal(list.json().total, 300);
      assert.equal(list.json().items.length, 5);
      for (const c of list.json().items) {
        assert.ok(c.level >= 0 && c.level <= 1);
        assert.ok(
          c.location[0] > 0.05 && c.location[0] < 0.25 && c.location[1] > 49.45 && c.location[1] < 49.56,
        );
      }
      const again = await seedWasteDemo(t.db(), createBroker(t.db(), await createContextResolver({})));
      assert.equal(again.skipped, true);
    });

    it("forecasts a container's next 48 hours and reports the held-out error", async () => {
      const id = 'urn:ngsi-ld:WasteContainer:LEH-0001';
      const f = await t.call({
        method: 'GET',
        url: `/api/waste/containers/${encodeURIComponent(id)}/forecast`,
      });
      assert.equal(f.statusCode, 200, f.body);
      const body = f.json();
      assert.equal(body.hourly.length, 49);
      for (let i = 1; i < body.hourly.length; i++)
        assert.ok(body.hourly[i].level >= body.hourly[i - 1].level);
      assert.ok(body.meanRatePerDay > 0);
      // the level seeded at once is the last reading of the back-filled history
      const c = (await t.call({ method: 'GET', url: '/api/waste/containers?limit=1' })).json().items[0];
      assert.equal(c.id, id);
      assert.equal(c.level, body.level);
      assert.equal(c.levelAt, body.from);
      const e = await t.call({ method: 'GET', url: '/api/waste/forecast/evaluation?testDays=7' });
      assert.equal(e.statusCode, 200);
      console.log(`demo data, forecast MAE on 7 held-out days: ${(e.json().mae * 100).toFixed(2)} %`);
      assert.ok(e.json().mae < e.json().maePersistence);
      const missing = await t.call({
        method: 'GET',
        url: `/api/waste/containers/${encodeURIComponent('urn:ngsi-ld:WasteContainer:nope')}/forecast`,
      });
      assert.equal(missing.statusCode, 404);
    });

    it("plans tomorrow's rounds (authenticated), lists them and exports GPX, CSV and GeoJSON", async () => {
      const anon = await t.call({ method: 'POST', url: '/api/waste/plans', json: {}, as: null });
      assert.equal(anon.statusCode, 401);
      const bad = await t.call({
        method: 'POST',
        url: '/api/waste/plans',
        headers: ADMIN,
        json: { vehicles: [{ id: 'A', capacityLitres: 1000, shiftStart: '13:00', shiftEnd: '06:00' }] },
      });
      assert.equal(bad.statusCode, 400);
      const r = await t.call({
        method: 'POST',
        url: '/api/waste/plans',
        headers: ADMIN,
        json: { timeLimitMs: 500 },
      });
      assert.equal(r.statusCode, 201, r.body);
      const plan = r.json();
      assert.equal(plan.distances, 'straight-line');
      assert.ok(plan.containersEmptied > 0 && plan.containersEmptied < 300);
      assert.ok(plan.rounds.length <= 4);
      for (const round of plan.rounds) {
        assert.ok(round.litres <= 30_000);
        assert.ok(round.durationMinutes <= 420);
      }
      assert.ok(plan.tonnes > 0 && plan.kmPerTonne > 0);
      const list = await t.call({ method: 'GET', url: '/api/waste/plans?limit=10' });
      assert.equal(list.json().total, 1);
      assert.equal(list.json().items[0].id, plan.id);
      const gpx = await t.call({ method: 'GET', url: `/api/waste/plans/${plan.id}?format=gpx` });
      assert.match(gpx.headers['content-type'] as string, /application\/gpx\+xml/);
      assert.equal((gpx.body.match(/<rte>/g) ?? []).length, plan.rounds.length);
      const csv = await t.call({ method: 'GET', url: `/api/waste/plans/${plan.id}?format=csv` });
      assert.equal(csv.body.trim().split('\r\n').length, plan.containersEmptied + 1);
      const geo = await t.call({ method: 'GET', url: `/api/waste/plans/${plan.id}?format=geojson` });
      assert.equal(geo.json().type, 'FeatureCollection');
      const nope = await t.call({
        method: 'GET',
        url: '/api/waste/plans/00000000-0000-0000-0000-000000000000',
      });
      assert.equal(nope.statusCode, 404);
    });
  });
}
