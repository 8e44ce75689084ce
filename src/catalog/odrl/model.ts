/**
 * The ODRL 2.2 information model (https://www.w3.org/TR/odrl-model/) as Escale evaluates it: policies in
 * JSON-LD compact form are parsed into these normalised shapes (`parse.ts`), then evaluated (`evaluate.ts`).
 * Names are local names of the ODRL vocabulary (`purpose`, not `odrl:purpose` or its IRI).
 */

export const POLICY_TYPES = ['Set', 'Offer', 'Agreement'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** Left operands with an evaluator. Any other left operand is refused when a policy is saved. */
export const LEFT_OPERANDS = [
  'purpose',
  'dateTime',
  'elapsedTime',
  'count',
  'spatial',
  'recipient',
  'payAmount',
] as const;
export type LeftOperand = (typeof LEFT_OPERANDS)[number];

export const OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lteq',
  'gt',
  'gteq',
  'isA',
  'isPartOf',
  'isAnyOf',
  'isAllOf',
  'isNoneOf',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const LOGICAL_OPERATORS = ['and', 'or', 'xone', 'andSequence'] as const;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

/** Which operators make sense for which left operand; anything else is refused at parse time. */
export const OPERATORS_FOR: Record<LeftOperand, readonly Operator[]> = {
  purpose: ['eq', 'neq', 'isA', 'isAnyOf', 'isAllOf', 'isNoneOf'],
  recipient: ['eq', 'neq', 'isA', 'isPartOf', 'isAnyOf', 'isNoneOf'],
  dateTime: ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'],
  elapsedTime: ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'],
  count: ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'],
  payAmount: ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'],
  spatial: ['eq', 'neq', 'isPartOf', 'isAnyOf', 'isNoneOf'],
};

/** A GeoJSON area (RFC 7946). */
export interface Area {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

/** The right operand, normalised by the left operand's type. */
export type RightOperand =
  | { kind: 'strings'; values: string[] }
  | { kind: 'number'; value: number }
  | { kind: 'dateTime'; value: number; text: string }
  | { kind: 'duration'; seconds: number; text: string }
  | { kind: 'areas'; values: Array<{ name?: string; area?: Area }> };

export interface Constraint {
  kind: 'constraint';
  leftOperand: LeftOperand;
  operator: Operator;
  rightOperand: RightOperand;
  /** e.g. `EUR` for payAmount (local name or IRI as given). */
  unit?: string;
}

export interface LogicalConstraint {
  kind: 'logical';
  operator: LogicalOperator;
  constraints: AnyConstraint[];
}

export type AnyConstraint = Constraint | LogicalConstraint;

export interface Duty {
  action: string;
  /** Constraints of the duty itself (e.g. compensate with payAmount eq 10 EUR): checked as a precondition. */
  constraints: AnyConstraint[];
  /** Refinements of the action. */
  refinements: AnyConstraint[];
}

export interface Rule {
  action: string;
  refinements: AnyConstraint[];
  target?: string;
  assigner?: string;
  assignee?: string[];
  constraints: AnyConstraint[];
  /** Permissions only: duties to fulfil. */
  duties: Duty[];
}

export interface Policy {
  uid?: string;
  type: PolicyType;
  profile?: string;
  target?: string;
  assigner?: string;
  assignee?: string[];
  permissions: Rule[];
  prohibitions: Rule[];
  /** Policy-level duties (`obligation`). */
  obligations: Duty[];
}

export interface PolicyIssue {
  /** JSON path of the offending member, e.g. `permission[0].constraint[1].leftOperand`. */
  path: string;
  message: string;
}

/** What the evaluator knows about the request. Every field is optional but `now`: a missing fact fails a constraint. */
export interface RequestContext {
  /** ODRL action asked for (`use`, `read`, `distribute`...). */
  action: string;
  /** The asset (dataset IRI) concerned. */
  target?: string;
  /** The party asking (organisation IRI or id). */
  assignee?: string;
  /** Declared purposes of use. */
  purpose?: string | string[];
  /** The party that will receive the data. */
  recipient?: string;
  /** Evaluation instant. */
  now: Date;
  /** Start of the agreement, for elapsedTime. */
  since?: Date;
  /** Number of times the action was already exercised under this policy (this request would be one more). */
  count?: number;
  /** Where the data will be used: a named area or a point [lon, lat]. */
  spatial?: { area?: string; point?: [number, number] };
  /** Amount paid (or committed) by the party. */
  payAmount?: { amount: number; unit?: string };
}

/** Facts the policy author relies on: broader concepts (`isA`, `isPartOf`) and named areas. */
export interface Knowledge {
  /** concept → its broader concepts (purposes, groups of recipients, named areas). */
  broader?: Record<string, readonly string[]>;
  /** named area → its geometry. */
  areas?: Record<string, Area>;
}

export type Decision = 'permit' | 'deny' | 'not-applicable';

export interface Evaluation {
  decision: Decision;
  /** Why, in words, one line per rule considered. */
  reasons: string[];
  /** Duties the party must still perform (actions such as `attribute`, `inform`, `delete`). */
  duties: Array<{ action: string; from: 'permission' | 'obligation' }>;
}
