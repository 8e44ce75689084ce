/**
 * The NGSI-LD Query Language (ETSI GS CIM 009, clause 4.9): `q` parsed to an AST, compiled to one SQL
 * boolean expression over `broker_entities` (see docs/broker-storage.md and README.md beside this file).
 *
 * Each query term becomes `alias.attrs @? $n::jsonpath`: the jsonpath text is built here (keys and literals
 * quoted by jpString) and bound as a parameter, so no user input ever reaches the SQL text. `@?` runs in lax
 * mode, which gives the spec's semantics for free: arrays are matched element by element, a type mismatch
 * is "unknown" (no match, never an error), and equality terms can use the GIN `jsonb_path_ops` index.
 */
import { badRequest } from '../../http/problem.js';
import { jpKey, jpString } from './jsonpath.js';
import { type CompileContext, checkAlias } from './params.js';
import { RegexError, toPostgresRegex } from './regex.js';
import { Cursor, checkInput, isSpace } from './syntax.js';
import {
  DATE_TIME_TOKEN,
  DATE_TOKEN,
  normaliseDate,
  normaliseDateTime,
  normaliseTime,
  type TemporalOp,
  type TemporalTest,
  TIME_TOKEN,
  temporalExists,
} from './temporal.js';

// ---------------------------------------------------------------------------------------------- AST

export type QOperator = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type QValue =
  /** `raw` is the JSON number as written, compared exactly (no float rounding). */
  | { type: 'number'; value: number; raw: string }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  /** Normalised to UTC: `2026-11-23T08:00:00Z`, fraction kept up to microseconds. */
  | { type: 'dateTime'; value: string }
  | { type: 'date'; value: string }
  /** Normalised to UTC: `08:00:00Z`. */
  | { type: 'time'; value: string }
  /** An unquoted URI or term (relationship objects, vocab values). */
  | { type: 'uri'; value: string };

/** Sub-attribute names that address the instance's own members rather than a sub-attribute. */
export type QMeta = 'observedAt' | 'modifiedAt' | 'createdAt' | 'unitCode' | 'datasetId';
const META = new Set<string>(['observedAt', 'modifiedAt', 'createdAt', 'unitCode', 'datasetId']);

export interface QPath {
  /** The attribute, as written (short name, compact or expanded IRI). */
  attr: string;
  /** Sub-attributes (`attr.sub1.sub2`), as written. */
  subAttrs: string[];
  /** `attr.observedAt` and friends. */
  meta?: QMeta;
  /** Members inside a compound value (`attr[a.b]`, `attr[a][b]`), not expanded; `*` is any member. */
  keys: string[];
  /** `rel{Type:path}`: the term applies to the entities `rel` points to (linked entity, clause 4.9). */
  linked?: { types: string[]; path: QPath };
}

export type QTerm =
  /** `attr` (existence) or `!attr` (non-existence). */
  | { kind: 'exists'; path: QPath; negated: boolean }
  | { kind: 'compare'; path: QPath; op: QOperator; value: QValue }
  /** `attr==v1,v2` (any of), negated for `!=` (none of). */
  | { kind: 'list'; path: QPath; negated: boolean; values: QValue[] }
  /** `attr==a..b` (inclusive), negated for `!=`. */
  | { kind: 'range'; path: QPath; negated: boolean; from: QValue; to: QValue }
  /** `attr~=re`, negated for `!~=`; a leading `(?i)` becomes ignoreCase. */
  | { kind: 'pattern'; path: QPath; negated: boolean; pattern: string; ignoreCase: boolean };

export type QExpr = { kind: 'and'; terms: QExpr[] } | { kind: 'or'; terms: QExpr[] } | QTerm;

// ------------------------------------------------------------------------------------------- parser

