import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, evaluate, parseExpr, variablesOf } from '../../src/observatory/expr.js';
import { comparePeriods, parsePeriod, periodWithin } from '../../src/observatory/periods.js';
import { computeSeries, type Indicator } from '../../src/observatory/values.js';

const vars = (m: Record<string, number | null>) => (n: string) => m[n];

describe('observatory formulas', () => {
  it('evaluates arithmetic with precedence, parentheses, unary minus and functions', () => {
    assert.equal(evaluate(parseExpr('1 + 2 * 3'), vars({})), 7);
    assert.equal(evaluate(parseExpr('(1 + 2) * 3'), vars({})), 9);
    assert.equal(evaluate(parseExpr('-A + 10 / 4'), vars({ A: 1 })), 1.5);
    assert.equal(evaluate(parseExpr('DONE / CHOSEN * 100'), vars({ DONE: 45, CHOSEN: 60 })), 75);
    assert.equal(evaluate(parseExpr('max(A, B, 3) - min(A, B)'), vars({ A: 1, B: 2 })), 2);
    assert.equal(evaluate(parseExpr('round(2 / 3, 2)'), vars({})), 0.67);
    assert.equal(evaluate(parseExpr('abs(A - B)'), vars({ A: 1, B: 4 })), 3);
    assert.equal(evaluate(parseExpr('1.5e2'), vars({})), 150);
  });

  it('gives null for a missing operand or a division by zero', () => {
    assert.equal(evaluate(parseExpr('A / B'), vars({ A: 1, B: 0 })), null);
    assert.equal(evaluate(parseExpr('A + B'), vars({ A: 1 })), null);
    assert.equal(evaluate(parseExpr('A + B'), vars({ A: 1, B: null })), null);
  });

  it('refuses anything that is not arithmetic: no eval, no property access, no unknown function', () => {
    for (const bad of [
      'process.exit()',
      'A; B',
      'constructor("x")',
      'A +',
      '(A',
      'A B',
      'require(1)',
      '"x"',
      'a[0]',
      '',
    ]) {
      assert.throws(() => parseExpr(bad), /./, bad);
    }
    assert.throws(() => parseExpr('('.repeat(100) + '1' + ')'.repeat(100)), /nested too deeply/);
    assert.throws(() => parseExpr('1+'.repeat(600) + '1'), /longer than/);
  });

  it('lists the indicator codes a formula reads', () => {
    assert.deepEqual([...variablesOf(parseExpr('(JOBS_F + JOBS_M) / max(JOBS, 1)'))].sort(), [
      'JOBS',
      'JOBS_F',
      'JOBS_M',
    ]);
  });

  it('compares with a tolerance for floating point', () => {
    assert.ok(compare(0.1 + 0.2, '==', 0.3));
    assert.ok(compare(1, '<=', 1));
    assert.ok(!compare(2, '<', 1));
  });
});

describe('observatory periods and aggregation', () => {
  it('reads SDMX periods and orders them', () => {
    assert.equal(parsePeriod('2026-Q2')?.start.toISOString(), '2026-04-01T00:00:00.000Z');
    assert.equal(parsePeriod('2026-S2')?.end.toISOString(), '2027-01-01T00:00:00.000Z');
    assert.equal(parsePeriod('2026-13'), undefined);
    assert.deepEqual(['2026-Q2', '2025', '2026-01', '2026'].sort(comparePeriods), [
      '2025',
      '2026',
      '2026-01',
      '2026-Q2',
    ]);
    assert.ok(periodWithin('2026-03', '2026-Q1'));
    assert.ok(!periodWithin('2026-04', '2026-Q1'));
  });

  it('aggregates across projects per indicator (sum, average, ratios) and evaluates formulas per period', () => {
    const ind = (code: string, extra: Partial<Indicator> = {}): Indicator =>
      ({
        id: code,
        code,
        valueType: 'number',
        aggregation: 'sum',
        source: { kind: 'entered' },
        targets: [],
        disaggregations: [],
        ...extra,
      }) as Indicator;
    const v = (
      indicatorId: string,
      projectId: string | null,
      period: string,
      value: number | null,
      num?: number,
      den?: number,
    ) => ({
      id: `${indicatorId}${projectId}${period}`,
      indicatorId,
      indicatorCode: indicatorId,
      projectId,
      period,
      value,
      numerator: num ?? null,
      denominator: den ?? null,
      disaggregations: {},
      comment: null,
      status: 'approved' as const,
      source: 'entered',
      updatedAt: '',
      updatedBy: null,
    });
    const inds = [
      ind('A'),
      ind('B', { aggregation: 'avg' }),
      ind('R', { valueType: 'ratio' }),
      ind('F', { source: { kind: 'formula', expression: 'A / B' } }),
      ind('G', { source: { kind: 'formula', expression: 'F * 2' } }),
      ind('LOOP', { source: { kind: 'formula', expression: 'LOOP + 1' } }),
    ];
    const s = computeSeries(inds, [
      v('A', 'p1', '2026', 10),
      v('A', 'p2', '2026', 30),
      v('A', 'p1', '2025', 5),
      v('B', 'p1', '2026', 2),
      v('B', 'p2', '2026', 6),
      v('R', 'p1', '2026', 0.5, 1, 2),
      v('R', 'p2', '2026', 0.25, 1, 4),
    ]);
    assert.equal(s.get('A')?.get('2026'), 40);
    assert.equal(s.get('B')?.get('2026'), 4);
    assert.equal(s.get('R')?.get('2026'), 2 / 6);
    assert.equal(s.get('F')?.get('2026'), 10);
    assert.equal(s.get('F')?.get('2025'), null);
    assert.equal(s.get('G')?.get('2026'), 20);
    assert.equal(s.get('LOOP')?.size, 0);
  });
});
