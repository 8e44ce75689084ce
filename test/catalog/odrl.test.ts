import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Area,
  evaluate,
  type Knowledge,
  type Policy,
  parseDateTime,
  parseDuration,
  parsePolicy,
  type RequestContext,
} from '../../src/catalog/odrl/index.js';

const CTX = 'http://www.w3.org/ns/odrl.jsonld';
const NOW = new Date('2026-06-15T12:00:00Z');

function policy(json: unknown): Policy {
  const r = parsePolicy(json);
  if (!r.ok) assert.fail(`expected a valid policy, got ${JSON.stringify(r.issues)}`);
  return r.policy;
}

function issues(json: unknown) {
  const r = parsePolicy(json);
  assert.equal(r.ok, false, 'expected the policy to be refused');
  return r.ok ? [] : r.issues;
}

/** A Set with one permission to use under the given constraints. */
const permitWith = (...constraint: unknown[]) =>
  policy({ '@context': CTX, '@type': 'Set', permission: [{ action: 'use', constraint }] });

const ask = (p: Policy, ctx: Partial<RequestContext> = {}, k?: Knowledge) =>
  evaluate(p, { action: 'use', now: NOW, ...ctx }, k);

const c = (
  leftOperand: string,
  operator: string,
  rightOperand: unknown,
  extra: Record<string, unknown> = {},
) => ({
  leftOperand,
  operator,
  rightOperand,
  ...extra,
});

// A small rectangle over the port of Le Havre, with a hole over the Bassin de l'Eure.
const PORT = {
  type: 'Polygon',
  coordinates: [
    [
      [0.05, 49.42],
      [0.3, 49.42],
      [0.3, 49.5],
      [0.05, 49.5],
      [0.05, 49.42],
    ],
    [
      [0.12, 49.47],
      [0.14, 49.47],
      [0.14, 49.49],
      [0.12, 49.49],
      [0.12, 49.47],
    ],
  ],
};
const TERMINAL: Area = {
  type: 'Polygon',
  coordinates: [
    [
      [0.2, 49.43],
      [0.25, 49.43],
      [0.25, 49.46],
      [0.2, 49.46],
      [0.2, 49.43],
    ],
  ],
};
const IN_PORT: [number, number] = [0.2, 49.45];
const IN_HOLE: [number, number] = [0.13, 49.48];
const PARIS: [number, number] = [2.35, 48.85];

