import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { type Json, ok, problem, T, temporal } from './helpers.js';

const S1 = 'urn:ngsi-ld:Sensor:aggr-1';
const S2 = 'urn:ngsi-ld:Sensor:aggr-2';
const at = (day: number, h: number, m = 0) => new Date(Date.UTC(2026, 2, day, h, m)).toISOString();
const BETWEEN = `timerel=between&timeAt=${at(1, 0)}&endTimeAt=${at(3, 0)}`;
const ALL = 'totalCount,distinctCount,sum,avg,min,max,stddev,sumsq';

type Triple = [number | null, string, string];
type Aggregated = Record<string, Triple[] | string>;

/** Day 1: 1, 2, 3, 6 (at 00:00, 06:00, 12:00, 18:00); day 2: 10, 10, 4 (00:00, 06:00, 12:00). */
const TEMPS: [number, number, number][] = [
  [1, 0, 1],
  [1, 6, 2],
  [1, 12, 3],
  [1, 18, 6],
  [2, 0, 10],
  [2, 6, 10],
  [2, 12, 4],
];

const column = (a: Aggregated, method: string) => (a[method] as Triple[]).map((x) => x[0]);
const periods = (a: Aggregated, method: string) => (a[method] as Triple[]).map((x) => [x[1], x[2]]);

function close(actual: (number | null)[], expected: number[]): void {
  assert.equal(actual.length, expected.length, `${actual} vs ${expected}`);
  actual.forEach((v, i) => {
    assert.ok(v !== null && Math.abs(v - expected[i]) < 1e-9, `${actual} vs ${expected}`);
  });
}

