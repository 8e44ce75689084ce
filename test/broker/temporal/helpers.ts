import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../helpers/app.js';

export const BASE = '/ngsi-ld/v1';
export const T = `${BASE}/temporal/entities`;

export type Json = Record<string, unknown>;
export interface Inst {
  type: string;
  value?: unknown;
  object?: unknown;
  observedAt?: string;
  instanceId: string;
  createdAt?: string;
  modifiedAt?: string;
  deletedAt?: string;
  datasetId?: string;
}

export async function ok(r: Promise<LightMyRequestResponse>, status = 200): Promise<LightMyRequestResponse> {
  const res = await r;
  assert.equal(res.statusCode, status, res.body);
  return res;
}

/** GET a temporal entity (query string without the leading `?`) and return its body. */
export async function temporal(t: TestApp, id: string, query = '', status = 200): Promise<Json> {
  const r = await ok(
    t.call({ method: 'GET', url: `${T}/${encodeURIComponent(id)}${query ? `?${query}` : ''}` }),
    status,
  );
  return r.json() as Json;
}

/** The values of an attribute's instances in a normalized temporal entity. */
export const values = (e: Json, attr: string) => ((e[attr] as Inst[] | undefined) ?? []).map((i) => i.value);

/** Hour `h` of 2026-03-01 (UTC), as sent: `2026-03-01T05:00:00Z`. */
export const hour = (h: number) => new Date(Date.UTC(2026, 2, 1, h)).toISOString().replace('.000Z', 'Z');

export function problem(r: LightMyRequestResponse, status: number, type: string): void {
  assert.equal(r.statusCode, status, r.body);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const b = r.json() as { type: string; status: number; detail: string };
  assert.equal(b.type, `https://uri.etsi.org/ngsi-ld/errors/${type}`);
  assert.equal(b.status, status);
  assert.ok(b.detail);
}
