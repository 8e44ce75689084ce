import type {
  AnyConstraint,
  Area,
  Constraint,
  Duty,
  Evaluation,
  Knowledge,
  Policy,
  RequestContext,
  Rule,
} from './model.js';

/** ODRL 2.2 actions included in `use` (the common vocabulary's `includedIn odrl:use`). `transfer` is not. */
const USE_INCLUDES = new Set([
  'use',
  'read',
  'reproduce',
  'distribute',
  'aggregate',
  'anonymize',
  'archive',
  'derive',
  'digitize',
  'display',
  'execute',
  'index',
  'present',
  'print',
  'play',
  'stream',
  'textToSpeech',
  'transform',
  'translate',
  'concurrentUse',
  'annotate',
  'attribute',
  'compensate',
  'delete',
  'inform',
]);

/** True when a rule about `ruleAction` concerns the request's action. */
export function actionCovers(ruleAction: string, requested: string): boolean {
  if (ruleAction === requested) return true;
  return ruleAction === 'use' && USE_INCLUDES.has(requested);
}

interface Check {
  ok: boolean;
  why: string;
}

/**
 * Decides a request against a parsed policy: prohibitions override permissions (ODRL conflict `prohibit`).
 * `permit` when a permission covers the request, its constraints and checkable duties hold and no prohibition
 * applies; `deny` when a prohibition applies or every permission that concerns the request fails a constraint;
 * `not-applicable` when no rule concerns this action, target and party. Pure: `ctx.now` is the clock.
 */
export function evaluate(policy: Policy, ctx: RequestContext, knowledge: Knowledge = {}): Evaluation {
  const reasons: string[] = [];
  const ev = new Evaluator(ctx, knowledge);
  let prohibited = false;
  policy.prohibitions.forEach((r, i) => {
    const label = `prohibition[${i}] (${r.action})`;
    const scope = ev.scope(policy, r);
    if (!scope.ok) return;
    const c = ev.all([...r.refinements, ...r.constraints]);
    if (c.ok) {
      prohibited = true;
      reasons.push(`${label} applies${r.constraints.length ? `: ${c.why}` : ''}`);
    } else reasons.push(`${label} does not apply: ${c.why}`);
  });
  let concerned = false;
  let granted: Rule | undefined;
  policy.permissions.forEach((r, i) => {
    const label = `permission[${i}] (${r.action})`;
    const scope = ev.scope(policy, r);
    if (!scope.ok) return;
    concerned = true;
    const c = ev.all([...r.refinements, ...r.constraints]);
    if (!c.ok) {
      reasons.push(`${label} not granted: ${c.why}`);
      return;
    }
    const unmet = r.duties.filter(
      (d) => d.constraints.length > 0 && !ev.all([...d.refinements, ...d.constraints]).ok,
    );
    if (unmet.length) {
      const d = unmet[0];
      reasons.push(`${label} not granted: duty ${d.action} not fulfilled (${ev.all(d.constraints).why})`);
      return;
    }
    reasons.push(`${label} granted${r.constraints.length ? `: ${c.why}` : ''}`);
    granted ??= r;
  });
  if (prohibited) return { decision: 'deny', reasons, duties: [] };
  if (!granted) {
    if (!concerned) reasons.push('no permission concerns this action, target and party');
    return { decision: concerned ? 'deny' : 'not-applicable', reasons, duties: [] };
  }
  const duties: Evaluation['duties'] = [];
  const add = (d: Duty, from: 'permission' | 'obligation') => {
    // Duties whose constraints were checked above are already fulfilled; the others are for the party to perform.
    if (d.constraints.length === 0 && !duties.some((x) => x.action === d.action && x.from === from)) {
      duties.push({ action: d.action, from });
    }
  };
  for (const d of (granted as Rule).duties) add(d, 'permission');
  for (const d of policy.obligations) add(d, 'obligation');
  return { decision: 'permit', reasons, duties };
}

class Evaluator {
  constructor(
    private readonly ctx: RequestContext,
    private readonly k: Knowledge,
  ) {}

