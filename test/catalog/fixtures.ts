import assert from 'node:assert/strict';
import { login, PASSWORD } from '../governance/fixtures.js';
import type { TestApp } from '../helpers/app.js';

/** A box around the port of Le Havre (lon, lat). */
export const PORT_AREA = {
  type: 'Polygon',
  coordinates: [
    [
      [0.05, 49.44],
      [0.3, 49.44],
      [0.3, 49.5],
      [0.05, 49.5],
      [0.05, 49.44],
    ],
  ],
};
export const IN_PORT = [0.15, 49.47];
export const IN_ROUEN = [1.09, 49.44];

/** A third organisation with an admin: a consumer that has no agreement. */
export async function outsider(t: TestApp, slug = 'nosy-startup'): Promise<{ orgId: string; token: string }> {
  const org = await t.call({
    method: 'POST',
    url: '/api/organisations',
    json: { slug, name: slug.toUpperCase(), kind: 'start-up' },
  });
  assert.equal(org.statusCode, 201, org.body);
  const email = `dave@${slug}.example`;
  const u = await t.call({
    method: 'POST',
    url: '/api/users',
    json: { email, name: 'dave', password: PASSWORD },
  });
  assert.equal(u.statusCode, 201, u.body);
  const m = await t.call({
    method: 'POST',
    url: `/api/organisations/${org.json().id}/members`,
    json: { email, role: 'admin' },
  });
  assert.equal(m.statusCode, 201, m.body);
  return { orgId: org.json().id, token: await login(t, email) };
}

/** A truck gate event at a place, with a personal attribute (the plate) and one the owner does not share. */
export const gateEvent = (n: number, at: number[], plate: string, observedAt = '2026-06-01T10:00:00Z') => ({
  id: `urn:ngsi-ld:TruckGateEvent:${n}`,
  type: 'TruckGateEvent',
  terminal: { type: 'Property', value: n % 2 ? 'TNMSC' : 'TDF' },
  waitingTime: { type: 'Property', value: 10 * n, observedAt },
  plate: { type: 'Property', value: plate },
  driverPhone: { type: 'Property', value: '+33 6 00 00 00 0' + n },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: at } },
});

/** The owner publishes a restricted dataset sharing an entity type with a policy; returns its id. */
export async function publish(
  t: TestApp,
  owner: { orgId: string; token: string },
  opts: {
    entityType: string;
    policy: Record<string, unknown>;
    attributes?: string[];
    personal?: string[];
    personalClearPurposes?: string[];
    plan?: Record<string, unknown>;
    autoAgree?: boolean;
  },
): Promise<string> {
  const d = await t.call({
    method: 'POST',
    url: '/api/catalog/datasets',
    json: {
      orgId: owner.orgId,
      title: { en: `${opts.entityType} data` },
      description: { en: 'Shared under agreement.' },
      access: 'restricted',
      policy: opts.policy,
      ...(opts.plan ? { plan: opts.plan } : {}),
      ...(opts.autoAgree ? { autoAgree: true } : {}),
    },
    as: owner.token,
  });
  assert.equal(d.statusCode, 201, d.body);
  const id = d.json().id as string;
  const dist = await t.call({
    method: 'POST',
    url: `/api/catalog/datasets/${id}/distributions`,
    json: {
      kind: 'ngsi-ld',
      entityType: opts.entityType,
      ...(opts.attributes ? { attributes: opts.attributes } : {}),
      ...(opts.personal ? { personal: opts.personal } : {}),
      ...(opts.personalClearPurposes ? { personalClearPurposes: opts.personalClearPurposes } : {}),
    },
    as: owner.token,
  });
  assert.equal(dist.statusCode, 201, dist.body);
  return id;
}

/** Request, agree (owner), finalise (consumer): returns the agreement id. */
export async function agreement(
  t: TestApp,
  datasetId: string,
  consumer: { orgId: string; token: string },
  owner: { token: string },
  purpose: string,
): Promise<string> {
  const r = await t.call({
    method: 'POST',
    url: `/api/catalog/datasets/${datasetId}/agreements`,
    json: { orgId: consumer.orgId, purpose },
    as: consumer.token,
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json().id as string;
  if (r.json().state === 'REQUESTED') {
    const a = await t.call({ method: 'POST', url: `/api/catalog/agreements/${id}/agree`, as: owner.token });
    assert.equal(a.statusCode, 200, a.body);
  }
  const f = await t.call({
    method: 'POST',
    url: `/api/catalog/agreements/${id}/finalize`,
    as: consumer.token,
  });
  assert.equal(f.statusCode, 200, f.body);
  return id;
}

export const offer = (constraints: unknown[], extra: Record<string, unknown> = {}) => ({
  '@context': 'http://www.w3.org/ns/odrl.jsonld',
  '@type': 'Offer',
  assigner: 'urn:org:owner',
  permission: [{ action: 'use', constraint: constraints }],
  ...extra,
});
