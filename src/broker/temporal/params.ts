import { badRequest } from '../../http/problem.js';
import { normaliseDateTime } from '../query/temporal.js';

/** Temporal query parameters (GS CIM 009 v1.8, 4.11 and 5.7.4), parsed and validated. */

export type Timerel = 'before' | 'after' | 'between';
export type TimeProperty = 'observedAt' | 'createdAt' | 'modifiedAt';
export const TIMERELS: readonly Timerel[] = ['before', 'after', 'between'];
export const TIME_PROPERTIES: readonly TimeProperty[] = ['observedAt', 'createdAt', 'modifiedAt'];

export const AGGR_METHODS = [
  'totalCount',
  'distinctCount',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'sumsq',
] as const;
export type AggrMethod = (typeof AGGR_METHODS)[number];

export interface TemporalFilter {
  timerel?: Timerel;
  /** UTC, ISO 8601 with `Z`. */
  timeAt?: string;
  endTimeAt?: string;
  timeproperty: TimeProperty;
  lastN?: number;
}

export interface TemporalFilterInput {
  timerel?: unknown;
  timeAt?: unknown;
  endTimeAt?: unknown;
  timeproperty?: unknown;
  lastN?: unknown;
}

function dateTime(v: unknown, name: string): string {
  const n = typeof v === 'string' ? normaliseDateTime(v.trim()) : undefined;
  if (!n) throw badRequest(`${name} must be an ISO 8601 date-time such as 2026-11-23T08:00:00Z`);
  return n;
}

/** timerel needs timeAt, `between` also endTimeAt, and neither goes without timerel (400 otherwise). */
export function parseTemporalFilter(input: TemporalFilterInput): TemporalFilter {
  const out: TemporalFilter = { timeproperty: 'observedAt' };
  if (input.timeproperty !== undefined) {
    if (!TIME_PROPERTIES.includes(input.timeproperty as TimeProperty)) {
      throw badRequest(`timeproperty must be one of ${TIME_PROPERTIES.join(', ')}`);
    }
    out.timeproperty = input.timeproperty as TimeProperty;
  }
  if (input.timerel === undefined) {
    if (input.timeAt !== undefined || input.endTimeAt !== undefined) {
      throw badRequest('timeAt and endTimeAt need timerel (before, after or between)');
    }
  } else {
    if (!TIMERELS.includes(input.timerel as Timerel)) {
      throw badRequest(`timerel must be one of ${TIMERELS.join(', ')}`);
    }
    out.timerel = input.timerel as Timerel;
    if (input.timeAt === undefined) throw badRequest(`timerel=${out.timerel} needs timeAt`);
    out.timeAt = dateTime(input.timeAt, 'timeAt');
    if (out.timerel === 'between') {
      if (input.endTimeAt === undefined) throw badRequest('timerel=between needs endTimeAt');
      out.endTimeAt = dateTime(input.endTimeAt, 'endTimeAt');
      if (Date.parse(out.endTimeAt) <= Date.parse(out.timeAt)) {
        throw badRequest('endTimeAt must be later than timeAt');
      }
    } else if (input.endTimeAt !== undefined) {
      throw badRequest('endTimeAt is only meaningful with timerel=between');
    }
  }
  if (input.lastN !== undefined) {
    const n = typeof input.lastN === 'string' ? Number(input.lastN) : input.lastN;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw badRequest('lastN must be a positive integer');
    }
    out.lastN = n;
  }
  return out;
}

/** An ISO 8601 duration split into what SQL can add: calendar months and exact seconds. */
export interface Period {
  months: number;
  seconds: number;
}

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/**
 * `P1D`, `PT1H`, `P1M`, `P1Y`... A zero duration (`P0D`, `PT0S`) means the whole interval. Periods mixing
 * months or years with days or less are refused: their buckets have no single length.
 */
export function parseDuration(text: string): Period {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) {
    throw badRequest(`aggrPeriodDuration must be an ISO 8601 duration such as P1D or PT1H, got ${text}`);
  }
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i].replace(',', '.')));
  const months = n(1) * 12 + n(2);
  const seconds = n(3) * 7 * 86400 + n(4) * 86400 + n(5) * 3600 + n(6) * 60 + n(7);
  if (months > 0 && seconds > 0) {
    throw badRequest('aggrPeriodDuration cannot mix years or months with weeks, days or times');
  }
  if (months > 12 * 1000 || seconds > 1000 * 366 * 86400) throw badRequest('aggrPeriodDuration is too long');
  if (seconds > 0 && seconds < 0.001) throw badRequest('aggrPeriodDuration is shorter than a millisecond');
  return { months, seconds };
}

export function parseAggrMethods(raw: string | string[] | undefined): AggrMethod[] | undefined {
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : raw.split(','))
    .map((s) => (typeof s === 'string' ? s.trim() : s))
    .filter((s) => s !== '');
  if (list.length === 0) throw badRequest('aggrMethods must name at least one method');
  const out: AggrMethod[] = [];
  for (const x of list) {
    if (!(AGGR_METHODS as readonly unknown[]).includes(x)) {
      throw badRequest(`unknown aggregation method ${JSON.stringify(x)}: use ${AGGR_METHODS.join(', ')}`);
    }
    if (!out.includes(x as AggrMethod)) out.push(x as AggrMethod);
  }
  return out;
}

export type Representation = 'normalized' | 'concise' | 'temporalValues' | 'aggregatedValues';

export interface OutputOptions {
  representation: Representation;
  sysAttrs: boolean;
  aggrMethods?: AggrMethod[];
  period?: Period;
}

const OPTIONS = new Set([
  'temporalValues',
  'aggregatedValues',
  'sysAttrs',
  'normalized',
  'concise',
  'keyValues',
  'simplified',
]);

/**
 * options / format: temporalValues (also spelled keyValues or simplified: the simplified temporal
 * representation), aggregatedValues (needs aggrMethods), concise, normalized (default), sysAttrs.
 */
export function parseOutput(q: {
  options?: string;
  format?: string;
  aggrMethods?: string | string[];
  aggrPeriodDuration?: string;
}): OutputOptions {
  const options = (q.options ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of options) if (!OPTIONS.has(o)) throw badRequest(`unknown option ${o}`);
  const names = [...options.filter((o) => o !== 'sysAttrs'), ...(q.format ? [q.format] : [])].map((o) =>
    o === 'keyValues' || o === 'simplified' ? 'temporalValues' : o,
  );
  for (const f of names) {
    if (!OPTIONS.has(f) || f === 'sysAttrs') throw badRequest(`unknown format ${f}`);
  }
  const distinct = [...new Set(names)];
  if (distinct.length > 1) throw badRequest(`options/format ask for several representations: ${distinct}`);
  const representation = (distinct[0] ?? 'normalized') as Representation;
  const aggrMethods = parseAggrMethods(q.aggrMethods);
  if (representation === 'aggregatedValues') {
    if (!aggrMethods) throw badRequest('options=aggregatedValues needs aggrMethods');
    return {
      representation,
      sysAttrs: false,
      aggrMethods,
      period: parseDuration(q.aggrPeriodDuration ?? 'P0D'),
    };
  }
  if (aggrMethods || q.aggrPeriodDuration !== undefined) {
    throw badRequest('aggrMethods and aggrPeriodDuration need options=aggregatedValues');
  }
  return { representation, sysAttrs: options.includes('sysAttrs') };
}
