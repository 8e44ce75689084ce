import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const REDIRECT = 'http://escale.test/api/auth/oidc/callback';
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  'sub-zoe': { email: 'zoe@seaview.example', email_verified: true, name: 'Zoé Martin' },
  'sub-yan': { email: 'yan@elsewhere.example', email_verified: true, name: 'Yan Le Goff' },
  'sub-unverified': { email: 'ugo@seaview.example', email_verified: false, name: 'Ugo' },
};

/** A real OpenID provider (node-oidc-provider) on 127.0.0.1 with its development login screens. */
async function startProvider(): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'escale',
        client_secret: 'escale-client-secret-for-tests',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['cookie-key-for-tests'] },
    findAccount: async (_ctx, id) =>
      ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) } : undefined,
  });
  server.on('request', provider.callback());
  return { issuer, server };
}

/** Plays the browser: follows redirects, keeps cookies, signs in as `account` and consents. */
async function browse(start: string, account: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = start;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(REDIRECT)) return new URL(url);
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 500));
    // A development interaction page: the login form, then the consent form.
    const prompt =
      /name="prompt" value="(\w+)"/.exec(html)?.[1] ?? (html.includes('name="login"') ? 'login' : 'consent');
    method = 'POST';
    body = new URLSearchParams(
      prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt },
    ).toString();
  }
  throw new Error('too many redirects');
}

for (const backend of backends()) {
  describe(`OIDC sign-in (${backend})`, () => {
    let t: TestApp;
    let idp: { issuer: string; server: Server };
    let seaview: string;
    let haropa: string;

    before(async () => {
      idp = await startProvider();
      t = await startTestApp(backend, {
        ESCALE_OIDC_ISSUER: idp.issuer,
        ESCALE_OIDC_CLIENT_ID: 'escale',
        ESCALE_OIDC_CLIENT_SECRET: 'escale-client-secret-for-tests',
        ESCALE_OIDC_REDIRECT_URI: REDIRECT,
      });
      const mk = async (slug: string, kind: string, emailDomains: string[]) =>
        (
          await t.call({
            method: 'POST',
            url: '/api/organisations',
            json: { slug, name: slug, kind, emailDomains },
          })
        ).json().id;
      seaview = await mk('seaview', 'start-up', ['seaview.example']);
      haropa = await mk('haropa', 'port-authority', []);
    });
    after(async () => {
      await t?.dispose();
      idp?.server.close();
    });

    const signIn = async (account: string, accept = 'application/json') => {
      const start = await t.call({ method: 'GET', url: '/api/auth/oidc/login', as: null });
      assert.equal(start.statusCode, 302);
      const auth = new URL(String(start.headers.location));
      assert.equal(auth.origin, idp.issuer);
      assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(auth.searchParams.get('state') && auth.searchParams.get('nonce'));
      const back = await browse(auth.href, account);
      return t.call({
        method: 'GET',
        url: `/api/auth/oidc/callback${back.search}`,
        headers: { accept },
        as: null,
      });
    };

    it('offers the provider to the web application, and hands a browser its token in the URL fragment', async () => {
      assert.equal((await t.call({ method: 'GET', url: '/api/config', as: null })).json().oidc, true);
      const r = await signIn('sub-zoe', 'text/html,application/xhtml+xml');
      assert.equal(r.statusCode, 303);
      const to = new URL(String(r.headers.location), 'http://escale.test');
      assert.equal(to.pathname, '/signin');
      assert.equal(to.search, ''); // never in the query string, which servers and proxies log
      const fragment = new URLSearchParams(to.hash.slice(1));
      const me = await t.call({ method: 'GET', url: '/api/me', as: fragment.get('token')! });
      assert.equal(me.json().user.email, 'zoe@seaview.example');
      assert.ok(Number(fragment.get('expiresIn')) > 0);
    });

    it('signs in through the provider (code + PKCE), links the user by sub and joins by e-mail domain', async () => {
      const r = await signIn('sub-zoe');
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().user.email, 'zoe@seaview.example');
      assert.equal(r.json().user.name, 'Zoé Martin');
      assert.equal(r.json().user.hasPassword, false);
      const me = await t.call({ method: 'GET', url: '/api/me', as: r.json().token });
      assert.deepEqual(me.json().memberships, [{ orgId: seaview, role: 'member' }]);
      const again = await signIn('sub-zoe');
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().user.id, r.json().user.id);
      const users = await t.call({ method: 'GET', url: '/api/users' });
      assert.equal(
        users.json().items.filter((u: { email: string }) => u.email === 'zoe@seaview.example').length,
        1,
      );
    });

    it('joins an organisation through an invitation', async () => {
      const inv = await t.call({
        method: 'POST',
        url: `/api/organisations/${haropa}/members`,
        json: { email: 'yan@elsewhere.example', role: 'editor' },
      });
      assert.equal(inv.statusCode, 202);
      const r = await signIn('sub-yan');
      assert.equal(r.statusCode, 200, r.body);
      const me = await t.call({ method: 'GET', url: '/api/me', as: r.json().token });
      assert.deepEqual(me.json().memberships, [{ orgId: haropa, role: 'editor' }]);
    });

    it('refuses an unverified e-mail, a replayed or unknown state', async () => {
      const r = await signIn('sub-unverified');
      assert.equal(r.statusCode, 401);
      assert.match(r.json().detail, /verified e-mail/);
      const start = await t.call({ method: 'GET', url: '/api/auth/oidc/login', as: null });
      const back = await browse(String(start.headers.location), 'sub-zoe');
      const first = await t.call({ method: 'GET', url: `/api/auth/oidc/callback${back.search}`, as: null });
      assert.equal(first.statusCode, 200);
      const replay = await t.call({ method: 'GET', url: `/api/auth/oidc/callback${back.search}`, as: null });
      assert.equal(replay.statusCode, 401);
      const forged = await t.call({
        method: 'GET',
        url: '/api/auth/oidc/callback?code=abc&state=made-up',
        as: null,
      });
      assert.equal(forged.statusCode, 401);
    });
  });
}
