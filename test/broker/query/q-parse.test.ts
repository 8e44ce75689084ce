import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileQ,
  createParams,
  parseQ,
  type QExpr,
  type QPath,
  type QTerm,
  qAttributes,
} from '../../../src/broker/query/index.js';
import { normaliseDate, normaliseDateTime, normaliseTime } from '../../../src/broker/query/temporal.js';
import { ProblemError } from '../../../src/http/problem.js';
import { mutate, rng } from './random.js';

const path = (attr: string, more: Partial<QPath> = {}): QPath => ({ attr, subAttrs: [], keys: [], ...more });
const exists = (attr: string, negated = false): QTerm => ({ kind: 'exists', path: path(attr), negated });
const num = (raw: string) => ({ type: 'number' as const, value: Number(raw), raw });
const str = (value: string) => ({ type: 'string' as const, value });

/** The BadRequestData message parseQ throws for q. */
function errorOf(q: string): string {
  try {
    parseQ(q);
  } catch (err) {
    assert.ok(err instanceof ProblemError, `not a ProblemError: ${String(err)}`);
    assert.equal(err.errorType, 'BadRequestData');
    return err.message;
  }
  assert.fail(`q ${JSON.stringify(q)} was accepted`);
}

describe('parseQ: structure and precedence', () => {
  it('parses a comparison conjunction', () => {
    assert.deepEqual(parseQ('speed>10;status=="moored"'), {
      kind: 'and',
      terms: [
        { kind: 'compare', path: path('speed'), op: '>', value: num('10') },
        { kind: 'compare', path: path('status'), op: '==', value: str('moored') },
      ],
    });
  });

  it('gives ; precedence over |', () => {
    assert.deepEqual(parseQ('a|b;c'), {
      kind: 'or',
      terms: [exists('a'), { kind: 'and', terms: [exists('b'), exists('c')] }],
    });
    assert.deepEqual(parseQ('a;b|c;d'), {
      kind: 'or',
      terms: [
        { kind: 'and', terms: [exists('a'), exists('b')] },
        { kind: 'and', terms: [exists('c'), exists('d')] },
      ],
    });
  });

  it('lets parentheses override precedence, nested, and flattens what they do not change', () => {
    assert.deepEqual(parseQ('(a|b);c'), {
      kind: 'and',
      terms: [{ kind: 'or', terms: [exists('a'), exists('b')] }, exists('c')],
    });
    assert.deepEqual(parseQ('((a))'), exists('a'));
    assert.deepEqual(parseQ('(a;b);c'), { kind: 'and', terms: [exists('a'), exists('b'), exists('c')] });
    assert.deepEqual(parseQ('((a|(b;c))|d)'), {
      kind: 'or',
      terms: [exists('a'), { kind: 'and', terms: [exists('b'), exists('c')] }, exists('d')],
    });
  });

  it('tolerates whitespace between tokens', () => {
    assert.deepEqual(parseQ(' ( a == 1 ; b ) '), {
      kind: 'and',
      terms: [{ kind: 'compare', path: path('a'), op: '==', value: num('1') }, exists('b')],
    });
  });

  it('reads existence and non-existence', () => {
    assert.deepEqual(parseQ('!isDockedAt'), exists('isDockedAt', true));
    assert.deepEqual(parseQ('a;!b'), { kind: 'and', terms: [exists('a'), exists('b', true)] });
  });

  it('reads every operator', () => {
    for (const op of ['==', '!=', '>', '>=', '<', '<='] as const) {
      assert.deepEqual(parseQ(`a${op}1`), { kind: 'compare', path: path('a'), op, value: num('1') });
    }
    assert.deepEqual(parseQ('a~=x'), {
      kind: 'pattern',
      path: path('a'),
      negated: false,
      pattern: 'x',
      ignoreCase: false,
    });
    assert.deepEqual(parseQ('a!~=x'), {
      kind: 'pattern',
      path: path('a'),
      negated: true,
      pattern: 'x',
      ignoreCase: false,
    });
  });
});

