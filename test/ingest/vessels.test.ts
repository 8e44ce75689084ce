import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ClassBPositionReport,
  PositionReport,
  StaticDataReport,
  StaticVoyageData,
} from '../../src/ingest/ais/types.js';
import { coarsen, createVesselTracker, etaIso, type NgsiEntity } from '../../src/ingest/ais/vessels.js';
import { createEntityBatcher } from '../../src/ingest/batcher.js';
import { createAisPipeline } from '../../src/ingest/index.js';

function position(mmsi: number, lon: number, lat: number, time: number, extra: Partial<PositionReport> = {}) {
  const m: PositionReport = {
    type: 1,
    repeat: 0,
    mmsi,
    channel: 'A',
    time,
    status: 0,
    turn: 0,
    speed: 12.3,
    accuracy: true,
    lon,
    lat,
    course: 90,
    heading: 91,
    second: 0,
    maneuver: 0,
    raim: false,
    radio: 0,
    ...extra,
  };
  return m;
}

function classB(mmsi: number, lon: number, lat: number, time: number): ClassBPositionReport {
  return {
    type: 18,
    repeat: 0,
    mmsi,
    channel: 'B',
    time,
    reserved: 0,
    speed: 5,
    accuracy: false,
    lon,
    lat,
    course: 10,
    heading: undefined,
    second: 0,
    regional: 0,
    cs: true,
    display: false,
    dsc: true,
    band: true,
    msg22: true,
    assigned: false,
    raim: false,
    radio: 0,
  };
}

const staticB = (mmsi: number): StaticDataReport => ({
  type: 24,
  repeat: 0,
  mmsi,
  channel: 'A',
  part: 'AB',
  shipname: 'MY BOAT',
  callsign: 'F1234',
  shiptype: 37,
  toBow: 5,
  toStern: 5,
  toPort: 2,
  toStarboard: 2,
});

const value = (e: NgsiEntity, attr: string) => (e[attr] as { value?: unknown } | undefined)?.value;