describe('ODRL parsing', () => {
  it('reads compact JSON-LD with plain, prefixed, IRI and @id terms alike', () => {
    const p = policy({
      '@context': CTX,
      '@type': 'odrl:Offer',
      uid: 'urn:policy:1',
      assigner: { '@id': 'https://example.org/haropa' },
      permission: [
        {
          target: 'urn:dataset:ais',
          action: { '@id': 'odrl:read' },
          constraint: [
            {
              leftOperand: 'http://www.w3.org/ns/odrl/2/purpose',
              operator: 'odrl:eq',
              rightOperand: { '@id': 'research' },
            },
          ],
        },
      ],
    });
    assert.equal(p.type, 'Offer');
    assert.equal(p.uid, 'urn:policy:1');
    assert.equal(p.assigner, 'https://example.org/haropa');
    assert.equal(p.permissions[0].action, 'read');
    assert.deepEqual(p.permissions[0].constraints[0], {
      kind: 'constraint',
      leftOperand: 'purpose',
      operator: 'eq',
      rightOperand: { kind: 'strings', values: ['research'] },
    });
  });

  it('defaults to a Set and expands a rule with several actions into one rule per action', () => {
    const p = policy({ permission: { action: ['read', 'display'] } });
    assert.equal(p.type, 'Set');
    assert.deepEqual(
      p.permissions.map((r) => r.action),
      ['read', 'display'],
    );
  });

  it('refuses a left operand with no evaluator, naming it and where it is', () => {
    const found = issues({
      permission: [
        { action: 'use', constraint: [c('purpose', 'eq', 'research'), c('odrl:industry', 'eq', 'shipping')] },
      ],
    });
    assert.equal(found.length, 1);
    assert.equal(found[0].path, 'permission[0].constraint[1].leftOperand');
    assert.match(found[0].message, /left operand "industry" has no evaluator/);
  });

  it('refuses unknown left operands inside logical constraints, duties, refinements and prohibitions', () => {
    const unknown = c('deliveryChannel', 'eq', 'x');
    assert.equal(
      issues({ permission: [{ action: 'use', constraint: [{ or: [c('count', 'lt', 3), unknown] }] }] })[0]
        .path,
      'permission[0].constraint[0].or[1].leftOperand',
    );
    assert.equal(
      issues({ permission: [{ action: 'use', duty: [{ action: 'compensate', constraint: [unknown] }] }] })[0]
        .path,
      'permission[0].duty[0].constraint[0].leftOperand',
    );
    assert.equal(
      issues({ permission: [{ action: { 'rdf:value': { '@id': 'odrl:print' }, refinement: [unknown] } }] })[0]
        .path,
      'permission[0].action.refinement[0].leftOperand',
    );
    assert.equal(
      issues({ prohibition: [{ action: 'use', constraint: unknown }] })[0].path,
      'prohibition[0].constraint[0].leftOperand',
    );
    assert.match(
      issues({ permission: [{ action: 'use', constraint: [c('dpv:hasPurpose', 'eq', 'x')] }] })[0].message,
      /dpv:hasPurpose/,
    );
  });

  it('refuses what it would otherwise ignore: unknown members, references, remedies, other conflict strategies', () => {
    assert.match(
      issues({ permission: [{ action: 'use', constraint: [{ ...c('count', 'lt', 3), status: 2 }] }] })[0]
        .message,
      /"status" is not supported/,
    );
    assert.match(
      issues({
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'count', operator: 'lt', rightOperandReference: 'http://x' }],
          },
        ],
      })[0].message,
      /rightOperandReference/,
    );
    assert.match(
      issues({ prohibition: [{ action: 'use', remedy: [{ action: 'delete' }] }] })[0].message,
      /"remedy" is not supported/,
    );
    assert.match(issues({ conflict: 'perm', permission: [{ action: 'use' }] })[0].message, /prohibit/);
    assert.match(
      issues({ inheritFrom: 'urn:x', permission: [{ action: 'use' }] })[0].message,
      /"inheritFrom"/,
    );
  });

  it('refuses operators that do not apply to the left operand, and unknown operators', () => {
    assert.match(
      issues({ permission: [{ action: 'use', constraint: [c('purpose', 'lt', 'research')] }] })[0].message,
      /"lt" does not apply to purpose/,
    );
    assert.match(
      issues({ permission: [{ action: 'use', constraint: [c('count', 'isAnyOf', [1, 2])] }] })[0].message,
      /does not apply to count/,
    );
    assert.match(
      issues({ permission: [{ action: 'use', constraint: [c('count', 'hasPart', 1)] }] })[0].message,
      /operator must be one of/,
    );
  });

  it('checks right operands by type', () => {
    const bad = (x: unknown) => issues({ permission: [{ action: 'use', constraint: [x] }] })[0].message;
    assert.match(bad(c('dateTime', 'lt', 'next tuesday')), /ISO 8601/);
    assert.match(bad(c('elapsedTime', 'lt', '30 days')), /xsd:duration/);
    assert.match(bad(c('count', 'lt', 2.5)), /whole number/);
    assert.match(bad(c('payAmount', 'gteq', -1)), /non-negative/);
    assert.match(bad(c('purpose', 'eq', ['a', 'b'])), /one value/);
    assert.match(
      bad(
        c('spatial', 'isPartOf', {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        }),
      ),
      /closed/,
    );
    assert.match(
      bad(c('spatial', 'isPartOf', { type: 'Point', coordinates: [0, 0] })),
      /Polygon or MultiPolygon/,
    );
    assert.match(bad(c('spatial', 'eq', PORT)), /named areas/);
    assert.match(bad({ or: [c('count', 'lt', 2)] }), /at least two/);
    assert.match(bad({ leftOperand: 'count', operator: 'lt' }), /needs a rightOperand/);
  });

  it('requires the parties of an Offer and an Agreement', () => {
    assert.match(issues({ '@type': 'Offer', permission: [{ action: 'use' }] })[0].message, /assigner/);
    const agreement = issues({
      '@type': 'Agreement',
      assigner: 'urn:org:a',
      permission: [{ action: 'use' }],
    });
    assert.match(agreement[0].message, /assignee/);
    policy({
      '@type': 'Agreement',
      assigner: 'urn:org:a',
      assignee: 'urn:org:b',
      permission: [{ action: 'use' }],
    });
  });

  it('caps nesting, list sizes and rule counts, and refuses empty policies', () => {
    let deep: unknown = c('count', 'lt', 1);
    for (let i = 0; i < 8; i++) deep = { and: [deep] };
    assert.match(issues({ permission: [{ action: 'use', constraint: [deep] }] })[0].message, /nest at most/);
    const many = Array.from({ length: 51 }, () => c('count', 'lt', 1));
    assert.match(issues({ permission: [{ action: 'use', constraint: many }] })[0].message, /at most 50/);
    const rules = Array.from({ length: 101 }, () => ({ action: 'use' }));
    assert.match(issues({ permission: rules })[0].message, /at most 100 rules/);
    assert.match(issues({ '@type': 'Set' })[0].message, /at least one/);
    assert.match(issues([1, 2])[0].message, /JSON object/);
  });

  it('parses xsd durations and date-times', () => {
    assert.equal(parseDuration('P30D'), 30 * 86400);
    assert.equal(parseDuration('PT1H30M'), 5400);
    assert.equal(parseDuration('P1Y'), 365 * 86400);
    assert.equal(parseDuration('P1W'), 7 * 86400);
    assert.equal(parseDuration('PT0.5S'), 0.5);
    assert.equal(parseDuration('P'), undefined);
    assert.equal(parseDuration('PT'), undefined);
    assert.equal(parseDuration('P1DT'), undefined);
    assert.equal(parseDateTime('2026-01-01'), Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(parseDateTime('2026-01-01T10:00:00'), Date.parse('2026-01-01T10:00:00Z'));
    assert.equal(parseDateTime('2026-01-01T10:00:00+02:00'), Date.parse('2026-01-01T08:00:00Z'));
    assert.equal(parseDateTime('01/01/2026'), undefined);
    assert.equal(parseDateTime('2026-13-45'), undefined);
  });
});

