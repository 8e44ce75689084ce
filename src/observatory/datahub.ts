import type { Broker } from '../broker/index.js';
import { badRequest } from '../http/problem.js';
import type { DataHubQuery } from './model.js';
import type { Period } from './periods.js';

const PAGE = 1000;
/** At most this many entities are read for one computed value. */
const MAX_ENTITIES = 20_000;

function numberOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function reduce(xs: number[], method: DataHubQuery['method']): number | null {
  if (method === 'count') return xs.length;
  if (xs.length === 0) return null;
  if (method === 'sum') return xs.reduce((s, x) => s + x, 0);
  if (method === 'avg') return xs.reduce((s, x) => s + x, 0) / xs.length;
  if (method === 'min') return Math.min(...xs);
  return Math.max(...xs);
}

/**
 * Computes an indicator from the NGSI-LD data hub: the number of entities matching `type` and `q`, or the
 * sum/average/min/max of an attribute over them — of their current values, or (temporal) of every instance
 * observed within the period (the temporal API's aggregation).
 */
export async function computeFromDataHub(
  broker: Broker,
  s: DataHubQuery,
  period: Period,
): Promise<number | null> {
  const ctx = await broker.contexts.resolve(s.context);
  const opts = { tenant: s.tenant ?? '', context: s.context };
  if (s.method !== 'count' && !s.attribute) throw badRequest(`method ${s.method} needs an attribute`);
  if (s.temporal) {
    if (!s.attribute) throw badRequest('a temporal computation needs an attribute');
    const methods = s.method === 'count' ? 'totalCount' : s.method === 'avg' ? 'sum,totalCount' : s.method;
    const filter = {
      timerel: 'between',
      timeAt: period.start.toISOString(),
      endTimeAt: period.end.toISOString(),
    };
    const out = { options: 'aggregatedValues', aggrMethods: methods };
    const parts: Record<string, number[]> = {};
    const attr = ctx.compact(ctx.expand(s.attribute));
    for (let offset = 0; offset < MAX_ENTITIES; offset += PAGE) {
      const r = await broker.queryTemporal(
        { type: s.type, q: s.q, attrs: [s.attribute], limit: PAGE, offset, count: false },
        filter,
        out,
        opts,
      );
      for (const e of r.body) {
        const a = e[attr];
        for (const inst of Array.isArray(a) ? a : a ? [a] : []) {
          for (const [m, triples] of Object.entries(inst as Record<string, unknown>)) {
            if (!Array.isArray(triples)) continue;
            for (const t of triples as unknown[][]) {
              const n = numberOf(t[0]);
              if (n === null) continue;
              parts[m] = parts[m] ?? [];
              parts[m].push(n);
            }
          }
        }
      }
      if (r.body.length < PAGE) break;
    }
    const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);
    if (s.method === 'count') return sum(parts.totalCount);
    if (s.method === 'avg') {
      const n = sum(parts.totalCount);
      return n === 0 ? null : sum(parts.sum) / n;
    }
    return reduce(parts[s.method] ?? [], s.method);
  }
  if (s.method === 'count') {
    const r = await broker.query({ type: s.type, q: s.q, limit: 0, offset: 0, count: true }, opts);
    return r.total ?? 0;
  }
  const attr = ctx.expand(s.attribute as string);
  const xs: number[] = [];
  for (let offset = 0; offset < MAX_ENTITIES; offset += PAGE) {
    const r = await broker.query(
      { type: s.type, q: s.q, attrs: [s.attribute as string], limit: PAGE, offset, count: false },
      opts,
    );
    for (const e of r.entities) {
      const inst = e.attrs[attr]?.find((i) => !i.datasetId) ?? e.attrs[attr]?.[0];
      const n = numberOf(inst?.value);
      if (n !== null) xs.push(n);
    }
    if (r.entities.length < PAGE) break;
  }
  return reduce(xs, s.method);
}
