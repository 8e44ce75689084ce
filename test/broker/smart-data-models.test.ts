import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/db.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'smart-data-models');
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonld'))
  .map((f) => ({
    name: f,
    entity: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>,
  }));

/**
 * Four of the published examples are not valid NGSI-LD. Escale refuses them with a 400 that names the
 * defect instead of storing something another broker would choke on (documented in the README).
 */
const INVALID: Record<string, RegExp> = {
  'MarineTransport_Berth.jsonld': /id must be a URI/,
  'MarineTransport_NavigationSector.jsonld': /linear ring must be closed/,
  'MarineTransport_Port.jsonld': /Relationship refPortAuthority must have an object/,
  'MarineTransport_PortCall.jsonld': /unknown type "Date-Time"/,
};

/** The example's own context URL (the Smart Data Models one), which a GET passes in its Link header. */
function userContext(c: unknown): string {
  const list = Array.isArray(c) ? c : [c];
  return String(list.find((x) => typeof x === 'string' && !x.includes('uri.etsi.org')) ?? list[0]);
}

for (const backend of backends()) {
  describe(`Smart Data Models examples on ${backend}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(backend, {
        ESCALE_CONTEXT_MAP: join(import.meta.dirname, '..', 'fixtures', 'contexts', 'context-map.json'),
      });
    });
    after(() => t.dispose());

    it('has the examples copied from shared/data', () => {
      assert.ok(examples.length >= 20, `only ${examples.length} examples`);
    });

    for (const { name, entity } of examples) {
      const hasContext = entity['@context'] !== undefined;
      if (INVALID[name]) {
        it(`refuses ${name}, which is not valid NGSI-LD, and says why`, async () => {
          const r = await t.call({
            method: 'POST',
            url: '/ngsi-ld/v1/entities',
            json: entity,
            headers: { 'content-type': hasContext ? 'application/ld+json' : 'application/json' },
          });
          assert.equal(r.statusCode, 400);
          assert.match(r.json().detail, INVALID[name]);
        });
        continue;
      }
      it(`creates ${name} and reads it back unchanged`, async () => {
        const r = await t.call({
          method: 'POST',
          url: '/ngsi-ld/v1/entities',
          json: entity,
          headers: { 'content-type': hasContext ? 'application/ld+json' : 'application/json' },
        });
        assert.equal(r.statusCode, 201, r.body);
        if (!hasContext) {
          const plain = await t.call({
            method: 'GET',
            url: `/ngsi-ld/v1/entities/${encodeURIComponent(String(entity.id))}`,
          });
          assert.deepEqual(plain.json(), entity);
          return;
        }
        const g = await t.call({
          method: 'GET',
          url: `/ngsi-ld/v1/entities/${encodeURIComponent(String(entity.id))}`,
          headers: {
            accept: 'application/ld+json',
            link: `<${userContext(entity['@context'])}>; rel="http://www.w3.org/ns/json-ld#context"`,
          },
        });
        assert.equal(g.statusCode, 200, g.body);
        // A GET carries its context in the Link header only; compare with the body's context put back.
        const got = g.json();
        got['@context'] = entity['@context'];
        assert.deepEqual(got, entity);
      });
    }
  });
}
