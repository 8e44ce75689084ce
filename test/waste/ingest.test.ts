import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createBroker } from '../../src/broker/index.js';
import { createContextResolver } from '../../src/broker/jsonld/contexts.js';
import { fromChirpStack, fromTheThingsStack } from '../../src/waste/decoders.js';
import { DEFAULT_FAULTS, judgeReading } from '../../src/waste/faults.js';
import { createWasteService } from '../../src/waste/service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/lorawan/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const sdm = JSON.parse(
  readFileSync(
    new URL('../fixtures/smart-data-models/WasteContainer/example-normalized.jsonld', import.meta.url),
    'utf8',
  ),
) as { location: { value: { coordinates: [number, number] } }; binCapacity: { value: number } };

const KEYS = {
  ESCALE_WASTE_TTS_KEY: 'tts-secret',
  ESCALE_WASTE_CHIRPSTACK_KEY: 'cs-secret',
  ESCALE_WASTE_KEY: 'admin-secret',
};
const C1 = 'urn:ngsi-ld:WasteContainer:LEH-T1';
const C2 = 'urn:ngsi-ld:WasteContainer:LEH-T2';
const C3 = 'urn:ngsi-ld:WasteContainer:LEH-T3';

describe('waste: decoders and fault rules', () => {
  it('reads both network-server formats', () => {
    const t = fromTheThingsStack(fixture('tts-uplink-em310.json'));
    assert.equal(t.devEui, '24E124713B400001');
    assert.equal(t.at, Date.parse('2026-11-20T08:00:03.209Z'));
    assert.deepEqual([...(t.bytes ?? [])], [0x01, 0x75, 0x5c, 0x03, 0x82, 0x1e, 0x05, 0x04, 0x00, 0x00]);
    const c = fromChirpStack(fixture('chirpstack-up.json'));
    assert.equal(c.devEui, 'A84041000181C0D2');
    assert.equal(c.decoded?.distance, 1240);
  });

  it('flags a value stuck over N readings and an impossible rise, not an emptying', () => {
    const h = Array.from({ length: DEFAULT_FAULTS.stuckReadings - 1 }, (_, i) => ({
      at: i * 3_600_000,
      level: 0.42,
    }));
    assert.equal(judgeReading(h, { at: 20 * 3_600_000, level: 0.42 }), 'stuck');
    assert.equal(judgeReading(h, { at: 20 * 3_600_000, level: 0.45 }), 'ok');
    assert.equal(judgeReading(h.slice(-1), { at: 11 * 3_600_000, level: 0.99 }), 'jump');
    assert.equal(judgeReading(h.slice(-1), { at: 11 * 3_600_000, level: 0.0 }), 'ok');
  });
});

