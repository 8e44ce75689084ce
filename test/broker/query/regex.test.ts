import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegexError, toPostgresRegex } from '../../../src/broker/query/regex.js';
import { backends, openTestDb, type TestDb } from '../../helpers/db.js';
import { pick, rng } from './random.js';

describe('toPostgresRegex', () => {
  it('re-emits the accepted subset in ARE syntax', () => {
    const cases: [string, string][] = [
      ['^cma.*[a-z]{2,3}?$', '^cma.*[a-z]{2,3}?$'],
      ['\\bPort\\B', '\\yPort\\Y'],
      ['a}b]', 'a\\}b\\]'],
      ['\\x41\\u00e9\\ud83d\\ude00', 'Aé😀'],
      ['\\.\\/\\-', '\\./-'],
      ['[-a\\]^]', '[\\-a\\]\\^]'],
      ['[\\d\\s\\w.]', '[\\d\\s\\w.]'],
      ['[[:alpha:]_]', '[[:alpha:]_]'],
      ['(?:a|b)+(?=c)(?!d)(?<=e)(?<!f)', '(?:a|b)+(?=c)(?!d)(?<=e)(?<!f)'],
      ['a\tb\\n', 'a\\tb\\n'],
      ['\\é', 'é'],
    ];
    for (const [input, out] of cases) assert.equal(toPostgresRegex(input), out, input);
  });

  it('refuses what PostgreSQL or JavaScript would read differently, with the position', () => {
    const cases: [string, string, number][] = [
      ['a**', "nothing to repeat before '*'", 2],
      ['*a', "nothing to repeat before '*'", 0],
      ['^*', "nothing to repeat before '*'", 1],
      ['(?=a)+', "nothing to repeat before '+'", 5],
      ['a{,5}', "invalid repetition '{'", 1],
      ['a{256}', 'repetition count above 255', 1],
      ['a{3,2}', 'repetition bounds are reversed', 1],
      ['(a)\\1', 'back-references are not supported', 3],
      ['\\q', "unsupported escape '\\q'", 0],
      ['(?i)a', 'unsupported group syntax', 0],
      ['(?P<n>a)', 'unsupported group syntax', 0],
      ['[]a]', 'empty brackets', 1],
      ['[z-a]', 'invalid range', 2],
      ['[a-\\d]', 'invalid range end', 3],
      ['[\\D]', "'\\D' is not allowed inside brackets", 1],
      ['[[:nope:]]', 'unknown character class', 1],
      ['[[.a.]]', 'collating elements are not supported', 1],
      ['a\\', 'trailing backslash', 1],
      ['(a', "missing ')'", 0],
      ['a)', "unmatched ')'", 1],
      ['[a', "missing ']'", 0],
      ['\\u00', 'invalid escape, expected 4 hex digits', 0],
      ['\\u0000', 'invalid character escape', 0],
      ['\\udc00', 'invalid character escape', 0],
      ['((a{40}){40}){4}', 'regular expression is too complex', 0],
      ['a\ud800', 'invalid character', 1],
      ['[\udc00]', 'invalid character', 1],
    ];
    for (const [input, message, at] of cases) {
      assert.throws(
        () => toPostgresRegex(input),
        (err: unknown) => err instanceof RegexError && err.message.startsWith(message) && err.at === at,
        input,
      );
    }
  });
});

const ATOMS = [
  'a',
  'b',
  'c',
  'A',
  'x',
  '.',
  '\\.',
  '-',
  '[a-c]',
  '[^ab]',
  '\\d',
  '\\w',
  '\\s',
  '\\bb',
  '1',
  ' ',
];
const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?', '{1,2}?'];

function randomPattern(rand: () => number, depth: number): string {
  let out = rand() < 0.15 ? '^' : '';
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    if (depth < 2 && rand() < 0.25) {
      const group = pick(rand, ['(', '(?:', '(?=', '(?!', '(?<=', '(?<!']);
      out += `${group}${randomPattern(rand, depth + 1)}${rand() < 0.3 ? `|${randomPattern(rand, depth + 1)}` : ''})`;
      if (group === '(' || group === '(?:') out += pick(rand, QUANTIFIERS);
    } else {
      out += pick(rand, ATOMS) + pick(rand, QUANTIFIERS);
    }
  }
  return out + (rand() < 0.15 ? '$' : '');
}

for (const backend of backends()) {
  describe(`regular expressions on ${backend}`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
    });
    after(() => t.dispose());

    /** The subjects PostgreSQL's like_regex matches, for one pattern. */
    async function pgMatches(are: string, flags: string, subjects: string[]): Promise<boolean[]> {
      const path = `$ ? (@ like_regex ${JSON.stringify(are)}${flags ? ` flag "${flags}"` : ''})`;
      const r = await t.db.query<{ m: boolean }>(
        'SELECT to_jsonb(s) @? $1::jsonpath AS m FROM unnest($2::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n',
        [path, subjects],
      );
      return r.rows.map((row) => row.m);
    }

    it('matches exactly what JavaScript matches on ASCII subjects (fixed seed)', async () => {
      const rand = rng(7);
      const subjects = Array.from({ length: 12 }, () =>
        Array.from({ length: Math.floor(rand() * 9) }, () => pick(rand, 'abcxAB.-1_ '.split(''))).join(''),
      );
      subjects.push('', 'abc', 'b b', 'aaab', 'x.1');
      for (let i = 0; i < 250; i++) {
        const pattern = randomPattern(rand, 0);
        const ignoreCase = rand() < 0.3;
        const are = toPostgresRegex(pattern);
        const js = new RegExp(pattern, ignoreCase ? 'i' : '');
        const expected = subjects.map((s) => js.test(s));
        assert.deepEqual(
          await pgMatches(are, ignoreCase ? 'i' : '', subjects),
          expected,
          `pattern ${pattern}`,
        );
      }
    });

    it('never hands PostgreSQL a pattern it rejects (random input, fixed seed)', async () => {
      const rand = rng(99);
      const alphabet = Array.from('ab()[]{}|*+?^$.\\-,:=!<>0123456789dswDSWbBuxyAZé😀');
      let accepted = 0;
      for (let i = 0; i < 3000; i++) {
        const raw = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pick(rand, alphabet)).join('');
        let are: string;
        try {
          are = toPostgresRegex(raw);
        } catch (err) {
          assert.ok(err instanceof RegexError, `${raw}: ${String(err)}`);
          continue;
        }
        accepted++;
        try {
          await pgMatches(are, 'i', ['abc']);
        } catch (err) {
          assert.fail(`pattern ${JSON.stringify(raw)} -> ${JSON.stringify(are)}: ${(err as Error).message}`);
        }
      }
      assert.ok(accepted > 300, `only ${accepted} accepted`);
    });

    it('accepts the largest bounded repetitions it allows', async () => {
      for (const p of [
        'a{255}',
        '(a{255}){19}',
        '((ab){50}){50}',
        '(.{250}){20}',
        '([[:alpha:]]{250}){20}',
      ]) {
        assert.deepEqual(await pgMatches(toPostgresRegex(p), 'i', ['a']), [false], p);
      }
      assert.deepEqual(await pgMatches(toPostgresRegex('[[:alpha:]]{1,255}x{0,255}'), 'i', ['a']), [true]);
    });
  });
}
