import {
  type AnyConstraint,
  type Area,
  type Duty,
  LEFT_OPERANDS,
  type LeftOperand,
  LOGICAL_OPERATORS,
  type LogicalOperator,
  OPERATORS,
  OPERATORS_FOR,
  type Operator,
  POLICY_TYPES,
  type Policy,
  type PolicyIssue,
  type PolicyType,
  type RightOperand,
  type Rule,
} from './model.js';

/** Limits on what a saved policy may hold. */
export const POLICY_LIMITS = {
  rules: 100,
  constraintsPerList: 50,
  depth: 6,
  stringLength: 2048,
  listValues: 200,
  areaPositions: 10_000,
} as const;

const ODRL_NS = 'http://www.w3.org/ns/odrl/2/';

export type ParseResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

/** ODRL local name of a term given as `use`, `odrl:use`, the full IRI, or `{ "@id": ... }`. */
export function localName(v: unknown): string | undefined {
  let s: unknown = v;
  if (isObject(v) && typeof v['@id'] === 'string') s = v['@id'];
  if (typeof s !== 'string') return undefined;
  if (s.startsWith(ODRL_NS)) return s.slice(ODRL_NS.length);
  if (s.startsWith('odrl:')) return s.slice(5);
  return s;
}

/**
 * Parses and validates an ODRL 2.2 policy in JSON-LD compact form (the ODRL context's terms). Everything not
 * understood is refused with its path, above all a left operand Escale has no evaluator for: a constraint that
 * would be silently ignored would grant more than its author meant.
 */
export function parsePolicy(input: unknown): ParseResult {
  const issues: PolicyIssue[] = [];
  const p = new Parser(issues);
  const policy = p.policy(input);
  return issues.length || !policy ? { ok: false, issues } : { ok: true, policy };
}