describe('parseQ: attribute paths', () => {
  const pathOf = (q: string) => (parseQ(q) as QTerm).path;

  it('splits sub-attributes and recognises the instance members', () => {
    assert.deepEqual(pathOf('a.b.c'), path('a', { subAttrs: ['b', 'c'] }));
    assert.deepEqual(pathOf('speed.observedAt>2026-01-01'), path('speed', { meta: 'observedAt' }));
    assert.deepEqual(
      pathOf('speed.accuracy.unitCode'),
      path('speed', { subAttrs: ['accuracy'], meta: 'unitCode' }),
    );
    for (const m of ['modifiedAt', 'createdAt', 'datasetId'] as const) {
      assert.deepEqual(pathOf(`speed.${m}`), path('speed', { meta: m }));
    }
    // Alone, a member name is an attribute like any other.
    assert.deepEqual(pathOf('observedAt'), path('observedAt'));
  });

  it('reads compound-value members in one or several brackets', () => {
    assert.deepEqual(pathOf('address[addressLocality]'), path('address', { keys: ['addressLocality'] }));
    assert.deepEqual(
      pathOf('sensor.rawdata[airquality.particulate]==40'),
      path('sensor', { subAttrs: ['rawdata'], keys: ['airquality', 'particulate'] }),
    );
    assert.deepEqual(pathOf('a[x][y.z]'), path('a', { keys: ['x', 'y', 'z'] }));
    assert.deepEqual(pathOf('name[*]'), path('name', { keys: ['*'] }));
  });

  it('accepts compact and expanded IRIs, keeping the dots of an IRI', () => {
    assert.deepEqual(pathOf('ex:speed.ex:accuracy'), path('ex:speed', { subAttrs: ['ex:accuracy'] }));
    assert.deepEqual(pathOf('https://example.org/speed>1'), path('https://example.org/speed'));
    assert.deepEqual(
      pathOf('https://example.org/ns#speed.unitCode=="KNT"'),
      path('https://example.org/ns#speed', { meta: 'unitCode' }),
    );
    assert.deepEqual(
      pathOf('https://example.org/a/speed.acc'),
      path('https://example.org/a/speed', { subAttrs: ['acc'] }),
    );
    assert.deepEqual(pathOf('vessel-name_2'), path('vessel-name_2'));
    assert.deepEqual(pathOf('température'), path('température'));
  });

  it('reads linked-entity paths with and without a type hint', () => {
    assert.deepEqual(
      pathOf('sensor{humidity}==40'),
      path('sensor', { linked: { types: [], path: path('humidity') } }),
    );
    assert.deepEqual(
      pathOf('sensor{Device,Camera:temp.observedAt}'),
      path('sensor', { linked: { types: ['Device', 'Camera'], path: path('temp', { meta: 'observedAt' }) } }),
    );
    assert.deepEqual(
      pathOf('a{b{T:c[k]}}'),
      path('a', {
        linked: {
          types: [],
          path: path('b', { linked: { types: ['T'], path: path('c', { keys: ['k'] }) } }),
        },
      }),
    );
    assert.deepEqual(
      pathOf('a{https://example.org/b}'),
      path('a', { linked: { types: [], path: path('https://example.org/b') } }),
    );
  });
});

