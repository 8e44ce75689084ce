import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

for (const backend of backends()) {
  describe(`platform endpoints on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend);
    });
    after(() => t.dispose());

    it('reports readiness with the database check', async () => {
      const r = await t.call({ method: 'GET', url: '/health' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().checks.database.status, 'up');
      assert.equal(r.json().checks.database.kind, backend);
      assert.equal((await t.call({ method: 'GET', url: '/health/live' })).statusCode, 200);
    });

    it('serves an OpenAPI 3.1 document generated from the routes', async () => {
      const r = await t.call({ method: 'GET', url: '/docs/json' });
      assert.equal(r.statusCode, 200);
      const doc = r.json();
      assert.equal(doc.openapi, '3.1.0');
      for (const p of [
        '/ngsi-ld/v1/entities',
        '/ngsi-ld/v1/entities/{entityId}',
        '/ngsi-ld/v1/entityOperations/upsert',
        '/ngsi-ld/v1/types',
      ]) {
        assert.ok(doc.paths[p], `missing ${p}`);
      }
      assert.ok(
        doc.paths['/ngsi-ld/v1/entities'].get.parameters.some((p: { name: string }) => p.name === 'q'),
      );
      const ui = await t.call({ method: 'GET', url: '/docs' });
      assert.ok(ui.statusCode === 200 || ui.statusCode === 302);
    });

    it('answers unknown API routes with a problem document (other paths belong to the web application)', async () => {
      // NGSI-LD's own media type for errors is application/json (GS CIM 009, 6.3.6); elsewhere RFC 9457's.
      for (const [url, media] of [
        ['/api/nowhere', 'application/problem+json'],
        ['/ngsi-ld/v1/nowhere', 'application/json'],
      ]) {
        const r = await t.call({ method: 'GET', url });
        assert.equal(r.statusCode, 404, url);
        assert.equal(String(r.headers['content-type']).split(';')[0], media, url);
        assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound', url);
      }
    });

    it('reports 503 when the database does not answer', async () => {
      const config = loadConfig({ NODE_ENV: 'test' });
      const broken: Db = { ...t.db(), ping: () => Promise.reject(new Error('connection refused')) };
      const app = await buildApp({ config, db: broken });
      try {
        const r = await app.inject({ method: 'GET', url: '/health' });
        assert.equal(r.statusCode, 503);
        assert.equal(r.json().checks.database.status, 'down');
        assert.doesNotMatch(r.body, /connection refused/);
      } finally {
        await app.close();
      }
    });
  });
}
