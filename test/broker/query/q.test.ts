import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileQ, createParams, parseQ, type QCompileContext } from '../../../src/broker/query/index.js';
import type { Queryable } from '../../../src/db/db.js';
import { ProblemError } from '../../../src/http/problem.js';
import { backends, openTestDb, type TestDb } from '../../helpers/db.js';
import { ENTITIES, expand, insertFixtures, short } from './entities.js';
import { pick, rng } from './random.js';

const ALL = ENTITIES.map((e) => short(e.id)).sort();
const allBut = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

interface RunOptions {
  tenant?: string;
  instances?: QCompileContext['instances'];
}

/** The ids (shortened, sorted) of the entities q selects. */
async function run(db: Queryable, q: string, opts: RunOptions = {}): Promise<string[]> {
  const params = createParams(2);
  const where = compileQ(parseQ(q), { alias: 'e', expand, params, instances: opts.instances });
  const r = await db.query<{ id: string }>(
    `SELECT e.id FROM broker_entities e WHERE e.tenant = $1 AND ${where}`,
    [opts.tenant ?? '', ...params.values],
  );
  return r.rows.map((row) => short(row.id)).sort();
}

/** [q, the entities it selects] on the default tenant. */
const CASES: [string, string[]][] = [
  // Logic and precedence.
  ['speed>10;status=="moored"', ['Vessel:1']],
  ['(a==1|b==2);c', ['Vessel:1', 'Vessel:2']],
  ['a==1|b==2;c', ['Vessel:1', 'Vessel:2', 'Vessel:3']],
  ['(a==1;(b==3|c==true))|(status=="underway";!isDockedAt)', ['Vessel:1', 'Vessel:2', 'Vessel:3']],
  ['c==true', ['Vessel:1']],
  ['c==false', ['Vessel:2']],
  // Existence.
  ['!speed', allBut('Vessel:1', 'Vessel:2', 'Vessel:3', 'Vessel:4', 'Vessel:5')],
  ['speed.accuracy', ['Vessel:1']],
  ['!speed.accuracy', allBut('Vessel:1')],
  ['speed.observedAt', ['Vessel:1', 'Vessel:2', 'Vessel:3', 'Vessel:5']],
  ['address[postalCode]', ['Vessel:1']],
  ['!address[postalCode]', allBut('Vessel:1')],
  ['location', ['Vessel:1']],
  // Numbers; type mismatches match nothing and raise nothing.
  ['speed>10', ['Vessel:1', 'Vessel:2', 'Vessel:5']],
  ['a>0', ['Vessel:1', 'Vessel:2', 'Vessel:3']],
  ['speed>"a"', ['Vessel:4']],
  ['location=="Point"', []],
  ['temperature<=-3', ['Sensor:2']],
  ['speed.accuracy<1', ['Vessel:1']],
  ['capacity==12345678901234567890', ['Org:1']],
  ['capacity==12345678901234567891', []],
  ['capacity>1.2e19', ['Org:1']],
  // Ranges and lists; != is "not in" and a type mismatch counts as unequal (clause 4.9).
  ['speed==5..15', ['Vessel:1', 'Vessel:3', 'Vessel:5']],
  ['speed!=5..15', ['Vessel:2', 'Vessel:4', 'Vessel:5']],
  ['temperature==-5..0', ['Sensor:2']],
  ['name=="A".."N"', ['Berth:2', 'Org:1', 'Vessel:1', 'Vessel:2', 'Vessel:5']],
  ['a==1,2', ['Vessel:1', 'Vessel:2', 'Vessel:3']],
  ['a!=1,2', ['Vessel:4']],
  ['a=="1",2', ['Vessel:2', 'Vessel:4']],
  ['speed!=5', ['Vessel:1', 'Vessel:2', 'Vessel:4', 'Vessel:5']],
  // Arrays: == is "contains", != is "does not contain".
  ['status=="underway","waiting"', ['Vessel:2', 'Vessel:4']],
  ['status!="moored"', ['Vessel:2']],
  ['tags=="reefer"', ['Vessel:1']],
  ['tags!="reefer"', []],
  ['tags!="bulk"', ['Vessel:1']],
  // Regular expressions.
  ['name~=(?i)^cma', ['Vessel:1', 'Vessel:3']],
  ['name~=^cma', ['Vessel:3']],
  ['name~=^CMA', ['Vessel:1']],
  ['name~=M(arco|SC)', ['Vessel:1', 'Vessel:2']],
  ['name~=\\bPort\\b', ['Org:1']],
  ['name~=^[[:upper:]]{3}\\s', ['Vessel:1', 'Vessel:2']],
  ['name~=Navire', ['Vessel:5']],
  ['name~=^Deur', ['Berth:2']],
  ['name!~=(?i)cma', ['Berth:2', 'Org:1', 'Org:2', 'Vessel:2', 'Vessel:5']],
  ['status!~=moor', ['Vessel:2']],
  ['speed~=.', ['Vessel:4']],
  ['isDockedAt~=Berth', []],
  ['note~=1=1', ['Vessel:4']],
  ['note~="\' OR"', ['Vessel:4']],
  // Compound values.
  ['address[addressLocality]=="Le Havre"', ['Vessel:1']],
  ['address[street.name]~=Europe', ['Vessel:1']],
  ['address[street][name]~=Europe', ['Vessel:1']],
  ['rawdata[airquality.particulate]==40', ['Sensor:1']],
  ['rawdata[airquality][PM20]>80', ['Sensor:1']],
  ['rawdata[*]', ['Sensor:1']],
  // Instance members.
  ['speed.unitCode=="KNT"', ['Vessel:1', 'Vessel:2']],
  ['speed.unitCode!="KNT"', ['Vessel:3']],
  ['speed.observedAt>2026-01-01T00:00:00Z', ['Vessel:1', 'Vessel:2', 'Vessel:3', 'Vessel:5']],
  ['speed.observedAt==2026-11-23T08:00:00Z', ['Vessel:1', 'Vessel:3']],
  ['speed.observedAt!=2026-11-23T08:00:00Z', ['Vessel:2', 'Vessel:5']],
  ['speed.observedAt!=2026-11-01..2026-11-30', ['Vessel:2']],
  ['speed.createdAt<2026-11-24', ['Vessel:1']],
  ['speed.datasetId=="urn:ngsi-ld:Dataset:gps"', ['Vessel:5']],
  ['temperature.unitCode=="CEL";temperature.observedAt<2026-11-23T08:00:00Z', ['Sensor:1']],
  // Relationships (only == and !=), quoted or not, single or arrays; ListRelationship.
  ['isDockedAt==urn:ngsi-ld:Berth:1', ['Vessel:1']],
  ['isDockedAt=="urn:ngsi-ld:Berth:1"', ['Vessel:1']],
  ['isDockedAt!=urn:ngsi-ld:Berth:1', ['Vessel:3']],
  ['isDockedAt>"urn"', []],
  ['operator=="urn:ngsi-ld:Org:2"', ['Berth:1']],
  ['controlledBy==urn:ngsi-ld:Org:1', ['Sensor:1']],
  // LanguageProperty: any language, or the one in brackets.
  ['name=="The Ship"', ['Vessel:5']],
  ['name[fr]=="Le Navire"', ['Vessel:5']],
  ['name[en]=="Le Navire"', []],
  ['name[fr]=="Darse"', ['Berth:2']],
  ['name[*]=="Deurganckdok"', ['Berth:2']],
  ['name!="The Ship"', ['Berth:2', 'Org:1', 'Org:2', 'Vessel:1', 'Vessel:2', 'Vessel:3']],
  // VocabProperty: the value is expanded with the @context.
  ['category==Container', ['Berth:1']],
  ['category=="Container"', ['Berth:1']],
  ['category==ex:Liquid', ['Berth:2']],
  ['category!=Container', ['Berth:2']],
  // JsonProperty, ListProperty.
  ['config[fps]>=30', ['Camera:1']],
  ['config[value]=="Overstay 60 minutes"', ['Camera:1']],
  ['nothing==null', ['Camera:1']],
  ['readings==20', ['Sensor:2']],
  ['readings>25', ['Sensor:2']],
  // Typed literal values compare on @value.
  ['departure<2026-02-01', ['Vessel:4']],
  ['departure==2026-01-15T13:00:00+01:00', ['Vessel:4']],
  ['departure=="2026-01-15T12:00:00Z"', ['Vessel:4']],
  // Compact and expanded attribute names.
  ['https://uri.etsi.org/ngsi-ld/default-context/speed>17', ['Vessel:2', 'Vessel:5']],
  ['https://uri.etsi.org/ngsi-ld/default-context/speed.unitCode=="KMH"', ['Vessel:3']],
  ['ex:rating>=4.5', ['Org:1']],
  ['https://example.org/rating==4.5', ['Org:1']],
  // Linked entities (attribute of the entity a relationship points to), with type hints and nesting.
  ['sensor{humidity}==40', ['WeatherStation:1']],
  ['sensor{humidity}>10', ['WeatherStation:1', 'WeatherStation:2']],
  ['sensor{Device:humidity}>10', ['WeatherStation:1']],
  ['sensor{Sensor,Device:temperature.unitCode}=="CEL"', ['WeatherStation:1']],
  ['!sensor{rawdata}', allBut('WeatherStation:1')],
  ['owner{name}=="HAROPA Port"', ['WeatherStation:2']],
  ['operator{name}=="Terminal de France"', ['Berth:1']],
  ['controlledBy{name}~=HAROPA', ['Sensor:1']],
  ['sensor{controlledBy{name}}=="HAROPA Port"', ['WeatherStation:1']],
  ['isDockedAt{length}>=400|sensor{humidity}==85', ['Vessel:3', 'WeatherStation:2']],
  // Hostile input is data, never SQL or jsonpath.
  ['a=="x\' OR 1=1 --"', []],
  ['note=="x\' OR 1=1 --"', ['Vessel:4']],
  ['note=="\\" || @ == \\""', []],
  ['note~="\\" flag \\"q"', []],
  ['weird==1', ['Org:2']],
];

