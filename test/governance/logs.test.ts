import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const cli = ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli.ts')];

describe('escale serve: demo administrator and logs', () => {
  it('writes the generated admin password to a file and never logs a secret', {
    timeout: 300_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'escale-logs-'));
    const child = spawn(
      process.execPath,
      [...cli, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
      {
        env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'debug', ESCALE_DEMO_AIS_SPEED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (
        !/Server listening at (http:\/\/127\.0\.0\.1:\d+)/.test(out) ||
        !out.includes('admin-password.txt')
      ) {
        assert.ok(Date.now() < deadline, `server did not start:\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const base = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      const password = readFileSync(join(dataDir, 'admin-password.txt'), 'utf8').trim();
      assert.ok(password.length >= 20);
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(base + path, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', ...headers },
        });

      const wrong = 'Wrong-Guess-Pa55phrase-0f-Mallory';
      assert.equal(
        (await post('/api/auth/login', { email: 'admin@escale.local', password: wrong })).status,
        401,
      );
      const login = await post('/api/auth/login', { email: 'admin@escale.local', password });
      assert.equal(login.status, 200);
      const { token } = (await login.json()) as { token: string };
      const orgs = (await (await fetch(`${base}/api/organisations?limit=100`)).json()) as {
        items: { id: string; slug: string }[];
      };
      assert.ok(
        ['haropa-port', 'le-havre-seine-metropole', 'aurh'].every((s) =>
          orgs.items.some((o) => o.slug === s),
        ),
      );
      const haropa = orgs.items.find((o) => o.slug === 'haropa-port')!.id;
      const created = await post(
        `/api/organisations/${haropa}/api-keys`,
        { name: 'logs', scopes: ['broker:write'] },
        { authorization: `Bearer ${token}` },
      );
      assert.equal(created.status, 201);
      const { key } = (await created.json()) as { key: string };
      const write = await post(
        '/ngsi-ld/v1/entities',
        { id: 'urn:ngsi-ld:Test:logs', type: 'Test' },
        { 'x-api-key': key },
      );
      assert.equal(write.status, 201);
      const bad = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}x` } });
      assert.equal(bad.status, 401);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const password = readFileSync(join(dataDir, 'admin-password.txt'), 'utf8').trim();
    assert.match(out, /admin-password\.txt/);
    assert.match(out, /"url":"\/api\/auth\/login"/); // requests are logged...
    for (const secret of [password, 'Wrong-Guess-Pa55phrase-0f-Mallory', 'esk_', 'eyJ']) {
      assert.equal(out.includes(secret), false, `the logs contain ${secret.slice(0, 6)}...`); // ...their secrets are not
    }
  });
});
