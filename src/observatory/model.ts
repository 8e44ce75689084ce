import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { COMPARATORS } from './expr.js';
import { PERIOD_PATTERN, PERIODICITIES } from './periods.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });
export const Code = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' });
export const PeriodCode = Type.String({
  pattern: PERIOD_PATTERN,
  description: 'SDMX period: 2026, 2026-S1, 2026-Q1, 2026-03',
});
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const DateTime = Type.String({ format: 'date-time' });

export const LEVELS = ['input', 'output', 'outcome', 'impact'] as const;
export const VALUE_TYPES = ['number', 'percentage', 'ratio', 'boolean', 'text'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'last', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export const PROJECT_STATUSES = ['planned', 'ongoing', 'delayed', 'completed', 'cancelled'] as const;
export const VALUE_STATUSES = ['draft', 'submitted', 'approved', 'returned'] as const;
export type ValueStatus = (typeof VALUE_STATUSES)[number];

export const Paging = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export const page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

// ---- programme ----

export const ProgrammeCreate = Type.Object(
  {
    code: Code,
    nameFr: Text(300),
    nameEn: Text(300),
    description: Type.Optional(Type.String({ maxLength: 8000 })),
    startYear: Type.Integer({ minimum: 1900, maximum: 2200 }),
    endYear: Type.Integer({ minimum: 1900, maximum: 2200 }),
    budget: Type.Optional(Type.Number({ minimum: 0 })),
    deviationThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
);
export type ProgrammeCreate = Static<typeof ProgrammeCreate>;
export const ProgrammePatch = Type.Partial(ProgrammeCreate, {
  additionalProperties: false,
  minProperties: 1,
});

export const TopicCreate = Type.Object(
  {
    code: Code,
    nameFr: Text(300),
    nameEn: Text(300),
    description: Type.Optional(Type.String({ maxLength: 8000 })),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const TopicPatch = Type.Partial(TopicCreate, { additionalProperties: false, minProperties: 1 });

export const ActionCreate = Type.Object(
  {
    code: Code,
    nameFr: Text(300),
    nameEn: Text(300),
    description: Type.Optional(Type.String({ maxLength: 8000 })),
    leadOrganisation: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export const ActionPatch = Type.Partial(Type.Composite([ActionCreate, Type.Object({ topicId: Uuid })]), {
  additionalProperties: false,
  minProperties: 1,
});

const Funding = Type.Object(
  { source: Text(300), amount: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);
const Milestone = Type.Object(
  {
    name: Text(300),
    date: Type.String({ format: 'date' }),
    done: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const GeoPoint = Type.Object(
  {
    type: Type.Literal('Point'),
    coordinates: Type.Tuple([
      Type.Number({ minimum: -180, maximum: 180 }),
      Type.Number({ minimum: -90, maximum: 90 }),
    ]),
  },
  { additionalProperties: false },
);

export const ProjectCreate = Type.Object(
  {
    code: Code,
    name: Text(300),
    description: Type.Optional(Type.String({ maxLength: 8000 })),
    leadOrganisation: Text(300),
    leadOrgId: Type.Optional(Uuid),
    contactName: Type.Optional(Type.String({ maxLength: 200 })),
    contactEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    partners: Type.Optional(Type.Array(Text(300), { maxItems: 100 })),
    budget: Type.Optional(Type.Number({ minimum: 0 })),
    funding: Type.Optional(Type.Array(Funding, { maxItems: 50 })),
    status: Type.Optional(lit(PROJECT_STATUSES)),
    milestones: Type.Optional(Type.Array(Milestone, { maxItems: 100 })),
    location: Type.Optional(Nullable(GeoPoint)),
    public: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ProjectCreate = Static<typeof ProjectCreate>;
export const ProjectPatch = Type.Partial(Type.Composite([ProjectCreate, Type.Object({ actionId: Uuid })]), {
  additionalProperties: false,
  minProperties: 1,
});

// ---- indicators ----

const Target = Type.Object(
  {
    period: PeriodCode,
    value: Type.Number(),
    projectId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type Target = Static<typeof Target>;
const Baseline = Type.Object({ period: PeriodCode, value: Type.Number() }, { additionalProperties: false });
const Disaggregation = Type.Object(
  {
    code: Code,
    nameFr: Text(200),
    nameEn: Text(200),
    categories: Type.Array(Code, { minItems: 1, maxItems: 50, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type Disaggregation = Static<typeof Disaggregation>;

export const DataHubQuery = Type.Object(
  {
    kind: Type.Literal('datahub'),
    /** count: entities matching; average/sum/min/max: of an attribute of the current entities; temporal: over the period's history. */
    method: lit(['count', 'avg', 'sum', 'min', 'max'] as const),
    type: Type.String({ minLength: 1, maxLength: 300, description: 'NGSI-LD entity type' }),
    attribute: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    q: Type.Optional(Type.String({ maxLength: 1000, description: 'NGSI-LD q filter' })),
    temporal: Type.Optional(
      Type.Boolean({ description: "aggregate the attribute's history within the period (temporal API)" }),
    ),
    context: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
    tenant: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type DataHubQuery = Static<typeof DataHubQuery>;

export const Source = Type.Union([
  Type.Object({ kind: Type.Literal('entered') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('formula'),
      expression: Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'over indicator codes: (A + B) / C * 100',
      }),
    },
    { additionalProperties: false },
  ),
  DataHubQuery,
  Type.Object(
    {
      kind: Type.Literal('figure'),
      figure: Type.String({
        pattern: '^[a-z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)+$',
        maxLength: 100,
        description: 'a figure another capability provides, e.g. innovation.communities',
      }),
    },
    { additionalProperties: false },
  ),
]);
export type Source = Static<typeof Source>;

export const IndicatorCreate = Type.Object(
  {
    code: Code,
    actionId: Type.Optional(Nullable(Uuid)),
    nameFr: Text(300),
    nameEn: Text(300),
    definitionFr: Type.Optional(Type.String({ maxLength: 8000 })),
    definitionEn: Type.Optional(Type.String({ maxLength: 8000 })),
    level: lit(LEVELS),
    unit: Type.Optional(Type.String({ maxLength: 50 })),
    valueType: lit(VALUE_TYPES),
    aggregation: Type.Optional(lit(AGGREGATIONS)),
    periodAggregation: Type.Optional(lit(AGGREGATIONS)),
    periodicity: Type.Optional(lit(PERIODICITIES)),
    direction: Type.Optional(lit(['increase', 'decrease'] as const)),
    baseline: Type.Optional(Nullable(Baseline)),
    targets: Type.Optional(Type.Array(Target, { maxItems: 500 })),
    disaggregations: Type.Optional(Type.Array(Disaggregation, { maxItems: 10 })),
    source: Type.Optional(Source),
    min: Type.Optional(Nullable(Type.Number())),
    max: Type.Optional(Nullable(Type.Number())),
    required: Type.Optional(Type.Boolean()),
    public: Type.Optional(Type.Boolean()),
    key: Type.Optional(Type.Boolean({ description: 'shown first on the public dashboard' })),
  },
  { additionalProperties: false },
);
export type IndicatorCreate = Static<typeof IndicatorCreate>;
export const IndicatorPatch = Type.Partial(IndicatorCreate, {
  additionalProperties: false,
  minProperties: 1,
});

export const RuleCreate = Type.Object(
  {
    left: Type.String({ minLength: 1, maxLength: 1000 }),
    operator: lit(COMPARATORS),
    right: Type.String({ minLength: 1, maxLength: 1000 }),
    message: Text(500),
  },
  { additionalProperties: false },
);

// ---- values and campaigns ----

export const ValueInput = Type.Object(
  {
    indicatorId: Uuid,
    value: Type.Optional(
      Nullable(Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 4000 })])),
    ),
    numerator: Type.Optional(Nullable(Type.Number())),
    denominator: Type.Optional(Nullable(Type.Number())),
    disaggregations: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Record(Type.String({ maxLength: 64 }), Type.Number())),
    ),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  },
  { additionalProperties: false },
);
export type ValueInput = Static<typeof ValueInput>;
export const ValuesBody = Type.Object(
  { values: Type.Array(ValueInput, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
);

export const Value = Type.Object({
  id: Uuid,
  indicatorId: Uuid,
  indicatorCode: Type.String(),
  projectId: Nullable(Uuid),
  period: Type.String(),
  value: Nullable(Type.Union([Type.Number(), Type.Boolean(), Type.String()])),
  numerator: Nullable(Type.Number()),
  denominator: Nullable(Type.Number()),
  disaggregations: Type.Record(Type.String(), Type.Unknown()),
  comment: Nullable(Type.String()),
  status: lit(VALUE_STATUSES),
  source: Type.String(),
  updatedAt: DateTime,
  updatedBy: Nullable(Type.String()),
});
export type Value = Static<typeof Value>;

export const CampaignCreate = Type.Object(
  {
    name: Text(300),
    period: PeriodCode,
    dueAt: DateTime,
    reminderIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    maxReminders: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    projects: Type.Array(
      Type.Object(
        {
          projectId: Uuid,
          indicatorIds: Type.Array(Uuid, { minItems: 1, maxItems: 200, uniqueItems: true }),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);
export type CampaignCreate = Static<typeof CampaignCreate>;
export const CampaignPatch = Type.Object(
  {
    name: Type.Optional(Text(300)),
    dueAt: Type.Optional(DateTime),
    reminderIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    maxReminders: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    status: Type.Optional(lit(['open', 'closed'] as const)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ValidationIssue = Type.Object({
  indicatorId: Nullable(Uuid),
  rule: Type.String(),
  message: Type.String(),
});
export type ValidationIssue = Static<typeof ValidationIssue>;

export const AttachmentUpload = Type.Object(
  {
    indicatorId: Type.Optional(Uuid),
    filename: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000-\\u001f]+$' }),
    contentType: Type.String({ maxLength: 100 }),
    data: Type.String({ maxLength: 3_000_000, contentEncoding: 'base64', description: 'the file, base64' }),
  },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 4000 })) },
  { additionalProperties: false },
);
export const ReturnBody = Type.Object({ comment: Text(4000) }, { additionalProperties: false });

export const HistoryEntry = Type.Object({
  seq: Type.Integer(),
  kind: Type.String(),
  objectId: Uuid,
  op: Type.String(),
  actor: Nullable(Type.String()),
  at: DateTime,
  changes: Type.Record(Type.String(), Type.Unknown()),
});
export type HistoryEntry = Static<typeof HistoryEntry>;

export const Loose = Type.Record(Type.String(), Type.Unknown());
