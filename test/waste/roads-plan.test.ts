import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareWithFixedRounds } from '../../src/waste/compare.js';
import { evaluateForecast } from '../../src/waste/forecast.js';
import { planRounds, planToCsv, planToGpx } from '../../src/waste/plan.js';
import { dijkstra, distanceMatrix, haversine, parseOsm, snap } from '../../src/waste/roads.js';
import { LE_HAVRE_DEPOT, simulateContainers, simulateReadings } from '../../src/waste/simulate.js';
import { DAY_MS } from '../../src/waste/time.js';

const osm = readFileSync(new URL('../fixtures/osm/grid.osm', import.meta.url), 'utf8');
const START = Date.parse('2026-11-02T00:00:00+01:00'); // a Monday, local midnight
const vehicles = [1, 2, 3, 4].map((i) => ({
  id: `BOM-${i}`,
  capacityLitres: 30_000,
  shiftStart: '06:00',
  shiftEnd: '13:00',
}));

describe('waste: road graph from OpenStreetMap', () => {
  const g = parseOsm(osm);
  const node = (lon: number, lat: number) => snap(g, lon, lat);

  it('keeps drivable ways only and respects one-way streets', () => {
    assert.equal(g.lon.length, 6, 'the footway-only node is left out');
    const n4 = node(0.1, 49.491);
    const n6 = node(0.102, 49.491);
    const east = dijkstra(g, n4)[n6];
    const west = dijkstra(g, n6)[n4];
    assert.ok(Math.abs(east - haversine(0.1, 49.491, 0.102, 49.491)) < 1, 'along the one-way street');
    assert.ok(west > east * 2, 'against it: round by the southern street');
    const n2 = node(0.101, 49.49);
    const n5 = node(0.101, 49.491);
    assert.ok(dijkstra(g, n2)[n5] > 200, 'no driving through the footway');
  });

  it('road distances replace the straight line when a graph is given', () => {
    const pts: [number, number][] = [
      [0.1, 49.4911],
      [0.102, 49.4911],
    ];
    const road = distanceMatrix(pts, { graph: g });
    assert.equal(road.source, 'road-graph');
    assert.ok(road.metres[1] < road.metres[2], 'asymmetric: one-way street');
    const line = distanceMatrix(pts);
    assert.equal(line.source, 'straight-line');
    assert.ok(Math.abs(line.metres[1] - 1.3 * haversine(0.1, 49.4911, 0.102, 49.4911)) < 1e-6);
  });
});

describe('waste: forecast', () => {
  it('measures its error on held-out days (printed), better than the references', () => {
    const cs = simulateContainers(60, 7);
    const readings = simulateReadings(cs, START - 28 * DAY_MS, START);
    const by = new Map<string, { at: number; level: number }[]>();
    for (const r of readings) {
      const a = by.get(r.containerId) ?? [];
      a.push(r);
      by.set(r.containerId, a);
    }
    const e = evaluateForecast(by.values(), 7);
    console.log(
      `forecast MAE on 7 held-out days (${e.containers} containers, ${e.points} readings): ` +
        `weekday-hour model ${(e.mae * 100).toFixed(2)} %, mean rate ${(e.maeMeanRate * 100).toFixed(2)} %, ` +
        `persistence ${(e.maePersistence * 100).toFixed(2)} % of a container`,
    );
    assert.equal(e.containers, 60);
    assert.ok(e.mae < e.maeMeanRate && e.mae < e.maePersistence);
    assert.ok(e.mae < 0.05);
  });
});

describe('waste: collection planning', () => {
  const containers = simulateContainers(300, 42);

  it('plans 300 containers on 4 vehicles within capacities and shifts; exports GPX and CSV', () => {
    const plan = planRounds({
      depot: LE_HAVRE_DEPOT,
      vehicles,
      containers: containers.map((c, i) => ({
        id: c.id,
        location: c.location,
        capacityLitres: c.capacityLitres,
        level: 0.3 + ((i * 37) % 60) / 100,
      })),
      timeLimitMs: 60_000,
      maxIterations: 5000,
    });
    assert.equal(plan.distances, 'straight-line');
    assert.ok(plan.rounds.length <= 4);
    for (const r of plan.rounds) {
      assert.ok(r.litres <= 30_000, `${r.vehicle}: ${r.litres} L`);
      assert.ok(r.durationMinutes <= 7 * 60, `${r.vehicle}: ${r.durationMinutes} min`);
    }
    const served = plan.rounds.flatMap((r) => r.stops.map((s) => s.id));
    assert.equal(new Set(served).size, served.length, 'each container once');
    assert.equal(served.length + plan.unserved.length, 300);
    assert.ok(plan.unserved.length > 0, 'four 30,000 L trucks cannot take ~140,000 L: the rest is reported');
    const gpx = planToGpx(plan, LE_HAVRE_DEPOT);
    assert.equal((gpx.match(/<rte>/g) ?? []).length, plan.rounds.length);
    assert.match(gpx, /<rtept lat="49\.\d{6}" lon="0\.\d{6}">/);
    const csv = planToCsv(plan).trim().split('\r\n');
    assert.equal(csv[0], 'vehicle,sequence,container,longitude,latitude,arrival_minutes,litres');
    assert.equal(csv.length, served.length + 1);
  });

  it('on a simulated week, planned rounds beat fixed rounds: fewer km and visits, no more overflows', () => {
    const c = compareWithFixedRounds({
      containers,
      depot: LE_HAVRE_DEPOT,
      vehicles,
      start: START,
      days: 7,
      timeLimitMs: 60_000,
      maxIterations: 2000,
    });
    const { firstDay: _p, ...planned } = c.planned;
    const { firstDay: _f, ...fixed } = c.fixed;
    console.log('planned', JSON.stringify(planned));
    console.log('fixed  ', JSON.stringify(fixed));
    for (const r of c.planned.firstDay?.rounds ?? []) {
      assert.ok(r.litres <= 30_000 && r.durationMinutes <= 420);
    }
    assert.equal(c.planned.unserved, 0);
    assert.ok(c.planned.distanceKm < c.fixed.distanceKm);
    assert.ok(c.planned.containersEmptied < c.fixed.containersEmptied);
    assert.ok(c.planned.overflows <= c.fixed.overflows);
  });

  it('against rarer fixed rounds (every 3 days), planned rounds avoid most overflows', () => {
    const c = compareWithFixedRounds({
      containers,
      depot: LE_HAVRE_DEPOT,
      vehicles,
      start: START,
      days: 7,
      fixedEveryDays: 3,
      timeLimitMs: 60_000,
      maxIterations: 2000,
    });
    console.log(`every 3 days: overflows planned ${c.planned.overflows}, fixed ${c.fixed.overflows}`);
    assert.ok(c.planned.overflows * 5 < c.fixed.overflows);
  });
});
