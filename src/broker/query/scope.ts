/**
 * Scope queries (ETSI GS CIM 009, clause 4.19): `/Le_Havre/Port` (that scope), `/Le_Havre/#` (it and all
 * below), `/+/Port` (`+` is any one level), `/#` (any scope at all); `;` (and), `,` or `|` (or),
 * parentheses. Compiled over `alias.scopes` (text[], NULL when the entity has none).
 */
import { type CompileContext, checkAlias } from './params.js';
import { Cursor, checkInput, isSpace } from './syntax.js';

export type ScopeExpr =
  /** `levels` are the path segments, `+` standing for any one; `descendants` for a trailing `/#`. */
  { kind: 'scope'; levels: string[]; descendants: boolean } | { kind: 'and' | 'or'; terms: ScopeExpr[] };

/** Throws ProblemError('BadRequestData') and nothing else. */
export function parseScopeQ(s: string): ScopeExpr {
  const c = new Cursor(checkInput(s, 'scopeQ'), 'scopeQ');
  const expr = parseOr(c);
  c.skipSpace();
  if (!c.done) throw c.peek() === ')' ? c.unexpected() : c.unexpected("';', ',', '|' or the end");
  return expr;
}

function combine(kind: 'and' | 'or', parts: ScopeExpr[]): ScopeExpr {
  const terms = parts.flatMap((p) => (p.kind === kind ? p.terms : [p]));
  return terms.length === 1 ? terms[0] : { kind, terms };
}

function parseOr(c: Cursor): ScopeExpr {
  const parts = [parseAnd(c)];
  for (c.skipSpace(); c.peek() === '|' || c.peek() === ','; c.skipSpace()) {
    c.pos++;
    parts.push(parseAnd(c));
  }
  return combine('or', parts);
}

function parseAnd(c: Cursor): ScopeExpr {
  const parts = [parseUnary(c)];
  for (c.skipSpace(); c.peek() === ';'; c.skipSpace()) {
    c.pos++;
    parts.push(parseUnary(c));
  }
  return combine('and', parts);
}

const DELIMITERS = new Set([',', '|', ';', '(', ')']);

function parseUnary(c: Cursor): ScopeExpr {
  c.skipSpace();
  if (c.peek() === '(') {
    const open = c.pos;
    c.enter(open);
    c.pos++;
    const inner = parseOr(c);
    c.skipSpace();
    if (c.peek() !== ')') {
      throw c.done ? c.error("missing ')' to close '('", open) : c.unexpected("';', ',', '|' or ')'");
    }
    c.pos++;
    c.leave();
    return inner;
  }
  if (c.peek() !== '/') throw c.unexpected("a scope starting with '/'");
  const levels: string[] = [];
  let descendants = false;
  while (c.peek() === '/') {
    const slash = c.pos;
    c.pos++;
    const start = c.pos;
    while (!c.done && c.peek() !== '/' && !DELIMITERS.has(c.peek()) && !isSpace(c.src.charCodeAt(c.pos)))
      c.pos++;
    const level = c.src.slice(start, c.pos);
    if (descendants) throw c.error("'#' must be the last level", slash - 1);
    if (level === '') throw c.error('empty scope level', start);
    if (level === '#') descendants = true;
    else if (level === '+') levels.push(level);
    else {
      const bad = /[#+]/.exec(level);
      if (bad) throw c.error(`'${bad[0]}' must be a whole level`, start + bad.index);
      levels.push(level);
    }
  }
  return { kind: 'scope', levels, descendants };
}

/** SQL boolean over `alias.scopes`; false (never NULL) for entities without scopes. */
export function compileScopeQ(s: ScopeExpr, ctx: CompileContext): string {
  const alias = checkAlias(ctx.alias);
  const add = (v: string) => ctx.params.add(v);
  const compile = (e: ScopeExpr): string => {
    if (e.kind !== 'scope') {
      // Exact scopes of one group collapse into one indexable array test.
      const exact = e.terms.flatMap((x) => (x.kind === 'scope' && isExact(x) ? [scopePath(x.levels)] : []));
      const parts: string[] = [];
      if (exact.length) {
        const arr = `ARRAY[${[...new Set(exact)].map(add).join(', ')}]::text[]`;
        parts.push(`${alias}.scopes ${e.kind === 'and' ? '@>' : '&&'} ${arr}`);
      }
      for (const x of e.terms) if (!(x.kind === 'scope' && isExact(x))) parts.push(compile(x));
      return parts.length === 1 ? parts[0] : `(${parts.join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    if (isExact(e)) return `${alias}.scopes @> ARRAY[${add(scopePath(e.levels))}]::text[]`;
    if (e.levels.length === 0) return `cardinality(${alias}.scopes) > 0`;
    const any = (cond: string) => `EXISTS (SELECT 1 FROM unnest(${alias}.scopes) AS s(v) WHERE ${cond})`;
    if (!e.levels.includes('+')) {
      const base = scopePath(e.levels);
      return any(`s.v = ${add(base)} OR starts_with(s.v, ${add(`${base}/`)})`);
    }
    const re = e.levels.map((l) => (l === '+' ? '/[^/]+' : `/${escapeRegex(l)}`)).join('');
    return any(`s.v ~ ${add(`^${re}${e.descendants ? '(/.*)?' : ''}$`)}`);
  };
  // The guard keeps the result false rather than NULL when scopes is NULL (safe under NOT).
  return `(${alias}.scopes IS NOT NULL AND ${compile(s)})`;
}

function isExact(e: { levels: string[]; descendants: boolean }): boolean {
  return !e.descendants && !e.levels.includes('+');
}

function scopePath(levels: string[]): string {
  return `/${levels.join('/')}`;
}

/** ARE: a backslash before ASCII punctuation makes it literal; other characters are never operators. */
function escapeRegex(s: string): string {
  return s.replace(/[!-/:-@[-`{-~]/g, (ch) => `\\${ch}`);
}
