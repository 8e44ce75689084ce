import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { leHavreEntities, seedDemo } from '../../src/demo/le-havre.js';
import type { VesselPosition } from '../../src/ingest/ais/vessels.js';
import { createEntityBatcher, type EntityBatcher } from '../../src/ingest/batcher.js';
import { brokerWriter } from '../../src/ingest/index.js';
import { contains, distanceTo, type Geofence, loadGeofences } from '../../src/mobility/geofences.js';
import { createMobility, type MobilityRuntime } from '../../src/mobility/index.js';
import { createPortCallTracker, type PortCallUpdate } from '../../src/mobility/portcalls.js';
import { backends } from '../helpers/db.js';
import { type Harness, openHarness } from './harness.js';

const geofences = loadGeofences();
const MIN = 60_000;
const T0 = Date.UTC(2025, 4, 1, 6, 0);
const berth = geofences.berths.find((b) => b.id === 'urn:ngsi-ld:Berth:FRLEH-TNMSC-2')!;
const centre = (g: Geofence): [number, number] => [(g.bbox[0] + g.bbox[2]) / 2, (g.bbox[1] + g.bbox[3]) / 2];
const [bLon, bLat] = centre(berth);

const fix = (minute: number, lon: number, lat: number, speed: number, mmsi = 228000001): VesselPosition => ({
  mmsi,
  lat,
  lon,
  speed,
  time: T0 + minute * MIN,
  classB: false,
  name: 'SYNTHETIC',
});

/** Arrives from the sea, moors at TNMSC-2 for ~2 hours, leaves. */
const voyage = [
  fix(0, 0.0, 49.45, 12),
  fix(5, 0.1, 49.455, 8), // inside the port area, in the Port 2000 basin
  fix(10, bLon, bLat, 0.2),
  fix(13, bLon, bLat, 0.1),
  fix(15, bLon, bLat, 0),
  fix(60, bLon + 0.0002, bLat, 0),
  fix(120, 0.13, 49.455, 3), // off the berth
  fix(121, 0.11, 49.455, 6),
  fix(130, 0.05, 49.45, 10), // out of the port area
  fix(131, 0.03, 49.45, 11),
];

const summary = (u: PortCallUpdate) =>
  `${u.kind}@${'time' in u ? (u.time - T0) / MIN : ''}${'berth' in u && u.berth ? `:${u.berth.code}` : ''}${'basin' in u ? `:${u.basin.code}` : ''}${u.kind === 'arrival' ? `:${u.observed}` : ''}`;

describe('port-call state machine', () => {
  it('follows a vessel from arrival to berth to departure', () => {
    const tracker = createPortCallTracker(geofences, { mooredMinutes: 5 });
    const seen: string[] = [];
    for (const p of voyage) for (const u of tracker.update(p)) seen.push(summary(u));
    assert.deepEqual(seen, [
      'arrival@5:true',
      'basin@5:P2000',
      'berthed@10:TNMSC-2', // the start of the slow period, reported once it lasted 5 minutes
      'unberthed@120:TNMSC-2',
      'departure@130',
    ]);
    assert.equal(tracker.phase(228000001), 'outside');
    assert.equal(tracker.occupancy().size, 0);
  });

  it('does not berth a vessel that only passes by, nor before mooredMinutes', () => {
    const tracker = createPortCallTracker(geofences, { mooredMinutes: 5 });
    const kinds: string[] = [];
    for (const p of [
      fix(0, bLon, bLat, 6),
      fix(1, bLon, bLat, 0.2),
      fix(4, bLon, bLat, 0.1),
      fix(5, 0.13, 49.455, 4),
    ]) {
      for (const u of tracker.update(p)) kinds.push(u.kind);
    }
    assert.deepEqual(kinds, ['arrival', 'basin']);
  });

  it('ignores one stray fix off the berth (GPS jump) and one outside the port', () => {
    const tracker = createPortCallTracker(geofences, { mooredMinutes: 5 });
    const kinds: string[] = [];
    for (const p of [
      fix(0, bLon, bLat, 0),
      fix(6, bLon, bLat, 0),
      fix(7, 0.0, 49.4, 0), // one absurd fix far away
      fix(8, bLon, bLat, 0),
    ]) {
      for (const u of tracker.update(p)) kinds.push(u.kind);
    }
    assert.deepEqual(kinds, ['arrival', 'basin', 'berthed']);
    assert.equal(tracker.phase(228000001), 'atBerth');
    assert.deepEqual([...tracker.occupancy()], [[berth.id, [228000001]]]);
  });

  it('opens a call whose arrival was not observed for a vessel first seen in port, ignores late fixes', () => {
    const tracker = createPortCallTracker(geofences);
    const [u] = tracker.update(fix(10, bLon, bLat, 0));
    assert.equal(u.kind, 'arrival');
    assert.equal(u.kind === 'arrival' && u.observed, false);
    assert.deepEqual(tracker.update(fix(5, 0.0, 49.4, 0)), []);
  });

  it('frees the berth of a vessel gone silent', () => {
    const tracker = createPortCallTracker(geofences, { mooredMinutes: 5, lostAfterMinutes: 60 });
    for (const p of [fix(0, bLon, bLat, 0), fix(6, bLon, bLat, 0)]) tracker.update(p);
    assert.equal(tracker.occupancy().size, 1);
    assert.deepEqual(tracker.sweep(T0 + 30 * MIN), []);
    const [lost] = tracker.sweep(T0 + 70 * MIN);
    assert.equal(lost.kind, 'lost');
    assert.equal(tracker.occupancy().size, 0);
  });
});