describe('ODRL evaluation: left operands and operators', () => {
  it('purpose: eq, neq, isA with broader purposes, isAnyOf, isAllOf, isNoneOf', () => {
    const k: Knowledge = { broader: { 'academic-research': ['research'], research: ['public-interest'] } };
    const d = (p: Policy, purpose: string | string[]) => ask(p, { purpose }, k).decision;
    assert.equal(d(permitWith(c('purpose', 'eq', 'research')), 'research'), 'permit');
    assert.equal(d(permitWith(c('purpose', 'eq', 'research')), 'marketing'), 'deny');
    assert.equal(d(permitWith(c('purpose', 'neq', 'marketing')), 'research'), 'permit');
    assert.equal(d(permitWith(c('purpose', 'neq', 'marketing')), ['research', 'marketing']), 'deny');
    assert.equal(d(permitWith(c('purpose', 'isA', 'public-interest')), 'academic-research'), 'permit');
    assert.equal(d(permitWith(c('purpose', 'isA', 'research')), 'marketing'), 'deny');
    assert.equal(d(permitWith(c('purpose', 'isAnyOf', ['research', 'education'])), 'education'), 'permit');
    assert.equal(
      d(permitWith(c('purpose', 'isAnyOf', ['research', 'education'])), 'academic-research'),
      'permit',
    );
    assert.equal(d(permitWith(c('purpose', 'isAnyOf', ['research', 'education'])), 'marketing'), 'deny');
    assert.equal(
      d(permitWith(c('purpose', 'isAllOf', ['research', 'education'])), ['education', 'research']),
      'permit',
    );
    assert.equal(d(permitWith(c('purpose', 'isAllOf', ['research', 'education'])), ['research']), 'deny');
    assert.equal(d(permitWith(c('purpose', 'isNoneOf', ['marketing', 'profiling'])), 'research'), 'permit');
    assert.equal(
      d(permitWith(c('purpose', 'isNoneOf', ['marketing', 'profiling'])), ['research', 'profiling']),
      'deny',
    );
  });

  it('a constraint on a fact the request does not state fails, and says so', () => {
    const r = ask(permitWith(c('purpose', 'isNoneOf', ['marketing'])));
    assert.equal(r.decision, 'deny');
    assert.match(r.reasons.join('\n'), /does not state purpose/);
  });

  it('dateTime: a window with gteq and lt, and every comparison', () => {
    const win = permitWith(
      c('dateTime', 'gteq', '2026-01-01T00:00:00Z'),
      c('dateTime', 'lt', { '@value': '2027-01-01', '@type': 'xsd:date' }),
    );
    assert.equal(ask(win).decision, 'permit');
    assert.equal(ask(win, { now: new Date('2025-12-31T23:59:59Z') }).decision, 'deny');
    assert.equal(ask(win, { now: new Date('2027-01-01T00:00:00Z') }).decision, 'deny');
    const at = NOW.toISOString();
    assert.equal(ask(permitWith(c('dateTime', 'eq', at))).decision, 'permit');
    assert.equal(ask(permitWith(c('dateTime', 'neq', at))).decision, 'deny');
    assert.equal(ask(permitWith(c('dateTime', 'lteq', at))).decision, 'permit');
    assert.equal(ask(permitWith(c('dateTime', 'gt', at))).decision, 'deny');
  });

  it('elapsedTime: counts from the start of the agreement', () => {
    const p = permitWith(c('elapsedTime', 'lteq', 'P30D'));
    assert.equal(ask(p, { since: new Date('2026-06-01T00:00:00Z') }).decision, 'permit');
    assert.equal(ask(p, { since: new Date('2026-05-01T00:00:00Z') }).decision, 'deny');
    assert.equal(ask(p).decision, 'deny', 'no start known');
    assert.equal(
      ask(permitWith(c('elapsedTime', 'gt', 'PT1H')), { since: new Date('2026-06-15T11:30:00Z') }).decision,
      'deny',
    );
  });

  it('count: the request would be one more use', () => {
    const p = permitWith(c('count', 'lteq', 3));
    assert.equal(ask(p, { count: 0 }).decision, 'permit');
    assert.equal(ask(p, { count: 2 }).decision, 'permit');
    assert.equal(ask(p, { count: 3 }).decision, 'deny');
    assert.equal(ask(p).decision, 'deny', 'unknown count');
    assert.equal(ask(permitWith(c('count', 'lt', 3)), { count: 2 }).decision, 'deny');
    assert.equal(ask(permitWith(c('count', 'eq', 1)), { count: 0 }).decision, 'permit');
    assert.equal(ask(permitWith(c('count', 'gteq', 2)), { count: 0 }).decision, 'deny');
  });

  it('spatial: a GeoJSON area (holes honoured), named areas, broader named areas', () => {
    const inPort = permitWith(c('spatial', 'isPartOf', PORT));
    assert.equal(ask(inPort, { spatial: { point: IN_PORT } }).decision, 'permit');
    assert.equal(ask(inPort, { spatial: { point: IN_HOLE } }).decision, 'deny');
    assert.equal(ask(inPort, { spatial: { point: PARIS } }).decision, 'deny');
    const k: Knowledge = {
      broader: { 'port-of-le-havre': ['normandie'], 'le-havre-seine-metropole': ['normandie'] },
      areas: { 'port-of-le-havre': PORT as Area, 'terminal-a': TERMINAL },
    };
    assert.equal(
      ask(permitWith(c('spatial', 'eq', 'normandie')), { spatial: { area: 'normandie' } }).decision,
      'permit',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'neq', 'normandie')), { spatial: { area: 'normandie' } }).decision,
      'deny',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isPartOf', 'normandie')), { spatial: { area: 'port-of-le-havre' } }, k)
        .decision,
      'permit',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isPartOf', 'port-of-le-havre')), { spatial: { point: IN_PORT } }, k)
        .decision,
      'permit',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isPartOf', 'port-of-le-havre')), { spatial: { point: PARIS } }, k)
        .decision,
      'deny',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isPartOf', PORT)), { spatial: { area: 'terminal-a' } }, k).decision,
      'permit',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isPartOf', PORT)), { spatial: { area: 'nowhere' } }, k).decision,
      'deny',
    );
    assert.equal(
      ask(
        permitWith(c('spatial', 'isAnyOf', ['bretagne', 'normandie'])),
        { spatial: { area: 'le-havre-seine-metropole' } },
        k,
      ).decision,
      'permit',
    );
    assert.equal(
      ask(
        permitWith(c('spatial', 'isNoneOf', ['normandie'])),
        { spatial: { area: 'le-havre-seine-metropole' } },
        k,
      ).decision,
      'deny',
    );
    assert.equal(
      ask(permitWith(c('spatial', 'isNoneOf', [PORT])), { spatial: { point: PARIS } }, k).decision,
      'permit',
    );
    assert.equal(ask(inPort).decision, 'deny', 'no place stated');
  });

  it('recipient: eq, neq, isPartOf a group, isAnyOf, isNoneOf', () => {
    const k: Knowledge = { broader: { 'urn:org:quai-data': ['urn:group:start-ups'] } };
    const d = (p: Policy, recipient: string) => ask(p, { recipient }, k).decision;
    assert.equal(d(permitWith(c('recipient', 'eq', 'urn:org:quai-data')), 'urn:org:quai-data'), 'permit');
    assert.equal(d(permitWith(c('recipient', 'neq', 'urn:org:quai-data')), 'urn:org:quai-data'), 'deny');
    assert.equal(
      d(permitWith(c('recipient', 'isPartOf', 'urn:group:start-ups')), 'urn:org:quai-data'),
      'permit',
    );
    assert.equal(d(permitWith(c('recipient', 'isPartOf', 'urn:group:start-ups')), 'urn:org:other'), 'deny');
    assert.equal(
      d(permitWith(c('recipient', 'isAnyOf', ['urn:org:a', 'urn:group:start-ups'])), 'urn:org:quai-data'),
      'permit',
    );
    assert.equal(
      d(permitWith(c('recipient', 'isNoneOf', ['urn:group:start-ups'])), 'urn:org:quai-data'),
      'deny',
    );
  });

  it('payAmount: compares amounts in the stated unit', () => {
    const p = permitWith(c('payAmount', 'gteq', '10.00', { unit: 'http://dbpedia.org/resource/Euro' }));
    assert.equal(ask(p, { payAmount: { amount: 12, unit: 'Euro' } }).decision, 'permit');
    assert.equal(ask(p, { payAmount: { amount: 5, unit: 'Euro' } }).decision, 'deny');
    assert.equal(ask(p, { payAmount: { amount: 50, unit: 'USD' } }).decision, 'deny');
    assert.equal(ask(p, { payAmount: { amount: 50 } }).decision, 'deny');
    assert.equal(ask(permitWith(c('payAmount', 'eq', 0)), { payAmount: { amount: 0 } }).decision, 'permit');
  });
});

