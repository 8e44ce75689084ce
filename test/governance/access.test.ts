import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';
import { createKey, entity, login, makeWorld, PASSWORD, type World } from './fixtures.js';

for (const backend of backends()) {
  describe(`identity and access (${backend})`, () => {
    let t: TestApp;
    let w: World;
    before(async () => {
      t = await startTestApp(backend);
      w = await makeWorld(t);
    });
    after(() => t?.dispose());

    it('signs in with a password and answers /api/me from the bearer token', async () => {
      const token = await login(t, 'alice@haropa.example');
      const claims = decodeJwt(token);
      assert.equal(claims.sub, w.ids.alice);
      assert.ok(claims.exp! - claims.iat! <= 3600);
      const me = await t.call({ method: 'GET', url: '/api/me', as: token });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().kind, 'user');
      assert.equal(me.json().user.email, 'alice@haropa.example');
      assert.deepEqual(me.json().memberships, [{ orgId: w.orgA, role: 'admin' }]);
      assert.equal('passwordHash' in me.json().user, false);
    });

    it('refuses a wrong password, an unknown account, a forged or tampered token', async () => {
      for (const email of ['alice@haropa.example', 'nobody@haropa.example']) {
        const r = await t.call({
          method: 'POST',
          url: '/api/auth/login',
          json: { email, password: 'not the password' },
          as: null,
        });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().detail, 'wrong e-mail or password'); // the same answer: no account enumeration
        assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/Unauthorized');
      }
      const [h, p, s] = w.aliceAdminA.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(w.aliceAdminA), sub: w.ids.carol })).toString('base64url')}.${s}`;
      for (const token of [forged, `${h}.${p}.${s.slice(0, -2)}AA`, 'not-a-jwt']) {
        const r = await t.call({ method: 'GET', url: '/api/me', as: token });
        assert.equal(r.statusCode, 401);
        assert.match(String(r.headers['www-authenticate']), /Bearer realm="escale", error="invalid_token"/);
      }
      const anon = await t.call({ method: 'GET', url: '/api/me', as: null });
      assert.equal(anon.statusCode, 401);
    });

    it('lets a user change their password with the current one', async () => {
      const wrong = await t.call({
        method: 'PATCH',
        url: `/api/users/${w.ids.bob}`,
        json: { password: 'a brand new passphrase', currentPassword: 'nope' },
        as: w.bobMemberA,
      });
      assert.equal(wrong.statusCode, 403);
      const ok = await t.call({
        method: 'PATCH',
        url: `/api/users/${w.ids.bob}`,
        json: { password: 'a brand new passphrase', currentPassword: PASSWORD },
        as: w.bobMemberA,
      });
      assert.equal(ok.statusCode, 200, ok.body);
      await login(t, 'bob@haropa.example', 'a brand new passphrase');
      const self = await t.call({
        method: 'PATCH',
        url: `/api/users/${w.ids.bob}`,
        json: { platformAdmin: true },
        as: w.bobMemberA,
      });
      assert.equal(self.statusCode, 403);
    });

    it('applies a lost membership and a disabled account at once, though checked credentials are reused', async () => {
      const created = await t.call({
        method: 'POST',
        url: '/api/users',
        json: { email: 'erin@haropa.example', name: 'erin', password: PASSWORD },
      });
      assert.equal(created.statusCode, 201, created.body);
      const erin = created.json().id as string;
      const added = await t.call({
        method: 'POST',
        url: `/api/organisations/${w.orgA}/members`,
        json: { email: 'erin@haropa.example', role: 'editor' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const token = await login(t, 'erin@haropa.example');
      const me = () => t.call({ method: 'GET', url: '/api/me', as: token });
      assert.deepEqual((await me()).json().memberships, [{ orgId: w.orgA, role: 'editor' }]);
      assert.deepEqual((await me()).json().memberships, [{ orgId: w.orgA, role: 'editor' }]); // served again

      const removed = await t.call({
        method: 'DELETE',
        url: `/api/organisations/${w.orgA}/members/${erin}`,
        as: w.aliceAdminA,
      });
      assert.ok(removed.statusCode < 300, removed.body);
      assert.deepEqual((await me()).json().memberships, []);

      const disabled = await t.call({ method: 'PATCH', url: `/api/users/${erin}`, json: { disabled: true } });
      assert.equal(disabled.statusCode, 200, disabled.body);
      assert.equal((await me()).statusCode, 401);
    });

    it('runs the API key lifecycle: shown once, hashed, usable, revoked, expired', async () => {
      const k = await createKey(t, w.orgA, ['broker:write'], w.aliceAdminA);
      assert.match(k.key, /^esk_[A-Za-z0-9_-]{43}$/);
      const list = await t.call({
        method: 'GET',
        url: `/api/organisations/${w.orgA}/api-keys`,
        as: w.aliceAdminA,
      });
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().total, 1);
      assert.equal(list.body.includes(k.key), false);
      assert.equal(list.json().items[0].prefix, k.key.slice(0, 12));
      const stored = await t.db().query<{ secret_hash: string }>('SELECT secret_hash FROM gov_api_keys');
      assert.equal(JSON.stringify(stored.rows).includes(k.key.slice(4)), false);

      // Both headers work.
      const byBearer = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(1),
        as: k.key,
      });
      assert.equal(byBearer.statusCode, 201, byBearer.body);
      const byHeader = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(2),
        headers: { 'x-api-key': k.key },
      });
      assert.equal(byHeader.statusCode, 201, byHeader.body);
      const me = await t.call({ method: 'GET', url: '/api/me', as: k.key });
      assert.deepEqual(me.json(), { kind: 'apiKey', keyId: k.id, orgId: w.orgA, scopes: ['broker:write'] });

      const revoke = await t.call({
        method: 'DELETE',
        url: `/api/organisations/${w.orgA}/api-keys/${k.id}`,
        as: w.aliceAdminA,
      });
      assert.equal(revoke.statusCode, 200);
      assert.ok(revoke.json().revokedAt);
      const afterRevoke = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(3),
        as: k.key,
      });
      assert.equal(afterRevoke.statusCode, 401);
      assert.match(afterRevoke.json().detail, /revoked/);
      // A refused credential is refused on public reads too: the caller learns the key is no good.
      const read = await t.call({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Test', as: k.key });
      assert.equal(read.statusCode, 401);

      const soon = await createKey(
        t,
        w.orgA,
        ['broker:write'],
        w.aliceAdminA,
        new Date(Date.now() + 1500).toISOString(),
      );
      assert.equal((await t.call({ method: 'GET', url: '/api/me', as: soon.key })).statusCode, 200);
      await new Promise((r) => setTimeout(r, 1600));
      const expired = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(4),
        as: soon.key,
      });
      assert.equal(expired.statusCode, 401);
      assert.match(expired.json().detail, /expired/);

      const past = await t.call({
        method: 'POST',
        url: `/api/organisations/${w.orgA}/api-keys`,
        json: { name: 'x', scopes: ['broker:write'], expiresAt: '2020-01-01T00:00:00Z' },
        as: w.aliceAdminA,
      });
      assert.equal(past.statusCode, 400);
      const badScope = await t.call({
        method: 'POST',
        url: `/api/organisations/${w.orgA}/api-keys`,
        json: { name: 'x', scopes: ['everything'] },
        as: w.aliceAdminA,
      });
      assert.equal(badScope.statusCode, 400);
      const unknown = await t.call({ method: 'GET', url: '/api/me', as: `esk_${'A'.repeat(43)}` });
      assert.equal(unknown.statusCode, 401);
    });

    it('enforces scopes: a key writes only where its scopes allow, and never manages keys', async () => {
      const reader = await createKey(t, w.orgA, ['broker:read'], w.aliceAdminA);
      const r = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(10),
        as: reader.key,
      });
      assert.equal(r.statusCode, 403);
      assert.match(r.json().detail, /broker:write/);
      const read = await t.call({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Test', as: reader.key });
      assert.equal(read.statusCode, 200);
      const gov = await createKey(t, w.orgA, ['governance:write'], w.aliceAdminA);
      const mint = await t.call({
        method: 'POST',
        url: `/api/organisations/${w.orgA}/api-keys`,
        json: { name: 'more', scopes: ['broker:write'] },
        as: gov.key,
      });
      assert.equal(mint.statusCode, 403); // a key acts as an editor: key management is for administrators
      const other = await t.call({
        method: 'PATCH',
        url: `/api/organisations/${w.orgB}`,
        json: { name: 'hijacked' },
        as: gov.key,
      });
      assert.equal(other.statusCode, 403);
    });

    it('keeps broker reads public and every write authenticated', async () => {
      const read = await t.call({ method: 'GET', url: '/ngsi-ld/v1/entities?type=Test', as: null });
      assert.equal(read.statusCode, 200);
      const write = await t.call({ method: 'POST', url: '/ngsi-ld/v1/entities', json: entity(20), as: null });
      assert.equal(write.statusCode, 401);
      assert.match(String(write.headers['www-authenticate']), /^Bearer/);
      const user = await t.call({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        json: entity(21),
        as: w.bobMemberA,
      });
      assert.equal(user.statusCode, 201);
    });

    it('manages members: role changes, invitations, at least one administrator', async () => {
      const invite = await t.call({
        method: 'POST',
        url: `/api/organisations/${w.orgA}/members`,
        json: { email: 'dave@haropa.example', role: 'editor' },
        as: w.aliceAdminA,
      });
      assert.equal(invite.statusCode, 202);
      const dave = await t.call({
        method: 'POST',
        url: '/api/users',
        json: { email: 'Dave@haropa.example', name: 'Dave', password: PASSWORD },
      });
      assert.equal(dave.statusCode, 201);
      const token = await login(t, 'dave@haropa.example');
      const me = await t.call({ method: 'GET', url: '/api/me', as: token });
      assert.deepEqual(me.json().memberships, [{ orgId: w.orgA, role: 'editor' }]);
      const demote = await t.call({
        method: 'PATCH',
        url: `/api/organisations/${w.orgA}/members/${w.ids.alice}`,
        json: { role: 'member' },
        as: w.aliceAdminA,
      });
      assert.equal(demote.statusCode, 409);
      const promote = await t.call({
        method: 'PATCH',
        url: `/api/organisations/${w.orgA}/members/${me.json().user.id}`,
        json: { role: 'admin' },
        as: w.aliceAdminA,
      });
      assert.equal(promote.statusCode, 200);
      assert.equal(promote.json().role, 'admin');
      const byMember = await t.call({
        method: 'PATCH',
        url: `/api/organisations/${w.orgA}/members/${w.ids.bob}`,
        json: { role: 'admin' },
        as: w.bobMemberA,
      });
      assert.equal(byMember.statusCode, 403);
      const members = await t.call({
        method: 'GET',
        url: `/api/organisations/${w.orgA}/members?limit=2`,
        as: w.bobMemberA,
      });
      assert.equal(members.statusCode, 200);
      assert.equal(members.json().items.length, 2);
      assert.equal(members.json().total, 3);
    });

    it('pages and validates: limits are capped, bad input is a problem document', async () => {
      const big = await t.call({ method: 'GET', url: '/api/organisations?limit=100000', as: null });
      assert.equal(big.statusCode, 400);
      assert.match(String(big.headers['content-type']), /^application\/(problem\+)?json/);
      const list = await t.call({ method: 'GET', url: '/api/organisations?limit=1&offset=1', as: null });
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().items.length, 1);
      assert.equal(list.json().total, 2);
      const bad = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'Bad Slug', name: '', kind: 'bank' },
      });
      assert.equal(bad.statusCode, 400);
      const dup = await t.call({
        method: 'POST',
        url: '/api/organisations',
        json: { slug: 'haropa-port', name: 'x', kind: 'other' },
      });
      assert.equal(dup.statusCode, 409);
    });
  });

  describe(`rate limits (${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, { ESCALE_RATE_LIMIT: '5', ESCALE_LOGIN_RATE_LIMIT: '3' });
    });
    after(() => t?.dispose());

    it('answers 429 as a problem document with Retry-After, per principal', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++)
        codes.push((await t.call({ method: 'GET', url: '/api/organisations', as: null })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
      const r = await t.call({ method: 'GET', url: '/api/organisations', as: null });
      assert.equal(r.statusCode, 429);
      assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/TooManyRequests');
      assert.ok(Number(r.headers['retry-after']) > 0);
      // Another principal has its own budget.
      const admin = await t.call({ method: 'GET', url: '/api/organisations' });
      assert.equal(admin.statusCode, 200);
    });

    it('limits password attempts per address', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await t.call({
          method: 'POST',
          url: '/api/auth/login',
          json: { email: 'x@y.example', password: 'guess' },
          as: null,
          remoteAddress: '10.9.9.9',
        });
        codes.push(r.statusCode);
      }
      assert.deepEqual(codes, [401, 401, 401, 429]);
    });
  });
}
