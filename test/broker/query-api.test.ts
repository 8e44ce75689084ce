import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const BASE = '/ngsi-ld/v1';

/** Vessels around Le Havre: a deterministic little fleet to query. */
function fleet(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 30; i++) {
    out.push({
      id: `urn:ngsi-ld:Vessel:${String(i).padStart(3, '0')}`,
      type: i % 3 === 0 ? ['Vessel', 'Tanker'] : 'Vessel',
      name: { type: 'Property', value: i % 2 ? `CMA CGM ${i}` : `MSC ${i}` },
      speed: { type: 'Property', value: i, unitCode: 'KNT' },
      status: { type: 'Property', value: i < 10 ? 'moored' : 'underway' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.1 + i * 0.001, 49.47] } },
      scope: i < 15 ? '/Le_Havre/Port/TPO' : '/Le_Havre/Estuary',
    });
  }
  out.push({ id: 'urn:ngsi-ld:Berth:TPO-1', type: 'Berth', status: { type: 'Property', value: 'occupied' } });
  return out;
}

for (const backend of backends()) {
  describe(`NGSI-LD query API on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
      const r = await t.call({ method: 'POST', url: `${BASE}/entityOperations/create`, json: fleet() });
      assert.equal(r.statusCode, 201, r.body);
    });
    after(() => t.dispose());

    const ids = async (query: string, headers: Record<string, string> = {}) => {
      const r = await t.call({ method: 'GET', url: `${BASE}/entities?${query}`, headers });
      assert.equal(r.statusCode, 200, `${query}: ${r.body}`);
      return (r.json() as { id: string }[]).map((e) => e.id.split(':').pop());
    };

    it('filters by type selector, id list and idPattern', async () => {
      assert.equal((await ids('type=Tanker&limit=100')).length, 10);
      assert.deepEqual(await ids('type=Berth'), ['TPO-1']);
      assert.equal((await ids('type=Berth,Tanker&limit=100')).length, 11);
      assert.deepEqual(await ids('type=Vessel;Tanker&limit=3'), ['000', '003', '006']);
      assert.deepEqual(await ids('id=urn:ngsi-ld:Vessel:002,urn:ngsi-ld:Vessel:004'), ['002', '004']);
      assert.deepEqual(await ids(`idPattern=${encodeURIComponent('^urn:ngsi-ld:Vessel:02[0-2]$')}`), [
        '020',
        '021',
        '022',
      ]);
    });

    it('evaluates q with comparisons, ranges, lists, regex and logic', async () => {
      const q = (s: string) => ids(`type=Vessel&limit=100&q=${encodeURIComponent(s)}`);
      assert.deepEqual(await q('speed>27'), ['028', '029']);
      assert.deepEqual(await q('speed==3..5'), ['003', '004', '005']);
      assert.deepEqual(await q('speed==1,7,100'), ['001', '007']);
      assert.deepEqual(await q('speed<3|speed>28'), ['000', '001', '002', '029']);
      assert.deepEqual(await q('status=="moored";speed>=8'), ['008', '009']);
      assert.deepEqual(await q('name~=^MSC 1[02]$'), ['010', '012']);
      assert.deepEqual(await q('(speed<2|speed>28);status=="underway"'), ['029']);
      assert.deepEqual(await q('speed.unitCode=="KNT";speed<1'), ['000']);
    });

    it('answers a bad q, type or geo-query with 400, never 500', async () => {
      for (const bad of [
        'q=speed>>3',
        'q=(speed>3',
        'type=(A;',
        'georel=near&geometry=Point&coordinates=[0,0]',
        `idPattern=${encodeURIComponent('(')}`,
        'limit=5000&type=Vessel',
        '',
      ]) {
        const r = await t.call({ method: 'GET', url: `${BASE}/entities?${bad}` });
        assert.equal(r.statusCode, 400, `${bad}: ${r.body}`);
        assert.match(r.json().type, /BadRequestData|InvalidRequest/);
      }
    });

    it('runs geo-queries and orders near results by distance', async () => {
      const near = await ids(
        `type=Vessel&georel=${encodeURIComponent('near;maxDistance==200')}&geometry=Point&coordinates=${encodeURIComponent('[0.1101,49.47]')}`,
      );
      // 0.001° of longitude at 49.47°N is about 72 m: vessels 8..12 lie within 200 m of 0.1101, nearest first
      assert.deepEqual(near.slice(0, 2), ['010', '011']);
      assert.deepEqual([...near].sort(), ['008', '009', '010', '011', '012']);
      const within = await ids(
        `type=Vessel&limit=100&georel=within&geometry=Polygon&coordinates=${encodeURIComponent('[[[0.099,49.46],[0.1045,49.46],[0.1045,49.48],[0.099,49.48],[0.099,49.46]]]')}`,
      );
      assert.deepEqual(within, ['000', '001', '002', '003', '004']);
    });

    it('pages near results nearest first in a dense fleet, as sorting every match would', async () => {
      // 600 vessels in 2 km x 1.5 km: nearest-first pages are found from the index's nearest neighbours
      // (src/broker/repository.ts); the reference sorts every match of the circle by geodesic distance.
      const tenant = { 'NGSILD-Tenant': 'dense' };
      let seed = 7;
      const rnd = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const dense = Array.from({ length: 600 }, (_, i) => ({
        id: `urn:ngsi-ld:Vessel:D${i}`,
        type: 'Vessel',
        speed: { type: 'Property', value: Math.round(rnd() * 20) },
        location: {
          type: 'GeoProperty',
          value: { type: 'Point', coordinates: [0.1 + rnd() * 0.028, 49.47 + rnd() * 0.0135] },
        },
      }));
      const created = await t.call({
        method: 'POST',
        url: `${BASE}/entityOperations/create`,
        headers: tenant,
        json: dense,
      });
      assert.equal(created.statusCode, 201, created.body);
      for (const [lon, lat, meters, limit, offset] of [
        [0.114, 49.4768, 800, 20, 0],
        [0.114, 49.4768, 800, 5, 35],
        [0.1, 49.47, 300, 1, 0],
        [0.128, 49.4835, 5000, 50, 100],
        [0.2, 49.47, 100, 10, 0],
      ]) {
        const got = await ids(
          `type=Vessel&q=speed>5&limit=${limit}&offset=${offset}&georel=${encodeURIComponent(`near;maxDistance==${meters}`)}` +
            `&geometry=Point&coordinates=${encodeURIComponent(JSON.stringify([lon, lat]))}`,
          tenant,
        );
        const ref = await t.db().query<{ id: string }>(
          `SELECT id FROM broker_entities, (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography AS p) r
            WHERE tenant = 'dense' AND (attrs -> $4::text -> 0 ->> 'value')::float8 > 5
              AND ST_Distance(location_geom::geography, p) <= $3::float8
            ORDER BY ST_Distance(location_geom::geography, p), id LIMIT $5 OFFSET $6`,
          [lon, lat, meters, 'https://uri.etsi.org/ngsi-ld/default-context/speed', limit, offset],
        );
        const want = ref.rows.map((r) => r.id.split(':').pop());
        assert.deepEqual(got, want, `near ${lon},${lat} ${meters} m, limit ${limit} offset ${offset}`);
        if (lon !== 0.2) assert.ok(want.length > 0);
      }
    });

    it('filters by scopeQ and by attrs', async () => {
      assert.equal((await ids('scopeQ=/Le_Havre/Estuary&limit=100')).length, 15);
      assert.equal((await ids(`scopeQ=${encodeURIComponent('/Le_Havre/#')}&limit=100`)).length, 30);
      assert.deepEqual(await ids('attrs=status&type=Berth'), ['TPO-1']);
    });

    it('pages stably with count, limit, offset and Link headers', async () => {
      const seen: string[] = [];
      let url = `${BASE}/entities?type=Vessel&limit=7&count=true`;
      for (let page = 0; page < 10 && url; page++) {
        const r = await t.call({ method: 'GET', url });
        assert.equal(r.headers['ngsild-results-count'], '30');
        seen.push(...(r.json() as { id: string }[]).map((e) => e.id));
        const next = /<([^>]+)>; rel="next"/.exec(String(r.headers.link ?? ''));
        url = next ? next[1] : '';
      }
      assert.equal(seen.length, 30);
      assert.equal(new Set(seen).size, 30);
      const countOnly = await t.call({
        method: 'GET',
        url: `${BASE}/entities?type=Vessel&limit=0&count=true`,
      });
      assert.deepEqual(countOnly.json(), []);
      assert.equal(countOnly.headers['ngsild-results-count'], '30');
    });

    it('answers POST /entityOperations/query and the GeoJSON representation', async () => {
      const r = await t.call({
        method: 'POST',
        url: `${BASE}/entityOperations/query?limit=100`,
        json: { type: 'Query', entities: [{ type: 'Tanker' }], q: 'speed<10', attrs: ['speed'] },
      });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as Record<string, unknown>[];
      assert.deepEqual(
        body.map((e) => e.id),
        [
          'urn:ngsi-ld:Vessel:000',
          'urn:ngsi-ld:Vessel:003',
          'urn:ngsi-ld:Vessel:006',
          'urn:ngsi-ld:Vessel:009',
        ],
      );
      assert.deepEqual(Object.keys(body[0]).sort(), ['id', 'speed', 'type']);
      const geo = await t.call({
        method: 'GET',
        url: `${BASE}/entities?type=Berth,Tanker&limit=2`,
        headers: { accept: 'application/geo+json' },
      });
      assert.equal(geo.statusCode, 200);
      assert.equal(geo.json().type, 'FeatureCollection');
      assert.equal(geo.json().features[0].type, 'Feature');
    });

    it('lists types and attributes', async () => {
      const types = (await t.call({ method: 'GET', url: `${BASE}/types` })).json();
      assert.deepEqual(types.typeList, ['Berth', 'Tanker', 'Vessel']);
      const info = (await t.call({ method: 'GET', url: `${BASE}/types/Vessel` })).json();
      assert.equal(info.entityCount, 30);
      assert.ok(info.attributeDetails.some((a: { attributeName: string }) => a.attributeName === 'speed'));
      const attrs = (await t.call({ method: 'GET', url: `${BASE}/attributes` })).json();
      assert.deepEqual(attrs.attributeList, ['location', 'name', 'speed', 'status']);
      const status = (await t.call({ method: 'GET', url: `${BASE}/attributes/status` })).json();
      assert.equal(status.attributeCount, 31);
      assert.deepEqual(status.typeNames.sort(), ['Berth', 'Tanker', 'Vessel']);
      assert.equal((await t.call({ method: 'GET', url: `${BASE}/types/Nothing` })).statusCode, 404);
    });
  });
}
