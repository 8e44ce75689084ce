import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContextResolver } from '../../../src/broker/jsonld/contexts.js';
import { ProblemError } from '../../../src/http/problem.js';

const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';

describe('@context resolution', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  before(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2000);
      if (req.url === '/huge') {
        res.setHeader('content-type', 'application/ld+json');
        return void res.end(JSON.stringify({ '@context': { x: 'y'.repeat(200_000) } }));
      }
      if (req.url === '/port.jsonld') {
        res.setHeader('content-type', 'application/ld+json');
        return void res.end(
          JSON.stringify({
            '@context': {
              Berth: 'https://example.org/port#Berth',
              draught: 'https://example.org/port#draught',
            },
          }),
        );
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.ESCALE_OUTBOUND_ALLOW = '127.0.0.1';
  });
  after(() => {
    server.close();
    delete process.env.ESCALE_OUTBOUND_ALLOW;
  });

  it('expands and compacts with the built-in core context, offline', async () => {
    const r = await createContextResolver();
    assert.equal(r.core.expand('location'), 'https://uri.etsi.org/ngsi-ld/location');
    assert.equal(r.core.expand('speed'), `${DEFAULT}speed`);
    assert.equal(r.core.compact(`${DEFAULT}speed`), 'speed');
    assert.equal(r.core.compact('https://uri.etsi.org/ngsi-ld/location'), 'location');
    assert.equal(r.core.expand('urn:x:absolute'), 'urn:x:absolute');
    assert.equal(r.core.expand('ngsi-ld:foo'), 'https://uri.etsi.org/ngsi-ld/foo');
    const v18 = await r.resolve('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld');
    assert.equal(v18.expand('observedAt'), 'https://uri.etsi.org/ngsi-ld/observedAt');
  });

  it('handles inline contexts, prefixes and round trips', async () => {
    const r = await createContextResolver();
    const c = await r.resolve({
      port: 'https://example.org/port#',
      Berth: 'port:Berth',
      draught: 'port:draught',
    });
    assert.equal(c.expand('Berth'), 'https://example.org/port#Berth');
    assert.equal(c.expand('port:length'), 'https://example.org/port#length');
    assert.equal(c.compact('https://example.org/port#draught'), 'draught');
    assert.equal(c.compact('https://example.org/port#length'), 'port:length');
    assert.equal(c.compact('https://other.org/x'), 'https://other.org/x');
    // the core context stays in force and cannot be overridden
    const d = await r.resolve({ location: 'https://example.org/mine' });
    assert.equal(d.expand('location'), 'https://uri.etsi.org/ngsi-ld/location');
  });

  it('reads mapped contexts from local files and never fetches them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'escale-ctx-'));
    writeFileSync(
      join(dir, 'port.jsonld'),
      JSON.stringify({ '@context': { Berth: 'https://local.example/Berth' } }),
    );
    writeFileSync(
      join(dir, 'map.json'),
      JSON.stringify({ 'https://unreachable.invalid/port.jsonld': 'port.jsonld' }),
    );
    const r = await createContextResolver({ contextMapFile: join(dir, 'map.json') });
    const c = await r.resolve('https://unreachable.invalid/port.jsonld');
    assert.equal(c.expand('Berth'), 'https://local.example/Berth');
  });

  it('fetches remote contexts once, with a timeout and a size cap', async () => {
    const r = await createContextResolver({ fetchTimeoutMs: 300, maxBytes: 100_000 });
    hits = 0;
    const c1 = await r.resolve(`${base}/port.jsonld`);
    const c2 = await r.resolve(`${base}/port.jsonld`);
    assert.equal(c1.expand('Berth'), 'https://example.org/port#Berth');
    assert.equal(c1, c2);
    assert.equal(hits, 1);
    for (const path of ['/slow', '/huge', '/missing']) {
      await assert.rejects(r.resolve(`${base}${path}`), (err: unknown) => {
        assert.ok(err instanceof ProblemError, String(err));
        assert.equal(err.errorType, 'LdContextNotAvailable');
        return true;
      });
    }
  });

  it('refuses contexts on private addresses unless allowed (SSRF)', async () => {
    delete process.env.ESCALE_OUTBOUND_ALLOW;
    try {
      const r = await createContextResolver();
      await assert.rejects(r.resolve(`${base}/port.jsonld`), /non-public address/);
    } finally {
      process.env.ESCALE_OUTBOUND_ALLOW = '127.0.0.1';
    }
  });

  it('keeps a bounded number of contexts in memory', async () => {
    const r = await createContextResolver({ maxContexts: 50 });
    for (let i = 0; i < 200; i++) await r.resolve({ [`t${i}`]: `https://example.org/${i}` });
    assert.ok(r.stats().contexts <= 50);
  });

  it('rejects an invalid context with BadRequestData', async () => {
    const r = await createContextResolver();
    await assert.rejects(
      r.resolve({ '@version': 2 }),
      (err: unknown) => err instanceof ProblemError && err.errorType === 'BadRequestData',
    );
  });
});