describe('ODRL evaluation: logical constraints', () => {
  const research = c('purpose', 'eq', 'research');
  const fewUses = c('count', 'lt', 5);
  it('or holds when one holds; and needs all; andSequence too, in order', () => {
    const or = permitWith({ or: [research, fewUses] });
    assert.equal(ask(or, { purpose: 'marketing', count: 1 }).decision, 'permit');
    assert.equal(ask(or, { purpose: 'marketing', count: 9 }).decision, 'deny');
    const and = permitWith({ and: [research, fewUses] });
    assert.equal(ask(and, { purpose: 'research', count: 1 }).decision, 'permit');
    assert.equal(ask(and, { purpose: 'research', count: 9 }).decision, 'deny');
    const seq = permitWith({ andSequence: { '@list': [research, fewUses] } });
    assert.equal(ask(seq, { purpose: 'research', count: 1 }).decision, 'permit');
    assert.equal(ask(seq, { purpose: 'marketing', count: 1 }).decision, 'deny');
  });

  it('xone holds when exactly one holds', () => {
    const p = permitWith({ xone: [research, fewUses] });
    assert.equal(ask(p, { purpose: 'research', count: 9 }).decision, 'permit');
    assert.equal(ask(p, { purpose: 'marketing', count: 1 }).decision, 'permit');
    assert.equal(ask(p, { purpose: 'research', count: 1 }).decision, 'deny');
    assert.equal(ask(p, { purpose: 'marketing', count: 9 }).decision, 'deny');
  });

  it('nests: (research or education) and within the 2026 window', () => {
    const p = permitWith({
      and: [
        { or: [research, c('purpose', 'eq', 'education')] },
        { and: [c('dateTime', 'gteq', '2026-01-01'), c('dateTime', 'lt', '2027-01-01')] },
      ],
    });
    assert.equal(ask(p, { purpose: 'education' }).decision, 'permit');
    assert.equal(ask(p, { purpose: 'education', now: new Date('2027-02-01T00:00:00Z') }).decision, 'deny');
    assert.equal(ask(p, { purpose: 'marketing' }).decision, 'deny');
  });
});