/** Parses q (already URL-decoded). Throws ProblemError('BadRequestData') and nothing else. */
export function parseQ(q: string): QExpr {
  const c = new Cursor(checkInput(q, 'q'), 'q');
  const expr = parseOr(c);
  c.skipSpace();
  if (!c.done) throw c.peek() === ')' ? c.unexpected() : c.unexpected("';', '|' or the end");
  return expr;
}

function combine(kind: 'and' | 'or', parts: QExpr[]): QExpr {
  const terms = parts.flatMap((p) => (p.kind === kind ? p.terms : [p]));
  return terms.length === 1 ? terms[0] : { kind, terms };
}

function parseOr(c: Cursor): QExpr {
  const parts = [parseAnd(c)];
  for (c.skipSpace(); c.peek() === '|'; c.skipSpace()) {
    c.pos++;
    parts.push(parseAnd(c));
  }
  return combine('or', parts);
}

/** `;` binds tighter than `|` (clause 4.9). */
function parseAnd(c: Cursor): QExpr {
  const parts = [parseUnary(c)];
  for (c.skipSpace(); c.peek() === ';'; c.skipSpace()) {
    c.pos++;
    parts.push(parseUnary(c));
  }
  return combine('and', parts);
}

function parseUnary(c: Cursor): QExpr {
  c.skipSpace();
  if (c.peek() !== '(') return parseTerm(c);
  const open = c.pos;
  c.enter(open);
  c.pos++;
  const inner = parseOr(c);
  c.skipSpace();
  if (c.peek() !== ')') {
    throw c.done ? c.error("missing ')' to close '('", open) : c.unexpected("';', '|' or ')'");
  }
  c.pos++;
  c.leave();
  return inner;
}

const OPERATORS = ['!~=', '==', '!=', '>=', '<=', '~=', '>', '<'] as const;

function parseTerm(c: Cursor): QTerm {
  const start = c.pos;
  const negated = c.peek() === '!';
  if (negated) c.pos++;
  const path = parsePath(c);
  c.skipSpace();
  const opAt = c.pos;
  const op = OPERATORS.find((o) => c.startsWith(o));
  if (!op) {
    if (c.peek() === '=') throw c.error("unknown operator '=', did you mean '=='?");
    return { kind: 'exists', path, negated };
  }
  if (negated) throw c.error("'!' (non-existence) cannot be combined with an operator", start);
  c.pos += op.length;
  if (op === '~=' || op === '!~=')
    return { kind: 'pattern', path, negated: op === '!~=', ...parsePattern(c) };
  c.skipSpace();
  const first = parseValue(c);
  if (c.startsWith('..')) {
    if (op !== '==' && op !== '!=') throw c.error(`a range needs '==' or '!=', not '${op}'`, opAt);
    const dots = c.pos;
    c.pos += 2;
    const to = parseValue(c);
    if (!isComparable(first) || to.type !== first.type) {
      throw c.error('a range needs two numbers, strings, DateTimes, Dates or Times of the same type', dots);
    }
    return { kind: 'range', path, negated: op === '!=', from: first, to };
  }
  if (c.peek() === ',') {
    if (op !== '==' && op !== '!=') throw c.error(`a list of values needs '==' or '!=', not '${op}'`, opAt);
    const values = [first];
    while (c.peek() === ',') {
      c.pos++;
      values.push(parseValue(c));
    }
    return { kind: 'list', path, negated: op === '!=', values };
  }
  if (op !== '==' && op !== '!=' && !isComparable(first)) {
    throw c.error(`'${op}' needs a number, string, DateTime, Date or Time, not a ${first.type}`, opAt);
  }
  return { kind: 'compare', path, op, value: first };
}

function isComparable(v: QValue): boolean {
  return (
    v.type === 'number' ||
    v.type === 'string' ||
    v.type === 'dateTime' ||
    v.type === 'date' ||
    v.type === 'time'
  );
}

