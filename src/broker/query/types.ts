/**
 * Entity type selection (ETSI GS CIM 009, clause 4.17): `A`, `A,B` or `A|B` (either), `A;B` (both),
 * parentheses; `;` binds tighter than `,` and `|`. Compiled over `alias.types` (expanded IRIs) with the
 * array operators the GIN index serves: `@>` (has all of) and `&&` (has any of).
 */
import { type CompileContext, checkAlias } from './params.js';
import { Cursor, checkInput, isSpace } from './syntax.js';

export type TypeExpr = { kind: 'type'; name: string } | { kind: 'and' | 'or'; terms: TypeExpr[] };

/** Throws ProblemError('BadRequestData') and nothing else. */
export function parseTypeSelector(sel: string): TypeExpr {
  const c = new Cursor(checkInput(sel, 'type selector'), 'type selector');
  const expr = parseOr(c);
  c.skipSpace();
  if (!c.done) throw c.peek() === ')' ? c.unexpected() : c.unexpected("',', '|', ';' or the end");
  return expr;
}

function combine(kind: 'and' | 'or', parts: TypeExpr[]): TypeExpr {
  const terms = parts.flatMap((p) => (p.kind === kind ? p.terms : [p]));
  return terms.length === 1 ? terms[0] : { kind, terms };
}

function parseOr(c: Cursor): TypeExpr {
  const parts = [parseAnd(c)];
  for (c.skipSpace(); c.peek() === '|' || c.peek() === ','; c.skipSpace()) {
    c.pos++;
    parts.push(parseAnd(c));
  }
  return combine('or', parts);
}

function parseAnd(c: Cursor): TypeExpr {
  const parts = [parseUnary(c)];
  for (c.skipSpace(); c.peek() === ';'; c.skipSpace()) {
    c.pos++;
    parts.push(parseUnary(c));
  }
  return combine('and', parts);
}

const DELIMITERS = new Set([',', '|', ';', '(', ')']);

function parseUnary(c: Cursor): TypeExpr {
  c.skipSpace();
  if (c.peek() === '(') {
    const open = c.pos;
    c.enter(open);
    c.pos++;
    const inner = parseOr(c);
    c.skipSpace();
    if (c.peek() !== ')') {
      throw c.done ? c.error("missing ')' to close '('", open) : c.unexpected("',', '|', ';' or ')'");
    }
    c.pos++;
    c.leave();
    return inner;
  }
  const start = c.pos;
  while (!c.done && !DELIMITERS.has(c.peek()) && !isSpace(c.src.charCodeAt(c.pos))) c.pos++;
  if (c.pos === start) throw c.unexpected('an entity type');
  return { kind: 'type', name: c.src.slice(start, c.pos) };
}

/** SQL boolean over `alias.types`. */
export function compileTypeSelector(t: TypeExpr, ctx: CompileContext): string {
  const alias = checkAlias(ctx.alias);
  const array = (names: string[]) => {
    const iris = [...new Set(names.map((n) => ctx.expand(n)))];
    return `ARRAY[${iris.map((iri) => ctx.params.add(iri)).join(', ')}]::text[]`;
  };
  const compile = (e: TypeExpr): string => {
    if (e.kind === 'type') return `${alias}.types @> ${array([e.name])}`;
    // Plain types of one group collapse into one indexable array test.
    const names = e.terms.flatMap((x) => (x.kind === 'type' ? [x.name] : []));
    const parts = names.length ? [`${alias}.types ${e.kind === 'and' ? '@>' : '&&'} ${array(names)}`] : [];
    for (const x of e.terms) if (x.kind !== 'type') parts.push(compile(x));
    return parts.length === 1 ? parts[0] : `(${parts.join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
  };
  return compile(t);
}