describe('parseQ: values', () => {
  const valueIn = (q: string) => {
    const t = parseQ(q) as QTerm;
    assert.equal(t.kind, 'compare');
    return t.kind === 'compare' ? t.value : undefined;
  };

  it('reads JSON numbers exactly', () => {
    assert.deepEqual(valueIn('a==-1.5e3'), { type: 'number', value: -1500, raw: '-1.5e3' });
    assert.deepEqual(valueIn('a==0'), num('0'));
    assert.deepEqual(valueIn('a==1E+5'), num('1e+5'));
    // A '+' that URL decoding turned into a space.
    assert.deepEqual(valueIn('a==1e 5'), num('1e+5'));
    assert.deepEqual(valueIn('a==12345678901234567890'), {
      type: 'number',
      value: Number('12345678901234567890'),
      raw: '12345678901234567890',
    });
  });

  it('reads JSON strings with escapes', () => {
    assert.deepEqual(valueIn('a=="x\\"y\\\\z\\n\\u00e9\\/"'), str('x"y\\z\né/'));
    assert.deepEqual(valueIn('a=="a;b|c)d"'), str('a;b|c)d'));
    assert.deepEqual(valueIn('a==""'), str(''));
    assert.deepEqual(valueIn('a=="\\ud83d\\ude00"'), str('😀'));
  });

  it('reads booleans, null and unquoted URIs', () => {
    assert.deepEqual(valueIn('a==true'), { type: 'boolean', value: true });
    assert.deepEqual(valueIn('a!=false'), { type: 'boolean', value: false });
    assert.deepEqual(valueIn('a==null'), { type: 'null' });
    assert.deepEqual(valueIn('a==urn:ngsi-ld:Berth:1'), { type: 'uri', value: 'urn:ngsi-ld:Berth:1' });
    assert.deepEqual(valueIn('a==https://example.org/a?b=c#d'), {
      type: 'uri',
      value: 'https://example.org/a?b=c#d',
    });
    assert.deepEqual(valueIn('a==Male'), { type: 'uri', value: 'Male' });
    assert.deepEqual(valueIn('a==trueish'), { type: 'uri', value: 'trueish' });
  });

  it('normalises DateTime, Date and Time literals to UTC', () => {
    assert.deepEqual(valueIn('a>2026-11-23T09:00:00+01:00'), {
      type: 'dateTime',
      value: '2026-11-23T08:00:00Z',
    });
    assert.deepEqual(valueIn('a>2026-11-23T09:00:00 01:00'), {
      type: 'dateTime',
      value: '2026-11-23T08:00:00Z',
    });
    assert.deepEqual(valueIn('a>2026-01-01T00:30:00.1234567-0130'), {
      type: 'dateTime',
      value: '2026-01-01T02:00:00.123456Z',
    });
    assert.deepEqual(valueIn('a>2026-01-01T00:00:00.5Z'), {
      type: 'dateTime',
      value: '2026-01-01T00:00:00.5Z',
    });
    assert.deepEqual(valueIn('a>2026-01-01T00:00:00'), { type: 'dateTime', value: '2026-01-01T00:00:00Z' });
    assert.deepEqual(valueIn('a<2026-03-01'), { type: 'date', value: '2026-03-01' });
    assert.deepEqual(valueIn('a<09:30:00+01:00'), { type: 'time', value: '08:30:00Z' });
    assert.deepEqual(valueIn('a<00:30-01'), { type: 'time', value: '01:30:00Z' });
  });

  it('reads lists and ranges, with != as their negation', () => {
    assert.deepEqual(parseQ('a==1,"x",true'), {
      kind: 'list',
      path: path('a'),
      negated: false,
      values: [num('1'), str('x'), { type: 'boolean', value: true }],
    });
    assert.deepEqual(parseQ('a!="x","y"'), {
      kind: 'list',
      path: path('a'),
      negated: true,
      values: [str('x'), str('y')],
    });
    assert.deepEqual(parseQ('a==1..5'), {
      kind: 'range',
      path: path('a'),
      negated: false,
      from: num('1'),
      to: num('5'),
    });
    assert.deepEqual(parseQ('a!=-1.5..2.5'), {
      kind: 'range',
      path: path('a'),
      negated: true,
      from: num('-1.5'),
      to: num('2.5'),
    });
    assert.deepEqual(parseQ('a==2026-01-01T00:00:00Z..2026-02-01T00:00:00Z'), {
      kind: 'range',
      path: path('a'),
      negated: false,
      from: { type: 'dateTime', value: '2026-01-01T00:00:00Z' },
      to: { type: 'dateTime', value: '2026-02-01T00:00:00Z' },
    });
    assert.deepEqual(parseQ('a=="a".."m"'), {
      kind: 'range',
      path: path('a'),
      negated: false,
      from: str('a'),
      to: str('m'),
    });
  });

  it('reads regular expressions: (?i), quoted, and where an unquoted one ends', () => {
    const pat = (q: string) => {
      const t = parseQ(q);
      return t.kind === 'pattern' ? { pattern: t.pattern, ignoreCase: t.ignoreCase } : t;
    };
    assert.deepEqual(pat('name~=(?i)^cma'), { pattern: '^cma', ignoreCase: true });
    assert.deepEqual(pat('name~="a|b;c\\)\\"d\\.e"'), { pattern: 'a|b;c\\)"d\\.e', ignoreCase: false });
    assert.deepEqual(parseQ('name~=(a|b);x'), {
      kind: 'and',
      terms: [
        { kind: 'pattern', path: path('name'), negated: false, pattern: '(a|b)', ignoreCase: false },
        exists('x'),
      ],
    });
    // An unquoted `|` outside parentheses ends the regex: it is the OR of q.
    assert.deepEqual(parseQ('name~=a|x'), {
      kind: 'or',
      terms: [
        { kind: 'pattern', path: path('name'), negated: false, pattern: 'a', ignoreCase: false },
        exists('x'),
      ],
    });
    // Inside brackets, ; | ) are characters of the regex.
    assert.deepEqual(parseQ('(name~=[;|)]x[[:alpha:]])'), {
      kind: 'pattern',
      path: path('name'),
      negated: false,
      pattern: '[;|)]x[[:alpha:]]',
      ignoreCase: false,
    });
    assert.deepEqual(pat('name~=a\\;b'), { pattern: 'a\\;b', ignoreCase: false });
  });
});