const NAME_CHAR = /[\p{L}\p{M}\p{N}_\-:/#%.]/u;

function parsePath(c: Cursor): QPath {
  const start = c.pos;
  while (!c.done) {
    const ch = String.fromCodePoint(c.src.codePointAt(c.pos) ?? 0);
    if (!NAME_CHAR.test(ch)) break;
    c.pos += ch.length;
  }
  if (c.pos === start) throw c.unexpected('an attribute name');
  const names = splitNames(c, c.src.slice(start, c.pos), start);
  const last = names[names.length - 1];
  const path: QPath = { attr: names[0], subAttrs: [], keys: [] };
  if (names.length > 1 && META.has(last)) {
    path.meta = last as QMeta;
    names.pop();
  }
  path.subAttrs = names.slice(1);
  while (c.peek() === '[') {
    const open = c.pos;
    if (path.meta) throw c.error(`'[' cannot follow '.${path.meta}'`);
    const close = c.src.indexOf(']', open + 1);
    const nested = c.src.indexOf('[', open + 1);
    if (close < 0) throw c.error("missing ']'", open);
    if (nested >= 0 && nested < close) throw c.error("unexpected '['", nested);
    let at = open + 1;
    for (const key of c.src.slice(open + 1, close).split('.')) {
      if (key === '') throw c.error('empty member name', at);
      path.keys.push(key);
      at += key.length + 1;
    }
    c.pos = close + 1;
  }
  if (c.peek() === '{') {
    const open = c.pos;
    if (path.meta || path.keys.length) throw c.error("'{' must follow a relationship name");
    c.enter(open);
    c.pos++;
    // Optional hint of the target entity types: `rel{Device,Sensor:attr}`.
    TYPE_HINT.lastIndex = c.pos;
    const hint = TYPE_HINT.exec(c.src);
    if (hint) c.pos += hint[0].length;
    const inner = parsePath(c);
    if (c.peek() !== '}') throw c.done ? c.error("missing '}' to close '{'", open) : c.unexpected("'}'");
    c.pos++;
    c.leave();
    path.linked = { types: hint ? hint[1].split(',') : [], path: inner };
  }
  return path;
}

const TYPE_HINT = /([^\s{}[\]:;|(),."]+(?:,[^\s{}[\]:;|(),."]+)*):(?!\/\/)/y;

/**
 * `attr.sub.observedAt` -> names. A full IRI keeps its dots (`https://example.org/ns#speed.unitCode`): only
 * the dots after its last `/` or `#` separate sub-attributes.
 */
function splitNames(c: Cursor, run: string, start: number): string[] {
  let head = run;
  let rest = '';
  const scheme = run.indexOf('://');
  const from = scheme > 0 ? run.indexOf('/', scheme + 3) : 0;
  if (from >= 0) {
    const anchor = scheme > 0 ? Math.max(run.lastIndexOf('/'), run.lastIndexOf('#')) : 0;
    const dot = run.indexOf('.', anchor);
    if (dot >= 0) {
      head = run.slice(0, dot);
      rest = run.slice(dot + 1);
    }
  }
  if (head === '') throw c.error('expected an attribute name', start);
  const names = [head];
  if (rest !== '' || run.endsWith('.')) {
    let at = start + head.length + 1;
    for (const name of rest.split('.')) {
      if (name === '') throw c.error('empty sub-attribute name', at);
      names.push(name);
      at += name.length + 1;
    }
  }
  return names;
}

/** Where a value token ends: a delimiter, a list comma or a range. */
function valueEnds(c: Cursor, i: number): boolean {
  if (i >= c.src.length) return true;
  const ch = c.src[i];
  return (
    isSpace(c.src.charCodeAt(i)) ||
    ch === ';' ||
    ch === '|' ||
    ch === ')' ||
    ch === ',' ||
    c.src.startsWith('..', i)
  );
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+\- ]?\d+)?/y;
const KEYWORD_TOKEN = /true|false|null/y;

function token(re: RegExp, c: Cursor): string | undefined {
  re.lastIndex = c.pos;
  const m = re.exec(c.src);
  return m && valueEnds(c, c.pos + m[0].length) ? m[0] : undefined;
}

