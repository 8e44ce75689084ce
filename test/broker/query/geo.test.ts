import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  compileGeoQuery,
  type GeoQuery,
  type GeoQueryInput,
  LOCATION_IRI,
  orderByDistance,
  parseGeoQuery,
  planarRadius,
  type SqlParams,
} from '../../../src/broker/query/geo.js';
import { ProblemError } from '../../../src/http/problem.js';
import { backends, openTestDb, type TestDb } from '../../helpers/db.js';

const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
const SERVICE_AREA = `${VOCAB}serviceArea`;

class Params implements SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const expand = (term: string) =>
  term.includes(':') ? term : term === 'location' ? LOCATION_IRI : VOCAB + term;

/** Great-circle distance in meters on the mean sphere: the hand check for PostGIS's spheroid. */
function haversine([lon1, lat1]: readonly number[], [lon2, lat2]: readonly number[]): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

// The Port of Le Havre. V2 is ~1 km east of V1 on the same parallel; the quay runs ~180 m south of V1.
const V1 = [0.1066, 49.4806];
const V2 = [0.1204, 49.4806];
const V3 = [0.17, 49.465];
const V4 = [0.23, 49.47];
const SENSOR = [0.21, 49.5];
const QUAY = [
  [0.095, 49.479],
  [0.115, 49.479],
];
const ring = (w: number, s: number, e: number, n: number) => [
  [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ],
];
const TERMINAL = ring(0.15, 49.455, 0.19, 49.47);
const ESTUARY = ring(0, 49.43, 0.08, 49.47);
/** Around the two vessels at the western berths; crosses the quay. */
const P1 = ring(0.1, 49.475, 0.125, 49.485);
const ALL_PORT = ring(0, 49.4, 0.3, 49.6);

const ID = {
  v1: 'urn:ngsi-ld:Vessel:CMA-CGM-Jacques-Saade',
  v2: 'urn:ngsi-ld:Vessel:MSC-Gulsun',
  v3: 'urn:ngsi-ld:Vessel:Seine-Pilot-3',
  v4: 'urn:ngsi-ld:Vessel:Ever-Ace',
  terminal: 'urn:ngsi-ld:Terminal:Terminal-de-Normandie',
  quay: 'urn:ngsi-ld:Quay:Quai-de-l-Europe',
  berth: 'urn:ngsi-ld:Berth:TPO-12',
  pilots: 'urn:ngsi-ld:PilotStation:Le-Havre',
  sensor: 'urn:ngsi-ld:WeatherObserved:Digue-Nord',
};
const LOCATED = [ID.v1, ID.v2, ID.v3, ID.v4, ID.terminal, ID.quay, ID.sensor];
const sorted = (ids: string[]) => [...ids].sort();

const geo = (type: string, coordinates: unknown) => [{ type: 'GeoProperty', value: { type, coordinates } }];

const ENTITIES: [string, string, Record<string, unknown>][] = [
  [ID.v1, 'Vessel', { [LOCATION_IRI]: geo('Point', V1) }],
  [ID.v2, 'Vessel', { [LOCATION_IRI]: geo('Point', V2) }],
  [ID.v3, 'Vessel', { [LOCATION_IRI]: geo('Point', V3) }],
  [ID.v4, 'Vessel', { [LOCATION_IRI]: geo('Point', V4) }],
  [ID.terminal, 'Terminal', { [LOCATION_IRI]: geo('Polygon', TERMINAL) }],
  [ID.quay, 'Quay', { [LOCATION_IRI]: geo('LineString', QUAY) }],
  [ID.berth, 'Berth', { [`${VOCAB}name`]: [{ type: 'Property', value: 'TPO 12' }] }],
  // Another geoproperty, and no location.
  [ID.pilots, 'PilotStation', { [SERVICE_AREA]: geo('Polygon', ESTUARY) }],
  // A same-named attribute that is not a GeoProperty: must neither match nor break serviceArea queries.
  [
    ID.sensor,
    'WeatherObserved',
    { [LOCATION_IRI]: geo('Point', SENSOR), [SERVICE_AREA]: [{ type: 'Property', value: 'Estuary' }] },
  ],
];

