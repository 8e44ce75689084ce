import { type Static, Type } from '@sinclair/typebox';

/** How a dataset may be read: by anyone, by anyone signed in, or under an agreement with its owner. */
export const ACCESS_TYPES = ['open', 'account', 'restricted'] as const;
export type AccessType = (typeof ACCESS_TYPES)[number];

/** EU vocabularies: data themes (http://publications.europa.eu/resource/authority/data-theme/). */
export const THEMES = [
  'AGRI',
  'ECON',
  'EDUC',
  'ENER',
  'ENVI',
  'GOVE',
  'HEAL',
  'INTR',
  'JUST',
  'REGI',
  'SOCI',
  'TECH',
  'TRAN',
] as const;
/** EU vocabularies: frequencies (http://publications.europa.eu/resource/authority/frequency/). */
export const FREQUENCIES = [
  'CONT',
  'UPDATE_CONT',
  'HOURLY',
  'DAILY',
  'WEEKLY',
  'MONTHLY',
  'QUARTERLY',
  'ANNUAL',
  'IRREG',
  'NEVER',
  'UNKNOWN',
] as const;

export const Uuid = Type.String({ format: 'uuid' });

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
/** Text in French and English (at least one of them). */
export const LangText = (max: number) =>
  Type.Object(
    { fr: Type.Optional(Text(max)), en: Type.Optional(Text(max)) },
    { additionalProperties: false, minProperties: 1 },
  );
export type LangText = Static<ReturnType<typeof LangText>>;

const HttpUrl = Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$' });

export const Contact = Type.Object(
  {
    name: Text(200),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    url: Type.Optional(HttpUrl),
  },
  { additionalProperties: false },
);

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });
const Ring = Type.Array(Position, { minItems: 4, maxItems: 2000 });
export const Geometry = Type.Union([
  Type.Object(
    { type: Type.Literal('Polygon'), coordinates: Type.Array(Ring, { minItems: 1, maxItems: 20 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('MultiPolygon'),
      coordinates: Type.Array(Type.Array(Ring, { minItems: 1, maxItems: 20 }), { minItems: 1, maxItems: 50 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('Point'), coordinates: Position }, { additionalProperties: false }),
]);

export const Spatial = Type.Object(
  { name: Type.Optional(Text(200)), geometry: Type.Optional(Geometry) },
  { additionalProperties: false, minProperties: 1 },
);

export const Temporal = Type.Object(
  {
    start: Type.Optional(Type.String({ format: 'date-time' })),
    end: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const Access = Type.Union(ACCESS_TYPES.map((a) => Type.Literal(a)));
const Keyword = Type.String({ minLength: 1, maxLength: 80 });

/** An ODRL policy: validated by the ODRL parser, not by the schema (so that its errors name the member). */
export const PolicyBody = Type.Object(
  {},
  { additionalProperties: true, description: 'ODRL 2.2 policy, JSON-LD compact form' },
);

/** A dataset's price plan: free, per call (price per 1,000 calls), a monthly subscription, or a one-off purchase. */
export const PLAN_KINDS = ['free', 'perCall', 'monthly', 'oneOff'] as const;
export const Plan = Type.Object(
  {
    kind: Type.Union(PLAN_KINDS.map((k) => Type.Literal(k))),
    price: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000_000 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
);
export type Plan = Static<typeof Plan>;

const datasetFields = {
  title: LangText(300),
  description: LangText(10_000),
  contact: Type.Optional(Contact),
  license: Type.Optional(HttpUrl),
  themes: Type.Optional(
    Type.Array(Type.Union(THEMES.map((t) => Type.Literal(t))), { maxItems: 13, uniqueItems: true }),
  ),
  keywords: Type.Optional(Type.Array(Keyword, { maxItems: 50, uniqueItems: true })),
  spatial: Type.Optional(Spatial),
  temporal: Type.Optional(Temporal),
  frequency: Type.Optional(Type.Union(FREQUENCIES.map((f) => Type.Literal(f)))),
  access: Access,
  policy: Type.Optional(PolicyBody),
  plan: Type.Optional(Plan),
  /** Agree at once to requests whose purpose the policy permits. */
  autoAgree: Type.Optional(Type.Boolean()),
};

export const DatasetCreate = Type.Object({ orgId: Uuid, ...datasetFields }, { additionalProperties: false });
export type DatasetCreate = Static<typeof DatasetCreate>;

/** Partial update; `null` clears an optional member. */
export const DatasetPatch = Type.Object(
  {
    title: Type.Optional(LangText(300)),
    description: Type.Optional(LangText(10_000)),
    contact: Type.Optional(Type.Union([Type.Null(), Contact])),
    license: Type.Optional(Type.Union([Type.Null(), HttpUrl])),
    themes: datasetFields.themes,
    keywords: datasetFields.keywords,
    spatial: Type.Optional(Type.Union([Type.Null(), Spatial])),
    temporal: Type.Optional(Type.Union([Type.Null(), Temporal])),
    frequency: Type.Optional(Type.Union([Type.Null(), ...FREQUENCIES.map((f) => Type.Literal(f))])),
    access: Type.Optional(Access),
    policy: Type.Optional(Type.Union([Type.Null(), PolicyBody])),
    plan: Type.Optional(Type.Union([Type.Null(), Plan])),
    autoAgree: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type DatasetPatch = Static<typeof DatasetPatch>;

export const DistributionCreate = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('ngsi-ld'),
      title: Type.Optional(LangText(300)),
      entityType: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s<>"{}|\\\\^`]+$' }),
      attributes: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100, uniqueItems: true }),
      ),
      /** Attributes holding personal data: pseudonymised per agreement. */
      personal: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100, uniqueItems: true }),
      ),
      /** Purposes of an agreement for which the personal attributes are shown in clear. */
      personalClearPurposes: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20, uniqueItems: true }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Union([Type.Literal('file'), Type.Literal('api')]),
      title: Type.Optional(LangText(300)),
      url: HttpUrl,
      mediaType: Type.Optional(Type.String({ maxLength: 100, pattern: '^[\\w.+-]+/[\\w.+-]+$' })),
      format: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    },
    { additionalProperties: false },
  ),
]);
export type DistributionCreate = Static<typeof DistributionCreate>;

