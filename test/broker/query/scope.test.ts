import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileScopeQ, createParams, parseScopeQ, type ScopeExpr } from '../../../src/broker/query/index.js';
import { ProblemError } from '../../../src/http/problem.js';
import { backends, openTestDb, type TestDb } from '../../helpers/db.js';
import { ENTITIES, expand, insertFixtures, short } from './entities.js';
import { mutate, rng } from './random.js';

const scope = (levels: string[], descendants = false): ScopeExpr => ({ kind: 'scope', levels, descendants });

function errorOf(s: string): string {
  try {
    parseScopeQ(s);
  } catch (err) {
    assert.ok(err instanceof ProblemError && err.errorType === 'BadRequestData', String(err));
    return err.message;
  }
  assert.fail(`${JSON.stringify(s)} was accepted`);
}

describe('parseScopeQ', () => {
  it('reads scopes, wildcards and the operators', () => {
    assert.deepEqual(parseScopeQ('/Le_Havre/Port'), scope(['Le_Havre', 'Port']));
    assert.deepEqual(parseScopeQ('/Le_Havre/#'), scope(['Le_Havre'], true));
    assert.deepEqual(parseScopeQ('/+/Port'), scope(['+', 'Port']));
    assert.deepEqual(parseScopeQ('/#'), scope([], true));
    assert.deepEqual(parseScopeQ('/a;/b'), { kind: 'and', terms: [scope(['a']), scope(['b'])] });
    assert.deepEqual(parseScopeQ('/a,/b|/c'), {
      kind: 'or',
      terms: [scope(['a']), scope(['b']), scope(['c'])],
    });
    assert.deepEqual(parseScopeQ('/a;/b,/c'), {
      kind: 'or',
      terms: [{ kind: 'and', terms: [scope(['a']), scope(['b'])] }, scope(['c'])],
    });
    assert.deepEqual(parseScopeQ('(/a,/b);/c'), {
      kind: 'and',
      terms: [{ kind: 'or', terms: [scope(['a']), scope(['b'])] }, scope(['c'])],
    });
    assert.deepEqual(parseScopeQ(' /Le_Havre.Port/Zone-1 '), scope(['Le_Havre.Port', 'Zone-1']));
  });

  it('reports errors with their position', () => {
    assert.match(
      errorOf('Le_Havre'),
      /^unexpected 'L', expected a scope starting with '\/' at position 0 in scopeQ/,
    );
    assert.match(errorOf('/a//b'), /^empty scope level at position 3/);
    assert.match(errorOf('/a/'), /^empty scope level at position 3/);
    assert.match(errorOf('/'), /^empty scope level at position 1/);
    assert.match(errorOf('/a/#/b'), /^'#' must be the last level at position 3/);
    assert.match(errorOf('/a+b'), /^'\+' must be a whole level at position 2/);
    assert.match(errorOf('/a#'), /^'#' must be a whole level at position 2/);
    assert.match(errorOf('(/a'), /^missing '\)' to close '\(' at position 0/);
    assert.match(errorOf('/a)'), /^unexpected '\)' at position 2/);
    assert.match(errorOf(''), /^empty scopeQ/);
  });

  it('throws nothing but BadRequestData on mutated input (fixed seed)', () => {
    const rand = rng(23);
    for (let i = 0; i < 5000; i++) {
      const s = mutate('(/Le_Havre/#;/+/Port)|/Antwerp,/#', rand, '/#+(),;| a\u0000\ud800');
      try {
        parseScopeQ(s);
      } catch (err) {
        assert.ok(
          err instanceof ProblemError && err.errorType === 'BadRequestData',
          `${JSON.stringify(s)}: ${err}`,
        );
      }
    }
  });
});

const WITH_SCOPES = ENTITIES.filter((e) => e.scopes)
  .map((e) => short(e.id))
  .sort();
const CASES: [string, string[]][] = [
  ['/Le_Havre/Port/Terminal_Nord', ['Berth:1', 'Vessel:1']],
  ['/Le_Havre/Port', ['Sensor:1', 'Sensor:2']],
  ['/Le_Havre/Port/#', ['Berth:1', 'Camera:1', 'Sensor:1', 'Sensor:2', 'Vessel:1', 'Vessel:2']],
  [
    '/Le_Havre/#',
    ['Berth:1', 'Camera:1', 'Org:1', 'Sensor:1', 'Sensor:2', 'Vessel:1', 'Vessel:2', 'Vessel:5'],
  ],
  ['/+/Port', ['Sensor:1', 'Sensor:2']],
  ['/+/Port/#', ['Berth:1', 'Camera:1', 'Sensor:1', 'Sensor:2', 'Vessel:1', 'Vessel:2']],
  ['/+/+/Terminal_Nord', ['Berth:1', 'Vessel:1']],
  ['/+', ['Org:1', 'Vessel:3', 'Vessel:5']],
  ['/#', WITH_SCOPES],
  // The '.' of a scope name is a dot, not "any character" (Org:1 has /Le_HavreXPort/Zone-1).
  ['/Le_Havre.Port/+', ['Org:2']],
  ['/+/Zone-1', ['Org:1', 'Org:2']],
  ['/Le_Havre;/Rouen', ['Org:1']],
  ['/Le_Havre,/Antwerp', ['Org:1', 'Vessel:3', 'Vessel:5']],
  ['/Antwerp|/Antwerp/#', ['Berth:2', 'Vessel:3']],
  ['(/Le_Havre/#;/Rouen)|/Antwerp', ['Org:1', 'Vessel:3']],
  ['/Nowhere', []],
];

for (const backend of backends()) {
  describe(`scopeQ on ${backend}`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
      await insertFixtures(t.db);
    });
    after(() => t.dispose());

    async function run(s: string, negate = false): Promise<string[]> {
      const params = createParams(2);
      const where = compileScopeQ(parseScopeQ(s), { alias: 'e', expand, params });
      const r = await t.db.query<{ id: string }>(
        `SELECT e.id FROM broker_entities e WHERE e.tenant = $1 AND ${negate ? `NOT ${where}` : where}`,
        ['', ...params.values],
      );
      return r.rows.map((row) => short(row.id)).sort();
    }

    for (const [s, expected] of CASES) {
      it(s, async () => {
        assert.deepEqual(await run(s), expected);
      });
    }

    it('is false, not NULL, for entities without scopes (safe to negate)', async () => {
      const all = ENTITIES.map((e) => short(e.id)).sort();
      assert.deepEqual(
        await run('/Antwerp', true),
        all.filter((id) => id !== 'Vessel:3'),
      );
      assert.deepEqual(await run('/#', true), ['Vessel:4', 'WeatherStation:1', 'WeatherStation:2']);
    });
  });
}
