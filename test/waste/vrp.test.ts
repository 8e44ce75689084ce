import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkSolution,
  parseSolution,
  parseTsplib,
  problemFromTsplib,
  solutionCost,
  type VrpProblem,
} from '../../src/waste/vrp/problem.js';
import { clarkeWright } from '../../src/waste/vrp/savings.js';
import { solveCvrp } from '../../src/waste/vrp/solver.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'cvrp');
const load = (name: string) => problemFromTsplib(parseTsplib(readFileSync(join(dir, `${name}.vrp`), 'utf8')));
const known = new Map(
  readFileSync(join(dir, 'best-known.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map((f) => [f[0], Number(f[4])] as const),
);

describe('CVRP: instances and costs', () => {
  it('reads TSPLIB instances (depot, demands, capacity)', () => {
    const inst = parseTsplib(readFileSync(join(dir, 'A-n32-k5.vrp'), 'utf8'));
    assert.equal(inst.dimension, 32);
    assert.equal(inst.capacity, 100);
    assert.equal(inst.vehicles, 5);
    assert.equal(inst.demand[0], 0);
    assert.deepEqual([inst.x[0], inst.y[0]], [82, 76]);
  });

  it('recomputes the published optimal cost of every .sol file (TSPLIB rounding per edge)', () => {
    for (const [name, bk] of known) {
      const p = load(name);
      const sol = parseSolution(readFileSync(join(dir, `${name}.sol`), 'utf8'));
      assert.equal(sol.cost, bk, name);
      assert.deepEqual(checkSolution(p, { routes: sol.routes, unassigned: [] }), [], name);
      assert.equal(solutionCost(p, sol.routes), bk, name);
    }
  });

  it('reports infeasible solutions: over capacity, customer twice or missing', () => {
    const p = load('A-n32-k5');
    const all = Array.from({ length: 31 }, (_, i) => i + 1);
    assert.ok(checkSolution(p, { routes: [all], unassigned: [] }).some((e) => /over capacity/.test(e)));
    const twice = checkSolution(p, {
      routes: [
        [1, 2],
        [2, 3],
      ],
      unassigned: [],
    });
    assert.ok(twice.some((e) => /customer 2 visited twice/.test(e)));
    assert.ok(twice.some((e) => /customer 4 missing/.test(e)));
  });
});

describe('CVRP: solver', () => {
  for (const name of ['A-n32-k5', 'A-n45-k7', 'A-n62-k8']) {
    it(`${name}: feasible, every customer once, better than Clarke-Wright savings`, () => {
      const p = load(name);
      const cw = clarkeWright(p);
      assert.deepEqual(checkSolution(p, cw), []);
      const r = solveCvrp(p, { maxIterations: 50_000, timeLimitMs: 120_000, seed: 7 });
      assert.deepEqual(checkSolution(p, r), []);
      assert.equal(r.cost, solutionCost(p, r.routes));
      assert.ok(r.cost < cw.cost, `${r.cost} < ${cw.cost}`);
      const bk = known.get(name) as number;
      assert.ok(r.cost >= bk, 'never below the proven optimum');
      assert.ok(r.cost <= bk * 1.05, `${r.cost} within 5 % of ${bk}`);
    });
  }

  it('is reproducible for a given seed and iteration count', () => {
    const p = load('A-n33-k5');
    const a = solveCvrp(p, { maxIterations: 3000, timeLimitMs: 60_000, seed: 3 });
    const b = solveCvrp(p, { maxIterations: 3000, timeLimitMs: 60_000, seed: 3 });
    assert.deepEqual(a.routes, b.routes);
  });

  it('respects route duration and fleet size, leaving out what cannot be served', () => {
    const base = load('A-n32-k5');
    const n = base.n;
    const time = new Float64Array(base.dist); // 1 s per unit
    const service = new Float64Array(n).fill(10);
    service[0] = 0;
    const p: VrpProblem = { ...base, time, service, maxDuration: 400 };
    const r = solveCvrp(p, { maxIterations: 5000, timeLimitMs: 60_000 });
    assert.deepEqual(checkSolution(p, r), []);
    assert.equal(r.unassigned.length, 0);
    const limited: VrpProblem = { ...p, maxRoutes: 2 };
    const l = solveCvrp(limited, { maxIterations: 5000, timeLimitMs: 60_000 });
    assert.deepEqual(checkSolution(limited, l), []);
    assert.ok(l.routes.length <= 2);
    assert.ok(l.unassigned.length > 0, 'two routes cannot carry every demand');
  });
});