/** Turns parse issues into one line, for an error detail. */
export function describeIssues(issues: PolicyIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member given as one value or an array (or a JSON-LD `@list`). */
function many(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (isObject(v) && Array.isArray(v['@list'])) return v['@list'];
  return Array.isArray(v) ? v : [v];
}

const POLICY_KEYS = new Set([
  '@context',
  '@type',
  '@id',
  'type',
  'uid',
  'profile',
  'target',
  'assigner',
  'assignee',
  'permission',
  'prohibition',
  'obligation',
  'conflict',
]);
const RULE_KEYS = new Set([
  '@type',
  '@id',
  'uid',
  'action',
  'target',
  'assigner',
  'assignee',
  'constraint',
  'duty',
]);
const DUTY_KEYS = new Set(['@type', '@id', 'uid', 'action', 'constraint', 'target', 'assigner', 'assignee']);
const CONSTRAINT_KEYS = new Set([
  '@type',
  '@id',
  'uid',
  'leftOperand',
  'operator',
  'rightOperand',
  'unit',
  'dataType',
]);

class Parser {
  private areaPositions = 0;
  private rules = 0;
  constructor(private readonly issues: PolicyIssue[]) {}

  private issue(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  private unknownKeys(o: Record<string, unknown>, allowed: Set<string>, path: string, what: string) {
    for (const k of Object.keys(o)) {
      if (!allowed.has(k)) {
        this.issue(
          path ? `${path}.${k}` : k,
          `"${k}" is not supported in ${what}; refusing rather than ignoring it`,
        );
      }
    }
  }

  private text(v: unknown, path: string): string | undefined {
    let s: unknown = v;
    if (isObject(v)) s = v['@id'] ?? v['@value'] ?? v.uid;
    if (typeof s !== 'string' || s.trim() === '')
      return this.issue(path, 'expected a non-empty string or IRI');
    if (s.length > POLICY_LIMITS.stringLength) return this.issue(path, 'value is too long');
    return s.trim();
  }

  private party(v: unknown, path: string): string[] | undefined {
    const list = many(v);
    if (list.length === 0) return this.issue(path, 'expected a party');
    const out: string[] = [];
    list.forEach((x, i) => {
      const s = this.text(x, list.length > 1 ? `${path}[${i}]` : path);
      if (s) out.push(s);
    });
    return out;
  }

  policy(input: unknown): Policy | undefined {
    if (!isObject(input)) return this.issue('', 'a policy must be a JSON object');
    this.unknownKeys(input, POLICY_KEYS, '', 'a policy');
    const typeName = localName(input['@type'] ?? input.type ?? 'Set');
    let type: PolicyType | undefined;
    if (typeName === 'Policy') type = 'Set';
    else if ((POLICY_TYPES as readonly string[]).includes(typeName ?? '')) type = typeName as PolicyType;
    else this.issue('@type', `policy type must be one of ${POLICY_TYPES.join(', ')}`);
    if (input.conflict !== undefined && localName(input.conflict) !== 'prohibit') {
      this.issue(
        'conflict',
        'only the "prohibit" conflict strategy is supported (prohibitions override permissions)',
      );
    }
    const uidRaw = input.uid ?? input['@id'];
    const uid = uidRaw === undefined ? undefined : this.text(uidRaw, 'uid');
    const profile = input.profile === undefined ? undefined : this.text(input.profile, 'profile');
    const target = input.target === undefined ? undefined : this.text(input.target, 'target');
    const assigner = input.assigner === undefined ? undefined : this.text(input.assigner, 'assigner');
    const assignee = input.assignee === undefined ? undefined : this.party(input.assignee, 'assignee');
    const permissions = this.ruleList(input.permission, 'permission', true);
    const prohibitions = this.ruleList(input.prohibition, 'prohibition', false);
    const obligations: Duty[] = [];
    many(input.obligation).forEach((d, i) => {
      const duty = this.duty(d, `obligation[${i}]`);
      if (duty) obligations.push(duty);
    });
    if (permissions.length + prohibitions.length + obligations.length === 0) {
      this.issue('', 'a policy needs at least one permission, prohibition or obligation');
    }
    if (type === 'Offer' && !assigner && [...permissions, ...prohibitions].some((r) => !r.assigner)) {
      this.issue('assigner', 'an Offer must name its assigner');
    }
    if (type === 'Agreement') {
      const rules = [...permissions, ...prohibitions];
      if (!assigner && rules.some((r) => !r.assigner))
        this.issue('assigner', 'an Agreement must name its assigner');
      if (!assignee && rules.some((r) => !r.assignee))
        this.issue('assignee', 'an Agreement must name its assignee');
    }
    if (!type) return undefined;
    return { uid, type, profile, target, assigner, assignee, permissions, prohibitions, obligations };
  }

  private ruleList(v: unknown, name: string, permission: boolean): Rule[] {
    const out: Rule[] = [];
    many(v).forEach((r, i) => {
      if (++this.rules > POLICY_LIMITS.rules) {
        if (this.rules === POLICY_LIMITS.rules + 1) this.issue(name, `at most ${POLICY_LIMITS.rules} rules`);
        return;
      }
      const rule = this.rule(r, `${name}[${i}]`, permission);
      if (rule) out.push(...rule);
    });
    return out;
  }

  /** A rule; several actions in one rule expand to one rule per action (ODRL 2.2, 2.5.1). */
  private rule(v: unknown, path: string, permission: boolean): Rule[] | undefined {
    if (!isObject(v)) return this.issue(path, 'a rule must be an object');
    const allowed = permission ? RULE_KEYS : new Set([...RULE_KEYS].filter((k) => k !== 'duty'));
    this.unknownKeys(v, allowed, path, permission ? 'a permission' : 'a prohibition');
    const actions = this.actions(v.action, `${path}.action`);
    const target = v.target === undefined ? undefined : this.text(v.target, `${path}.target`);
    const assigner = v.assigner === undefined ? undefined : this.text(v.assigner, `${path}.assigner`);
    const assignee = v.assignee === undefined ? undefined : this.party(v.assignee, `${path}.assignee`);
    const constraints = this.constraints(v.constraint, `${path}.constraint`, 0);
    const duties: Duty[] = [];
    many(v.duty).forEach((d, i) => {
      const duty = this.duty(d, `${path}.duty[${i}]`);
      if (duty) duties.push(duty);
    });
    if (!actions) return undefined;
    return actions.map((a) => ({
      action: a.action,
      refinements: a.refinements,
      target,
      assigner,
      assignee,
      constraints,
      duties,
    }));
  }

  private duty(v: unknown, path: string): Duty | undefined {
    if (!isObject(v)) return this.issue(path, 'a duty must be an object');
    this.unknownKeys(v, DUTY_KEYS, path, 'a duty');
    const actions = this.actions(v.action, `${path}.action`);
    const constraints = this.constraints(v.constraint, `${path}.constraint`, 0);
    if (!actions) return undefined;
    if (actions.length !== 1) return this.issue(`${path}.action`, 'a duty has exactly one action');
    return { action: actions[0].action, refinements: actions[0].refinements, constraints };
  }

  private actions(
    v: unknown,
    path: string,
  ): Array<{ action: string; refinements: AnyConstraint[] }> | undefined {
    const list = many(v);
    if (list.length === 0) return this.issue(path, 'a rule needs an action');
    const out: Array<{ action: string; refinements: AnyConstraint[] }> = [];
    list.forEach((a, i) => {
      const p = list.length > 1 ? `${path}[${i}]` : path;
      if (isObject(a) && ('rdf:value' in a || 'refinement' in a)) {
        for (const k of Object.keys(a)) {
          if (k !== 'rdf:value' && k !== 'refinement' && k !== '@type') {
            this.issue(`${p}.${k}`, `"${k}" is not supported in an action`);
          }
        }
        const name = localName(a['rdf:value']);
        if (!name) {
          this.issue(`${p}.rdf:value`, 'expected the action, e.g. { "@id": "odrl:use" }');
          return;
        }
        out.push({ action: name, refinements: this.constraints(a.refinement, `${p}.refinement`, 0) });
        return;
      }
      const name = localName(a);
      if (!name || name.length > POLICY_LIMITS.stringLength) {
        this.issue(p, 'expected an action name such as "use" or "odrl:read"');
        return;
      }
      out.push({ action: name, refinements: [] });
    });
    return out.length === list.length ? out : undefined;
  }

  private constraints(v: unknown, path: string, depth: number): AnyConstraint[] {
    const list = many(v);
    if (list.length > POLICY_LIMITS.constraintsPerList) {
      this.issue(path, `at most ${POLICY_LIMITS.constraintsPerList} constraints in one list`);
      return [];
    }
    const out: AnyConstraint[] = [];
    list.forEach((c, i) => {
      const parsed = this.constraint(c, `${path}[${i}]`, depth);
      if (parsed) out.push(parsed);
    });
    return out;
  }

  private constraint(v: unknown, path: string, depth: number): AnyConstraint | undefined {
    if (!isObject(v)) return this.issue(path, 'a constraint must be an object');
    if (depth >= POLICY_LIMITS.depth) {
      return this.issue(path, `logical constraints nest at most ${POLICY_LIMITS.depth} levels`);
    }
    const logical = Object.keys(v).filter((k) =>
      (LOGICAL_OPERATORS as readonly string[]).includes(localName(k) ?? ''),
    );
    if (logical.length > 0) {
      if (logical.length > 1) return this.issue(path, 'a logical constraint has exactly one operator');
      const key = logical[0];
      const operator = localName(key) as LogicalOperator;
      for (const k of Object.keys(v)) {
        if (k !== key && k !== '@type' && k !== 'uid' && k !== '@id') {
          this.issue(`${path}.${k}`, `"${k}" is not supported in a logical constraint`);
        }
      }
      const members = many(v[key]);
      if (members.length < 2 && operator !== 'and' && operator !== 'andSequence') {
        return this.issue(`${path}.${key}`, `"${operator}" needs at least two constraints`);
      }
      if (members.length === 0) return this.issue(`${path}.${key}`, `"${operator}" needs constraints`);
      const constraints = this.constraints(members, `${path}.${key}`, depth + 1);
      if (constraints.length !== members.length) return undefined;
      return { kind: 'logical', operator, constraints };
    }
    this.unknownKeys(v, CONSTRAINT_KEYS, path, 'a constraint');
    if ('rightOperandReference' in v) return undefined; // reported by unknownKeys
    const leftName = localName(v.leftOperand);
    if (!leftName) return this.issue(`${path}.leftOperand`, 'a constraint needs a leftOperand');
    if (!(LEFT_OPERANDS as readonly string[]).includes(leftName)) {
      return this.issue(
        `${path}.leftOperand`,
        `left operand "${leftName}" has no evaluator in Escale (supported: ${LEFT_OPERANDS.join(', ')}); ` +
          'a policy that relies on it is refused rather than enforced without it',
      );
    }
    const leftOperand = leftName as LeftOperand;
    const opName = localName(v.operator);
    if (!opName || !(OPERATORS as readonly string[]).includes(opName)) {
      return this.issue(`${path}.operator`, `operator must be one of ${OPERATORS.join(', ')}`);
    }
    const operator = opName as Operator;
    if (!OPERATORS_FOR[leftOperand].includes(operator)) {
      return this.issue(
        `${path}.operator`,
        `operator "${operator}" does not apply to ${leftOperand} (use ${OPERATORS_FOR[leftOperand].join(', ')})`,
      );
    }
    if (!('rightOperand' in v))
      return this.issue(`${path}.rightOperand`, 'a constraint needs a rightOperand');
    const unit = v.unit === undefined ? undefined : this.text(v.unit, `${path}.unit`);
    const right = this.right(leftOperand, operator, v.rightOperand, `${path}.rightOperand`);
    if (!right) return undefined;
    return { kind: 'constraint', leftOperand, operator, rightOperand: right, ...(unit ? { unit } : {}) };
  }

  private right(left: LeftOperand, op: Operator, v: unknown, path: string): RightOperand | undefined {
    const setOp = op === 'isAnyOf' || op === 'isAllOf' || op === 'isNoneOf';
    const values = setOp ? many(v) : [v];
    if (!setOp && Array.isArray(v)) return this.issue(path, `operator "${op}" takes one value, not a list`);
    if (values.length === 0) return this.issue(path, 'expected at least one value');
    if (values.length > POLICY_LIMITS.listValues) return this.issue(path, 'too many values');
    switch (left) {
      case 'purpose':
      case 'recipient': {
        const out: string[] = [];
        for (const [i, x] of values.entries()) {
          const s = this.text(x, setOp ? `${path}[${i}]` : path);
          if (!s) return undefined;
          out.push(s);
        }
        return { kind: 'strings', values: out };
      }
      case 'count':
      case 'payAmount': {
        const n = Number(scalar(v));
        const raw = scalar(v);
        if (
          (typeof raw !== 'number' && typeof raw !== 'string') ||
          raw === '' ||
          !Number.isFinite(n) ||
          n < 0
        ) {
          return this.issue(path, `${left} needs a non-negative number`);
        }
        if (left === 'count' && !Number.isInteger(n)) return this.issue(path, 'count needs a whole number');
        return { kind: 'number', value: n };
      }
      case 'dateTime': {
        const raw = scalar(v);
        const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
        if (ms === undefined)
          return this.issue(path, 'dateTime needs an ISO 8601 date or date-time (xsd:dateTime)');
        return { kind: 'dateTime', value: ms, text: raw as string };
      }
      case 'elapsedTime': {
        const raw = scalar(v);
        const seconds = typeof raw === 'string' ? parseDuration(raw) : undefined;
        if (seconds === undefined)
          return this.issue(path, 'elapsedTime needs an xsd:duration such as "P30D" or "PT12H"');
        return { kind: 'duration', seconds, text: raw as string };
      }
      case 'spatial': {
        const out: Array<{ name?: string; area?: Area }> = [];
        for (const [i, x] of values.entries()) {
          const p = setOp ? `${path}[${i}]` : path;
          const inner = isObject(x) && '@value' in x ? x['@value'] : x;
          if (isObject(inner) && 'type' in inner && !('@id' in inner)) {
            const area = this.area(inner, p);
            if (!area) return undefined;
            out.push({ area });
          } else {
            const name = this.text(inner, p);
            if (!name) return undefined;
            out.push({ name });
          }
        }
        if ((op === 'eq' || op === 'neq') && out.some((x) => x.area)) {
          return this.issue(path, `spatial "${op}" compares named areas; use isPartOf for a GeoJSON area`);
        }
        return { kind: 'areas', values: out };
      }
    }
  }

  private area(v: Record<string, unknown>, path: string): Area | undefined {
    if (v.type !== 'Polygon' && v.type !== 'MultiPolygon') {
      return this.issue(path, 'a spatial area is a GeoJSON Polygon or MultiPolygon, or the name of an area');
    }
    const polygons =
      v.type === 'Polygon' ? [v.coordinates] : Array.isArray(v.coordinates) ? v.coordinates : [null];
    for (const poly of polygons) {
      if (!Array.isArray(poly) || poly.length === 0)
        return this.issue(`${path}.coordinates`, 'invalid polygon');
      for (const ring of poly) {
        if (!Array.isArray(ring) || ring.length < 4) {
          return this.issue(`${path}.coordinates`, 'each ring needs at least 4 positions');
        }
        this.areaPositions += ring.length;
        if (this.areaPositions > POLICY_LIMITS.areaPositions) {
          return this.issue(
            `${path}.coordinates`,
            `areas hold at most ${POLICY_LIMITS.areaPositions} positions`,
          );
        }
        for (const pos of ring) {
          if (
            !Array.isArray(pos) ||
            pos.length < 2 ||
            typeof pos[0] !== 'number' ||
            typeof pos[1] !== 'number' ||
            Math.abs(pos[0]) > 180 ||
            Math.abs(pos[1]) > 90
          ) {
            return this.issue(`${path}.coordinates`, 'positions are [longitude, latitude] in degrees');
          }
        }
        const [a, b] = [ring[0] as number[], ring[ring.length - 1] as number[]];
        if (a[0] !== b[0] || a[1] !== b[1]) return this.issue(`${path}.coordinates`, 'rings must be closed');
      }
    }
    return { type: v.type, coordinates: v.coordinates } as Area;
  }
}

function scalar(v: unknown): unknown {
  return isObject(v) && '@value' in v ? v['@value'] : v;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Milliseconds of an xsd:date or xsd:dateTime (UTC when no offset is given). */
export function parseDateTime(s: string): number | undefined {
  if (!DATE_TIME.test(s)) return undefined;
  const withZone =
    /T/.test(s) && !/(Z|[+-]\d{2}:\d{2})$/.test(s) ? `${s}Z` : /T/.test(s) ? s : `${s}T00:00:00Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : ms;
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds of an xsd:duration; a year counts 365 days and a month 30 (ODRL gives no calendar). */
export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) return undefined;
  const [y, mo, w, d, h, mi, se] = m.slice(1).map((x) => (x ? Number(x) : 0));
  return (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + se;
}