describe('parseQ: errors', () => {
  const cases: [string, string][] = [
    ['a==1)', "unexpected ')' at position 4 in q: a==1)"],
    ['(a==1', "missing ')' to close '(' at position 0"],
    ['(a==1 b)', "unexpected 'b', expected ';', '|' or ')' at position 6"],
    ['a==1;', 'unexpected end, expected an attribute name at position 5'],
    ['a==1 b', "unexpected 'b', expected ';', '|' or the end at position 5"],
    [';a', "unexpected ';', expected an attribute name at position 0"],
    ['a=1', "unknown operator '=', did you mean '=='? at position 1"],
    ['a=="x', 'unterminated string at position 3'],
    ['a=="\\x"', "invalid escape '\\x' in string at position 4"],
    ['a=="\\ud800"', 'invalid character in string at position 3'],
    ['a=="\\u0000"', 'invalid character in string at position 3'],
    ['a==', 'unexpected end, expected a value at position 3'],
    ['a==1,', 'unexpected end, expected a value at position 5'],
    ['a>true', "'>' needs a number, string, DateTime, Date or Time, not a boolean at position 1"],
    ['a<=urn:x', "'<=' needs a number, string, DateTime, Date or Time, not a uri at position 1"],
    ['a>1,2', "a list of values needs '==' or '!=', not '>' at position 1"],
    ['a<1..2', "a range needs '==' or '!=', not '<' at position 1"],
    [
      'a==1.."x"',
      'a range needs two numbers, strings, DateTimes, Dates or Times of the same type at position 4',
    ],
    ['a==true..false', 'a range needs two numbers'],
    ['a==12abc', 'invalid number, DateTime, Date or Time at position 3'],
    ['a==1e5000', 'number out of range at position 3'],
    ['a==2026-02-29', "invalid Date '2026-02-29' at position 3"],
    ['a==2026-13-01T00:00:00Z', "invalid DateTime '2026-13-01T00:00:00Z' at position 3"],
    ['a==24:00:00', "invalid Time '24:00:00' at position 3"],
    ['a==x"y', `unexpected '"' at position 4`],
    ['!a==1', "'!' (non-existence) cannot be combined with an operator at position 0"],
    ['a..b==1', 'empty sub-attribute name at position 2'],
    ['a.==1', 'empty sub-attribute name at position 2'],
    ['a[]==1', 'empty member name at position 2'],
    ['a[x==1', "missing ']' at position 1"],
    ['a[x[y]]', "unexpected '[' at position 3"],
    ['a.observedAt[x]', "'[' cannot follow '.observedAt' at position 12"],
    ['a{b', "missing '}' to close '{' at position 1"],
    ['a[k]{b}', "'{' must follow a relationship name at position 4"],
    ['a~=', 'expected a regular expression at position 3'],
    ['a~=(?i)', 'expected a regular expression at position 3'],
    ['a~=(b', "invalid regular expression (missing ')' in regular expression) at position 3"],
    ['a~=x{300}', 'invalid regular expression (repetition count above 255) at position 4'],
    ['a~=(?i)ab\\1', 'invalid regular expression (back-references are not supported) at position 9'],
    ['a~="x"y', "unexpected 'y' at position 6"],
    ['a==\u0000', 'invalid character U+0000 at position 3'],
    ['a==\ud800', 'invalid character U+d800 at position 3'],
    ['', 'empty q'],
    ['   ', 'empty q'],
  ];
  for (const [q, message] of cases) {
    it(`rejects ${JSON.stringify(q)}`, () => {
      assert.ok(errorOf(q).startsWith(message), `got: ${errorOf(q)}`);
    });
  }

  it('limits size to 4 KB and nesting to 32', () => {
    assert.deepEqual(parseQ('a'.repeat(4096)), exists('a'.repeat(4096)));
    assert.match(errorOf('a'.repeat(4097)), /^q is too long \(4097 bytes, at most 4096\)/);
    assert.match(errorOf('é'.repeat(2049)), /^q is too long \(4098 bytes/);
    assert.deepEqual(parseQ(`${'('.repeat(32)}a${')'.repeat(32)}`), exists('a'));
    assert.match(
      errorOf(`${'('.repeat(33)}a${')'.repeat(33)}`),
      /^nesting deeper than 32 at position 32 in q/,
    );
    assert.match(
      errorOf(`${'a{'.repeat(33)}b${'}'.repeat(33)}`),
      /^nesting deeper than 32 at position 65 in q/,
    );
  });

  it('quotes a long q only partly', () => {
    const q = `${'a;'.repeat(200)}a)`;
    assert.equal(errorOf(q), `unexpected ')' at position 401 in q: ${q.slice(0, 200)}…`);
  });
});

describe('parseQ: robustness', () => {
  const seeds = [
    'speed>10;status=="moored"',
    '(a==1|b==2);c',
    'name~=(?i)^cma[a-z]{2,3}',
    'address[addressLocality]=="Le Havre"',
    'speed.observedAt>=2026-01-01T00:00:00Z;a!=1..5',
    'sensor{Device:humidity}==40,41',
    '!x|y!~="a\\"b"',
  ];
  const alphabet = 'ab.[]{}()|;,!=<>~"\\ 0123456789-:TZ/#+*?^$eE\u0000\ud800é😀\t';

  it('throws nothing but BadRequestData on random and mutated input (fixed seed)', () => {
    const rand = rng(20261123);
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const q =
        i % 2 === 0
          ? Array.from(
              { length: 1 + Math.floor(rand() * 30) },
              () => alphabet[Math.floor(rand() * alphabet.length)],
            ).join('')
          : mutate(seeds[i % seeds.length], rand, alphabet);
      try {
        parseQ(q);
        accepted++;
      } catch (err) {
        if (!(err instanceof ProblemError) || err.errorType !== 'BadRequestData') {
          assert.fail(`q ${JSON.stringify(q)} threw ${String(err)}`);
        }
      }
    }
    // The mutations keep a good share of the queries valid, so the compiler paths are reached too.
    assert.ok(accepted > 1000, `only ${accepted} accepted`);
  });
});

