// `npm test`: builds the PGlite template, then runs every test file under test/ with node's test runner.
// With TEST_DATABASE_URL set, suites that take a backend run on PostgreSQL as well as on PGlite.
//
// The multi-process cluster suite (real `escale serve` nodes and a nats-server, a 1.5 s liveness TTL) runs on
// its own after the others: on a 2-core machine, sharing the CPU with another suite's processes made its
// cross-node SSE relay miss its deadline. The closing line adds up both runs.
import { spawn, spawnSync } from 'node:child_process';
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
const alone = (f) => f.endsWith(join('subscriptions', 'cluster.test.ts'));

const prep = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-template.ts'], {
  stdio: 'inherit',
});
if (prep.status !== 0) process.exit(prep.status ?? 1);

/** Runs node's test runner on `list`, echoing its output; resolves with its exit code and its counts. */
function run(list, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...list],
      { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
    );
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-20_000);
    });
    child.on('close', (code) => {
      const count = (word) => Number(tail.match(new RegExp(`ℹ ${word} (\\d+)`))?.[1] ?? 0);
      resolve({ code: code ?? 1, passed: count('pass'), failed: count('fail') });
    });
  });
}

const runs = [];
const main = files.filter((f) => !alone(f));
const last = files.filter(alone);
if (main.length) runs.push(await run(main, 2));
if (last.length) runs.push(await run(last, 1));
const passed = runs.reduce((n, r) => n + r.passed, 0);
const failed = runs.reduce((n, r) => n + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(runs.some((r) => r.code !== 0) ? 1 : 0);