  /** Does the rule concern this action, target and party at all? */
  scope(policy: Policy, r: Rule): Check {
    if (!actionCovers(r.action, this.ctx.action)) return { ok: false, why: 'other action' };
    const target = r.target ?? policy.target;
    if (target && this.ctx.target !== undefined && target !== this.ctx.target)
      return { ok: false, why: 'other target' };
    const assignee = r.assignee ?? policy.assignee;
    if (assignee && !(this.ctx.assignee !== undefined && this.broaderOrSelf(this.ctx.assignee, assignee))) {
      return { ok: false, why: 'other party' };
    }
    return { ok: true, why: '' };
  }

  all(list: AnyConstraint[]): Check {
    const whys: string[] = [];
    for (const c of list) {
      const r = this.one(c);
      whys.push(r.why);
      if (!r.ok) return { ok: false, why: r.why };
    }
    return { ok: true, why: whys.join(', ') };
  }

  one(c: AnyConstraint): Check {
    if (c.kind === 'logical') {
      const results: Check[] = [];
      switch (c.operator) {
        case 'and':
        case 'andSequence': {
          // andSequence: in order, stopping at the first that fails.
          const r = this.all(c.constraints);
          return { ok: r.ok, why: `${c.operator}(${r.why})` };
        }
        case 'or': {
          for (const x of c.constraints) {
            const r = this.one(x);
            results.push(r);
            if (r.ok) return { ok: true, why: `or(${r.why})` };
          }
          return { ok: false, why: `or(none holds: ${results.map((r) => r.why).join('; ')})` };
        }
        case 'xone': {
          for (const x of c.constraints) results.push(this.one(x));
          const n = results.filter((r) => r.ok).length;
          return {
            ok: n === 1,
            why: `xone(${n} of ${results.length} hold: ${results.map((r) => r.why).join('; ')})`,
          };
        }
      }
    }
    return this.constraint(c);
  }

  private constraint(c: Constraint): Check {
    const label = `${c.leftOperand} ${c.operator} ${showRight(c)}`;
    const r = this.test(c);
    if (r === undefined) return { ok: false, why: `${label}: the request does not state ${c.leftOperand}` };
    return { ok: r.ok, why: `${label} ${r.ok ? 'holds' : 'fails'} (${r.why})` };
  }

  /** undefined when the request lacks the fact the constraint needs (the constraint then fails). */
  private test(c: Constraint): Check | undefined {
    const { ctx } = this;
    const right = c.rightOperand;
    switch (c.leftOperand) {
      case 'dateTime':
        return right.kind === 'dateTime'
          ? compare(ctx.now.getTime(), c.operator, right.value, ctx.now.toISOString())
          : undefined;
      case 'elapsedTime': {
        if (!ctx.since || right.kind !== 'duration') return undefined;
        const s = (ctx.now.getTime() - ctx.since.getTime()) / 1000;
        return compare(s, c.operator, right.seconds, `${Math.floor(s)} s elapsed`);
      }
      case 'count': {
        if (ctx.count === undefined || right.kind !== 'number') return undefined;
        return compare(ctx.count + 1, c.operator, right.value, `this would be use ${ctx.count + 1}`);
      }
      case 'payAmount': {
        if (!ctx.payAmount || right.kind !== 'number') return undefined;
        const want = c.unit ? localUnit(c.unit) : undefined;
        const got = ctx.payAmount.unit ? localUnit(ctx.payAmount.unit) : undefined;
        if (want && want !== got)
          return { ok: false, why: `paid in ${got ?? 'no stated unit'}, not ${want}` };
        return compare(ctx.payAmount.amount, c.operator, right.value, `paid ${ctx.payAmount.amount}`);
      }
      case 'purpose': {
        if (right.kind !== 'strings') return undefined;
        const declared =
          ctx.purpose === undefined ? [] : Array.isArray(ctx.purpose) ? ctx.purpose : [ctx.purpose];
        if (declared.length === 0) return undefined;
        return this.sets(declared, c.operator, right.values, `purpose ${declared.join(', ')}`);
      }
      case 'recipient': {
        if (right.kind !== 'strings' || ctx.recipient === undefined) return undefined;
        return this.sets([ctx.recipient], c.operator, right.values, `recipient ${ctx.recipient}`);
      }
      case 'spatial': {
        if (right.kind !== 'areas' || !ctx.spatial || (!ctx.spatial.area && !ctx.spatial.point))
          return undefined;
        const where = ctx.spatial.area ?? `point ${ctx.spatial.point?.join(',')}`;
        const inside = (x: { name?: string; area?: Area }) => this.within(x);
        switch (c.operator) {
          case 'eq':
            return {
              ok: ctx.spatial.area !== undefined && ctx.spatial.area === right.values[0].name,
              why: where,
            };
          case 'neq':
            return {
              ok: ctx.spatial.area !== undefined && ctx.spatial.area !== right.values[0].name,
              why: where,
            };
          case 'isPartOf':
          case 'isAnyOf':
            return { ok: right.values.some(inside), why: where };
          case 'isNoneOf':
            return { ok: !right.values.some(inside), why: where };
          default:
            return { ok: false, why: `operator ${c.operator}` };
        }
      }
    }
  }

