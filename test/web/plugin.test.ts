// The Fastify plugin that serves the web application: static files with their cache headers, the SPA
// fallback, API paths left to the API's problem+json 404, /api/config, and the page shown when web/dist
// is missing. Runs on a small built-looking folder: no database, no build needed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../../src/http/errors.js';
import { type WebPluginOptions, webPlugin } from '../../src/web/plugin.js';

function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'escale-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="fr"><title>Escale</title><div id="root"></div>',
  );
  const js = `console.log(${JSON.stringify('x'.repeat(2000))});`;
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), js);
  writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(js));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

async function appWith(opts: WebPluginOptions): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  installErrorHandling(app);
  app.get('/ngsi-ld/v1/types', async () => ({ typeList: [] }));
  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(webPlugin, opts);
  await app.ready();
  return app;
}

describe('web plugin', () => {
  it('serves index.html at / and for client routes, revalidated', async () => {
    const app = await appWith({ distDir: fakeDist() });
    for (const url of ['/', '/map', '/observatory', '/some/deep/route?x=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers['content-type'] as string, /text\/html/, url);
      assert.match(r.body, /<div id="root">/, url);
      assert.equal(r.headers['cache-control'], 'no-cache', url);
    }
    await app.close();
  });

  it('caches hashed assets for a year and sends them pre-compressed', async () => {
    const app = await appWith({ distDir: fakeDist() });
    const r = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.match(r.headers['content-type'] as string, /javascript/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body, /^console\.log/);
    const icon = await app.inject({ url: '/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
    await app.close();
  });

  it('leaves API paths and missing files to the problem+json 404', async () => {
    const app = await appWith({ distDir: fakeDist() });
    for (const url of [
      '/ngsi-ld/v1/nothing-here',
      '/api/nothing',
      '/health/x',
      '/assets/missing-1234.js',
      '/x.png',
    ]) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 404, url);
      assert.match(r.headers['content-type'] as string, /json/, url);
      assert.equal(r.json().status, 404, url);
    }
    assert.equal((await app.inject({ url: '/ngsi-ld/v1/types' })).json().typeList.length, 0);
    assert.equal((await app.inject({ method: 'POST', url: '/map' })).statusCode, 404);
    await app.close();
  });

  it('keeps requests inside the folder and serves files added after start-up', async () => {
    const dist = fakeDist();
    const app = await appWith({ distDir: dist });
    const outside = [
      '/../package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/.env',
    ];
    for (const url of outside) {
      const r = await app.inject({ url });
      const isApp = r.statusCode === 200 && r.body.includes('<div id="root">');
      assert.ok(isApp || r.statusCode === 403 || r.statusCode === 404, `${url}: ${r.statusCode}`);
      assert.doesNotMatch(r.body, /root:x:|"devDependencies"/, url);
    }
    writeFileSync(join(dist, 'assets', 'later-def456.js'), 'export {};');
    assert.equal((await app.inject({ url: '/assets/later-def456.js' })).statusCode, 200);
    await app.close();
  });

  it('serves the settings at /api/config', async () => {
    const none = await appWith({ distDir: fakeDist() });
    // Without governance (this bare app), no OIDC sign-in is offered.
    assert.deepEqual((await none.inject({ url: '/api/config' })).json(), { mapStyle: null, oidc: false });
    await none.close();
    const style = 'https://tiles.example.org/styles/port.json';
    const some = await appWith({ distDir: fakeDist(), mapStyle: style });
    assert.deepEqual((await some.inject({ url: '/api/config' })).json(), { mapStyle: style, oidc: false });
    await some.close();
  });

  it('says how to build the web application when web/dist is missing', async () => {
    const app = await appWith({ distDir: join(tmpdir(), 'escale-no-such-dist') });
    const r = await app.inject({ url: '/' });
    assert.equal(r.statusCode, 503);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.body, /npm run build:web/);
    assert.equal((await app.inject({ url: '/map' })).statusCode, 503);
    assert.equal((await app.inject({ url: '/ngsi-ld/v1/nope' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/ngsi-ld/v1/types' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/config' })).statusCode, 200);
    await app.close();
  });
});