for (const backend of backends()) {
  describe(`temporal aggregation on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
      // Written through the temporal API: several instances per attribute in one request.
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id: S1,
            type: 'Sensor',
            temperature: TEMPS.map(([d, h, v]) => ({ type: 'Property', value: v, observedAt: at(d, h) })),
            status: [
              { type: 'Property', value: 'ok', observedAt: at(1, 1) },
              { type: 'Property', value: 'degraded', observedAt: at(1, 2) },
              { type: 'Property', value: 'ok', observedAt: at(1, 3) },
              { type: 'Property', value: 'off', observedAt: at(2, 1) },
            ],
            installedOn: [
              { type: 'Relationship', object: 'urn:ngsi-ld:Berth:1', observedAt: at(1, 1) },
              { type: 'Relationship', object: 'urn:ngsi-ld:Berth:2', observedAt: at(1, 5) },
            ],
          },
        }),
        201,
      );
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id: S2,
            type: 'Sensor',
            temperature: [
              { type: 'Property', value: 100, observedAt: at(1, 1) },
              { type: 'Property', value: 200, observedAt: at(1, 2), datasetId: 'urn:ngsi-ld:dataset:backup' },
              { type: 'Property', value: 300, observedAt: at(1, 3), datasetId: 'urn:ngsi-ld:dataset:backup' },
            ],
          },
        }),
        201,
      );
    });
    after(() => t.dispose());

    const aggregated = async (query: string, id = S1) =>
      temporal(t, id, `options=aggregatedValues&${query}`) as Promise<Record<string, Aggregated>>;

    it('computes every method per day (P1D)', async () => {
      const e = await aggregated(`aggrMethods=${ALL}&aggrPeriodDuration=P1D&attrs=temperature&${BETWEEN}`);
      const a = e.temperature;
      assert.equal(a.type, 'Property');
      assert.deepEqual(column(a, 'totalCount'), [4, 3]);
      assert.deepEqual(column(a, 'distinctCount'), [4, 2]);
      close(column(a, 'sum'), [12, 24]);
      close(column(a, 'avg'), [3, 8]);
      close(column(a, 'min'), [1, 4]);
      close(column(a, 'max'), [6, 10]);
      // Sample standard deviation: day 1 sqrt(((1-3)²+(2-3)²+0+(6-3)²)/3), day 2 sqrt((2²+2²+4²)/2).
      close(column(a, 'stddev'), [Math.sqrt(14 / 3), Math.sqrt(12)]);
      close(column(a, 'sumsq'), [1 + 4 + 9 + 36, 100 + 100 + 16]);
      for (const m of ALL.split(',')) {
        assert.deepEqual(periods(a, m), [
          [at(1, 0), at(2, 0)],
          [at(2, 0), at(3, 0)],
        ]);
      }
      assert.deepEqual(Object.keys(e).sort(), ['id', 'temperature', 'type']);
    });

    it('cuts periods of twelve hours (PT12H)', async () => {
      const a = (
        await aggregated(`aggrMethods=avg,totalCount&aggrPeriodDuration=PT12H&attrs=temperature&${BETWEEN}`)
      ).temperature;
      close(column(a, 'avg'), [1.5, 4.5, 10, 4]);
      assert.deepEqual(column(a, 'totalCount'), [2, 2, 2, 1]);
      assert.deepEqual(periods(a, 'avg'), [
        [at(1, 0), at(1, 12)],
        [at(1, 12), at(2, 0)],
        [at(2, 0), at(2, 12)],
        [at(2, 12), at(3, 0)],
      ]);
    });

    it('starts periods at timeAt', async () => {
      const a = (
        await aggregated(
          `aggrMethods=max&aggrPeriodDuration=PT1H&attrs=temperature&timerel=after&timeAt=${at(1, 5, 30)}`,
        )
      ).temperature;
      assert.deepEqual(periods(a, 'max')[0], [at(1, 5, 30), at(1, 6, 30)]);
      close(column(a, 'max'), [2, 3, 6, 10, 10, 4]);
    });

    it('aggregates over the whole interval by default', async () => {
      const a = (await aggregated(`aggrMethods=totalCount,sum,avg,min,max&attrs=temperature&${BETWEEN}`))
        .temperature;
      assert.deepEqual(column(a, 'totalCount'), [7]);
      close(column(a, 'sum'), [36]);
      close(column(a, 'avg'), [36 / 7]);
      close(column(a, 'min'), [1]);
      close(column(a, 'max'), [10]);
      assert.deepEqual(periods(a, 'sum'), [[at(1, 0), at(3, 0)]]);
      // timerel=before: from the first instance to timeAt.
      const b = (await aggregated(`aggrMethods=sum&attrs=temperature&timerel=before&timeAt=${at(2, 0)}`))
        .temperature;
      close(column(b, 'sum'), [12]);
      assert.deepEqual(periods(b, 'sum'), [[at(1, 0), at(2, 0)]]);
    });

    it('counts in calendar months (P1M)', async () => {
      const a = (
        await aggregated(
          'aggrMethods=totalCount,avg&aggrPeriodDuration=P1M&attrs=temperature&timerel=before&timeAt=2026-06-01T00:00:00Z',
        )
      ).temperature;
      assert.deepEqual(column(a, 'totalCount'), [7]);
      close(column(a, 'avg'), [36 / 7]);
      assert.deepEqual(periods(a, 'avg'), [['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']]);
    });

    it('counts any value, but computes numbers only on numbers', async () => {
      const e = await aggregated(
        `aggrMethods=totalCount,distinctCount,avg&aggrPeriodDuration=P1D&${BETWEEN}`,
      );
      const s = e.status;
      assert.deepEqual(column(s, 'totalCount'), [3, 1]);
      assert.deepEqual(column(s, 'distinctCount'), [2, 1]);
      assert.deepEqual(column(s, 'avg'), [null, null]);
      const r = e.installedOn;
      assert.equal(r.type, 'Relationship');
      assert.deepEqual(column(r, 'totalCount'), [2]);
      assert.deepEqual(column(r, 'distinctCount'), [2]);
    });

    it('aggregates each datasetId apart, and across entities of a query', async () => {
      const r = await ok(
        t.call({
          method: 'GET',
          url: `${T}?type=Sensor&attrs=temperature&options=aggregatedValues&aggrMethods=sum&${BETWEEN}`,
        }),
      );
      const list = r.json() as Record<string, Aggregated | Aggregated[] | string>[];
      assert.deepEqual(
        list.map((e) => e.id),
        [S1, S2],
      );
      close(column(list[0].temperature as Aggregated, 'sum'), [36]);
      const streams = list[1].temperature as Aggregated[];
      assert.equal(streams.length, 2);
      close(column(streams[0], 'sum'), [100]);
      assert.equal(streams[1].datasetId, 'urn:ngsi-ld:dataset:backup');
      close(column(streams[1], 'sum'), [500]);
      const p = await ok(
        t.call({
          method: 'POST',
          url: `${T.replace('/entities', '/entityOperations/query')}?options=aggregatedValues`,
          json: {
            type: 'Query',
            entities: [{ id: S1 }],
            attrs: ['temperature'],
            temporalQ: {
              timerel: 'between',
              timeAt: at(1, 0),
              endTimeAt: at(3, 0),
              aggrMethods: ['min', 'max'],
              aggrPeriodDuration: 'P1D',
            },
          },
        }),
      );
      const [s1] = p.json() as Record<string, Aggregated>[];
      close(column(s1.temperature, 'min'), [1, 4]);
      close(column(s1.temperature, 'max'), [6, 10]);
    });

    it('validates aggregation parameters', async () => {
      const bad = async (q: string) =>
        problem(await t.call({ method: 'GET', url: `${T}/${S1}?${q}` }), 400, 'BadRequestData');
      await bad('options=aggregatedValues&aggrMethods=avg,mode');
      await bad('options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=P');
      await bad('options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT');
      await bad('options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=-P1D');
      await bad('options=aggregatedValues&aggrMethods=');
      const whole: Json = await temporal(
        t,
        S1,
        'options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT0S&attrs=temperature',
      );
      close(column(whole.temperature as Aggregated, 'avg'), [36 / 7]);
    });

    it('answers from daily summaries that follow every change of the history', async () => {
      const id = 'urn:ngsi-ld:Sensor:aggr-daily';
      await ok(
        t.call({
          method: 'POST',
          url: T,
          json: {
            id,
            type: 'Sensor',
            temperature: [
              [1, 1, 1],
              [1, 2, 2],
              [1, 3, 3],
              [2, 4, 10],
            ].map(([d, h, v]) => ({ type: 'Property', value: v, observedAt: at(d, h) })),
          },
        }),
        201,
      );
      // Whole days from midnight: answered from the summaries. Adding distinctCount (not summarised) or
      // bounds off midnight reads the instances: both give the same figures.
      const METHODS = 'totalCount,sum,avg,min,max,sumsq';
      const daily = async () =>
        (await aggregated(`aggrMethods=${METHODS}&aggrPeriodDuration=P1D&attrs=temperature&${BETWEEN}`, id))
          .temperature as Aggregated | undefined;
      const fromInstances = async () =>
        (
          await aggregated(
            `aggrMethods=${METHODS},distinctCount&aggrPeriodDuration=P1D&attrs=temperature&${BETWEEN}`,
            id,
          )
        ).temperature as Aggregated | undefined;
      const expect = async (rows: { totalCount: number[]; sum: number[]; min: number[]; max: number[] }) => {
        for (const a of [await daily(), await fromInstances()]) {
          assert.ok(a);
          assert.deepEqual(column(a, 'totalCount'), rows.totalCount);
          close(column(a, 'sum'), rows.sum);
          close(
            column(a, 'avg'),
            rows.sum.map((x, i) => x / rows.totalCount[i]),
          );
          close(column(a, 'min'), rows.min);
          close(column(a, 'max'), rows.max);
        }
        const d = await daily();
        const r = await fromInstances();
        assert.deepEqual(periods(d as Aggregated, 'sum'), periods(r as Aggregated, 'sum'));
        close(column(d as Aggregated, 'sumsq'), column(r as Aggregated, 'sumsq') as number[]);
      };
      await expect({ totalCount: [3, 1], sum: [6, 10], min: [1, 10], max: [3, 10] });

      // An instance modified and moved to the next day, another deleted, one more appended.
      const list = (await temporal(t, id)).temperature as { instanceId: string; value: number }[];
      const url = (k: number) => `${T}/${id}/attrs/temperature/${list[k].instanceId}`;
      await ok(
        t.call({
          method: 'PATCH',
          url: url(2),
          json: { temperature: { type: 'Property', value: 7, observedAt: at(2, 5) } },
        }),
        204,
      );
      await expect({ totalCount: [2, 2], sum: [3, 17], min: [1, 7], max: [2, 10] });
      await ok(t.call({ method: 'DELETE', url: url(0) }), 204);
      await ok(
        t.call({
          method: 'POST',
          url: `${T}/${id}/attrs`,
          json: { temperature: { type: 'Property', value: -4, observedAt: at(1, 9) } },
        }),
        204,
      );
      await expect({ totalCount: [2, 2], sum: [-2, 17], min: [-4, 7], max: [2, 10] });

      // The attribute's history deleted: nothing left to aggregate, in the summaries either.
      await ok(t.call({ method: 'DELETE', url: `${T}/${id}/attrs/temperature` }), 204);
      assert.equal(await daily(), undefined);
      const left = await t
        .db()
        .query<{ n: number }>('SELECT count(*)::int AS n FROM temporal_daily WHERE entity_id = $1', [id]);
      assert.equal(left.rows[0].n, 0);
    });
  });
}