  /** Set semantics over the request's values S and the right operand's values R. */
  private sets(s: string[], op: Constraint['operator'], r: string[], why: string): Check {
    const matches = (v: string, x: string) => this.broaderOrSelf(v, [x]);
    switch (op) {
      case 'eq':
        return { ok: s.length === 1 && s[0] === r[0], why };
      case 'neq':
        return { ok: !s.includes(r[0]), why };
      case 'isA':
      case 'isPartOf':
        return { ok: s.every((v) => matches(v, r[0])), why };
      case 'isAnyOf':
        return { ok: s.some((v) => r.some((x) => matches(v, x))), why };
      case 'isAllOf':
        return { ok: r.every((x) => s.some((v) => matches(v, x))), why };
      case 'isNoneOf':
        return { ok: !s.some((v) => r.some((x) => matches(v, x))), why };
      default:
        return { ok: false, why: `operator ${op}` };
    }
  }

  /** v equals one of `of`, or one of its broader concepts (transitively) does. */
  private broaderOrSelf(v: string, of: readonly string[]): boolean {
    const seen = new Set<string>();
    const stack = [v];
    while (stack.length) {
      const x = stack.pop() as string;
      if (of.includes(x)) return true;
      if (seen.has(x) || seen.size > 1000) continue;
      seen.add(x);
      stack.push(...(this.k.broader?.[x] ?? []));
    }
    return false;
  }

  /** Is the request's place within this area (by name, broader area, or point in polygon)? */
  private within(x: { name?: string; area?: Area }): boolean {
    const sp = this.ctx.spatial;
    if (!sp) return false;
    if (x.name && sp.area && this.broaderOrSelf(sp.area, [x.name])) return true;
    const geometry = x.area ?? (x.name ? this.k.areas?.[x.name] : undefined);
    if (!geometry) return false;
    if (sp.point) return pointInArea(sp.point, geometry);
    // A named area of the request is within the geometry when its own geometry's vertices all are.
    const own = sp.area ? this.k.areas?.[sp.area] : undefined;
    if (!own) return false;
    return polygonsOf(own).every((poly) => poly[0].every((p) => pointInArea([p[0], p[1]], geometry)));
  }
}

function compare(left: number, op: Constraint['operator'], right: number, why: string): Check {
  const ok =
    op === 'eq'
      ? left === right
      : op === 'neq'
        ? left !== right
        : op === 'lt'
          ? left < right
          : op === 'lteq'
            ? left <= right
            : op === 'gt'
              ? left > right
              : op === 'gteq'
                ? left >= right
                : false;
  return { ok, why };
}

function localUnit(u: string): string {
  return u.replace(/^.*[/#:]/, '');
}

function showRight(c: Constraint): string {
  const r = c.rightOperand;
  switch (r.kind) {
    case 'strings':
      return r.values.length > 1 ? `[${r.values.join(', ')}]` : r.values[0];
    case 'number':
      return `${r.value}${c.unit ? ` ${localUnit(c.unit)}` : ''}`;
    case 'dateTime':
    case 'duration':
      return r.text;
    case 'areas':
      return r.values.map((v) => v.name ?? `(${v.area?.type})`).join(', ');
  }
}

function polygonsOf(a: Area): number[][][][] {
  return a.type === 'Polygon' ? [a.coordinates as number[][][]] : (a.coordinates as number[][][][]);
}

/** Even-odd ray casting on [lon, lat] (planar; fine for the areas of a port city). Holes are honoured. */
export function pointInArea(p: [number, number], a: Area): boolean {
  return polygonsOf(a).some((poly) => {
    if (!inRing(p, poly[0])) return false;
    return !poly.slice(1).some((hole) => inRing(p, hole));
  });
}

function inRing([x, y]: [number, number], ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
