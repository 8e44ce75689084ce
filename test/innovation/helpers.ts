import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery staple';

export interface Person {
  id: string;
  token: string;
  name: string;
}

/** A user made through the governance API by the platform administrator, with a bearer token. */
export async function person(t: TestApp, email: string, orgId?: string, role = 'member'): Promise<Person> {
  const name = email.split('@')[0];
  const u = await t.call({ method: 'POST', url: '/api/users', json: { email, name, password: PASSWORD } });
  assert.equal(u.statusCode, 201, u.body);
  if (orgId) {
    const m = await t.call({
      method: 'POST',
      url: `/api/organisations/${orgId}/members`,
      json: { email, role },
    });
    assert.equal(m.statusCode, 201, m.body);
  }
  const l = await t.call({
    method: 'POST',
    url: '/api/auth/login',
    json: { email, password: PASSWORD },
    as: null,
  });
  assert.equal(l.statusCode, 200, l.body);
  return { id: u.json().id, token: l.json().token, name };
}

export async function organisation(t: TestApp, slug: string, kind = 'metropolis'): Promise<string> {
  const r = await t.call({ method: 'POST', url: '/api/organisations', json: { slug, name: slug, kind } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id;
}
