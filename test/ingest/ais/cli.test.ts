import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./run-cli.ts', import.meta.url));
const sample = fileURLToPath(new URL('../../fixtures/ais/gpsd-sample.aivdm', import.meta.url));
const expected = fileURLToPath(new URL('../../fixtures/ais/gpsd-sample.aivdm.js.chk', import.meta.url));

function escale(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...args], {
    input,
    encoding: 'latin1',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('escale ais decode', () => {
  it('prints what gpsdecode -j prints for a file (device and line endings as gpsd)', () => {
    const r = escale(['ais', 'decode', sample, '--device', 'stdin', '--crlf']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(expected, 'latin1'));
  });

  it('reads standard input, NDJSON with LF, device "stdin", and prints counters with --stats', () => {
    const input = [
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*00',
      'garbage',
    ].join('\n');
    const r = escale(['ais', 'decode', '--stats'], input);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const m = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(m.device, 'stdin');
    assert.equal(m.mmsi, 371798000);
    assert.match(r.stderr, /^messages\s+1$/m);
    assert.match(r.stderr, /^badChecksum\s+1$/m);
    assert.match(r.stderr, /^garbage\s+1$/m);
  });

  it('prints unscaled values with -u and native objects with --native', () => {
    const input = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n';
    const raw = JSON.parse(escale(['ais', 'decode', '-u'], input).stdout) as Record<string, unknown>;
    assert.equal(raw.scaled, false);
    assert.equal(raw.lon, -74037230);
    const native = JSON.parse(escale(['ais', 'decode', '--native'], input).stdout) as Record<string, unknown>;
    assert.equal(native.channel, 'A');
    assert.ok(Math.abs((native.lon as number) - -123.395383333) < 1e-6);
  });

  it('exits 1 when the file cannot be read and 2 on usage errors', () => {
    const missing = escale(['ais', 'decode', '/nonexistent/file.nmea']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
    assert.equal(escale(['ais', 'decode', '--no-such-option']).code, 2);
    assert.equal(escale(['ais', 'decode', '--fragment-timeout', 'soon']).code, 2);
    assert.equal(escale(['ais', 'decode', 'a', 'b']).code, 2);
  });
});
