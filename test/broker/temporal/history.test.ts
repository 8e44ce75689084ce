import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { BASE, hour, type Inst, type Json, ok, problem, T, temporal, values } from './helpers.js';

const V1 = 'urn:ngsi-ld:Vessel:history-1';
const V2 = 'urn:ngsi-ld:Vessel:history-2';

for (const backend of backends()) {
  describe(`temporal history and queries on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
      // Two vessels whose speed is observed every hour from 00:00 to 05:00 on 2026-03-01.
      for (const [id, base] of [
        [V1, 10],
        [V2, 20],
      ] as const) {
        await ok(
          t.call({
            method: 'POST',
            url: `${BASE}/entities`,
            json: {
              id,
              type: 'Vessel',
              speed: { type: 'Property', value: base, unitCode: 'KNT', observedAt: hour(0) },
              status: { type: 'Property', value: 'moored', observedAt: hour(0) },
              location: {
                type: 'GeoProperty',
                value: { type: 'Point', coordinates: [0.1 + base / 1000, 49.48] },
              },
            },
          }),
          201,
        );
        for (let h = 1; h <= 5; h++) {
          await ok(
            t.call({
              method: 'PATCH',
              url: `${BASE}/entities/${id}/attrs`,
              json: { speed: { type: 'Property', value: base + h, unitCode: 'KNT', observedAt: hour(h) } },
            }),
            204,
          );
        }
      }
      await ok(
        t.call({
          method: 'PATCH',
          url: `${BASE}/entities/${V1}/attrs`,
          json: { status: { type: 'Property', value: 'underway', observedAt: hour(3) } },
        }),
        204,
      );
    });
    after(() => t.dispose());

    it('records every change of an attribute instance as history', async () => {
      const e = await temporal(t, V1);
      assert.equal(e.id, V1);
      assert.equal(e.type, 'Vessel');
      assert.deepEqual(values(e, 'speed'), [10, 11, 12, 13, 14, 15]);
      assert.deepEqual(values(e, 'status'), ['moored', 'underway']);
      const speed = e.speed as Inst[];
      assert.deepEqual(
        speed.map((i) => i.observedAt),
        [0, 1, 2, 3, 4, 5].map(hour),
      );
      for (const i of speed) {
        assert.match(i.instanceId, /^urn:ngsi-ld:attribute:instance:[0-9a-f-]{36}$/);
        assert.equal(i.type, 'Property');
        assert.equal((i as Inst & { unitCode: string }).unitCode, 'KNT');
        assert.equal(i.createdAt, undefined, 'system attributes only with options=sysAttrs');
      }
      assert.equal(new Set(speed.map((i) => i.instanceId)).size, 6);
      // The location never changed after creation: one instance.
      assert.equal((e.location as Inst[]).length, 1);
    });

    it('does not record an unchanged instance twice', async () => {
      await ok(
        t.call({
          method: 'PATCH',
          url: `${BASE}/entities/${V2}/attrs`,
          json: { speed: { type: 'Property', value: 25, unitCode: 'KNT', observedAt: hour(5) } },
        }),
        204,
      );
      assert.deepEqual(values(await temporal(t, V2), 'speed'), [20, 21, 22, 23, 24, 25]);
    });

    it('filters with timerel before, after and between (timeAt <= t < endTimeAt)', async () => {
      assert.deepEqual(values(await temporal(t, V1, `timerel=before&timeAt=${hour(2)}`), 'speed'), [10, 11]);
      assert.deepEqual(values(await temporal(t, V1, `timerel=after&timeAt=${hour(4)}`), 'speed'), [14, 15]);
      assert.deepEqual(
        values(await temporal(t, V1, `timerel=between&timeAt=${hour(1)}&endTimeAt=${hour(3)}`), 'speed'),
        [11, 12],
      );
      // Offsets are honoured: 03:00+01:00 is 02:00Z.
      const q = `timerel=before&timeAt=${encodeURIComponent('2026-03-01T03:00:00+01:00')}`;
      assert.deepEqual(values(await temporal(t, V1, q), 'speed'), [10, 11]);
    });

    it('refuses incomplete or invalid temporal queries with 400', async () => {
      const bad = async (q: string) =>
        problem(await t.call({ method: 'GET', url: `${T}/${V1}?${q}` }), 400, 'BadRequestData');
      await bad('timerel=before');
      await bad(`timerel=between&timeAt=${hour(1)}`);
      await bad(`timerel=between&timeAt=${hour(3)}&endTimeAt=${hour(1)}`);
      await bad(`timerel=after&timeAt=${hour(1)}&endTimeAt=${hour(3)}`);
      await bad(`timeAt=${hour(1)}`);
      await bad(`timerel=during&timeAt=${hour(1)}`);
      await bad('timerel=after&timeAt=yesterday');
      await bad('timeproperty=observedLater');
      await bad('lastN=0');
      await bad('options=aggregatedValues');
      await bad('options=aggregatedValues&aggrMethods=median');
      await bad('options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1 day');
      await bad('options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=P1M1D');
      await bad('aggrMethods=avg');
      await bad('options=temporalValues,aggregatedValues&aggrMethods=avg');
      await bad('attrs=sp%20eed');
      problem(await t.call({ method: 'GET', url: `${T}/not-a-uri` }), 400, 'BadRequestData');
      problem(
        await t.call({ method: 'GET', url: `${T}?timerel=after&timeAt=${hour(1)}` }),
        400,
        'BadRequestData',
      );
      problem(await t.call({ method: 'GET', url: `${T}?type=Vessel&limit=1001` }), 400, 'BadRequestData');
    });

    it('answers 404 for an unknown entity or tenant', async () => {
      problem(await t.call({ method: 'GET', url: `${T}/urn:ngsi-ld:Vessel:none` }), 404, 'ResourceNotFound');
      problem(
        await t.call({ method: 'GET', url: `${T}?type=Vessel`, headers: { 'NGSILD-Tenant': 'nobody' } }),
        404,
        'NonexistentTenant',
      );
    });

    it('applies timeproperty createdAt and modifiedAt', async () => {
      // Instances observed in 2026-03 but entered now: observedAt and createdAt select differently.
      const start = new Date(Date.now() - 60_000).toISOString();
      assert.deepEqual(values(await temporal(t, V1, `timerel=after&timeAt=${start}`), 'speed'), []);
      const e = await temporal(t, V1, `timerel=after&timeAt=${start}&timeproperty=createdAt`);
      assert.deepEqual(values(e, 'speed'), [10, 11, 12, 13, 14, 15]);
      // The time asked for is shown on every instance.
      for (const i of e.speed as Inst[])
        assert.ok(i.createdAt && Date.parse(i.createdAt) >= Date.parse(start));
      const m = await temporal(t, V1, `timerel=before&timeAt=${start}&timeproperty=modifiedAt`);
      assert.deepEqual(values(m, 'speed'), []);
      const s = await temporal(t, V1, 'timeproperty=modifiedAt&options=temporalValues');
      const pairs = (s.speed as { values: [number, string][] }).values;
      assert.equal(pairs.length, 6);
      for (const [, at] of pairs) assert.ok(Date.parse(at) >= Date.parse(start));
    });

    it('returns the last N instances with lastN', async () => {
      assert.deepEqual(values(await temporal(t, V1, 'lastN=2'), 'speed'), [14, 15]);
      assert.deepEqual(
        values(await temporal(t, V1, `lastN=2&timerel=before&timeAt=${hour(3)}`), 'speed'),
        [11, 12],
      );
      assert.deepEqual(values(await temporal(t, V1, 'lastN=1&attrs=status'), 'status'), ['underway']);
    });

    it('keeps only the attributes asked for with attrs', async () => {
      const e = await temporal(t, V1, 'attrs=status');
      assert.deepEqual(Object.keys(e).sort(), ['id', 'status', 'type']);
      const q = await ok(
        t.call({ method: 'GET', url: `${T}?type=Vessel&attrs=status&timerel=after&timeAt=${hour(1)}` }),
      );
      // Only V1's status changed after 01:00.
      const list = q.json() as Json[];
      assert.deepEqual(
        list.map((x) => x.id),
        [V1],
      );
      assert.deepEqual(values(list[0], 'status'), ['underway']);
    });

    it('queries by type, id, idPattern, q, scopeQ and geo-query', async () => {
      const ids = async (query: string) => {
        const r = await ok(t.call({ method: 'GET', url: `${T}?${query}` }));
        return (r.json() as Json[]).map((e) => e.id);
      };
      assert.deepEqual(await ids('type=Vessel'), [V1, V2]);
      assert.deepEqual(await ids(`id=${V2}`), [V2]);
      assert.deepEqual(await ids(`idPattern=${encodeURIComponent('history-1$')}`), [V1]);
      // q is evaluated on the current state: V1's speed is 15 now, V2's 25.
      assert.deepEqual(await ids(`type=Vessel&q=${encodeURIComponent('speed>20')}`), [V2]);
      assert.deepEqual(await ids(`type=Vessel&q=${encodeURIComponent('status=="underway"')}`), [V1]);
      assert.deepEqual(await ids(`type=Vessel&q=${encodeURIComponent('speed<100;status=="moored"')}`), [V2]);
      assert.deepEqual(
        await ids(
          `type=Vessel&georel=${encodeURIComponent('near;maxDistance==100')}&geometry=Point&coordinates=${encodeURIComponent('[0.12,49.48]')}`,
        ),
        [V2],
      );
      // The temporal filter selects entities too: none has history before 2026.
      assert.deepEqual(await ids('type=Vessel&timerel=before&timeAt=2026-01-01T00:00:00Z'), []);
      const r = await ok(
        t.call({
          method: 'GET',
          url: `${T}?type=Vessel&q=${encodeURIComponent('speed>10')}&attrs=speed&lastN=1`,
        }),
      );
      assert.deepEqual(
        (r.json() as Json[]).map((e) => values(e, 'speed')),
        [[15], [25]],
      );
      problem(
        await t.call({ method: 'GET', url: `${T}?type=Vessel&q=${encodeURIComponent('speed>>1')}` }),
        400,
        'BadRequestData',
      );
    });

    it('answers POST /temporal/entityOperations/query', async () => {
      const r = await ok(
        t.call({
          method: 'POST',
          url: `${BASE}/temporal/entityOperations/query?options=temporalValues`,
          json: {
            type: 'Query',
            entities: [{ type: 'Vessel' }],
            attrs: ['speed'],
            q: 'speed>=15',
            temporalQ: { timerel: 'between', timeAt: hour(4), endTimeAt: hour(6) },
          },
        }),
      );
      const list = r.json() as Json[];
      assert.deepEqual(
        list.map((e) => [e.id, (e.speed as { values: unknown[] }).values.map((v) => (v as unknown[])[0])]),
        [
          [V1, [14, 15]],
          [V2, [24, 25]],
        ],
      );
      problem(
        await t.call({
          method: 'POST',
          url: `${BASE}/temporal/entityOperations/query`,
          json: {
            type: 'Query',
            entities: [{ type: 'Vessel' }],
            temporalQ: { timerel: 'between', timeAt: hour(1) },
          },
        }),
        400,
        'BadRequestData',
      );
      problem(
        await t.call({
          method: 'POST',
          url: `${BASE}/temporal/entityOperations/query`,
          json: { type: 'Nope' },
        }),
        400,
        'BadRequestData',
      );
    });

    it('renders the simplified temporal representation (temporalValues)', async () => {
      const e = await temporal(t, V1, `options=temporalValues&timerel=before&timeAt=${hour(2)}`);
      assert.deepEqual(e.speed, {
        type: 'Property',
        values: [
          [10, '2026-03-01T00:00:00.000Z'],
          [11, '2026-03-01T01:00:00.000Z'],
        ],
      });
      // location has no observedAt: it sits at the time it was written, not in that window.
      assert.equal(e.location, undefined);
      const l = await temporal(t, V1, 'options=temporalValues&attrs=location');
      const [[geometry, at]] = (l.location as { type: string; values: [unknown, string][] }).values;
      assert.equal((l.location as { type: string }).type, 'GeoProperty');
      assert.deepEqual(geometry, { type: 'Point', coordinates: [0.11, 49.48] });
      assert.ok(Date.now() - Date.parse(at) < 3_600_000);
      // format=simplified is the same representation.
      assert.deepEqual(await temporal(t, V1, `format=simplified&timerel=before&timeAt=${hour(2)}`), e);
    });

    it('renders concise instances and system attributes on demand', async () => {
      const c = await temporal(t, V1, `options=concise&attrs=speed&timerel=before&timeAt=${hour(1)}`);
      const [i] = c.speed as Inst[];
      assert.equal(i.type, undefined);
      assert.equal(i.value, 10);
      const s = await temporal(t, V1, `options=sysAttrs&attrs=speed&timerel=before&timeAt=${hour(1)}`);
      const [j] = s.speed as Inst[];
      assert.ok(j.createdAt && j.modifiedAt);
      assert.ok(s.createdAt && s.modifiedAt);
    });

    it('serves application/ld+json with the @context in the body', async () => {
      const r = await ok(
        t.call({ method: 'GET', url: `${T}/${V1}?attrs=status`, headers: { accept: 'application/ld+json' } }),
      );
      assert.match(String(r.headers['content-type']), /application\/ld\+json/);
      assert.ok((r.json() as Json)['@context']);
      problem(
        await t.call({ method: 'GET', url: `${T}/${V1}`, headers: { accept: 'text/csv' } }),
        406,
        'NotAcceptable',
      );
    });

    it('records deletions with deletedAt and keeps history after the entity is deleted', async () => {
      const id = 'urn:ngsi-ld:Vessel:history-gone';
      await ok(
        t.call({
          method: 'POST',
          url: `${BASE}/entities`,
          json: { id, type: 'Vessel', speed: { type: 'Property', value: 1, observedAt: hour(0) }, name: 'X' },
        }),
        201,
      );
      await ok(t.call({ method: 'DELETE', url: `${BASE}/entities/${id}/attrs/name` }), 204);
      await ok(t.call({ method: 'DELETE', url: `${BASE}/entities/${id}` }), 204);
      const e = await temporal(t, id);
      assert.ok(e.deletedAt);
      const name = e.name as Inst[];
      assert.equal(name.length, 2);
      assert.equal(name[1].value, 'urn:ngsi-ld:null');
      assert.ok(name[1].deletedAt);
      const speed = e.speed as Inst[];
      assert.deepEqual(
        speed.map((i) => i.value),
        [1, 'urn:ngsi-ld:null'],
      );
      assert.ok(speed[1].deletedAt);
      // Deletion records are not values: aggregations skip them.
      const a = await temporal(t, id, 'options=aggregatedValues&aggrMethods=totalCount&attrs=speed');
      assert.deepEqual(
        (a.speed as { totalCount: unknown[][] }).totalCount.map((x) => x[0]),
        [1],
      );
    });

    it('keeps tenants apart', async () => {
      const headers = { 'NGSILD-Tenant': 'harbour' };
      await ok(
        t.call({
          method: 'POST',
          url: `${BASE}/entities`,
          headers,
          json: { id: V1, type: 'Vessel', speed: { type: 'Property', value: 99, observedAt: hour(0) } },
        }),
        201,
      );
      const r = await ok(t.call({ method: 'GET', url: `${T}/${V1}`, headers }));
      assert.deepEqual(values(r.json() as Json, 'speed'), [99]);
      assert.deepEqual(values(await temporal(t, V1, 'lastN=1'), 'speed'), [15]);
    });

    it('documents the temporal routes in the OpenAPI description', async () => {
      const r = await ok(t.call({ method: 'GET', url: '/docs/json' }));
      const paths = Object.keys((r.json() as { paths: Json }).paths);
      for (const p of [
        '/ngsi-ld/v1/temporal/entities',
        '/ngsi-ld/v1/temporal/entities/{entityId}',
        '/ngsi-ld/v1/temporal/entities/{entityId}/attrs',
        '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}',
        '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}/{instanceId}',
        '/ngsi-ld/v1/temporal/entityOperations/query',
      ]) {
        assert.ok(paths.includes(p), p);
      }
    });
  });
}