describe('ODRL evaluation: rules', () => {
  it('prohibitions override permissions', () => {
    const p = policy({ permission: [{ action: 'use' }], prohibition: [{ action: 'distribute' }] });
    assert.equal(ask(p, { action: 'read' }).decision, 'permit');
    const r = ask(p, { action: 'distribute' });
    assert.equal(r.decision, 'deny');
    assert.match(r.reasons.join('\n'), /prohibition\[0\] \(distribute\) applies/);
  });

  it('a prohibition with a constraint applies only when it holds', () => {
    const p = policy({
      permission: [{ action: 'use' }],
      prohibition: [{ action: 'use', constraint: [c('purpose', 'isAnyOf', ['marketing', 'profiling'])] }],
    });
    assert.equal(ask(p, { purpose: 'research' }).decision, 'permit');
    assert.equal(ask(p, { purpose: ['research', 'profiling'] }).decision, 'deny');
    // No purpose stated: the prohibition's constraint cannot be shown to hold, the unconstrained permission grants.
    assert.equal(ask(p).decision, 'permit');
  });

  it('use covers the actions included in it, not transfer; other actions are not-applicable', () => {
    const p = policy({ permission: [{ action: 'use' }] });
    assert.equal(ask(p, { action: 'read' }).decision, 'permit');
    assert.equal(ask(p, { action: 'odrl:read'.replace('odrl:', '') }).decision, 'permit');
    assert.equal(ask(p, { action: 'transfer' }).decision, 'not-applicable');
    const readOnly = policy({ permission: [{ action: 'read' }] });
    assert.equal(ask(readOnly, { action: 'distribute' }).decision, 'not-applicable');
  });

  it('a rule for another party or another target does not apply', () => {
    const p = policy({
      '@type': 'Agreement',
      assigner: 'urn:org:haropa',
      assignee: 'urn:org:quai-data',
      target: 'urn:dataset:ais',
      permission: [{ action: 'use' }],
    });
    assert.equal(ask(p, { assignee: 'urn:org:quai-data', target: 'urn:dataset:ais' }).decision, 'permit');
    assert.equal(ask(p, { assignee: 'urn:org:other', target: 'urn:dataset:ais' }).decision, 'not-applicable');
    assert.equal(ask(p, { target: 'urn:dataset:ais' }).decision, 'not-applicable', 'unknown party');
    assert.equal(
      ask(p, { assignee: 'urn:org:quai-data', target: 'urn:dataset:gates' }).decision,
      'not-applicable',
    );
    const k: Knowledge = { broader: { 'urn:org:quai-data': ['urn:group:start-ups'] } };
    const group = policy({ permission: [{ action: 'use', assignee: 'urn:group:start-ups' }] });
    assert.equal(ask(group, { assignee: 'urn:org:quai-data' }, k).decision, 'permit');
  });

  it('returns the duties to perform; a duty with a constraint is a precondition', () => {
    const p = policy({
      permission: [
        {
          action: 'use',
          duty: [
            { action: 'attribute' },
            { action: 'compensate', constraint: [c('payAmount', 'gteq', 100, { unit: 'EUR' })] },
          ],
        },
      ],
      obligation: [{ action: 'inform' }],
    });
    const paid = ask(p, { payAmount: { amount: 100, unit: 'EUR' } });
    assert.equal(paid.decision, 'permit');
    assert.deepEqual(paid.duties, [
      { action: 'attribute', from: 'permission' },
      { action: 'inform', from: 'obligation' },
    ]);
    const unpaid = ask(p, { payAmount: { amount: 20, unit: 'EUR' } });
    assert.equal(unpaid.decision, 'deny');
    assert.match(unpaid.reasons.join('\n'), /duty compensate not fulfilled/);
    assert.deepEqual(unpaid.duties, []);
  });

  it('an action refinement constrains the permission', () => {
    const p = policy({
      permission: [{ action: { 'rdf:value': { '@id': 'odrl:read' }, refinement: [c('count', 'lteq', 2)] } }],
    });
    assert.equal(ask(p, { action: 'read', count: 1 }).decision, 'permit');
    assert.equal(ask(p, { action: 'read', count: 2 }).decision, 'deny');
  });

  it('any granting permission suffices; reasons explain each rule', () => {
    const p = policy({
      permission: [
        { action: 'use', constraint: [c('purpose', 'eq', 'research')] },
        { action: 'use', constraint: [c('count', 'lt', 10)] },
      ],
    });
    const r = ask(p, { purpose: 'marketing', count: 3 });
    assert.equal(r.decision, 'permit');
    assert.match(r.reasons[0], /permission\[0\] \(use\) not granted: purpose eq research fails/);
    assert.match(r.reasons[1], /permission\[1\] \(use\) granted/);
  });

  it('is pure: the same inputs give the same answer', () => {
    const p = permitWith(c('dateTime', 'lt', '2026-07-01'));
    assert.deepEqual(ask(p), ask(p));
  });
});
