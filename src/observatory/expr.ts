/**
 * A small, safe arithmetic expression language for formula indicators and validation rules (no eval):
 * numbers, indicator codes, + - * / unary minus, parentheses, and min/max/abs/round(...).
 * A missing operand or a division by zero gives null, which propagates.
 */

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr }
  | { k: 'call'; fn: Fn; args: Expr[] };

type Fn = 'min' | 'max' | 'abs' | 'round';
const FNS = new Set<string>(['min', 'max', 'abs', 'round']);
const MAX_LENGTH = 1000;
const MAX_DEPTH = 40;

export class ExprError extends Error {}

type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Tok[] {
  if (src.length > MAX_LENGTH) throw new ExprError(`expression longer than ${MAX_LENGTH} characters`);
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if ('+-*/(),'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    throw new ExprError(`unexpected character ${JSON.stringify(c)} at position ${i + 1}`);
  }
  return out;
}

/** Parses an expression; throws ExprError with a readable message. */
export function parseExpr(src: string): Expr {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isOp = (v: string) => {
    const t = toks[pos];
    return t?.t === 'op' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExprError(`expected ${v} at token ${pos + 1}`);
    pos++;
  };
  const sum = (d: number): Expr => {
    if (d > MAX_DEPTH) throw new ExprError('expression nested too deeply');
    let a = product(d);
    while (isOp('+') || isOp('-')) {
      const op = (toks[pos++] as { v: '+' | '-' }).v;
      a = { k: 'bin', op, a, b: product(d) };
    }
    return a;
  };
  const product = (d: number): Expr => {
    let a = unary(d);
    while (isOp('*') || isOp('/')) {
      const op = (toks[pos++] as { v: '*' | '/' }).v;
      a = { k: 'bin', op, a, b: unary(d) };
    }
    return a;
  };
  const unary = (d: number): Expr => {
    if (isOp('-')) {
      pos++;
      return { k: 'neg', e: unary(d + 1) };
    }
    if (isOp('+')) {
      pos++;
      return unary(d + 1);
    }
    return atom(d);
  };
  const atom = (d: number): Expr => {
    const t = peek();
    if (!t) throw new ExprError('unexpected end of expression');
    if (t.t === 'num') {
      pos++;
      return { k: 'num', v: t.v };
    }
    if (t.t === 'id') {
      pos++;
      if (isOp('(')) {
        const fn = t.v.toLowerCase();
        if (!FNS.has(fn)) throw new ExprError(`unknown function ${t.v}`);
        pos++;
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(sum(d + 1));
          while (isOp(',')) {
            pos++;
            args.push(sum(d + 1));
          }
        }
        expect(')');
        if (args.length === 0) throw new ExprError(`${fn}() needs at least one argument`);
        if ((fn === 'abs' || fn === 'round') && args.length > (fn === 'round' ? 2 : 1)) {
          throw new ExprError(`too many arguments to ${fn}()`);
        }
        return { k: 'call', fn: fn as Fn, args };
      }
      return { k: 'var', name: t.v };
    }
    if (t.v === '(') {
      pos++;
      const e = sum(d + 1);
      expect(')');
      return e;
    }
    throw new ExprError(`unexpected ${t.v} at token ${pos + 1}`);
  };
  const e = sum(0);
  if (pos < toks.length) throw new ExprError(`unexpected ${String(toks[pos].v)} at token ${pos + 1}`);
  return e;
}

/** The variables (indicator codes) an expression reads. */
export function variablesOf(e: Expr, out = new Set<string>()): Set<string> {
  if (e.k === 'var') out.add(e.name);
  else if (e.k === 'neg') variablesOf(e.e, out);
  else if (e.k === 'bin') {
    variablesOf(e.a, out);
    variablesOf(e.b, out);
  } else if (e.k === 'call') for (const a of e.args) variablesOf(a, out);
  return out;
}

/** Evaluates with the given values; null when an operand is missing or a division by zero happens. */
export function evaluate(e: Expr, vars: (name: string) => number | null | undefined): number | null {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'var': {
      const v = vars(e.name);
      return v === undefined || v === null || !Number.isFinite(v) ? null : v;
    }
    case 'neg': {
      const v = evaluate(e.e, vars);
      return v === null ? null : -v;
    }
    case 'bin': {
      const a = evaluate(e.a, vars);
      const b = evaluate(e.b, vars);
      if (a === null || b === null) return null;
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      return b === 0 ? null : a / b;
    }
    case 'call': {
      const args = e.args.map((x) => evaluate(x, vars));
      if (args.some((x) => x === null)) return null;
      const n = args as number[];
      if (e.fn === 'min') return Math.min(...n);
      if (e.fn === 'max') return Math.max(...n);
      if (e.fn === 'abs') return Math.abs(n[0]);
      const f = 10 ** (n[1] ?? 0);
      return Math.round(n[0] * f) / f;
    }
  }
}

export const COMPARATORS = ['<', '<=', '==', '!=', '>=', '>'] as const;
export type Comparator = (typeof COMPARATORS)[number];

export function compare(a: number, op: Comparator, b: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  switch (op) {
    case '<':
      return a < b - eps;
    case '<=':
      return a <= b + eps;
    case '==':
      return Math.abs(a - b) <= eps;
    case '!=':
      return Math.abs(a - b) > eps;
    case '>=':
      return a >= b - eps;
    case '>':
      return a > b + eps;
  }
}