export const DataServiceCreate = Type.Object(
  {
    orgId: Uuid,
    title: LangText(300),
    description: Type.Optional(LangText(10_000)),
    endpointUrl: HttpUrl,
    endpointDescription: Type.Optional(HttpUrl),
    servesDatasets: Type.Optional(Type.Array(Uuid, { maxItems: 100, uniqueItems: true })),
    access: Access,
  },
  { additionalProperties: false },
);
export type DataServiceCreate = Static<typeof DataServiceCreate>;

export const Paging = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const DatasetQuery = Type.Object(
  {
    ...Paging,
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    theme: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 13 })),
    keyword: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: 20 })),
    publisher: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
    access: Type.Optional(Type.Array(Access, { maxItems: 3 })),
  },
  { additionalProperties: false },
);
export type DatasetQuery = Static<typeof DatasetQuery>;

export interface Distribution {
  id: string;
  kind: 'ngsi-ld' | 'file' | 'api';
  title?: LangText;
  entityType?: string;
  attributes?: string[];
  personal?: string[];
  personalClearPurposes?: string[];
  url?: string;
  mediaType?: string;
  format?: string;
}

export interface Dataset {
  id: string;
  orgId: string;
  title: LangText;
  description: LangText;
  contact?: Static<typeof Contact>;
  license?: string;
  themes: string[];
  keywords: string[];
  spatial?: Static<typeof Spatial>;
  temporal?: { start?: string; end?: string };
  frequency?: string;
  access: AccessType;
  policy?: Record<string, unknown>;
  plan?: Plan;
  autoAgree: boolean;
  /** Harvested datasets: the harvest source and the dataset's IRI in the remote catalog. */
  source?: { id: string; iri: string };
  created: string;
  modified: string;
  distributions: Distribution[];
}

export interface DataService {
  id: string;
  orgId: string;
  title: LangText;
  description?: LangText;
  endpointUrl: string;
  endpointDescription?: string;
  servesDatasets: string[];
  access: AccessType;
  created: string;
  modified: string;
}

export interface Facet {
  value: string;
  count: number;
}