describe('vessel state and coalesced writes', () => {
  it('turns 1,000 positions of 10 vessels into one upsert with the latest position of each', async () => {
    const calls: NgsiEntity[][] = [];
    const batcher = createEntityBatcher({
      write: async (es) => {
        calls.push(es);
      },
      intervalMs: 60_000,
      maxEntities: 500,
    });
    const pipeline = createAisPipeline({ batcher });
    const t0 = 1_700_000_000;
    for (let i = 0; i < 1000; i++) {
      const mmsi = 227000000 + (i % 10);
      pipeline.accept(position(mmsi, -0.5 + i / 1000, 49.5, t0 + i), 0);
    }
    await batcher.close();
    assert.equal(calls.length, 1);
    const batch = calls[0];
    assert.equal(batch.length, 10);
    for (const e of batch) {
      const k = Number(String(e.id).split(':').pop()) - 227000000;
      const last = 990 + k; // the last of the 100 positions of this vessel
      assert.deepEqual((e.location as { value: unknown }).value, {
        type: 'Point',
        coordinates: [-0.5 + last / 1000, 49.5],
      });
      assert.equal(
        (e.location as { observedAt: string }).observedAt,
        new Date((t0 + last) * 1000).toISOString(),
      );
      assert.deepEqual(e.speedOverGround, {
        type: 'Property',
        value: 12.3,
        unitCode: 'KNT',
        observedAt: new Date((t0 + last) * 1000).toISOString(),
      });
      assert.equal(value(e, 'navigationalStatus'), 'Under way using engine');
    }
    assert.equal(batcher.stats().upserts, 1);
  });

  it('keeps the latest observation when an older report arrives late', () => {
    const tracker = createVesselTracker();
    tracker.accept(position(1, 1, 49, 200), 0);
    tracker.accept(position(1, 2, 49, 100), 0);
    assert.equal(tracker.get(1)?.lon, 1);
  });

  it('merges static and voyage data (type 5) and deletes values no longer reported', () => {
    const tracker = createVesselTracker();
    const ref = Date.UTC(2012, 2, 14, 11, 33) / 1000;
    tracker.accept(position(244455000, 0.15, 49.47, ref), 0);
    const voyage: StaticVoyageData = {
      type: 5,
      repeat: 0,
      mmsi: 244455000,
      channel: 'A',
      time: ref,
      aisVersion: 0,
      imo: 9158549,
      callsign: 'PENR',
      shipname: 'BENGUELA STREAM',
      shiptype: 70,
      toBow: 126,
      toStern: 23,
      toPort: 14,
      toStarboard: 8,
      epfd: 1,
      etaMonth: 3,
      etaDay: 14,
      etaHour: 6,
      etaMinute: 0,
      draught: 7.5,
      destination: 'LE HAVRE',
      dte: false,
    };
    tracker.accept(voyage, 0);
    let [e] = tracker.take();
    assert.equal(value(e, 'name'), 'BENGUELA STREAM');
    assert.equal(value(e, 'callSign'), 'PENR');
    assert.equal(value(e, 'imo'), 9158549);
    assert.equal(value(e, 'vesselType'), 7);
    assert.equal(value(e, 'vesselSubType'), 70);
    assert.equal(value(e, 'vesselTypeName'), 'Cargo - all ships of this type');
    assert.deepEqual(e.length, { type: 'Property', value: 149, unitCode: 'MTR' });
    assert.equal(value(e, 'beam'), 22);
    assert.equal(value(e, 'draught'), 7.5);
    assert.equal(value(e, 'destination'), 'LE HAVRE');
    assert.equal(value(e, 'destinationPort'), 'FRLEH');
    assert.equal(value(e, 'estimatedTimeOfArrival'), '2012-03-14T06:00:00Z');
    assert.equal(value(e, 'aisClass'), 'A');
    // A later report without heading deletes the heading written before.
    tracker.accept(position(244455000, 0.15, 49.47, ref + 10, { heading: undefined }), 0);
    [e] = tracker.take();
    assert.equal(value(e, 'heading'), 'urn:ngsi-ld:null');
    assert.equal(e.name, undefined, 'static data is not rewritten with every position');
    assert.equal(tracker.take().length, 0);
  });

  it('coarsens class B positions to ~1 km and drops name and call sign by default', () => {
    const tracker = createVesselTracker();
    const seen: number[] = [];
    const t = createVesselTracker({ onPosition: (p) => seen.push(p.mmsi) });
    tracker.accept(classB(235000001, 0.10734, 49.48812, 100), 0);
    tracker.accept(staticB(235000001), 0);
    t.accept(classB(235000001, 0.10734, 49.48812, 100), 0);
    const [e] = tracker.take();
    const [lon, lat] = (e.location as { value: { coordinates: number[] } }).value.coordinates;
    assert.deepEqual([lon, lat], coarsen(0.10734, 49.48812));
    assert.ok(Math.abs(lat - 49.48812) < 0.0046 && Math.abs(lon - 0.10734) < 0.007, 'within half a cell');
    assert.ok(lat !== 49.48812 && lon !== 0.10734);
    // Two positions in one cell give the same coarse position.
    assert.deepEqual(coarsen(0.10734, 49.48812), coarsen(0.1078, 49.4885));
    assert.equal(e.name, undefined);
    assert.equal(e.callSign, undefined);
    assert.equal(value(e, 'aisClass'), 'B');
    assert.equal(value(e, 'vesselTypeName'), 'Pleasure Craft');
    assert.deepEqual(seen, [], 'coarsened units are not tracked into port calls');
  });

  it('shows class B as sent with `show`, and writes nothing about them with `hide`', () => {
    const shown = createVesselTracker({ classB: 'show' });
    shown.accept(classB(235000001, 0.10734, 49.48812, 100), 0);
    shown.accept(staticB(235000001), 0);
    const [e] = shown.take();
    assert.deepEqual(
      (e.location as { value: { coordinates: number[] } }).value.coordinates,
      [0.10734, 49.48812],
    );
    assert.equal(value(e, 'name'), 'MY BOAT');

    const hidden = createVesselTracker({ classB: 'hide' });
    assert.equal(hidden.accept(classB(235000001, 0.1, 49.4, 100), 0), false);
    assert.equal(hidden.accept(staticB(235000001), 0), false);
    hidden.accept(position(227000001, 0.1, 49.4, 100), 0);
    assert.deepEqual(
      hidden.take().map((x) => x.id),
      ['urn:ngsi-ld:Vessel:227000001'],
    );
  });

  it('places AIS ETAs (no year) in the right year', () => {
    const ref = Date.UTC(2024, 11, 20);
    assert.equal(etaIso(1, 5, 8, 30, ref), '2025-01-05T08:30:00Z');
    assert.equal(etaIso(12, 1, 0, 0, ref), '2024-12-01T00:00:00Z');
    assert.equal(etaIso(2, 31, 0, 0, ref), undefined);
    assert.equal(etaIso(undefined, 5, 8, 30, ref), undefined);
  });
});
