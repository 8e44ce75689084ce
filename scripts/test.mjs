// `npm test`: builds the PGlite template, then runs every test file under test/ with node's test runner.
// With TEST_DATABASE_URL set, suites that take a backend run on PostgreSQL as well as on PGlite. All files run in
// one batch, two at a time, the multi-process cluster suite (real `escale serve` nodes and a nats-server)
// included.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('test').sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

const prep = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-template.ts'], {
  stdio: 'inherit',
});
if (prep.status !== 0) process.exit(prep.status ?? 1);

const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