for (const backend of backends()) {
  describe(`waste: sensor ingestion (${backend})`, () => {
    let t: TestApp;
    const admin = { 'x-escale-waste-key': 'admin-secret' };
    before(async () => {
      t = await startTestApp(backend, KEYS);
      const r = await t.call({
        method: 'PUT',
        url: '/api/waste/containers',
        headers: admin,
        json: [
          {
            id: C1,
            location: [0.1075, 49.4935],
            capacityLitres: 660,
            device: {
              devEui: '24e124713b400001',
              model: 'milesight-em310-udl',
              emptyDistanceMm: 1500,
              fullDistanceMm: 300,
            },
          },
          {
            id: C2,
            location: sdm.location.value.coordinates,
            capacityLitres: 1100,
            wasteKind: 'paper',
            device: {
              devEui: 'A84041000181C0D2',
              model: 'passthrough',
              emptyDistanceMm: 1400,
              fullDistanceMm: 200,
            },
          },
          { id: C3, location: [0.15, 49.5] },
        ],
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { created: 3, updated: 0 });
    });
    after(() => t.dispose());

    it("refuses uplinks without the integration key, or with another integration's key", async () => {
      const body = fixture('tts-uplink-em310.json');
      const none = await t.call({ method: 'POST', url: '/api/waste/uplinks/the-things-stack', json: body });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().status, 401); // problem details
      const wrong = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/the-things-stack',
        headers: { 'x-escale-waste-key': 'cs-secret' },
        json: body,
      });
      assert.equal(wrong.statusCode, 403);
    });

    it('a The Things Stack uplink becomes a reading of its container (Milesight EM310-UDL bytes)', async () => {
      const r = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/the-things-stack',
        headers: { 'x-escale-waste-key': 'tts-secret' },
        json: fixture('tts-uplink-em310.json'),
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().stored, 1);
      // the same uplink again (network-server retry): a duplicate
      const again = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/the-things-stack',
        headers: { 'x-escale-waste-key': 'tts-secret' },
        json: fixture('tts-uplink-em310.json'),
      });
      assert.equal(again.json().duplicates, 1);
      const e = await t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(C1)}` });
      assert.equal(e.statusCode, 200, e.body);
      const ent = e.json();
      assert.equal(ent.type, 'WasteContainer');
      // (1500 - 1310) / (1500 - 300)
      assert.ok(Math.abs(ent.fillingLevel.value - 190 / 1200) < 1e-9);
      assert.equal(ent.fillingLevel.observedAt, '2026-11-20T08:00:03.209Z');
      assert.equal(ent.sensorStatus.value, 'ok');
    });

    it('a ChirpStack v4 up event becomes a reading (decoded object passed through); other events are ignored', async () => {
      const h = { 'x-escale-waste-key': 'cs-secret' };
      const r = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/chirpstack?event=up',
        headers: h,
        json: fixture('chirpstack-up.json'),
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().stored, 1);
      const join = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/chirpstack?event=join',
        headers: h,
        json: { deviceInfo: { devEui: 'A84041000181C0D2' } },
      });
      assert.equal(join.statusCode, 204);
      const list = await t.call({ method: 'GET', url: '/api/waste/containers?limit=10' });
      const c2 = list.json().items.find((c: { id: string }) => c.id === C2);
      assert.ok(Math.abs(c2.level - 160 / 1200) < 1e-9);
      assert.equal(c2.wasteKind, 'paper');
      const e = (
        await t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(C2)}` })
      ).json();
      assert.equal(e.temperature.value, 11.5);
    });

    it('an unknown device is a 404 problem, a payload the decoder cannot read a 400', async () => {
      const body = fixture('tts-uplink-em310.json');
      (body.end_device_ids as Record<string, string>).dev_eui = '0000000000000001';
      const r = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/the-things-stack',
        headers: { 'x-escale-waste-key': 'tts-secret' },
        json: body,
      });
      assert.equal(r.statusCode, 404);
      const bad = fixture('tts-uplink-em310.json');
      (bad.uplink_message as Record<string, unknown>).frm_payload = 'CQk=';
      const b = await t.call({
        method: 'POST',
        url: '/api/waste/uplinks/the-things-stack',
        headers: { 'x-escale-waste-key': 'tts-secret' },
        json: bad,
      });
      assert.equal(b.statusCode, 400);
      assert.match(b.json().detail, /unknown channel/);
    });

    it('plain JSON readings are validated; a stuck sensor is flagged and its readings not trusted', async () => {
      const invalid = await t.call({
        method: 'POST',
        url: '/api/waste/readings',
        headers: admin,
        json: [{ containerId: C3, observedAt: '2026-11-20T00:00:00Z', fillingLevel: 1.5 }],
      });
      assert.equal(invalid.statusCode, 400);
      const base = Date.parse('2026-11-21T00:00:00Z');
      const readings = Array.from({ length: 14 }, (_, i) => ({
        containerId: C3,
        observedAt: new Date(base + i * 3_600_000).toISOString(),
        fillingLevel: i < 2 ? 0.1 + i * 0.02 : 0.37,
      }));
      const r = await t.call({ method: 'POST', url: '/api/waste/readings', headers: admin, json: readings });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().stored, 14);
      assert.ok(r.json().faulty >= 1);
      const c = (await t.call({ method: 'GET', url: '/api/waste/containers' }))
        .json()
        .items.find((x: { id: string }) => x.id === C3);
      assert.equal(c.sensorStatus, 'stuck');
      const e = (
        await t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(C3)}` })
      ).json();
      assert.equal(e.sensorStatus.value, 'stuck');
      assert.equal(e.status.value, 'unknown');
      // the history keeps every reading
      const th = await t.call({
        method: 'GET',
        url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(C3)}?attrs=fillingLevel&timerel=after&timeAt=2026-11-20T00:00:00Z`,
      });
      assert.equal(th.statusCode, 200, th.body);
      const fl = th.json().fillingLevel;
      assert.equal(Array.isArray(fl) ? fl.length : 1, 14);
      // a jump flags too; then a normal reading brings the sensor back to ok
      const jump = await t.call({
        method: 'POST',
        url: '/api/waste/readings',
        headers: admin,
        json: [
          { containerId: C3, observedAt: new Date(base + 14 * 3_600_000).toISOString(), fillingLevel: 0 },
          { containerId: C3, observedAt: new Date(base + 15 * 3_600_000).toISOString(), fillingLevel: 0.9 },
        ],
      });
      assert.equal(jump.json().faulty, 1);
      const ok = await t.call({
        method: 'POST',
        url: '/api/waste/readings',
        headers: admin,
        json: [
          { containerId: C3, observedAt: new Date(base + 16 * 3_600_000).toISOString(), fillingLevel: 0.05 },
        ],
      });
      assert.equal(ok.json().faulty, 0);
      const after = (await t.call({ method: 'GET', url: '/api/waste/containers' }))
        .json()
        .items.find((x: { id: string }) => x.id === C3);
      assert.equal(after.sensorStatus, 'ok');
      assert.equal(after.level, 0.05);
    });

    it('a sensor silent beyond three expected periods is flagged', async () => {
      const svc = createWasteService({
        db: t.db(),
        broker: createBroker(t.db(), await createContextResolver({})),
      });
      // C1 and C2 have sensors whose last uplinks are of 2026-11-20; C3 has no sensor registered
      const flagged = await svc.flagSilent(Date.parse('2026-11-20T12:00:00Z'));
      assert.equal(flagged, 2);
      const c1 = await svc.getContainer(C1);
      assert.equal(c1?.sensorStatus, 'silent');
      const e = (
        await t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(C1)}` })
      ).json();
      assert.equal(e.sensorStatus.value, 'silent');
      assert.equal(await svc.flagSilent(Date.parse('2026-11-20T12:00:00Z')), 0, 'flagged once');
    });

    it('containers are WasteContainer entities with the Smart Data Models attributes', async () => {
      const e = (
        await t.call({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(C2)}` })
      ).json();
      assert.deepEqual(e.location.value.coordinates, sdm.location.value.coordinates);
      assert.equal(e.binCapacity.value, 1100);
      assert.equal(e.storedWasteKind.value, 'paper');
      const bad = await t.call({
        method: 'PUT',
        url: '/api/waste/containers',
        headers: admin,
        json: [{ id: 'not-a-urn', location: [0, 0] }],
      });
      assert.equal(bad.statusCode, 400);
    });
  });
}