describe('geofences', () => {
  it('share ids and polygons with the demo terminals and berths', () => {
    const demo = new Map(
      leHavreEntities()
        .filter((e) => e.type === 'Berth' || e.type === 'Terminal')
        .map((e) => [e.id as string, (e.location as { value: unknown }).value]),
    );
    const fences = [...geofences.terminals, ...geofences.berths];
    assert.equal(fences.length, demo.size);
    for (const g of fences) assert.deepEqual(g.geometry, demo.get(g.id), g.id);
  });

  it('contain the port, measure distances in metres', () => {
    assert.ok(contains(geofences.port, bLon, bLat));
    assert.ok(!contains(geofences.port, 0.0, 49.45), 'the approaches are outside');
    assert.equal(distanceTo(berth, bLon, bLat), 0);
    const d = distanceTo(berth, bLon, berth.bbox[3] + 0.0009); // 0.0009° of latitude ≈ 100 m
    assert.ok(Math.abs(d - 100) < 1, `${d}`);
  });
});

for (const backend of backends()) {
  describe(`port calls and berth occupancy in the broker on ${backend}`, () => {
    let h: Harness;
    let mobility: MobilityRuntime;
    let batcher: EntityBatcher;
    before(async () => {
      h = await openHarness(
        backend,
        { ESCALE_DEMO: '0' },
        {
          mobility: (db, broker, config) => {
            batcher = createEntityBatcher({ write: brokerWriter(broker), intervalMs: 60_000 });
            mobility = createMobility(config, { db, broker, batcher });
            return mobility;
          },
        },
      );
      await seedDemo(h.broker);
    });
    after(() => h.dispose());

    type Entity = Record<string, { value?: unknown; object?: unknown; observedAt?: string }>;
    const get = (id: string) => h.getJson<Entity>(`/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);

    it('marks the berth occupied by the vessel, then free, and completes the port call', async () => {
      for (const p of voyage.slice(0, 6)) mobility.onPosition(p);
      await batcher.flush();
      let b = await get(berth.id);
      assert.equal(b.status.value, 'occupied');
      assert.equal(b.status.observedAt, new Date(T0 + 10 * MIN).toISOString());
      assert.equal(b.refVessel.object, 'urn:ngsi-ld:Vessel:228000001');
      assert.equal(b.name.value, 'Terminal de Normandie MSC — poste 2', 'the demo berth, not a new one');

      for (const p of voyage.slice(6)) mobility.onPosition(p);
      await batcher.flush();
      b = await get(berth.id);
      assert.equal(b.status.value, 'free');
      assert.equal(b.refVessel, undefined);

      const calls = await h.getJson<Entity[]>('/ngsi-ld/v1/entities?type=PortCall&q=mmsi==228000001');
      assert.equal(calls.length, 1);
      const c = calls[0];
      assert.equal(c.status.value, 'COMPLETED');
      assert.equal(c.ata.value, new Date(T0 + 5 * MIN).toISOString());
      assert.equal(c.atd.value, new Date(T0 + 130 * MIN).toISOString());
      assert.equal(c.vesselRef.object, 'urn:ngsi-ld:Vessel:228000001');
      assert.equal(c.refBerth.object, berth.id);
      assert.equal(c.vesselName.value, 'SYNTHETIC');

      const events = await h.getJson<Entity[]>(
        `/ngsi-ld/v1/entities?type=PortCallEvent&q=mmsi==228000001&limit=100`,
      );
      const types = events
        .map((e) => [e.eventTime.value as string, e.eventType.value as string] as const)
        .sort()
        .map(([, t]) => t);
      assert.deepEqual(types, [
        'port.ata.vessel',
        'portBasin.ata.vessel',
        'berth.ata.vessel',
        'berth.atd.vessel',
        'port.atd.vessel',
      ]);
    });
  });
}
