import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  compileTypeSelector,
  createParams,
  parseTypeSelector,
  type TypeExpr,
} from '../../../src/broker/query/index.js';
import { ProblemError } from '../../../src/http/problem.js';
import { backends, openTestDb, type TestDb } from '../../helpers/db.js';
import { DEFAULT, expand, insertFixtures, short } from './entities.js';
import { mutate, rng } from './random.js';

const ty = (name: string): TypeExpr => ({ kind: 'type', name });

function errorOf(sel: string): string {
  try {
    parseTypeSelector(sel);
  } catch (err) {
    assert.ok(err instanceof ProblemError && err.errorType === 'BadRequestData', String(err));
    return err.message;
  }
  assert.fail(`${JSON.stringify(sel)} was accepted`);
}

describe('parseTypeSelector', () => {
  it('reads names, lists and the three operators with ; binding tighter', () => {
    assert.deepEqual(parseTypeSelector('Vessel'), ty('Vessel'));
    assert.deepEqual(parseTypeSelector('A,B'), { kind: 'or', terms: [ty('A'), ty('B')] });
    assert.deepEqual(parseTypeSelector('A|B'), { kind: 'or', terms: [ty('A'), ty('B')] });
    assert.deepEqual(parseTypeSelector('A;B'), { kind: 'and', terms: [ty('A'), ty('B')] });
    assert.deepEqual(parseTypeSelector('A;B,C'), {
      kind: 'or',
      terms: [{ kind: 'and', terms: [ty('A'), ty('B')] }, ty('C')],
    });
    assert.deepEqual(parseTypeSelector('(A;B)|C'), {
      kind: 'or',
      terms: [{ kind: 'and', terms: [ty('A'), ty('B')] }, ty('C')],
    });
    assert.deepEqual(parseTypeSelector('A;(B|C)'), {
      kind: 'and',
      terms: [ty('A'), { kind: 'or', terms: [ty('B'), ty('C')] }],
    });
    assert.deepEqual(parseTypeSelector(' ( A , B ) '), { kind: 'or', terms: [ty('A'), ty('B')] });
  });

  it('accepts compact and expanded IRIs as type names', () => {
    assert.deepEqual(parseTypeSelector('ex:Operator,https://example.org/ns#Tank-1.0'), {
      kind: 'or',
      terms: [ty('ex:Operator'), ty('https://example.org/ns#Tank-1.0')],
    });
  });

  it('reports errors with their position', () => {
    assert.match(
      errorOf('A,'),
      /^unexpected end, expected an entity type at position 2 in type selector: A,$/,
    );
    assert.match(errorOf('(A;B'), /^missing '\)' to close '\(' at position 0/);
    assert.match(errorOf('A)'), /^unexpected '\)' at position 1/);
    assert.match(errorOf('A B'), /^unexpected 'B', expected ',', '\|', ';' or the end at position 2/);
    assert.match(errorOf(''), /^empty type selector/);
    assert.match(errorOf(`${'('.repeat(33)}A${')'.repeat(33)}`), /^nesting deeper than 32 at position 32/);
    assert.match(errorOf('A'.repeat(4097)), /^type selector is too long/);
  });

  it('throws nothing but BadRequestData on mutated input (fixed seed)', () => {
    const rand = rng(17);
    for (let i = 0; i < 5000; i++) {
      const s = mutate('(Vessel;Tanker)|ex:Berth,Sensor', rand, '(),;| A\u0000\ud800');
      try {
        parseTypeSelector(s);
      } catch (err) {
        assert.ok(
          err instanceof ProblemError && err.errorType === 'BadRequestData',
          `${JSON.stringify(s)}: ${err}`,
        );
      }
    }
  });

  it('collapses plain types into one array test per group', () => {
    const params = createParams();
    const sql = compileTypeSelector(parseTypeSelector('(A;B;A)|C|(D,E);F'), { alias: 'e', expand, params });
    assert.equal(
      sql,
      '(e.types && ARRAY[$1]::text[] OR e.types @> ARRAY[$2, $3]::text[] OR (e.types @> ARRAY[$4]::text[] AND e.types && ARRAY[$5, $6]::text[]))',
    );
    assert.deepEqual(
      params.values,
      ['C', 'A', 'B', 'F', 'D', 'E'].map((t) => DEFAULT + t),
    );
  });
});

const CASES: [string, string[]][] = [
  ['Vessel', ['Vessel:1', 'Vessel:2', 'Vessel:3', 'Vessel:4', 'Vessel:5']],
  ['Vessel,Berth', ['Berth:1', 'Berth:2', 'Vessel:1', 'Vessel:2', 'Vessel:3', 'Vessel:4', 'Vessel:5']],
  ['Vessel;Tanker', ['Vessel:3']],
  ['Sensor;Device', ['Sensor:1']],
  ['Device', ['Camera:1', 'Sensor:1']],
  ['(Sensor;Device)|Berth', ['Berth:1', 'Berth:2', 'Sensor:1']],
  ['Sensor;Device|Berth', ['Berth:1', 'Berth:2', 'Sensor:1']],
  ['Sensor;(Device|Berth)', ['Sensor:1']],
  ['ex:Operator', ['Org:2']],
  ['Organisation;(ex:Operator|Berth)', ['Org:2']],
  [`${DEFAULT}Tanker`, ['Vessel:3']],
  ['Nothing', []],
  ['Vessel;Berth', []],
];

for (const backend of backends()) {
  describe(`type selector on ${backend}`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
      await insertFixtures(t.db);
    });
    after(() => t.dispose());

    async function run(sel: string): Promise<string[]> {
      const params = createParams(2);
      const where = compileTypeSelector(parseTypeSelector(sel), { alias: 'e', expand, params });
      const r = await t.db.query<{ id: string }>(
        `SELECT e.id FROM broker_entities e WHERE e.tenant = $1 AND ${where}`,
        ['', ...params.values],
      );
      return r.rows.map((row) => short(row.id)).sort();
    }

    for (const [sel, expected] of CASES) {
      it(sel, async () => {
        assert.deepEqual(await run(sel), expected);
      });
    }

    it('lets the GIN index on types serve the selection', async () => {
      const params = createParams();
      const where = compileTypeSelector(parseTypeSelector('Vessel,Berth'), { alias: 'e', expand, params });
      const plan = await t.db.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const r = await tx.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT e.id FROM broker_entities e WHERE ${where}`,
          params.values,
        );
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, /Bitmap Index Scan on broker_entities_types/);
    });
  });
}
