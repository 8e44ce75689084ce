import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  applyTemporalRetention,
  listRetentionRules,
  removeRetentionRule,
  setRetentionRule,
} from '../../../src/broker/temporal/index.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { BASE, type Inst, type Json, ok, problem, T, temporal, values } from './helpers.js';

const minute = (i: number) => new Date(Date.UTC(2026, 4, 1) + i * 60_000).toISOString();

/** The partitions of temporal_instances, by name. */
async function partitions(t: TestApp): Promise<string[]> {
  const r = await t.db().query<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'temporal_instances'::regclass ORDER BY 1`,
  );
  return r.rows.map((x) => x.name);
}

for (const backend of backends()) {
  describe(`temporal operations on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.dispose());

    it('creates a temporal entity (201), then appends to it (204)', async () => {
      const id = 'urn:ngsi-ld:Buoy:ops-1';
      const r = await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id,
            type: 'Buoy',
            level: [
              { type: 'Property', value: 1, observedAt: minute(0) },
              { value: 2, observedAt: minute(1) },
            ],
          },
        }),
        201,
      );
      assert.equal(r.headers.location, `${T}/${encodeURIComponent(id)}`);
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: { id, type: 'Buoy', level: { value: 3, observedAt: minute(2) } },
        }),
        204,
      );
      await ok(
        t.call({
          method: 'POST',
          url: `${T}/${id}/attrs`,
          json: { level: [{ value: 4, observedAt: minute(3) }], tide: 'high' },
        }),
        204,
      );
      const e = await temporal(t, id);
      assert.deepEqual(values(e, 'level'), [1, 2, 3, 4]);
      assert.deepEqual(values(e, 'tide'), ['high']);
      // The temporal API does not touch the current state.
      problem(await t.call({ method: 'GET', url: `${BASE}/entities/${id}` }), 404, 'ResourceNotFound');
      problem(
        await t.call({
          method: 'POST',
          url: `${T}/urn:ngsi-ld:Buoy:none/attrs`,
          json: { level: { value: 1 } },
        }),
        404,
        'ResourceNotFound',
      );
      problem(
        await t.call({ method: 'POST', url: T, json: { id: 'urn:ngsi-ld:Buoy:x', level: 1 } }),
        400,
        'BadRequestData',
      );
      problem(
        await t.call({ method: 'POST', url: T, json: { id: 'no uri', type: 'Buoy' } }),
        400,
        'BadRequestData',
      );
      problem(
        await t.call({
          method: 'POST',
          url: T,
          json: { id, type: 'Buoy', level: { value: 1, observedAt: 'noon' } },
        }),
        400,
        'BadRequestData',
      );
      problem(
        await t.call({
          method: 'POST',
          url: T,
          payload: '{"id":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'InvalidRequest',
      );
      problem(
        await t.call({ method: 'POST', url: T, payload: 'x', headers: { 'content-type': 'text/plain' } }),
        415,
        'UnsupportedMediaType',
      );
    });

    it('paginates instances with Content-Range and 206 when they are cut', async () => {
      const id = 'urn:ngsi-ld:Counter:ops-page';
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id,
            type: 'Counter',
            count: Array.from({ length: 1205 }, (_, i) => ({
              type: 'Property',
              value: i,
              observedAt: minute(i),
            })),
            other: Array.from({ length: 10 }, (_, i) => ({
              type: 'Property',
              value: i,
              observedAt: minute(i * 100),
            })),
          },
        }),
        201,
      );
      const r = await t.call({ method: 'GET', url: `${T}/${id}` });
      assert.equal(r.statusCode, 206, r.body);
      // Every attribute is complete up to the instant the longest one was cut at (its 1000th instance).
      assert.equal(r.headers['content-range'], `date-time ${minute(0)}-${minute(999)}/*`);
      const e = r.json() as Json;
      assert.equal((e.count as Inst[]).length, 1000);
      assert.deepEqual(values(e, 'other'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // The next page starts at the end of the range.
      const next = await t.call({
        method: 'GET',
        url: `${T}/${id}?timerel=after&timeAt=${minute(999)}&attrs=count`,
      });
      assert.equal(next.statusCode, 200, next.body);
      assert.equal(next.headers['content-range'], undefined);
      const rest = values(next.json() as Json, 'count');
      assert.equal(rest.length, 206);
      assert.deepEqual([rest[0], rest[205]], [999, 1204]);
      // Cut inside a range: it starts at timeAt.
      const between = await t.call({
        method: 'GET',
        url: `${T}/${id}?attrs=count&timerel=between&timeAt=${minute(100)}&endTimeAt=${minute(1200)}&options=temporalValues`,
      });
      assert.equal(between.statusCode, 206);
      assert.equal(between.headers['content-range'], `date-time ${minute(100)}-${minute(1099)}/*`);
      assert.equal(((between.json() as Json).count as { values: unknown[] }).values.length, 1000);
      // lastN beyond the limit: the most recent 1000, range given backwards, size lastN.
      const last = await t.call({ method: 'GET', url: `${T}/${id}?lastN=1100` });
      assert.equal(last.statusCode, 206);
      assert.equal(last.headers['content-range'], `date-time ${minute(1204)}-${minute(205)}/1100`);
      const lastCount = values(last.json() as Json, 'count');
      assert.deepEqual([lastCount.length, lastCount[0], lastCount[999]], [1000, 205, 1204]);
      // `other` is cut to the same range: its instances from 205 minutes on.
      assert.deepEqual(values(last.json() as Json, 'other'), [3, 4, 5, 6, 7, 8, 9]);
      const few = await ok(t.call({ method: 'GET', url: `${T}/${id}?lastN=3&attrs=count` }));
      assert.equal(few.headers['content-range'], undefined);
      assert.deepEqual(values(few.json() as Json, 'count'), [1202, 1203, 1204]);
    });

    it('pages entities with limit, offset, count and Link', async () => {
      for (const n of [1, 2, 3]) {
        await ok(
          t.call({
            method: 'POST',
            url: T,
            json: {
              id: `urn:ngsi-ld:Gate:ops-${n}`,
              type: 'Gate',
              open: { value: true, observedAt: minute(n) },
            },
          }),
          201,
        );
      }
      const r = await ok(t.call({ method: 'GET', url: `${T}?type=Gate&limit=2&count=true` }));
      assert.equal(r.headers['ngsild-results-count'], '3');
      assert.match(String(r.headers.link), /offset=2.*rel="next"/);
      assert.deepEqual(
        (r.json() as Json[]).map((e) => e.id),
        ['urn:ngsi-ld:Gate:ops-1', 'urn:ngsi-ld:Gate:ops-2'],
      );
      const p2 = await ok(t.call({ method: 'GET', url: `${T}?type=Gate&limit=2&offset=2` }));
      assert.deepEqual(
        (p2.json() as Json[]).map((e) => e.id),
        ['urn:ngsi-ld:Gate:ops-3'],
      );
      const c = await ok(t.call({ method: 'GET', url: `${T}?type=Gate&limit=0&count=true` }));
      assert.equal(c.headers['ngsild-results-count'], '3');
      assert.deepEqual(c.json(), []);
    });

    it('deletes the history of an attribute by datasetId, or all of it', async () => {
      const id = 'urn:ngsi-ld:Buoy:ops-del';
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id,
            type: 'Buoy',
            level: [
              { value: 1, observedAt: minute(0) },
              { value: 2, observedAt: minute(1), datasetId: 'urn:ngsi-ld:dataset:a' },
              { value: 3, observedAt: minute(2), datasetId: 'urn:ngsi-ld:dataset:b' },
            ],
            tide: { value: 'low', observedAt: minute(0) },
          },
        }),
        201,
      );
      await ok(t.call({ method: 'DELETE', url: `${T}/${id}/attrs/level` }), 204);
      assert.deepEqual(values(await temporal(t, id), 'level'), [2, 3]);
      problem(await t.call({ method: 'DELETE', url: `${T}/${id}/attrs/level` }), 404, 'ResourceNotFound');
      await ok(
        t.call({ method: 'DELETE', url: `${T}/${id}/attrs/level?datasetId=urn:ngsi-ld:dataset:a` }),
        204,
      );
      assert.deepEqual(values(await temporal(t, id), 'level'), [3]);
      problem(
        await t.call({
          method: 'DELETE',
          url: `${T}/${id}/attrs/level?datasetId=urn:ngsi-ld:dataset:a&deleteAll=true`,
        }),
        400,
        'BadRequestData',
      );
      await ok(t.call({ method: 'DELETE', url: `${T}/${id}/attrs/level?deleteAll=true` }), 204);
      const e = await temporal(t, id);
      assert.equal(e.level, undefined);
      assert.deepEqual(values(e, 'tide'), ['low']);
      problem(
        await t.call({ method: 'DELETE', url: `${T}/urn:ngsi-ld:Buoy:none/attrs/level` }),
        404,
        'ResourceNotFound',
      );
    });

    it('deletes a temporal entity, not the entity itself', async () => {
      const id = 'urn:ngsi-ld:Vessel:ops-del';
      await ok(
        t.call({
          method: 'POST',
          url: `${BASE}/entities`,
          json: { id, type: 'Vessel', speed: { value: 3, observedAt: minute(0) } },
        }),
        201,
      );
      assert.deepEqual(values(await temporal(t, id), 'speed'), [3]);
      await ok(t.call({ method: 'DELETE', url: `${T}/${id}` }), 204);
      problem(await t.call({ method: 'GET', url: `${T}/${id}` }), 404, 'ResourceNotFound');
      problem(await t.call({ method: 'DELETE', url: `${T}/${id}` }), 404, 'ResourceNotFound');
      await ok(t.call({ method: 'GET', url: `${BASE}/entities/${id}` }));
      // History starts again with the next change.
      await ok(
        t.call({
          method: 'PATCH',
          url: `${BASE}/entities/${id}/attrs`,
          json: { speed: { value: 4, observedAt: minute(1) } },
        }),
        204,
      );
      assert.deepEqual(values(await temporal(t, id), 'speed'), [4]);
    });

    it('modifies and deletes one attribute instance', async () => {
      const id = 'urn:ngsi-ld:Buoy:ops-inst';
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id,
            type: 'Buoy',
            level: [
              { value: 1, observedAt: minute(0), unitCode: 'MTR' },
              { value: 2, observedAt: minute(1), unitCode: 'MTR' },
              { value: 3, observedAt: minute(2), unitCode: 'MTR' },
            ],
          },
        }),
        201,
      );
      const before = (await temporal(t, id, 'options=sysAttrs')).level as Inst[];
      const target = before[1].instanceId;
      const url = `${T}/${id}/attrs/level/${target}`;
      await ok(t.call({ method: 'PATCH', url, json: { level: { value: 20 } } }), 204);
      let after = (await temporal(t, id, 'options=sysAttrs')).level as (Inst & { unitCode?: string })[];
      assert.deepEqual(
        after.map((i) => i.value),
        [1, 20, 3],
      );
      assert.equal(after[1].instanceId, target);
      assert.equal(after[1].unitCode, 'MTR');
      assert.equal(after[1].observedAt, minute(1));
      assert.equal(after[1].createdAt, before[1].createdAt);
      assert.ok(Date.parse(after[1].modifiedAt!) >= Date.parse(before[1].modifiedAt!));
      // A new observedAt moves the instance in time, into another month's partition.
      await ok(
        t.call({
          method: 'PATCH',
          url,
          json: { level: [{ value: 21, observedAt: '2026-09-15T00:00:00Z' }] },
        }),
        204,
      );
      after = (await temporal(t, id)).level as Inst[];
      assert.deepEqual(
        after.map((i) => [i.value, i.observedAt]),
        [
          [1, minute(0)],
          [3, minute(2)],
          [21, '2026-09-15T00:00:00Z'],
        ],
      );
      const where = await t
        .db()
        .query<{ part: string }>(
          `SELECT tableoid::regclass::text AS part FROM temporal_instances WHERE instance_id = $1::uuid`,
          [target.split(':').pop()],
        );
      assert.deepEqual(where.rows, [{ part: 'temporal_instances_p202609' }]);
      const bad = async (body: unknown, path = url) =>
        problem(await t.call({ method: 'PATCH', url: path, json: body }), 400, 'BadRequestData');
      await bad({ level: { value: 1, datasetId: 'urn:ngsi-ld:dataset:other' } });
      await bad({ depth: { value: 1 } });
      await bad({ level: { value: 1 }, depth: { value: 1 } });
      await bad({ level: { value: 1 } }, `${T}/${id}/attrs/level/not-a-uri`);
      const missing = `${T}/${id}/attrs/level/urn:ngsi-ld:attribute:instance:00000000-0000-4000-8000-000000000000`;
      problem(
        await t.call({ method: 'PATCH', url: missing, json: { level: { value: 1 } } }),
        404,
        'ResourceNotFound',
      );
      problem(
        await t.call({ method: 'DELETE', url: `${T}/${id}/attrs/level/urn:x:y` }),
        404,
        'ResourceNotFound',
      );

      await ok(t.call({ method: 'DELETE', url }), 204);
      assert.deepEqual(values(await temporal(t, id), 'level'), [1, 3]);
      problem(await t.call({ method: 'DELETE', url }), 404, 'ResourceNotFound');
    });

    it('creates monthly partitions on demand, with a default partition for the rest', async () => {
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id: 'urn:ngsi-ld:Buoy:ops-part',
            type: 'Buoy',
            level: [
              { value: 1, observedAt: '2024-02-10T12:00:00Z' },
              { value: 2, observedAt: '2025-07-31T23:59:59.999Z' },
              { value: 3, observedAt: '2025-08-01T00:30:00+02:00' },
              { value: 4, observedAt: '1850-01-01T00:00:00Z' },
            ],
          },
        }),
        201,
      );
      const names = await partitions(t);
      for (const p of [
        'temporal_instances_default',
        'temporal_instances_p202402',
        'temporal_instances_p202507',
      ]) {
        assert.ok(names.includes(p), `${p} in ${names}`);
      }
      assert.ok(!names.includes('temporal_instances_p185001'));
      const r = await t.db().query<{ v: number; part: string }>(
        `SELECT (inst->>'value')::int AS v, tableoid::regclass::text AS part FROM temporal_instances
          WHERE entity_id = 'urn:ngsi-ld:Buoy:ops-part' ORDER BY 1`,
      );
      assert.deepEqual(r.rows, [
        { v: 1, part: 'temporal_instances_p202402' },
        { v: 2, part: 'temporal_instances_p202507' },
        // 00:30+02:00 is 22:30 UTC the day before.
        { v: 3, part: 'temporal_instances_p202507' },
        { v: 4, part: 'temporal_instances_default' },
      ]);
      // The partitions are those of one partitioned table.
      const kind = await t
        .db()
        .query<{ relkind: string }>(
          `SELECT relkind::text FROM pg_class WHERE relname = 'temporal_instances'`,
        );
      assert.deepEqual(kind.rows, [{ relkind: 'p' }]);
    });
  });

  describe(`temporal retention on ${backend}`, () => {
    let t: TestApp;
    const SENSOR = 'https://uri.etsi.org/ngsi-ld/default-context/Sensor';
    const times = ['2025-01-15T00:00:00Z', '2025-06-15T00:00:00Z', '2026-01-15T00:00:00Z'];
    before(async () => {
      t = await startTestApp(backend);
      for (const [id, type] of [
        ['urn:ngsi-ld:Sensor:ret', 'Sensor'],
        ['urn:ngsi-ld:Vessel:ret', 'Vessel'],
      ]) {
        await ok(
          t.call({
            method: 'POST',
            url: T,
            json: { id, type, level: times.map((observedAt, i) => ({ value: i, observedAt })) },
          }),
          201,
        );
      }
      await ok(
        t.call({
          method: 'POST',
          url: T,
          headers: { 'NGSILD-Tenant': 'port' },
          json: {
            id: 'urn:ngsi-ld:Vessel:ret',
            type: 'Vessel',
            level: [
              { value: 10, observedAt: '2025-12-01T00:00:00Z' },
              { value: 11, observedAt: '2026-01-15T00:00:00Z' },
            ],
          },
        }),
        201,
      );
    });
    after(() => t.dispose());

    it('deletes expired history per tenant and entity type, then drops expired months', async () => {
      const db = t.db();
      const at = new Date('2026-02-01T00:00:00Z');
      assert.deepEqual(await applyTemporalRetention(db, at), { deletedInstances: 0, droppedPartitions: [] });
      await setRetentionRule(db, { tenant: '*', keep: 'P200D' });
      await setRetentionRule(db, { tenant: '*', entityType: SENSOR, keep: 'P500D' });
      await setRetentionRule(db, { tenant: 'port', keep: '30 days' });
      assert.equal((await listRetentionRules(db)).length, 3);

      // Vessel (global rule, 200 days): two old instances go; Sensor (500 days) keeps all; port (30 days): one.
      assert.deepEqual(await applyTemporalRetention(db, at), { deletedInstances: 3, droppedPartitions: [] });
      assert.deepEqual(values(await temporal(t, 'urn:ngsi-ld:Vessel:ret'), 'level'), [2]);
      assert.deepEqual(values(await temporal(t, 'urn:ngsi-ld:Sensor:ret'), 'level'), [0, 1, 2]);
      const port = await ok(
        t.call({ method: 'GET', url: `${T}/urn:ngsi-ld:Vessel:ret`, headers: { 'NGSILD-Tenant': 'port' } }),
      );
      assert.deepEqual(values(port.json() as Json, 'level'), [11]);

      // Without the Sensor rule, the longest retention is 200 days: months that ended before 2025-07-16 are
      // dropped whole, the Sensor's old instances with them.
      assert.ok(await removeRetentionRule(db, '*', SENSOR));
      const r = await applyTemporalRetention(db, at);
      assert.deepEqual(r, {
        deletedInstances: 0,
        droppedPartitions: ['temporal_instances_p202501', 'temporal_instances_p202506'],
      });
      const names = await partitions(t);
      assert.ok(
        !names.includes('temporal_instances_p202501') && !names.includes('temporal_instances_p202506'),
      );
      assert.ok(names.includes('temporal_instances_p202512') && names.includes('temporal_instances_p202601'));
      // Retention also prepared this month's and the next month's partitions.
      assert.ok(names.includes('temporal_instances_p202602') && names.includes('temporal_instances_p202603'));
      assert.deepEqual(values(await temporal(t, 'urn:ngsi-ld:Sensor:ret'), 'level'), [2]);

      // Writing into a dropped month later is accepted (its partition is made again).
      await ok(
        t.call({
          method: 'POST',
          url: `${T}/urn:ngsi-ld:Sensor:ret/attrs`,
          json: { level: { value: 9, observedAt: times[0] } },
        }),
        204,
      );
      assert.deepEqual(values(await temporal(t, 'urn:ngsi-ld:Sensor:ret'), 'level'), [9, 2]);
      // Leave no rule behind for the server's own retention run.
      assert.ok(await removeRetentionRule(db, '*'));
      assert.ok(await removeRetentionRule(db, 'port'));
      assert.deepEqual(await listRetentionRules(db), []);
    });
  });
}
