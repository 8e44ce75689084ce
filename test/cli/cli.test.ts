import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli.ts')];
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });

describe('escale CLI', () => {
  it('prints help and exits 0', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const cmd of ['serve', 'migrate']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
  });

  it('exits 2 on a usage error', () => {
    const r = run(['nonsense']);
    assert.equal(r.status, 2);
    const p = run(['serve', '--port', 'abc']);
    assert.equal(p.status, 2);
  });

  it('exits 3 on a setting it cannot use, and names it', () => {
    const r = run(['migrate', '--data-dir', 'memory://'], { ESCALE_DATA_MAINTENANCE_MS: 'ten seconds' });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /ESCALE_DATA_MAINTENANCE_MS=ten seconds: not a number/);
    assert.doesNotMatch(r.stderr, /\bat loadConfig\b/);
  });

  it('exits 3 when the store cannot be reached', () => {
    const r = run(['migrate', '--database-url', 'postgres://nobody:secret@127.0.0.1:1/none']);
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /secret/);
  });

  it('keeps entities across a restart of the embedded store', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'escale-data-'));
    const m = run(['migrate', '--data-dir', dataDir]);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /schema at version \d+/);
    const again = run(['migrate', '--data-dir', dataDir]);
    assert.match(again.stdout, /up to date/);

    const serve = async (fn: (base: string) => Promise<void>) => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const child = spawn(
        process.execPath,
        [...cli, 'serve', '--port', String(port), '--data-dir', dataDir],
        {
          env: { ...process.env, LOG_LEVEL: 'warn', ESCALE_ADMIN_PASSWORD: 'cli-test-admin-password' },
          stdio: 'ignore',
        },
      );
      const base = `http://127.0.0.1:${port}`;
      try {
        for (let i = 0; i < 240; i++) {
          const ok = await fetch(`${base}/health`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        await fn(base);
      } finally {
        child.kill('SIGTERM');
        const code = await new Promise<number | null>((r) => child.on('exit', r));
        assert.equal(code, 0, 'graceful shutdown exits 0');
      }
    };
    await serve(async (base) => {
      // Writes need a credential: the demo's platform administrator signs in.
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@escale.local', password: 'cli-test-admin-password' }),
      });
      assert.equal(login.status, 200);
      const { token } = (await login.json()) as { token: string };
      const r = await fetch(`${base}/ngsi-ld/v1/entities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          id: 'urn:ngsi-ld:Vessel:persist',
          type: 'Vessel',
          name: { type: 'Property', value: 'SEINE' },
        }),
      });
      assert.equal(r.status, 201);
    });
    await serve(async (base) => {
      const r = await fetch(
        `${base}/ngsi-ld/v1/entities/${encodeURIComponent('urn:ngsi-ld:Vessel:persist')}`,
      );
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { name: { value: string } }).name.value, 'SEINE');
    });
  });
});
