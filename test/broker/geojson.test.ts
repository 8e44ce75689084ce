import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateGeometry } from '../../src/broker/geojson.js';
import { ProblemError } from '../../src/http/problem.js';
import { backends, openTestDb, type TestDb } from '../helpers/db.js';

const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';

// Terminal de Normandie with a hole for its gate building, in the Port of Le Havre.
const TERMINAL = {
  type: 'Polygon',
  coordinates: [
    [
      [0.15, 49.455],
      [0.19, 49.455],
      [0.19, 49.47],
      [0.15, 49.47],
      [0.15, 49.455],
    ],
    [
      [0.16, 49.46],
      [0.161, 49.46],
      [0.161, 49.461],
      [0.16, 49.461],
      [0.16, 49.46],
    ],
  ],
};

const VALID: Record<string, unknown> = {
  point: { type: 'Point', coordinates: [0.1066, 49.4806] },
  'point with altitude': { type: 'Point', coordinates: [0.1066, 49.4806, 12.5] },
  'point on the extremes': { type: 'Point', coordinates: [-180, 90] },
  'point with a bbox member': { type: 'Point', coordinates: [180, -90], bbox: [180, -90, 180, -90] },
  multipoint: {
    type: 'MultiPoint',
    coordinates: [
      [0.1066, 49.4806],
      [0.1204, 49.4806, 3],
    ],
  },
  linestring: {
    type: 'LineString',
    coordinates: [
      [0.095, 49.479],
      [0.115, 49.479],
    ],
  },
  multilinestring: {
    type: 'MultiLineString',
    coordinates: [
      [
        [0.095, 49.479],
        [0.115, 49.479],
      ],
      [
        [0.1, 49.47],
        [0.11, 49.471],
        [0.12, 49.47],
      ],
    ],
  },
  'polygon with a hole': TERMINAL,
  multipolygon: {
    type: 'MultiPolygon',
    coordinates: [
      TERMINAL.coordinates,
      [
        [
          [0, 49.43],
          [0.08, 49.43],
          [0.08, 49.47],
          [0, 49.43],
        ],
      ],
    ],
  },
  'nested geometry collection': {
    type: 'GeometryCollection',
    geometries: [
      { type: 'Point', coordinates: [0.17, 49.465] },
      { type: 'GeometryCollection', geometries: [TERMINAL] },
    ],
  },
  'empty geometry collection': { type: 'GeometryCollection', geometries: [] },
};

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => validateGeometry(value, 'location.value'),
    (err: unknown) => {
      assert.ok(err instanceof ProblemError, `expected a ProblemError, got ${String(err)}`);
      assert.equal(err.errorType, 'BadRequestData');
      assert.match(err.message, /^location\.value/);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('validateGeometry', () => {
  for (const [name, value] of Object.entries(VALID)) {
    it(`accepts a ${name}`, () => {
      validateGeometry(value, 'location.value');
    });
  }

  it('rejects what is not a geometry object', () => {
    rejects(null, /must be an object/);
    rejects([0.1, 49.4], /must be an object/);
    rejects('POINT(0.1 49.4)', /must be an object/);
    rejects({ coordinates: [0.1, 49.4] }, /unknown GeoJSON geometry type undefined/);
  });

  it('rejects Features, FeatureCollections and unknown or miscased types', () => {
    rejects({ type: 'Feature', geometry: VALID.point, properties: {} }, /not a Feature/);
    rejects({ type: 'FeatureCollection', features: [] }, /not a FeatureCollection/);
    rejects({ type: 'point', coordinates: [0.1, 49.4] }, /unknown GeoJSON geometry type "point"/);
    rejects({ type: 'Circle', coordinates: [0.1, 49.4] }, /unknown GeoJSON geometry type "Circle"/);
  });

  it('rejects missing or malformed coordinates', () => {
    rejects({ type: 'Point' }, /a Point needs "coordinates"/);
    rejects({ type: 'Point', coordinates: [0.1] }, /\.coordinates: a position is an array of 2 or 3 numbers/);
    rejects({ type: 'Point', coordinates: [0.1, 49.4, 3, 4] }, /2 or 3 numbers/);
    rejects(
      { type: 'Point', coordinates: ['0.1', 49.4] },
      /\.coordinates\[0\]: expected a finite number, got "0.1"/,
    );
    rejects({ type: 'Point', coordinates: [Number.NaN, 49.4] }, /expected a finite number, got NaN/);
    rejects({ type: 'Point', coordinates: [0.1, Number.POSITIVE_INFINITY] }, /got Infinity/);
    rejects({ type: 'Point', coordinates: [] }, /2 or 3 numbers/);
    rejects({ type: 'MultiPoint', coordinates: [] }, /\.coordinates: expected at least one of positions/);
    rejects({ type: 'MultiPoint', coordinates: [0.1, 49.4] }, /\.coordinates\[0\]: a position is an array/);
    rejects({ type: 'LineString', coordinates: [[0.1, 49.4]] }, /at least 2 positions/);
    rejects({ type: 'MultiLineString', coordinates: [[[0.1, 49.4]]] }, /\.coordinates\[0\]: .*at least 2/);
    rejects({ type: 'Polygon', coordinates: [] }, /at least one of linear rings/);
  });

  it('rejects coordinates out of range', () => {
    rejects({ type: 'Point', coordinates: [0.1, 91] }, /latitude 91 is outside \[-90, 90\]/);
    rejects({ type: 'Point', coordinates: [0.1, -90.0001] }, /latitude -90.0001 is outside/);
    rejects({ type: 'Point', coordinates: [181, 49.4] }, /longitude 181 is outside \[-180, 180\]/);
    // Swapped lat/lon is the usual mistake: caught when the latitude slot gets a longitude > 90 only.
    rejects(
      {
        type: 'LineString',
        coordinates: [
          [49.4, 0.1],
          [49.5, 120],
        ],
      },
      /\.coordinates\[1\]: latitude 120/,
    );
  });

  it('rejects open or short linear rings', () => {
    rejects(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0.15, 49.455],
            [0.19, 49.455],
            [0.19, 49.47],
            [0.15, 49.47],
          ],
        ],
      },
      /\.coordinates\[0\]: a linear ring must be closed/,
    );
    rejects(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0.15, 49.455],
            [0.19, 49.455],
            [0.15, 49.455],
          ],
        ],
      },
      /at least 4 positions/,
    );
    rejects(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0, 1],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
      /must be closed .*\[0,0\].*\[0,0,1\]/,
    );
    rejects(
      {
        type: 'MultiPolygon',
        coordinates: [
          TERMINAL.coordinates,
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        ],
      },
      /\.coordinates\[1\]\[0\]: a linear ring must be closed/,
    );
  });

  it('rejects crs members and bad collections, naming the nested path', () => {
    rejects(
      { type: 'Point', coordinates: [0.1, 49.4], crs: { type: 'name', properties: { name: 'EPSG:3857' } } },
      /"crs" is not supported/,
    );
    rejects({ type: 'GeometryCollection' }, /needs a "geometries" array/);
    rejects(
      { type: 'GeometryCollection', geometries: [VALID.point, { type: 'Point', coordinates: [0, 95] }] },
      /^location\.value\.geometries\[1\]\.coordinates: latitude 95/,
    );
    let deep: unknown = VALID.point;
    for (let i = 0; i < 20; i++) deep = { type: 'GeometryCollection', geometries: [deep] };
    rejects(deep, /nested too deeply/);
  });
});