describe('qAttributes', () => {
  it('lists the attributes a query refers to, once, in order', () => {
    const e: QExpr = parseQ('(a==1|b.c==2);!d;a>0;e{f}==1;ex:g[k]~=x');
    assert.deepEqual(qAttributes(e), ['a', 'b', 'd', 'e', 'ex:g']);
  });
});

describe('temporal literals', () => {
  it('checks calendars (leap years, month lengths) and ranges', () => {
    assert.equal(normaliseDate('2024-02-29'), '2024-02-29');
    assert.equal(normaliseDate('2000-02-29'), '2000-02-29');
    assert.equal(normaliseDate('1900-02-29'), undefined);
    assert.equal(normaliseDate('2026-04-31'), undefined);
    assert.equal(normaliseDate('0000-01-01'), undefined);
    assert.equal(normaliseDateTime('2026-12-31T23:30:00-01:00'), '2027-01-01T00:30:00Z');
    assert.equal(normaliseDateTime('2024-03-01T00:30:00+01:00'), '2024-02-29T23:30:00Z');
    assert.equal(normaliseDateTime('0001-01-01T00:30:00+01:00'), undefined);
    assert.equal(normaliseDateTime('9999-12-31T23:30:00-01:00'), undefined);
    assert.equal(normaliseDateTime('2026-01-01T00:00:60Z'), undefined);
    assert.equal(normaliseDateTime('2026-01-01T00:00:00+16:00'), undefined);
    assert.equal(normaliseTime('00:30:00+01:00'), '23:30:00Z');
    assert.equal(normaliseTime('23:30:00.25-01:00'), '00:30:00.25Z');
  });
});

describe('compileQ without a database', () => {
  it('refuses a hand-built AST whose pattern parseQ would have refused', () => {
    const expr: QExpr = {
      kind: 'pattern',
      path: path('a'),
      negated: false,
      pattern: 'a{,2}',
      ignoreCase: false,
    };
    assert.throws(
      () => compileQ(expr, { alias: 'e', expand: (t) => t, params: createParams() }),
      (err: unknown) => err instanceof ProblemError && /invalid regular expression/.test(err.message),
    );
  });

  it('refuses an alias that is not a plain identifier', () => {
    assert.throws(() =>
      compileQ(parseQ('a'), { alias: 'e; DROP TABLE x', expand: (t) => t, params: createParams() }),
    );
  });
});

describe('createParams', () => {
  it('numbers placeholders from start and keeps the values in order', () => {
    const p = createParams(3);
    assert.equal(p.add('x'), '$3');
    assert.equal(p.add(2), '$4');
    assert.deepEqual(p.values, ['x', 2]);
    assert.equal(createParams().add(1), '$1');
    assert.throws(() => createParams(0), /invalid start/);
  });
});