function badRequest(input: GeoQueryInput, pattern: RegExp): void {
  assert.throws(
    () => parseGeoQuery(input),
    (err: unknown) => {
      assert.ok(err instanceof ProblemError, `expected a ProblemError, got ${String(err)}`);
      assert.equal(err.errorType, 'BadRequestData');
      assert.equal(err.status, 400);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

const point = (p: number[]) => JSON.stringify(p);

describe('parseGeoQuery', () => {
  it('returns undefined when no geo-query parameter is present', () => {
    assert.equal(parseGeoQuery({}), undefined);
    assert.equal(parseGeoQuery({ georel: undefined, coordinates: undefined }), undefined);
  });

  it('parses GET parameters, with location as the default geoproperty', () => {
    const q = parseGeoQuery({
      georel: 'near;maxDistance==1500',
      geometry: 'Point',
      coordinates: '[0.1066,49.4806]',
    });
    assert.deepEqual(q, {
      georel: 'near',
      maxDistance: 1500,
      geometry: { type: 'Point', coordinates: [0.1066, 49.4806] },
      geoproperty: 'location',
    });
  });

  it('parses a POST geoQ (coordinates already an array) and both near distances', () => {
    const q = parseGeoQuery({
      georel: 'near;minDistance==10.5;maxDistance==2e3',
      geometry: 'Polygon',
      coordinates: TERMINAL,
      geoproperty: 'serviceArea',
    });
    assert.deepEqual(q, {
      georel: 'near',
      minDistance: 10.5,
      maxDistance: 2000,
      geometry: { type: 'Polygon', coordinates: TERMINAL },
      geoproperty: 'serviceArea',
    });
  });

  it('accepts coordinates still URL-encoded', () => {
    const q = parseGeoQuery({
      georel: 'within',
      geometry: 'Polygon',
      coordinates: encodeURIComponent(JSON.stringify(P1)),
    });
    assert.deepEqual(q?.geometry, { type: 'Polygon', coordinates: P1 });
  });

  it('rejects partial geo-queries', () => {
    badRequest({ georel: 'within', geometry: 'Polygon' }, /missing: coordinates/);
    badRequest({ coordinates: '[0.1,49.4]' }, /missing: georel, geometry/);
    badRequest({ geoproperty: 'location' }, /missing: georel, geometry, coordinates/);
  });

  it('rejects invalid georels', () => {
    const base = { geometry: 'Point', coordinates: point(V1) };
    badRequest({ ...base, georel: 'nearby' }, /Invalid georel "nearby": expected near;maxDistance==/);
    badRequest({ ...base, georel: 'coveredBy' }, /Invalid georel/);
    badRequest({ ...base, georel: 'near' }, /near needs a distance/);
    badRequest({ ...base, georel: 'near;maxDistance:1000' }, /near takes maxDistance==<meters>/);
    badRequest({ ...base, georel: 'near;maxDistance==-5' }, /maxDistance must be a non-negative number/);
    badRequest({ ...base, georel: 'near;maxDistance==abc' }, /maxDistance must be a non-negative number/);
    badRequest({ ...base, georel: 'near;maxDistance==1;maxDistance==2' }, /maxDistance given twice/);
    badRequest({ ...base, georel: 'near;minDistance==20;maxDistance==10' }, /minDistance is greater/);
    badRequest({ ...base, georel: 'within;maxDistance==10' }, /within takes no modifier/);
  });

  it('rejects invalid geometries and coordinates', () => {
    badRequest({ georel: 'within', geometry: 'Circle', coordinates: point(V1) }, /Invalid geometry "Circle"/);
    badRequest({ georel: 'within', geometry: 'GeometryCollection', coordinates: '[]' }, /Invalid geometry/);
    badRequest({ georel: 'within', geometry: 'point', coordinates: point(V1) }, /Invalid geometry "point"/);
    badRequest(
      { georel: 'intersects', geometry: 'Point', coordinates: '[0.1066]' },
      /^coordinates: .*2 or 3 numbers/,
    );
    badRequest(
      { georel: 'intersects', geometry: 'Point', coordinates: '[0.1066,91]' },
      /latitude 91 is outside/,
    );
    badRequest(
      { georel: 'intersects', geometry: 'Point', coordinates: '0.1066,49.4806' },
      /must be a JSON array/,
    );
    badRequest({ georel: 'intersects', geometry: 'Point', coordinates: '[0.1,' }, /must be a JSON array/);
    const open = [TERMINAL[0].slice(0, 4)];
    badRequest(
      { georel: 'within', geometry: 'Polygon', coordinates: JSON.stringify(open) },
      /^coordinates\[0\]: a linear ring must be closed/,
    );
    badRequest(
      { georel: 'within', geometry: 'Polygon', coordinates: point(V1) },
      /coordinates\[0\]: expected an array/,
    );
  });

  it('rejects an empty geoproperty', () => {
    badRequest(
      { georel: 'within', geometry: 'Polygon', coordinates: P1, geoproperty: ' ' },
      /Invalid geoproperty/,
    );
  });
});

describe('planarRadius', () => {
  it('is unavailable near the poles and the antimeridian', () => {
    const p = (c: number[]): GeoQuery['geometry'] => ({ type: 'Point', coordinates: c });
    assert.equal(planarRadius(p([179.99, 10]), 2000), undefined);
    assert.equal(planarRadius(p([-179.99, 10]), 2000), undefined);
    assert.equal(planarRadius(p([0, 88.99]), 2000), undefined);
    assert.equal(planarRadius(p([0, 10]), 2e7), undefined);
    const r = planarRadius(p(V1), 1000);
    assert.ok(r !== undefined && r > 0.0138 && r < 0.02, `radius ${r}`);
  });
});

for (const backend of backends()) {
  describe(`geo-queries on ${backend}`, () => {
    let t: TestDb;

    before(async () => {
      t = await openTestDb(backend);
      for (const [id, type, attrs] of ENTITIES) {
        await t.db.query(
          `INSERT INTO broker_entities (tenant, id, types, attrs, created_at, modified_at)
           VALUES ('', $1, ARRAY[$2], $3::jsonb, now(), now())`,
          [id, VOCAB + type, JSON.stringify(attrs)],
        );
      }
    });
    after(() => t.dispose());

    async function ids(input: GeoQueryInput, tenant = ''): Promise<string[]> {
      const g = parseGeoQuery(input);
      assert.ok(g);
      const params = new Params();
      const where = compileGeoQuery(g, { alias: 'e', expand, params });
      const tenantParam = params.add(tenant);
      const r = await t.db.query<{ id: string }>(
        `SELECT e.id FROM broker_entities e WHERE e.tenant = ${tenantParam} AND ${where} ORDER BY e.id`,
        params.values,
      );
      return r.rows.map((row) => row.id);
    }

    it('within', async () => {
      assert.deepEqual(
        await ids({ georel: 'within', geometry: 'Polygon', coordinates: JSON.stringify(P1) }),
        [ID.v1, ID.v2],
      );
      assert.deepEqual(
        await ids({ georel: 'within', geometry: 'Polygon', coordinates: ALL_PORT }),
        sorted(LOCATED),
      );
    });

    it('intersects', async () => {
      assert.deepEqual(
        await ids({ georel: 'intersects', geometry: 'Polygon', coordinates: P1 }),
        sorted([ID.v1, ID.v2, ID.quay]),
      );
      // A line across the terminal and nothing else.
      assert.deepEqual(
        await ids({
          georel: 'intersects',
          geometry: 'LineString',
          coordinates: [
            [0.14, 49.46],
            [0.2, 49.461],
          ],
        }),
        [ID.terminal],
      );
    });

    it('contains', async () => {
      assert.deepEqual(await ids({ georel: 'contains', geometry: 'Point', coordinates: [0.16, 49.458] }), [
        ID.terminal,
      ]);
      // A point in the interior of the quay's line.
      assert.deepEqual(await ids({ georel: 'contains', geometry: 'Point', coordinates: [0.105, 49.479] }), [
        ID.quay,
      ]);
      assert.deepEqual(
        await ids({ georel: 'contains', geometry: 'MultiPoint', coordinates: [V3, [0.155, 49.46]] }),
        [ID.terminal],
      );
    });

    it('equals', async () => {
      assert.deepEqual(await ids({ georel: 'equals', geometry: 'Point', coordinates: V1 }), [ID.v1]);
      assert.deepEqual(await ids({ georel: 'equals', geometry: 'Polygon', coordinates: TERMINAL }), [
        ID.terminal,
      ]);
      assert.deepEqual(await ids({ georel: 'equals', geometry: 'LineString', coordinates: QUAY }), [ID.quay]);
    });

    it('overlaps', async () => {
      assert.deepEqual(
        await ids({ georel: 'overlaps', geometry: 'Polygon', coordinates: ring(0.18, 49.46, 0.2, 49.48) }),
        [ID.terminal],
      );
      // Overlaps needs the same dimension: the quay crosses P1 but does not overlap it.
      assert.deepEqual(await ids({ georel: 'overlaps', geometry: 'Polygon', coordinates: P1 }), []);
    });

    it('disjoint never returns entities without the geoproperty', async () => {
      assert.deepEqual(
        await ids({ georel: 'disjoint', geometry: 'Polygon', coordinates: P1 }),
        sorted([ID.v3, ID.v4, ID.terminal, ID.sensor]),
      );
      assert.deepEqual(
        await ids({ georel: 'disjoint', geometry: 'Polygon', coordinates: P1, geoproperty: 'serviceArea' }),
        [ID.pilots],
      );
    });

    it('an invalid reference polygon is made valid rather than failing the query', async () => {
      // Two overlapping squares: an invalid MultiPolygon, on which GEOS < 3.13 raises a TopologyException.
      const overlapping = [ring(0.09, 49.47, 0.13, 49.49), ring(0.12, 49.45, 0.2, 49.48)];
      assert.deepEqual(
        await ids({ georel: 'within', geometry: 'MultiPolygon', coordinates: overlapping }),
        sorted([ID.v1, ID.v2, ID.v3, ID.quay, ID.terminal]),
      );
      assert.deepEqual(
        await ids({ georel: 'disjoint', geometry: 'MultiPolygon', coordinates: overlapping }),
        sorted([ID.v4, ID.sensor]),
      );
    });

    it('near;maxDistance in meters, checked against the haversine distance', async () => {
      const d = haversine(V1, V2);
      assert.ok(d > 950 && d < 1050, `V1-V2 is ${d} m`);
      const quay = haversine(V1, [V1[0], QUAY[0][1]]);
      assert.ok(quay > 170 && quay < 190, `V1-quay is ${quay} m`);
      const near = (m: number) =>
        ids({ georel: `near;maxDistance==${m}`, geometry: 'Point', coordinates: point(V1) });
      assert.deepEqual(await near(900), sorted([ID.v1, ID.quay]));
      assert.deepEqual(await near(1100), sorted([ID.v1, ID.v2, ID.quay]));
      assert.deepEqual(await near(150), [ID.v1]);
      assert.deepEqual(await near(0), [ID.v1]);
    });

    it('near;minDistance and both bounds', async () => {
      const near = (rel: string) => ids({ georel: rel, geometry: 'Point', coordinates: V1 });
      assert.deepEqual(
        await near('near;minDistance==900'),
        sorted([ID.v2, ID.v3, ID.v4, ID.terminal, ID.sensor]),
      );
      assert.deepEqual(await near('near;minDistance==1100'), sorted([ID.v3, ID.v4, ID.terminal, ID.sensor]));
      assert.deepEqual(await near('near;minDistance==900;maxDistance==1100'), [ID.v2]);
    });

    it('near a polygon measures from its edge', async () => {
      // 500 m east of the terminal's east edge, on the parallel of V3.
      const east = [0.19 + 500 / haversine([0, V3[1]], [1, V3[1]]), V3[1]];
      const near = (m: number) =>
        ids({ georel: `near;maxDistance==${m}`, geometry: 'Point', coordinates: east });
      assert.deepEqual(await near(450), []);
      assert.deepEqual(await near(550), [ID.terminal]);
    });

    it('other geoproperties, skipping same-named attributes that are not GeoProperties', async () => {
      assert.deepEqual(
        await ids({
          georel: 'intersects',
          geometry: 'Polygon',
          coordinates: ALL_PORT,
          geoproperty: 'serviceArea',
        }),
        [ID.pilots],
      );
      assert.deepEqual(
        await ids({
          georel: 'within',
          geometry: 'Polygon',
          coordinates: ALL_PORT,
          geoproperty: SERVICE_AREA,
        }),
        [ID.pilots],
      );
      // 0.01 degree east of the estuary's east edge: ~723 m.
      const from = [0.09, 49.45];
      const edge = haversine(from, [0.08, 49.45]);
      assert.ok(edge > 700 && edge < 750, `${edge} m`);
      const near = (m: number) =>
        ids({
          georel: `near;maxDistance==${m}`,
          geometry: 'Point',
          coordinates: from,
          geoproperty: 'serviceArea',
        });
      assert.deepEqual(await near(680), []);
      assert.deepEqual(await near(780), [ID.pilots]);
      // The pilot station has no location.
      assert.deepEqual(await ids({ georel: 'within', geometry: 'Polygon', coordinates: ESTUARY }), []);
    });

    it('orderByDistance sorts nearest first, in meters', async () => {
      const g = parseGeoQuery({ georel: 'near;maxDistance==10000', geometry: 'Point', coordinates: V1 });
      assert.ok(g);
      const params = new Params();
      const ctx = { alias: 'e', expand, params };
      const where = compileGeoQuery(g, ctx);
      const dist = orderByDistance(g, ctx);
      const r = await t.db.query<{ id: string; d: number }>(
        `SELECT e.id, ${dist} AS d FROM broker_entities e WHERE e.tenant = '' AND ${where} ORDER BY ${dist}, e.id`,
        params.values,
      );
      assert.deepEqual(
        r.rows.map((row) => row.id),
        [ID.v1, ID.quay, ID.v2, ID.terminal, ID.v3, ID.sensor, ID.v4],
      );
      const byId = new Map(r.rows.map((row) => [row.id, row.d]));
      assert.equal(byId.get(ID.v1), 0);
      // The spheroid and the sphere agree within 0.5% at this latitude.
      for (const [id, p] of [
        [ID.v2, V2],
        [ID.v3, V3],
        [ID.v4, V4],
        [ID.sensor, SENSOR],
        [ID.terminal, [0.15, 49.47]],
      ] as const) {
        const expected = haversine(V1, p);
        const got = byId.get(id) ?? Number.NaN;
        assert.ok(Math.abs(got - expected) / expected < 0.005, `${id}: ${got} m vs haversine ${expected} m`);
      }
    });

    it('near across the antimeridian', async () => {
      await t.db.query(
        `INSERT INTO broker_entities (tenant, id, types, attrs, created_at, modified_at)
         VALUES ('pacific', 'urn:ngsi-ld:Buoy:Fiji', ARRAY['Buoy'], $1::jsonb, now(), now())`,
        [JSON.stringify({ [LOCATION_IRI]: geo('Point', [179.995, -17]) })],
      );
      const from = [-179.995, -17];
      const d = haversine([179.995, -17], from);
      assert.ok(d > 1000 && d < 1100, `${d} m`);
      const near = (m: number) =>
        ids({ georel: `near;maxDistance==${m}`, geometry: 'Point', coordinates: from }, 'pacific');
      assert.deepEqual(await near(1000), []);
      assert.deepEqual(await near(1200), ['urn:ngsi-ld:Buoy:Fiji']);
    });

    it('the planar prefilter of near never drops a point the geodesic test keeps', async () => {
      // Points exactly `m` meters away (ST_Project on the spheroid) in every direction, at many latitudes,
      // must lie within planarRadius degrees.
      const cases: [number, number, number, number][] = [];
      for (const lat of [-80, -60, -30, 0, 20, 49.48, 70, 85]) {
        for (const m of [1, 500, 10000, 200000]) {
          for (let az = 0; az < 360; az += 15) cases.push([0.1, lat, m, az]);
        }
      }
      const r = await t.db.query<{ lon: number; lat: number }>(
        `SELECT ST_X(p::geometry) AS lon, ST_Y(p::geometry) AS lat
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS c(v, i),
                LATERAL (SELECT ST_Project(ST_SetSRID(ST_MakePoint((v->>0)::float8, (v->>1)::float8), 4326)::geography,
                                           (v->>2)::float8, radians((v->>3)::float8)) AS p) x
          ORDER BY i`,
        [JSON.stringify(cases)],
      );
      assert.equal(r.rows.length, cases.length);
      let checked = 0;
      r.rows.forEach((row, i) => {
        const [lon, lat, m] = cases[i];
        const radius = planarRadius({ type: 'Point', coordinates: [lon, lat] }, m);
        if (radius === undefined) return;
        checked++;
        const planar = Math.hypot(row.lon - lon, row.lat - lat);
        assert.ok(planar <= radius, `lat ${lat}, ${m} m, azimuth ${cases[i][3]}: ${planar} > ${radius}`);
      });
      assert.ok(checked > cases.length * 0.8, `${checked} checked`);
    });

    describe('with a few thousand located entities', () => {
      before(async () => {
        // 4000 vessels and buoys scattered over the Seine estuary, deterministic.
        await t.db.query('SELECT setseed(0.42)');
        await t.db.query(
          `INSERT INTO broker_entities (tenant, id, types, attrs, created_at, modified_at)
           SELECT 'bulk', 'urn:ngsi-ld:Vessel:AIS-' || i, ARRAY['${VOCAB}Vessel'],
                  jsonb_build_object('${LOCATION_IRI}', jsonb_build_array(jsonb_build_object(
                    'type', 'GeoProperty',
                    'value', jsonb_build_object('type', 'Point', 'coordinates',
                      jsonb_build_array(round((-0.2 + random() * 0.6)::numeric, 6),
                                        round((49.3 + random() * 0.35)::numeric, 6)))))),
                  now(), now()
             FROM generate_series(1, 4000) AS i`,
        );
        await t.db.exec('ANALYZE broker_entities');
      });

      function compileBulk(input: GeoQueryInput): { sql: string; values: unknown[] } {
        const g = parseGeoQuery(input);
        assert.ok(g);
        const params = new Params();
        const where = compileGeoQuery(g, { alias: 'e', expand, params });
        return {
          sql: `SELECT e.id FROM broker_entities e WHERE e.tenant = 'bulk' AND ${where}`,
          values: params.values,
        };
      }

      async function plan(input: GeoQueryInput): Promise<string> {
        const { sql, values } = compileBulk(input);
        const r = await t.db.query<Record<string, unknown>>(`EXPLAIN ${sql}`, values);
        return r.rows.map((row) => String(Object.values(row)[0])).join('\n');
      }

      async function bulkIds(input: GeoQueryInput): Promise<string[]> {
        const { sql, values } = compileBulk(input);
        return (await t.db.query<{ id: string }>(sql, values)).rows.map((row) => row.id);
      }

      const INDEXED: GeoQueryInput[] = [
        { georel: 'within', geometry: 'Polygon', coordinates: P1 },
        { georel: 'near;maxDistance==800', geometry: 'Point', coordinates: V1 },
        { georel: 'intersects', geometry: 'Polygon', coordinates: TERMINAL },
        { georel: 'contains', geometry: 'Point', coordinates: V3 },
        { georel: 'equals', geometry: 'Point', coordinates: V4 },
        { georel: 'overlaps', geometry: 'Polygon', coordinates: TERMINAL },
      ];

      for (const input of INDEXED) {
        it(`uses the location index for ${input.georel} (${input.geometry})`, async (ctx) => {
          const text = await plan(input);
          if (backend === 'pglite' && !text.includes('broker_entities_location')) {
            ctx.skip(`PGlite planner chose another plan:\n${text}`);
            return;
          }
          assert.match(text, /Index Scan (using|on) broker_entities_location/, text);
        });
      }

      it('near with the index returns exactly what the geodesic test alone returns', async () => {
        for (const m of [300, 1000, 5000, 20000]) {
          const got = await bulkIds({ georel: `near;maxDistance==${m}`, geometry: 'Point', coordinates: V1 });
          const exact = await t.db.query<{ id: string }>(
            `SELECT id FROM broker_entities
              WHERE tenant = 'bulk'
                AND ST_DWithin(ST_GeomFromGeoJSON(attrs -> $1::text -> 0 ->> 'value')::geography,
                               ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326)::geography, $4::float8)`,
            [LOCATION_IRI, V1[0], V1[1], m],
          );
          assert.deepEqual(sorted(got), sorted(exact.rows.map((row) => row.id)), `${m} m`);
          if (m >= 1000) assert.ok(got.length > 0, `${m} m found nothing: the check would be empty`);
        }
      });

      it('within with the index returns what a scan computes', async () => {
        const area = ring(0.05, 49.42, 0.2, 49.5);
        const got = await bulkIds({ georel: 'within', geometry: 'Polygon', coordinates: area });
        // The IRI as a parameter: an expression the index does not match, so this one scans.
        const scanned = await t.db.query<{ id: string }>(
          `SELECT id FROM broker_entities
            WHERE tenant = 'bulk' AND ST_Within(ST_GeomFromGeoJSON(attrs -> $1::text -> 0 ->> 'value'),
                                                ST_GeomFromGeoJSON($2::text))`,
          [LOCATION_IRI, JSON.stringify({ type: 'Polygon', coordinates: area })],
        );
        assert.ok(got.length > 100, `${got.length} found`);
        assert.deepEqual(sorted(got), sorted(scanned.rows.map((row) => row.id)));
      });
    });
  });
}
