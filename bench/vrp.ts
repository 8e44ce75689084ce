/**
 * `npm run bench:vrp`: Escale's CVRP solver on Augerat's set A (27 instances, 31–79 customers, proven optima
 * from CVRPLIB), next to plain Clarke-Wright savings computed in the same run. Costs use TSPLIB rounding.
 * `npm run bench:vrp -- --help` lists the options.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSolution, parseTsplib, problemFromTsplib } from '../src/waste/vrp/problem.js';
import { clarkeWright } from '../src/waste/vrp/savings.js';
import { solveCvrp } from '../src/waste/vrp/solver.js';

const USAGE = `usage: npm run bench:vrp -- [options]
  --time S        time budget per instance in seconds (default 10)
  --quick         1 s per instance on 6 instances
  --only NAME     instances whose name contains NAME
  --seed N        PRNG seed (default 1)
  --dir DIR       instance folder (default test/fixtures/cvrp)`;

const { values: args } = parseArgs({
  options: {
    time: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string', default: join(import.meta.dirname, '..', 'test', 'fixtures', 'cvrp') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const dir = args.dir as string;
const known = new Map<string, number>();
for (const line of readFileSync(join(dir, 'best-known.csv'), 'utf8').trim().split('\n').slice(1)) {
  const f = line.split(',');
  known.set(f[0], Number(f[4]));
}
let names = readdirSync(dir)
  .filter((f) => f.endsWith('.vrp'))
  .map((f) => f.slice(0, -4))
  .sort((a, b) => Number(/-n(\d+)/.exec(a)?.[1]) - Number(/-n(\d+)/.exec(b)?.[1]) || a.localeCompare(b));
if (args.only) names = names.filter((x) => x.includes(args.only as string));
const seconds = args.quick ? 1 : Number(args.time);
if (args.quick && !args.only) names = names.filter((_, i) => i % 5 === 0);

console.log(
  `# CVRP, Augerat set A — ${seconds} s per instance, seed ${args.seed}; ${cpus().length} cores (${cpus()[0]?.model}), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()[0].toFixed(1)}; Node ${process.version}`,
);
const header =
  '| instance | n | best known | Escale | gap % | time s | iterations | savings (CW) | CW gap % |';
console.log(header);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const gaps: number[] = [];
const cwGaps: number[] = [];
const times: number[] = [];
for (const name of names) {
  const inst = parseTsplib(readFileSync(join(dir, `${name}.vrp`), 'utf8'));
  const p = problemFromTsplib(inst);
  const bk = known.get(name) ?? Number.NaN;
  const cw = clarkeWright(p);
  const r = solveCvrp(p, { timeLimitMs: seconds * 1000, seed: Number(args.seed) });
  const errors = checkSolution(p, r);
  if (errors.length) throw new Error(`${name}: infeasible solution: ${errors.join('; ')}`);
  const gap = ((r.cost - bk) / bk) * 100;
  const cwGap = ((cw.cost - bk) / bk) * 100;
  gaps.push(gap);
  cwGaps.push(cwGap);
  times.push(r.elapsedMs / 1000);
  console.log(
    `| ${name} | ${p.n - 1} | ${bk} | ${r.cost} | ${gap.toFixed(2)} | ${(r.elapsedMs / 1000).toFixed(1)} | ${r.iterations} | ${cw.cost} | ${cwGap.toFixed(2)} |`,
  );
}
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
console.log(
  `| **mean** (${names.length}) | | | | **${mean(gaps).toFixed(2)}** | ${mean(times).toFixed(1)} | | | ${mean(cwGaps).toFixed(2)} |`,
);
console.log(
  `optimal found: ${gaps.filter((g) => g < 1e-9).length}/${names.length}; worst gap ${Math.max(...gaps).toFixed(2)} %`,
);
