import { runWorkers, type StepResult } from './load.js';

/** The NGSI-LD calls the benchmark makes over HTTP. */

/** Headers of every write (the credential): writes need an authenticated caller. */
const writeHeaders: Record<string, string> = {};
export function authenticateWrites(authorization: string): void {
  writeHeaders.authorization = authorization;
}
export function withWriteHeaders(h: Record<string, string>): Record<string, string> {
  return { ...h, ...writeHeaders };
}

export const API = '/ngsi-ld/v1';

/** GET /entities?type=Vessel&q=speed>10;status=="underway"&georel=near;maxDistance==m&geometry=Point&... */
export function queryPath(lon: number, lat: number, maxDistance: number, limit: number): string {
  const params = new URLSearchParams({
    type: 'Vessel',
    q: 'speed>10;status=="underway"',
    georel: `near;maxDistance==${maxDistance}`,
    geometry: 'Point',
    coordinates: JSON.stringify([lon, lat]),
    limit: String(limit),
  });
  return `${API}/entities?${params.toString()}`;
}

export function entityPath(id: string): string {
  return `${API}/entities/${encodeURIComponent(id)}`;
}

export interface UpsertResult extends StepResult {
  /** Batches sent (ok or not): the first `sent` of the bodies. */
  sent: number;
  /** Indices of the batches that failed (an error answer, or no answer). */
  failedBatches: number[];
  /** Entities in the batches answered with success. */
  entities: number;
  entitiesPerSec: number;
}

/**
 * POSTs the prepared batch bodies to /entityOperations/upsert, `concurrency` at a time. A batch counts as
 * ok when the answer is 201 with one created id per entity, or 204; anything else is a failure.
 */
export async function httpUpsert(
  baseUrl: string,
  bodies: readonly { body: string; count: number }[],
  opts: {
    concurrency: number;
    /** No batch is started after this many seconds; the batches sent are bodies[0, sent). */
    budgetS?: number;
    onProgress?: (done: number) => void;
  },
): Promise<UpsertResult> {
  const statuses: Record<string, number> = {};
  const problems: string[] = [];
  let entities = 0;
  let done = 0;
  const failedBatches: number[] = [];
  const send = async (n: number) => {
    const { body, count } = bodies[n];
    const res = await fetch(`${baseUrl}${API}/entityOperations/upsert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...writeHeaders },
      body,
    });
    const text = await res.text();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    done += count;
    opts.onProgress?.(done);
    if (res.status === 204) {
      entities += count;
      return;
    }
    if (res.status === 201) {
      const created = JSON.parse(text) as unknown;
      if (Array.isArray(created) && created.length === count) {
        entities += count;
        return;
      }
      throw new Error(`201 with ${Array.isArray(created) ? created.length : '?'} ids for ${count} entities`);
    }
    if (problems.length < 3) problems.push(`${res.status} ${text.slice(0, 300)}`);
    throw new Error(`upsert answered ${res.status}: ${text.slice(0, 300)}`);
  };
  const r = await runWorkers({
    concurrency: opts.concurrency,
    total: bodies.length,
    durationS: opts.budgetS,
    op: async (n) => {
      try {
        await send(n);
      } catch (err) {
        failedBatches.push(n);
        throw err;
      }
    },
  });
  return {
    ...r,
    statuses,
    samples: [...r.samples, ...problems].slice(0, 3),
    sent: r.ok + r.failed,
    failedBatches: failedBatches.sort((a, b) => a - b),
    entities,
    entitiesPerSec: entities / r.seconds,
  };
}

/** The number of Vessel entities, from NGSILD-Results-Count. */
export async function countVessels(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}${API}/entities?type=Vessel&count=true&limit=0`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`count query answered ${res.status}`);
  return Number(res.headers.get('ngsild-results-count'));
}

/** Ids returned by the benchmark's query, in order. */
export async function queryIds(
  baseUrl: string,
  lon: number,
  lat: number,
  maxDistance: number,
  limit: number,
): Promise<string[]> {
  const res = await fetch(`${baseUrl}${queryPath(lon, lat, maxDistance, limit)}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`query answered ${res.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { id: string }[]).map((e) => e.id);
}

/** GET one entity (normalized). */
export async function getEntity(baseUrl: string, id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${entityPath(id)}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${id} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