// A deterministic generator of geometries, mostly valid, with the mistakes clients make.
function generator(seed: number) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(rnd() * n);
  const position = (): unknown => {
    const r = rnd();
    if (r < 0.02) return [rnd() * 400 - 200, rnd() * 200 - 100];
    if (r < 0.03) return [rnd()];
    if (r < 0.04) return [1, 2, 3, 4];
    const p = [Math.round((rnd() * 360 - 180) * 1e6) / 1e6, Math.round((rnd() * 180 - 90) * 1e6) / 1e6];
    if (rnd() < 0.2) p.push(rnd() * 100);
    return p;
  };
  const list = (min: number): unknown[] =>
    Array.from({ length: min + int(4) - (rnd() < 0.03 ? min : 0) }, position);
  const ring = (): unknown[] => {
    const r = list(3) as unknown[];
    if (rnd() < 0.95 && r.length > 0) r.push(r[0]);
    return r;
  };
  const geometry = (depth: number): unknown => {
    switch (int(depth > 2 ? 6 : 7)) {
      case 0:
        return { type: 'Point', coordinates: position() };
      case 1:
        return { type: 'MultiPoint', coordinates: list(1) };
      case 2:
        return { type: 'LineString', coordinates: list(2) };
      case 3:
        return { type: 'MultiLineString', coordinates: Array.from({ length: 1 + int(3) }, () => list(2)) };
      case 4:
        return { type: 'Polygon', coordinates: Array.from({ length: 1 + int(2) }, ring) };
      case 5:
        return {
          type: 'MultiPolygon',
          coordinates: Array.from({ length: 1 + int(2) }, () => Array.from({ length: 1 + int(2) }, ring)),
        };
      default:
        return {
          type: 'GeometryCollection',
          geometries: Array.from({ length: int(3) }, () => geometry(depth + 1)),
        };
    }
  };
  return () => geometry(0);
}

for (const backend of backends()) {
  describe(`validated geometries on PostGIS (${backend})`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
    });
    after(() => t.dispose());

    it('are all accepted by ST_GeomFromGeoJSON, as geography, and by the location index', async () => {
      const next = generator(20261123);
      const accepted: unknown[] = Object.values(VALID);
      let rejected = 0;
      for (let i = 0; i < 600; i++) {
        const g = next();
        try {
          validateGeometry(g, 'value');
          accepted.push(g);
        } catch (err) {
          assert.ok(err instanceof ProblemError);
          rejected++;
        }
      }
      // The generator must exercise both outcomes for the check to mean something.
      assert.ok(accepted.length > 300 && rejected > 50, `${accepted.length} accepted, ${rejected} rejected`);

      const parsed = await t.db.query<{ n: number; srid4326: number; geog: number }>(
        `SELECT count(*) AS n,
                count(*) FILTER (WHERE ST_SRID(ST_GeomFromGeoJSON(g)) = 4326) AS srid4326,
                count(ST_GeomFromGeoJSON(g)::geography) AS geog
           FROM jsonb_array_elements_text($1::jsonb) AS g`,
        [JSON.stringify(accepted.map((g) => JSON.stringify(g)))],
      );
      assert.deepEqual(parsed.rows[0], {
        n: accepted.length,
        srid4326: accepted.length,
        geog: accepted.length,
      });

      // Stored as an entity's location, each one goes through the GiST index expression.
      const inserted = await t.db.query(
        `INSERT INTO broker_entities (tenant, id, types, attrs, created_at, modified_at)
         SELECT 'geojson', 'urn:ngsi-ld:Test:' || i, ARRAY['https://example.org/Test'],
                jsonb_build_object('${LOCATION}', jsonb_build_array(jsonb_build_object('type', 'GeoProperty', 'value', g))),
                now(), now()
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(g, i)`,
        [JSON.stringify(accepted)],
      );
      assert.equal(inserted.rowCount, accepted.length);
    });
  });
}