function parseValue(c: Cursor): QValue {
  const at = c.pos;
  if (c.peek() === '"') return { type: 'string', value: parseString(c) };
  const temporal: [RegExp, 'dateTime' | 'date' | 'time', (s: string) => string | undefined, string][] = [
    [DATE_TIME_TOKEN, 'dateTime', normaliseDateTime, 'DateTime'],
    [DATE_TOKEN, 'date', normaliseDate, 'Date'],
    [TIME_TOKEN, 'time', normaliseTime, 'Time'],
  ];
  for (const [re, type, normalise, label] of temporal) {
    const text = token(re, c);
    if (text === undefined) continue;
    const value = normalise(text);
    if (value === undefined) throw c.error(`invalid ${label} '${text}'`, at);
    c.pos += text.length;
    return { type, value };
  }
  const num = token(NUMBER_TOKEN, c);
  if (num !== undefined) {
    // A space is a `+` that URL decoding turned into a space.
    const raw = num.replace(' ', '+').replace('E', 'e');
    const exp = raw.indexOf('e');
    if (exp >= 0 && Math.abs(Number(raw.slice(exp + 1))) > 1000) throw c.error('number out of range', at);
    c.pos += num.length;
    return { type: 'number', value: Number(raw), raw };
  }
  const kw = token(KEYWORD_TOKEN, c);
  if (kw !== undefined) {
    c.pos += kw.length;
    return kw === 'null' ? { type: 'null' } : { type: 'boolean', value: kw === 'true' };
  }
  if (/[-0-9]/.test(c.peek())) throw c.error('invalid number, DateTime, Date or Time', at);
  // An unquoted URI or term: up to the next delimiter.
  while (!valueEnds(c, c.pos) || c.startsWith('..')) {
    if ('"(['.includes(c.peek())) break;
    c.pos++;
  }
  if (c.pos === at) throw c.unexpected('a value');
  if (!valueEnds(c, c.pos)) throw c.unexpected();
  return { type: 'uri', value: c.src.slice(at, c.pos) };
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A JSON string (RFC 8259 escapes). */
function parseString(c: Cursor): string {
  const open = c.pos;
  c.pos++;
  let out = '';
  for (;;) {
    if (c.done) throw c.error('unterminated string', open);
    const ch = c.src[c.pos];
    if (ch === '"') {
      c.pos++;
      break;
    }
    if (ch !== '\\') {
      out += ch;
      c.pos++;
      continue;
    }
    const e = c.src[c.pos + 1];
    if (e === 'u') {
      const hex = c.src.slice(c.pos + 2, c.pos + 6);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw c.error('invalid \\u escape');
      out += String.fromCharCode(Number.parseInt(hex, 16));
      c.pos += 6;
    } else if (e !== undefined && e in ESCAPES) {
      out += ESCAPES[e];
      c.pos += 2;
    } else {
      throw c.error(`invalid escape '\\${e ?? ''}' in string`);
    }
  }
  // \u escapes may have produced NUL or half a surrogate pair.
  if (/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)) {
    throw c.error('invalid character in string', open);
  }
  if (!valueEnds(c, c.pos)) throw c.unexpected();
  return out;
}

/**
 * The regular expression after `~=`: a quoted string (only `\"` is unescaped, other backslashes belong to
 * the regex), or unquoted up to a `;` or `|` outside parentheses and brackets, or an unbalanced `)`.
 */
