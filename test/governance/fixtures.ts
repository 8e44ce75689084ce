import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery staple';

export interface World {
  orgA: string;
  orgB: string;
  /** Bearer tokens */
  aliceAdminA: string;
  bobMemberA: string;
  carolAdminB: string;
  ids: { alice: string; bob: string; carol: string };
}

export async function login(t: TestApp, email: string, password = PASSWORD): Promise<string> {
  const r = await t.call({ method: 'POST', url: '/api/auth/login', json: { email, password }, as: null });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().token;
}

/** Two organisations, an admin and a member in A, an admin in B: made through the API as a platform admin. */
export async function makeWorld(t: TestApp): Promise<World> {
  const org = async (slug: string, kind: string) => {
    const r = await t.call({
      method: 'POST',
      url: '/api/organisations',
      json: { slug, name: slug.toUpperCase(), kind },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().id as string;
  };
  const user = async (email: string) => {
    const r = await t.call({
      method: 'POST',
      url: '/api/users',
      json: { email, name: email.split('@')[0], password: PASSWORD },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().id as string;
  };
  const member = async (orgId: string, email: string, role: string) => {
    const r = await t.call({
      method: 'POST',
      url: `/api/organisations/${orgId}/members`,
      json: { email, role },
    });
    assert.equal(r.statusCode, 201, r.body);
  };
  const orgA = await org('haropa-port', 'port-authority');
  const orgB = await org('seaview-startup', 'start-up');
  const ids = {
    alice: await user('alice@haropa.example'),
    bob: await user('bob@haropa.example'),
    carol: await user('carol@seaview.example'),
  };
  await member(orgA, 'alice@haropa.example', 'admin');
  await member(orgA, 'bob@haropa.example', 'member');
  await member(orgB, 'carol@seaview.example', 'admin');
  return {
    orgA,
    orgB,
    ids,
    aliceAdminA: await login(t, 'alice@haropa.example'),
    bobMemberA: await login(t, 'bob@haropa.example'),
    carolAdminB: await login(t, 'carol@seaview.example'),
  };
}

export async function createKey(
  t: TestApp,
  orgId: string,
  scopes: string[],
  as?: string,
  expiresAt?: string,
): Promise<{ id: string; key: string }> {
  const r = await t.call({
    method: 'POST',
    url: `/api/organisations/${orgId}/api-keys`,
    json: { name: `key ${scopes.join(' ')}`, scopes, ...(expiresAt ? { expiresAt } : {}) },
    ...(as ? { as } : {}),
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

export const entity = (n: number) => ({
  id: `urn:ngsi-ld:Test:${n}`,
  type: 'Test',
  speed: { type: 'Property', value: n },
});
