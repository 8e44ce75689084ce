import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { badRequest, ProblemError } from '../http/problem.js';
import { type Comparator, compare, evaluate, parseExpr, variablesOf } from './expr.js';
import type {
  Aggregation,
  Disaggregation,
  Source,
  Target,
  ValidationIssue,
  Value,
  ValueInput,
  ValueStatus,
  ValueType,
} from './model.js';
import { comparePeriods } from './periods.js';
import { type Row, recordHistory } from './store.js';

/** An indicator as the domain uses it (store.ts `fromRow` of obs_indicators). */
export interface Indicator {
  id: string;
  programmeId: string;
  code: string;
  nameFr: string;
  nameEn: string;
  unit: string | null;
  level: string;
  valueType: ValueType;
  aggregation: Aggregation;
  periodAggregation: Aggregation;
  periodicity: string;
  direction: 'increase' | 'decrease';
  baseline: { period: string; value: number } | null;
  targets: Target[];
  disaggregations: Disaggregation[];
  source: Source;
  min: number | null;
  max: number | null;
  required: boolean;
  public: boolean;
  key: boolean;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

export function valueFromRow(r: Row, codes: Map<string, Indicator>): Value {
  const ind = codes.get(r.indicator_id as string);
  const n = r.num_value as number | null;
  let value: Value['value'] = n;
  if (ind?.valueType === 'boolean') value = n === null ? null : n !== 0;
  if (ind?.valueType === 'text') value = (r.text_value as string | null) ?? null;
  return {
    id: r.id as string,
    indicatorId: r.indicator_id as string,
    indicatorCode: ind?.code ?? '',
    projectId: (r.project_id as string | null) ?? null,
    period: r.period as string,
    value,
    numerator: (r.numerator as number | null) ?? null,
    denominator: (r.denominator as number | null) ?? null,
    disaggregations: (r.disaggregations as Record<string, unknown>) ?? {},
    comment: (r.comment as string | null) ?? null,
    status: r.status as ValueStatus,
    source: r.source as string,
    updatedAt: iso(r.updated_at),
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

/** Checks an input against its indicator's value type; returns the columns to store. */
function normalise(ind: Indicator, v: ValueInput): Row {
  const out: Row = {
    num_value: null,
    numerator: null,
    denominator: null,
    text_value: null,
    disaggregations: v.disaggregations ?? {},
    comment: v.comment ?? null,
  };
  const bad = (what: string) => badRequest(`indicator ${ind.code} expects ${what}`, { indicatorId: ind.id });
  switch (ind.valueType) {
    case 'number':
    case 'percentage':
      if (v.value !== undefined && v.value !== null && typeof v.value !== 'number') throw bad('a number');
      out.num_value = v.value ?? null;
      break;
    case 'ratio': {
      const { numerator: a, denominator: b } = v;
      if ((a === null || a === undefined) !== (b === null || b === undefined)) {
        throw bad('both a numerator and a denominator');
      }
      if (a !== null && a !== undefined && b !== null && b !== undefined) {
        if (b === 0) throw bad('a denominator other than 0');
        out.numerator = a;
        out.denominator = b;
        out.num_value = a / b;
      }
      break;
    }
    case 'boolean':
      if (v.value !== undefined && v.value !== null && typeof v.value !== 'boolean')
        throw bad('true or false');
      out.num_value = v.value === undefined || v.value === null ? null : v.value ? 1 : 0;
      break;
    case 'text':
      if (v.value !== undefined && v.value !== null && typeof v.value !== 'string') throw bad('a text');
      out.text_value = v.value ?? null;
      break;
  }
  for (const [dim, cats] of Object.entries(out.disaggregations as Record<string, Record<string, number>>)) {
    const d = ind.disaggregations.find((x) => x.code === dim);
    if (!d)
      throw bad(
        `no disaggregation ${dim} (known: ${ind.disaggregations.map((x) => x.code).join(', ') || 'none'})`,
      );
    for (const c of Object.keys(cats)) {
      if (!d.categories.includes(c))
        throw bad(`a category of ${dim} among ${d.categories.join(', ')}, not ${c}`);
    }
  }
  return out;
}

const STORED = ['num_value', 'numerator', 'denominator', 'text_value', 'disaggregations', 'comment'] as const;

/**
 * Saves values of one project (or the programme, projectId null) for a period. Approved values are locked
 * (422). Each change is recorded in the history with the previous and new content.
 */
export async function saveValues(
  db: Queryable,
  a: {
    indicators: Map<string, Indicator>;
    allowed?: Set<string>;
    projectId: string | null;
    period: string;
    campaignId: string | null;
    inputs: ValueInput[];
    actor: string | null;
    status: ValueStatus;
    source: string;
  },
): Promise<number> {
  let changed = 0;
  for (const input of a.inputs) {
    const ind = a.indicators.get(input.indicatorId);
    if (!ind || (a.allowed && !a.allowed.has(input.indicatorId))) {
      throw badRequest(`indicator ${input.indicatorId} is not asked for here`, {
        indicatorId: input.indicatorId,
      });
    }
    if (ind.source.kind !== 'entered' && a.source === 'entered') {
      throw badRequest(`indicator ${ind.code} is computed (${ind.source.kind}); it cannot be entered`);
    }
    const cols = normalise(ind, input);
    const prior = await db.query<Row>(
      `SELECT * FROM obs_values WHERE indicator_id = $1 AND project_id IS NOT DISTINCT FROM $2 AND period = $3 FOR UPDATE`,
      [ind.id, a.projectId, a.period],
    );
    const old = prior.rows[0];
    if (old?.status === 'approved' && a.source === 'entered') {
      throw new ProblemError(
        'OperationNotSupported',
        `the value of ${ind.code} for ${a.period} is approved and locked`,
        {
          indicatorId: ind.id,
        },
      );
    }
    const vals = STORED.map((c) => (c === 'disaggregations' ? JSON.stringify(cols[c]) : cols[c]));
    if (!old) {
      const id = randomUUID();
      await db.query(
        `INSERT INTO obs_values (id, indicator_id, project_id, period, campaign_id, ${STORED.join(', ')}, status, source, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [id, ind.id, a.projectId, a.period, a.campaignId, ...vals, a.status, a.source, a.actor],
      );
      await recordHistory(db, {
        kind: 'value',
        objectId: id,
        programmeId: ind.programmeId,
        op: 'create',
        actor: a.actor,
        changes: { indicator: ind.code, projectId: a.projectId, period: a.period, ...cols, status: a.status },
      });
      changed++;
      continue;
    }
    const changes: Row = {};
    for (const c of STORED) {
      if (JSON.stringify(old[c] ?? null) !== JSON.stringify(cols[c] ?? null))
        changes[c] = { from: old[c], to: cols[c] };
    }
    if (old.status !== a.status) changes.status = { from: old.status, to: a.status };
    if (Object.keys(changes).length === 0) continue;
    await db.query(
      `UPDATE obs_values SET ${STORED.map((c, i) => `${c} = $${i + 2}`).join(', ')}, status = $8, source = $9,
         updated_by = $10, campaign_id = coalesce($11, campaign_id), updated_at = now() WHERE id = $1`,
      [old.id, ...vals, a.status, a.source, a.actor, a.campaignId],
    );
    await recordHistory(db, {
      kind: 'value',
      objectId: old.id as string,
      programmeId: ind.programmeId,
      op: 'update',
      actor: a.actor,
      changes,
    });
    changed++;
  }
  return changed;
}

/** Sets the status of values (submit, approve, return), recording each change. */
export async function setValueStatus(
  db: Queryable,
  where: { campaignId: string; projectId: string; indicatorIds: string[] },
  status: ValueStatus,
  actor: string | null,
  programmeId: string,
): Promise<void> {
  const r = await db.query<{ id: string; status: string }>(
    `UPDATE obs_values v SET status = $4, updated_by = $5, updated_at = now()
       FROM (SELECT id, status AS old FROM obs_values WHERE project_id = $1 AND indicator_id = ANY($2::uuid[])
               AND period = (SELECT period FROM obs_campaigns WHERE id = $3) FOR UPDATE) o
      WHERE v.id = o.id AND o.old <> $4 RETURNING v.id, o.old AS status`,
    [where.projectId, where.indicatorIds, where.campaignId, status, actor],
  );
  for (const row of r.rows) {
    await recordHistory(db, {
      kind: 'value',
      objectId: row.id,
      programmeId,
      op: 'status',
      actor,
      changes: { status: { from: row.status, to: status } },
    });
  }
}

// ---- validation ----

export interface Rule {
  id: string;
  left: string;
  operator: Comparator;
  right: string;
  message: string;
}

/** The target of an indicator for a period and project: the project's own, else the programme's. */
export function targetFor(ind: Indicator, period: string, projectId: string | null): number | undefined {
  return ind.targets.find((t) => t.period === period && (t.projectId ?? null) === projectId)?.value;
}

/** Validation rules of a response: required, range, disaggregation totals, consistency rules, comments. */
export function validate(a: {
  indicators: Indicator[];
  values: Value[];
  rules: Rule[];
  period: string;
  projectId: string;
  deviationThreshold: number;
}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const byInd = new Map(a.values.map((v) => [v.indicatorId, v]));
  const byCode = new Map<string, number | null>();
  for (const ind of a.indicators) {
    const v = byInd.get(ind.id);
    const missing = !v || v.value === null || v.value === '';
    const num =
      v && typeof v.value === 'number'
        ? v.value
        : v && typeof v.value === 'boolean'
          ? v.value
            ? 1
            : 0
          : null;
    byCode.set(ind.code, num);
    if (missing) {
      if (ind.required)
        issues.push({ indicatorId: ind.id, rule: 'required', message: `${ind.code}: a value is required` });
      continue;
    }
    if (num === null) continue;
    const min = ind.min ?? (ind.valueType === 'percentage' ? 0 : null);
    const max = ind.max ?? (ind.valueType === 'percentage' ? 100 : null);
    if (min !== null && num < min)
      issues.push({
        indicatorId: ind.id,
        rule: 'range',
        message: `${ind.code}: ${num} is below the minimum ${min}`,
      });
    if (max !== null && num > max)
      issues.push({
        indicatorId: ind.id,
        rule: 'range',
        message: `${ind.code}: ${num} is above the maximum ${max}`,
      });
    for (const d of ind.disaggregations) {
      const cats = (v.disaggregations[d.code] ?? {}) as Record<string, number>;
      const given = Object.values(cats);
      if (given.length === 0 || ind.valueType !== 'number') continue;
      const sum = given.reduce((s, x) => s + x, 0);
      if (given.length === d.categories.length ? !compare(sum, '==', num) : sum > num + 1e-9) {
        issues.push({
          indicatorId: ind.id,
          rule: 'disaggregation',
          message: `${ind.code}: the ${d.code} breakdown adds up to ${sum}, not ${num}`,
        });
      }
    }
    const target = targetFor(ind, a.period, a.projectId);
    if (target !== undefined && target !== 0) {
      const dev = Math.abs(num - target) / Math.abs(target);
      if (dev > a.deviationThreshold && !v.comment?.trim()) {
        issues.push({
          indicatorId: ind.id,
          rule: 'comment',
          message: `${ind.code}: ${num} departs from the target ${target} by ${Math.round(dev * 100)} %; explain it in a comment`,
        });
      }
    }
  }
  for (const r of a.rules) {
    const vars = (n: string) => byCode.get(n);
    const used = [...variablesOf(parseExpr(r.left)), ...variablesOf(parseExpr(r.right))];
    if (!used.some((u) => byCode.has(u))) continue; // the rule is about other indicators
    const l = evaluate(parseExpr(r.left), vars);
    const rr = evaluate(parseExpr(r.right), vars);
    if (l === null || rr === null) continue;
    if (!compare(l, r.operator, rr)) {
      issues.push({
        indicatorId: null,
        rule: 'consistency',
        message: `${r.message} (${r.left} = ${l}, ${r.right} = ${rr})`,
      });
    }
  }
  return issues;
}

// ---- aggregation ----

export function aggregate(xs: number[], how: Aggregation): number | null {
  if (xs.length === 0) return null;
  switch (how) {
    case 'sum':
      return xs.reduce((s, x) => s + x, 0);
    case 'avg':
      return xs.reduce((s, x) => s + x, 0) / xs.length;
    case 'min':
      return Math.min(...xs);
    case 'max':
      return Math.max(...xs);
    case 'count':
      return xs.length;
    case 'last':
      return xs[xs.length - 1];
  }
}

/** Per indicator, per period: the programme-level figure. */
export type Series = Map<string, Map<string, number | null>>;

/**
 * Aggregates values across projects (the indicator's aggregation; ratios as Σ numerators / Σ denominators),
 * programme-level values (data hub) as they are, then formula indicators over the codes they name.
 */
export function computeSeries(indicators: Indicator[], values: Value[]): Series {
  const out: Series = new Map();
  const byInd = new Map<string, Value[]>();
  for (const v of values) {
    const l = byInd.get(v.indicatorId) ?? [];
    l.push(v);
    byInd.set(v.indicatorId, l);
  }
  for (const ind of indicators) {
    if (ind.source.kind === 'formula' || ind.valueType === 'text') continue;
    const perPeriod = new Map<string, Value[]>();
    for (const v of byInd.get(ind.id) ?? []) {
      const l = perPeriod.get(v.period) ?? [];
      l.push(v);
      perPeriod.set(v.period, l);
    }
    const s = new Map<string, number | null>();
    for (const [period, vs] of perPeriod) {
      const programmeLevel = vs.find((v) => v.projectId === null);
      if (programmeLevel) {
        s.set(period, typeof programmeLevel.value === 'number' ? programmeLevel.value : null);
        continue;
      }
      if (ind.valueType === 'ratio') {
        const withBoth = vs.filter((v) => v.numerator !== null && v.denominator !== null);
        const den = withBoth.reduce((x, v) => x + (v.denominator ?? 0), 0);
        s.set(period, den === 0 ? null : withBoth.reduce((x, v) => x + (v.numerator ?? 0), 0) / den);
        continue;
      }
      const nums = vs
        .map((v) =>
          typeof v.value === 'number' ? v.value : typeof v.value === 'boolean' ? (v.value ? 1 : 0) : null,
        )
        .filter((x): x is number => x !== null);
      s.set(period, aggregate(nums, ind.aggregation === 'last' ? 'sum' : ind.aggregation));
    }
    out.set(ind.id, s);
  }
  const byCode = new Map(indicators.map((i) => [i.code, i]));
  const visiting = new Set<string>();
  const formula = (ind: Indicator): Map<string, number | null> => {
    const done = out.get(ind.id);
    if (done) return done;
    if (ind.source.kind !== 'formula') return new Map();
    if (visiting.has(ind.id)) return new Map(); // a cycle gives no value
    visiting.add(ind.id);
    const e = parseExpr(ind.source.expression);
    const deps = [...variablesOf(e)].map((c) => byCode.get(c)).filter((x): x is Indicator => !!x);
    const depSeries = new Map(deps.map((d) => [d.code, formula(d)]));
    const periods = new Set<string>();
    for (const s of depSeries.values()) for (const p of s.keys()) periods.add(p);
    const s = new Map<string, number | null>();
    for (const p of [...periods].sort(comparePeriods))
      s.set(
        p,
        evaluate(e, (c) => depSeries.get(c)?.get(p)),
      );
    visiting.delete(ind.id);
    out.set(ind.id, s);
    return s;
  };
  for (const ind of indicators) if (ind.source.kind === 'formula') formula(ind);
  return out;
}

/** Checks a formula: it parses, and names existing indicators other than itself. */
export function checkFormula(expression: string, code: string, known: Set<string>): void {
  let e: ReturnType<typeof parseExpr>;
  try {
    e = parseExpr(expression);
  } catch (err) {
    throw badRequest(`the formula cannot be read: ${(err as Error).message}`);
  }
  for (const v of variablesOf(e)) {
    if (v === code) throw badRequest(`the formula of ${code} refers to itself`);
    if (!known.has(v)) throw badRequest(`the formula refers to an unknown indicator ${v}`);
  }
}