function parsePattern(c: Cursor): { pattern: string; ignoreCase: boolean } {
  const start = c.pos;
  let raw = '';
  const at: number[] = []; // source position of each character of raw
  if (c.peek() === '"') {
    c.pos++;
    for (;;) {
      if (c.done) throw c.error('unterminated string', start);
      let ch = c.src[c.pos];
      if (ch === '"') break;
      if (ch === '\\' && c.src[c.pos + 1] === '"') {
        c.pos++;
        ch = '"';
      }
      at.push(c.pos);
      raw += ch;
      c.pos++;
    }
    c.pos++;
    if (!valueEnds(c, c.pos)) throw c.unexpected();
  } else {
    let depth = 0;
    let bracket = false;
    while (!c.done) {
      const ch = c.src[c.pos];
      if (!bracket && depth === 0 && (ch === ';' || ch === '|' || ch === ')')) break;
      let len = 1;
      if (ch === '\\') len = c.pos + 1 < c.src.length ? 2 : 1;
      else if (bracket && c.startsWith('[:')) {
        const end = c.src.indexOf(':]', c.pos + 2);
        if (end >= 0) len = end + 2 - c.pos;
      } else if (ch === '[' && !bracket) {
        bracket = true;
        if (c.src[c.pos + 1] === '^') len = 2;
      } else if (ch === ']' && bracket) bracket = false;
      else if (!bracket && ch === '(') depth++;
      else if (!bracket && ch === ')') depth--;
      for (let k = 0; k < len; k++) at.push(c.pos + k);
      raw += c.src.slice(c.pos, c.pos + len);
      c.pos += len;
    }
  }
  const ignoreCase = raw.startsWith('(?i)');
  const pattern = ignoreCase ? raw.slice(4) : raw;
  if (pattern === '') throw c.error('expected a regular expression', start);
  try {
    toPostgresRegex(pattern);
  } catch (err) {
    if (!(err instanceof RegexError)) throw err;
    throw c.error(`invalid regular expression (${err.message})`, at[err.at + (ignoreCase ? 4 : 0)] ?? start);
  }
  return { pattern, ignoreCase };
}

/** The attribute names (first path element, unexpanded) the query refers to, once each, in order. */
export function qAttributes(expr: QExpr): string[] {
  const out = new Set<string>();
  const walk = (e: QExpr): void => {
    if (e.kind === 'and' || e.kind === 'or') e.terms.forEach(walk);
    else out.add(e.path.attr);
  };
  walk(expr);
  return [...out];
}

// ----------------------------------------------------------------------------------------- compiler

export interface QCompileContext extends CompileContext {
  /**
   * Which instances of a multi-instance attribute (several datasetIds) a term looks at: `any` (clause 4.9:
   * "the target value shall be any Value of such instances"; the default) or only the `default` instance
   * (the one without datasetId).
   */
  instances?: 'any' | 'default';
}

interface CompileState extends QCompileContext {
  /** Counter for the aliases of sub-queries. */
  subqueries: number;
}

/** The SQL boolean expression for q over `ctx.alias` (a `broker_entities` row). */
export function compileQ(expr: QExpr, ctx: QCompileContext): string {
  checkAlias(ctx.alias);
  return compileExpr(expr, ctx.alias, { ...ctx, subqueries: 0 });
}

