import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backends } from '../helpers/db.js';
import { type Harness, openHarness } from '../mobility/harness.js';

const runner = fileURLToPath(new URL('./ais/run-cli.ts', import.meta.url));

/** Runs the CLI without blocking the event loop (the test's own server must keep answering). */
function escale(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('escale ais replay', () => {
  const backend = backends()[0];
  let h: Harness;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'escale-replay-'));
  const file = join(dir, 'two.nmea');
  writeFileSync(
    file,
    [
      '\\s:test,c:1331724614*28\\!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23',
      '\\s:test,c:1331724624*2B\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
      'garbage',
    ].join('\n'),
  );
  before(async () => {
    h = await openHarness(backend, { ESCALE_DEMO: '0' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  after(() => h.dispose());

  it('posts the vessels of a file to another broker with --target', async () => {
    const args = ['ais', 'replay', file, '--speed', '0', '--target', base];
    // The target refuses anonymous writes: the token comes from the environment.
    const refused = await escale(args);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /answered 401/);
    const admin = await h.app.governance.createUser({
      email: 'replay@escale.test',
      name: 'Replay',
      platformAdmin: true,
    });
    const { token } = await h.app.governance.tokens.sign(admin!.id);
    const r = await escale(args, { ESCALE_TARGET_TOKEN: token });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 lines, 2 messages, 2 vessels; 2 entities written in 1 batches/);
    const v = await h.getJson<{ location: { value: unknown; observedAt: string } }>(
      '/ngsi-ld/v1/entities/urn:ngsi-ld:Vessel:227006760',
    );
    assert.deepEqual(v.location.value, { type: 'Point', coordinates: [0.13138, 49.47557666666667] });
    assert.equal(v.location.observedAt, '2012-03-14T11:30:14.000Z');
  });

  it('exits 3 when the target cannot be reached, 1 on an unreadable file, 2 on usage errors', async () => {
    const down = await escale(['ais', 'replay', file, '--speed', '0', '--target', 'http://127.0.0.1:1']);
    assert.equal(down.code, 3, down.stderr);
    assert.match(down.stderr, /cannot reach/);
    const missing = await escale(['ais', 'replay', join(dir, 'none.nmea'), '--target', base]);
    assert.equal(missing.code, 1);
    assert.equal((await escale(['ais', 'replay', file, '--speed', 'fast'])).code, 2);
    assert.equal((await escale(['ais', 'replay', file, '--class-b', 'blur'])).code, 2);
    const help = await escale(['ais', 'replay', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--speed/);
  });
});