for (const backend of backends()) {
  describe(`q on ${backend}`, () => {
    let t: TestDb;
    before(async () => {
      t = await openTestDb(backend);
      await insertFixtures(t.db);
    });
    after(() => t.dispose());

    for (const [q, expected] of CASES) {
      it(q, async () => {
        assert.deepEqual(await run(t.db, q), expected);
      });
    }

    it('considers every instance by default and only the default one on request', async () => {
      assert.deepEqual(await run(t.db, 'speed==25'), ['Vessel:5']);
      assert.deepEqual(await run(t.db, 'speed==25', { instances: 'default' }), []);
      assert.deepEqual(await run(t.db, 'speed==7', { instances: 'default' }), ['Vessel:5']);
      assert.deepEqual(await run(t.db, 'speed!=5..15', { instances: 'default' }), ['Vessel:2', 'Vessel:4']);
      assert.deepEqual(await run(t.db, 'speed.observedAt!=2026-11-23T08:00:00Z', { instances: 'default' }), [
        'Vessel:2',
      ]);
      assert.deepEqual(await run(t.db, 'speed.observedAt', { instances: 'default' }), [
        'Vessel:1',
        'Vessel:2',
        'Vessel:3',
      ]);
    });

    describe('DateTime, Date and Time against every stored spelling', () => {
      const SAME = ['Z', 'Zms', 'minus5nocolon', 'naive', 'noSeconds', 'plus1', 'plus1hour'];
      const TIME: [string, string[]][] = [
        ['when==2026-11-23T08:00:00Z', SAME],
        ['when==2026-11-23T09:00:00+01:00', SAME],
        ['when>2026-11-23T08:00:00Z', ['micro', 'typed']],
        ['when>=2026-11-23T08:00:00Z', [...SAME, 'micro', 'typed']],
        ['when<2026-11-23T08:00:00Z', ['before', 'date']],
        ['when==2026-11-23', ['date']],
        ['when>=2026-11-23;when<2026-11-24', [...SAME, 'before', 'date', 'micro']],
        ['when==2026-11-23T08:00:00Z..2026-11-23T08:00:00.000001Z', [...SAME, 'micro']],
        [
          'when!=2026-11-23T08:00:00Z',
          [
            'before',
            'date',
            'invalid',
            'micro',
            'number',
            'text',
            'time',
            'timeNaive',
            'timeOffset',
            'typed',
          ],
        ],
        ['when==08:00:00Z', ['time']],
        ['when==09:00:00+01:00', ['time']],
        ['when>09:00:00', ['timeNaive', 'timeOffset']],
        ['when<09:00:00Z', ['time']],
        ['when==20261123', ['number']],
        ['when>"2026"', [...SAME, 'before', 'date', 'invalid', 'micro', 'text', 'typed']],
      ];
      for (const [q, expected] of TIME) {
        it(q, async () => {
          assert.deepEqual(await run(t.db, q, { tenant: 'time' }), [...expected].sort());
        });
      }

      it('gives the same answers whatever the session time zone', async () => {
        for (const zone of ['Pacific/Kiritimati', 'America/Sao_Paulo', 'UTC']) {
          await t.db.transaction(async (tx) => {
            await tx.query(`SET LOCAL TimeZone = '${zone}'`);
            for (const [q, expected] of TIME) {
              assert.deepEqual(await run(tx, q, { tenant: 'time' }), [...expected].sort(), `${q} in ${zone}`);
            }
          });
        }
      });
    });

    it('keeps literals out of the SQL text and uses the GIN index for equality', async () => {
      const params = createParams();
      const sql = compileQ(parseQ('note=="x\' OR 1=1 --";isDockedAt==urn:ngsi-ld:Berth:1'), {
        alias: 'e',
        expand,
        params,
      });
      assert.equal(sql, '(e.attrs @? $1::jsonpath AND e.attrs @? $2::jsonpath)');
      assert.ok(String(params.values[0]).includes("x' OR 1=1 --"));
      const plan = await t.db.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const r = await tx.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT e.id FROM broker_entities e WHERE e.attrs @? $1::jsonpath`,
          [params.values[1]],
        );
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      assert.match(plan, /Bitmap Index Scan on broker_entities_attrs/);
    });

    it('runs generated queries without a database error (fixed seed)', async () => {
      const rand = rng(4242);
      let ran = 0;
      for (let i = 0; i < 400; i++) {
        const q = randomQ(rand, 0);
        let compiled: string;
        const params = createParams(2);
        try {
          compiled = compileQ(parseQ(q), {
            alias: 'e',
            expand,
            params,
            instances: i % 3 ? 'any' : 'default',
          });
        } catch (err) {
          assert.ok(err instanceof ProblemError, `q ${JSON.stringify(q)} threw ${String(err)}`);
          continue;
        }
        try {
          await t.db.query(`SELECT count(*) FROM broker_entities e WHERE e.tenant = $1 AND ${compiled}`, [
            i % 2 ? '' : 'time',
            ...params.values,
          ]);
        } catch (err) {
          assert.fail(`q ${JSON.stringify(q)} failed in SQL: ${(err as Error).message}`);
        }
        ran++;
      }
      assert.ok(ran > 300, `only ${ran} generated queries were valid`);
    });
  });
}

const PATHS = [
  'speed',
  'status',
  'name',
  'a',
  'when',
  'address[addressLocality]',
  'address[street.name]',
  'speed.observedAt',
  'speed.unitCode',
  'speed.accuracy',
  'isDockedAt',
  'category',
  'config[fps]',
  'name[fr]',
  'name[*]',
  'sensor{humidity}',
  'sensor{Device:temperature.observedAt}',
  'weird',
  'ex:rating',
  'https://example.org/rating',
  'capacity',
  'departure',
  'location',
  'x.y.z',
];
const VALUES = [
  '1',
  '-3',
  '12.3',
  '1e3',
  '12345678901234567890',
  '"moored"',
  '"x\' OR 1=1 --"',
  '"\\" || @ == \\""',
  '"é😀\\u0001"',
  'true',
  'null',
  '2026-11-23T08:00:00Z',
  '2026-11-23T09:00:00.5+01:00',
  '2026-11-23',
  '08:00:00Z',
  'urn:ngsi-ld:Berth:1',
  'Container',
];
const REGEXES = [
  '(?i)^cma',
  '"a|b"',
  '[[:alpha:]]+',
  '\\bPort\\b',
  '^.*$',
  '(?<=a)b',
  'x{2,5}?',
  '[^\\]]',
  '\\d+\\.\\d*',
  '"(a|b;c)"',
  '(?i)[é-ü]',
  '"\\" flag \\"q"',
  "'",
];

function randomQ(rand: () => number, depth: number): string {
  const n = 1 + Math.floor(rand() * 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(depth < 3 && rand() < 0.2 ? `(${randomQ(rand, depth + 1)})` : randomTerm(rand));
  }
  return parts.join(rand() < 0.5 ? ';' : '|');
}

function randomTerm(rand: () => number): string {
  const p = pick(rand, PATHS);
  switch (Math.floor(rand() * 6)) {
    case 0:
      return rand() < 0.5 ? p : `!${p}`;
    case 1:
      return `${p}${pick(rand, ['==', '!=', '>', '>=', '<', '<='])}${pick(rand, VALUES)}`;
    case 2:
      return `${p}${pick(rand, ['==', '!='])}${pick(rand, VALUES)},${pick(rand, VALUES)}`;
    case 3: {
      const [lo, hi] = pick(rand, [
        ['1', '5'],
        ['"a"', '"m"'],
        ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z'],
        ['2026-01-01', '2026-12-31'],
        ['07:00:00', '09:00:00Z'],
      ]);
      return `${p}${pick(rand, ['==', '!='])}${lo}..${hi}`;
    }
    default:
      return `${p}${pick(rand, ['~=', '!~='])}${pick(rand, REGEXES)}`;
  }
}