function compileExpr(e: QExpr, alias: string, st: CompileState): string {
  if (e.kind === 'and' || e.kind === 'or') {
    return `(${e.terms.map((t) => compileExpr(t, alias, st)).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
  }
  return compileTerm(e, alias, st);
}

function compileTerm(t: QTerm, alias: string, st: CompileState): string {
  const nonExistence = t.kind === 'exists' && t.negated;
  const { linked } = t.path;
  if (linked) {
    // The entities the relationship points to, joined on the primary key.
    const la = `${st.alias}_l${++st.subqueries}`;
    const objects = st.params.add(
      `${elementPath(t.path, st)}.keyvalue() ? (@.key == "object" || @.key == "objectList").value[*]`,
    );
    const conds: string[] = [];
    if (linked.types.length) {
      const types = [...new Set(linked.types.map((ty) => st.expand(ty)))].map((ty) => st.params.add(ty));
      conds.push(`${la}.types && ARRAY[${types.join(', ')}]::text[]`);
    }
    const inner: QTerm =
      t.kind === 'exists' ? { ...t, negated: false, path: linked.path } : { ...t, path: linked.path };
    conds.push(compileTerm(inner, la, st));
    const sql =
      `EXISTS (SELECT 1 FROM jsonb_path_query(${alias}.attrs, ${objects}::jsonpath) AS ${la}_o(v)` +
      ` JOIN broker_entities AS ${la} ON ${la}.tenant = ${alias}.tenant AND ${la}.id = ${la}_o.v #>> '{}'` +
      ` WHERE ${conds.join(' AND ')})`;
    return nonExistence ? `NOT ${sql}` : sql;
  }
  if (tests(t).some((g) => g.some((x) => isTemporal(x.value)))) return compileTemporal(t, alias, st);
  const path = termPath(t, st);
  if (path === undefined) return 'false';
  const sql = `${alias}.attrs @? ${st.params.add(path)}::jsonpath`;
  return nonExistence ? `NOT (${sql})` : sql;
}

/** `$."<attr>"[*]."sub"."<sub>"`: the attribute instances (or sub-attribute) the term is about. */
function elementPath(path: QPath, st: CompileState): string {
  const instances = st.instances === 'default' ? '[*] ? (!exists(@."datasetId"))' : '[*]';
  return `$${jpKey(st.expand(path.attr))}${instances}${path.subAttrs.map((s) => `."sub"${jpKey(st.expand(s))}`).join('')}`;
}

type TargetKind = 'value' | 'lang' | 'vocab' | 'rel';
interface Target {
  /** jsonpath from the instance (`@`) to the target value(s). */
  acc: string;
  kind: TargetKind;
  /** False for the typed-literal variant, which adds nothing to "the target exists". */
  defines: boolean;
}

/**
 * Where the target value of an instance lives. Each instance has only one of value/object/languageMap/...,
 * so all are tried: the term needs no knowledge of the attribute's type.
 */
function targets(path: QPath): Target[] {
  const t = (acc: string, kind: TargetKind, defines = true): Target => ({ acc, kind, defines });
  if (path.meta) return [t(`@${jpKey(path.meta)}`, 'value')];
  if (path.keys.length) {
    const k = path.keys.map((key) => (key === '*' ? '.*' : jpKey(key))).join('');
    const out = [
      t(`@."value"${k}`, 'value'),
      t(`@."value"${k}."@value"`, 'value', false),
      t(`@."json"${k}`, 'value'),
    ];
    // `name[fr]`: one language of a LanguageProperty.
    if (path.keys.length === 1) out.push(t(`@."languageMap"${k}`, 'lang'));
    return out;
  }
  return [
    t('@."value"', 'value'),
    t('@."value"."@value"', 'value', false), // typed literal {"@type": "DateTime", "@value": ...}
    t('@."valueList"', 'value'),
    t('@."json"', 'value'),
    t('@."languageMap".*', 'lang'),
    t('@."vocab"', 'vocab'),
    t('@."object"', 'rel'),
    t('@."objectList"', 'rel'),
  ];
}

type Mode = 'eq' | 'order' | 'regex';

/** Which targets a literal can match (clause 4.9: relationships only with == and !=). */
function accepts(kind: TargetKind, mode: Mode, v?: QValue): boolean {
  switch (kind) {
    case 'value':
      return true;
    case 'lang':
      return mode === 'regex' || v?.type === 'string';
    case 'vocab':
      return mode === 'regex' || (mode === 'eq' && (v?.type === 'string' || v?.type === 'uri'));
    case 'rel':
      return mode === 'eq' && (v?.type === 'string' || v?.type === 'uri');
  }
}

/** One comparison of the target value; a group of them must all hold for the same value (a range). */
interface Test {
  op: TemporalOp;
  value: QValue;
}

/** OR over targets of `exists(target ? (condition))`; undefined when no target can match. */
function anyTarget(path: QPath, condition: (target: Target) => string | undefined): string | undefined {
  const parts: string[] = [];
  for (const target of targets(path)) {
    const cond = condition(target);
    if (cond !== undefined) parts.push(`exists(${target.acc} ? (${cond}))`);
  }
  return parts.length ? parts.join(' || ') : undefined;
}

/** Any of the groups holds for `@` (each group: all its tests); temporal values are handled in SQL. */
function comparisons(groups: Test[][], target: Target, mode: Mode, st: CompileState): string | undefined {
  const out: string[] = [];
  for (const g of groups) {
    if (!g.every((t) => accepts(target.kind, mode, t.value))) continue;
    const cond = g.map((t) => `@ ${t.op} ${literal(t.value)}`).join(' && ');
    out.push(g.length > 1 ? `(${cond})` : cond);
    // A VocabProperty holds the expanded IRI: compare with the term's expansion too (clause 4.9).
    const first = g[0].value;
    if (target.kind === 'vocab' && (first.type === 'string' || first.type === 'uri')) {
      const iri = st.expand(first.value);
      if (iri !== first.value) out.push(`@ == ${jpString(iri)}`);
    }
  }
  return out.length ? out.join(' || ') : undefined;
}

function temporalTest(t: Test): TemporalTest[] {
  const v = t.value;
  return isTemporal(v) ? [{ op: t.op, type: v.type, value: v.value }] : [];
}

function isTemporal(v: QValue): v is Extract<QValue, { type: 'dateTime' | 'date' | 'time' }> {
  return v.type === 'dateTime' || v.type === 'date' || v.type === 'time';
}

/** The comparisons of a term as groups (any group, all tests in it); empty for existence and patterns. */
function tests(t: QTerm): Test[][] {
  switch (t.kind) {
    case 'compare':
      return [[{ op: t.op === '!=' ? '==' : t.op, value: t.value }]];
    case 'list':
      return t.values.map((value) => [{ op: '==', value }]);
    case 'range':
      return [
        [
          { op: '>=', value: t.from },
          { op: '<=', value: t.to },
        ],
      ];
    default:
      return [];
  }
}

/**
 * A term with DateTime/Date/Time literals: per instance of the attribute, its candidate values are compared
 * in SQL (see temporal.ts); other literals of a mixed list keep their jsonpath test.
 */
function compileTemporal(t: QTerm, alias: string, st: CompileState): string {
  const x = `${st.alias}_t${++st.subqueries}`;
  const add = (v: unknown) => st.params.add(v);
  const groups = tests(t);
  const conds: string[] = [];
  const candidates = add(candidatePath(t.path));
  // DateTimes and Dates compare as instants, Times as times of day: one SQL test for each family.
  const temporal = groups.flatMap((g) => {
    const tt = g.flatMap(temporalTest);
    return tt.length === g.length ? [tt] : [];
  });
  for (const time of [false, true]) {
    const family = temporal.filter((g) => (g[0].type === 'time') === time);
    if (family.length)
      conds.push(temporalExists(`${x}.i`, candidates, family, add, `${x}_${time ? 't' : 'i'}`));
  }
  const others = groups.filter((g) => !g.some((y) => isTemporal(y.value)));
  if (others.length) {
    const p = anyTarget(t.path, (target) => comparisons(others, target, 'eq', st));
    if (p) conds.push(`${x}.i @? ${add(`$ ? (${p})`)}::jsonpath`);
  }
  const matches = conds.length ? conds.join(' OR ') : 'false';
  const negated = t.kind === 'compare' ? t.op === '!=' : t.kind !== 'exists' && t.negated;
  let where = matches;
  if (negated) {
    where = `NOT (${matches})`;
    if (t.path.meta || t.path.keys.length)
      where = `${x}.i @? ${add(`$ ? (${defined(t.path)})`)}::jsonpath AND ${where}`;
  }
  return `EXISTS (SELECT 1 FROM jsonb_path_query(${alias}.attrs, ${add(elementPath(t.path, st))}::jsonpath) AS ${x}(i) WHERE ${where})`;
}

/** jsonpath from an instance to the values a temporal literal is compared with. */
function candidatePath(path: QPath): string {
  if (path.meta) return `$${jpKey(path.meta)}`;
  const k = path.keys.map((key) => (key === '*' ? '.*' : jpKey(key))).join('');
  const members = path.keys.length
    ? '"value" || @.key == "json"'
    : '"value" || @.key == "valueList" || @.key == "json"';
  return `$.keyvalue() ? (@.key == ${members}).value${k}[*]`;
}

function literal(v: QValue): string {
  switch (v.type) {
    case 'number':
      return v.raw;
    case 'boolean':
      return String(v.value);
    case 'null':
      return 'null';
    default:
      return jpString(v.value);
  }
}

/** The jsonpath of one term (relative to the whole `attrs`), or undefined when it can never match. */
function termPath(t: QTerm, st: CompileState): string | undefined {
  const el = elementPath(t.path, st);
  const match = (mode: Mode, groups: Test[][]) =>
    anyTarget(t.path, (target) => comparisons(groups, target, mode, st));
  const equal = (values: QValue[]) =>
    match(
      'eq',
      values.map((value) => [{ op: '==', value }]),
    );
  switch (t.kind) {
    case 'exists':
      if (t.path.meta) return `${el}${jpKey(t.path.meta)}`;
      return t.path.keys.length ? `${el} ? (${defined(t.path)})` : el;
    case 'compare':
      if (t.op === '==') return positive(el, equal([t.value]));
      if (t.op === '!=') return negative(el, t.path, equal([t.value]));
      return positive(el, match('order', [[{ op: t.op, value: t.value }]]));
    case 'list':
      return t.negated ? negative(el, t.path, equal(t.values)) : positive(el, equal(t.values));
    case 'range': {
      const inRange = match('order', [
        [
          { op: '>=', value: t.from },
          { op: '<=', value: t.to },
        ],
      ]);
      return t.negated ? negative(el, t.path, inRange) : positive(el, inRange);
    }
    case 'pattern': {
      const re = `@ like_regex ${jpString(checkedRegex(t.pattern))}${t.ignoreCase ? ' flag "i"' : ''}`;
      const matches = anyTarget(t.path, (target) => (accepts(target.kind, 'regex') ? re : undefined));
      if (!t.negated) return positive(el, matches);
      // !~= needs a string target that does not match (clause 4.9: non-strings never match).
      const strings = anyTarget(t.path, (target) =>
        accepts(target.kind, 'regex') ? '@.type() == "string"' : undefined,
      );
      return `${el} ? ((${strings}) && !(${matches}))`;
    }
  }
}

/** parseQ has checked the pattern; an AST built by hand may hold anything. */
function checkedRegex(pattern: string): string {
  try {
    return toPostgresRegex(pattern);
  } catch (err) {
    if (err instanceof RegexError) throw badRequest(`invalid regular expression: ${err.message}`);
    throw err;
  }
}

function positive(el: string, cond: string | undefined): string | undefined {
  return cond === undefined ? undefined : `${el} ? (${cond})`;
}

/** `!=`: the target exists and the equality does not hold (type mismatch counts as unequal, clause 4.9). */
function negative(el: string, path: QPath, eq: string | undefined): string {
  const parts: string[] = [];
  if (path.meta || path.keys.length) parts.push(`(${defined(path)})`);
  if (eq !== undefined) parts.push(`!(${eq})`);
  return parts.length ? `${el} ? (${parts.join(' && ')})` : el;
}

/** The target element exists (for `attr[key]` and `attr.observedAt`; a bare attribute always does). */
function defined(path: QPath): string {
  return targets(path)
    .filter((t) => t.defines)
    .map((t) => `exists(${t.acc})`)
    .join(' || ');
}
