import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CALL_KINDS, ELIGIBILITY_OPERATORS, FIELD_TYPES, PHASES } from './calls.js';
import { PARTNER_ROLES, PARTNER_SIZES, PRACTICE_KINDS } from './directory.js';
import { MAX_FILE_BYTES } from './files.js';
import { MILESTONE_STATUSES } from './workspace.js';

const lit = <T extends readonly string[]>(xs: T) =>
  Type.Unsafe<T[number]>(Type.Union(xs.map((x) => Type.Literal(x))));

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const Instant = Type.String({ format: 'date-time', maxLength: 40 });
export const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 2, maxLength: 80 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Text = Type.String({ maxLength: 10_000 });

export const Paging = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type PagingQuery = Static<typeof Paging>;
export const page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

export const JoinPolicy = lit(['open', 'approval'] as const);
export const CommunityRole = lit(['coordinator', 'contributor', 'member'] as const);
export const MemberStatus = lit(['pending', 'active', 'declined'] as const);

export const Community = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  orgId: Type.Union([Uuid, Type.Null()]),
  joinPolicy: JoinPolicy,
  coordinators: Type.Array(Type.Object({ userId: Type.String(), name: Type.String() })),
  members: Type.Integer(),
  createdAt: Type.String(),
});
export const CommunityCreate = Type.Object(
  {
    slug: Slug,
    name: Name,
    description: Type.Optional(Text),
    orgId: Type.Optional(Uuid),
    joinPolicy: Type.Optional(JoinPolicy),
  },
  { additionalProperties: false },
);
export const CommunityPatch = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Text), joinPolicy: Type.Optional(JoinPolicy) },
  { additionalProperties: false, minProperties: 1 },
);
export const Member = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  role: CommunityRole,
  status: MemberStatus,
  message: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String(),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
});
export const JoinBody = Type.Object(
  { message: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const MemberPatch = Type.Object(
  { status: Type.Optional(MemberStatus), role: Type.Optional(CommunityRole) },
  { additionalProperties: false, minProperties: 1 },
);

export const Event = Type.Object({
  id: Uuid,
  communityId: Type.Union([Uuid, Type.Null()]),
  communityName: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
  description: Type.String(),
  location: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  startsAt: Type.String(),
  endsAt: Type.String(),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  status: lit(['scheduled', 'cancelled'] as const),
  sequence: Type.Integer(),
  reminderHours: Type.Union([Type.Integer(), Type.Null()]),
  registered: Type.Integer(),
  waitlisted: Type.Integer(),
  attended: Type.Integer(),
  updatedAt: Type.String(),
});
const EventFields = {
  title: Name,
  description: Type.Optional(Text),
  location: Type.Optional(Type.String({ maxLength: 500 })),
  url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
  startsAt: Instant,
  endsAt: Instant,
  capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Null()])),
  reminderHours: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 336 }), Type.Null()], {
      description: 'hours before the start the people registered are reminded (default 24; null: none)',
    }),
  ),
};
export const EventCreate = Type.Object(EventFields, { additionalProperties: false });
export const EventPatch = Type.Object(
  {
    ...Type.Partial(Type.Object(EventFields)).properties,
    status: Type.Optional(lit(['scheduled', 'cancelled'] as const)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const EventQuery = Type.Object(
  {
    ...Paging.properties,
    communityId: Type.Optional(Uuid),
    programme: Type.Optional(Type.Boolean()),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false },
);
export const FeedQuery = Type.Object(
  { communityId: Type.Optional(Uuid), programme: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const Registration = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  status: lit(['registered', 'waitlisted', 'cancelled'] as const),
  waitlistPosition: Type.Union([Type.Integer(), Type.Null()]),
  attended: Type.Union([Type.Boolean(), Type.Null()]),
  registeredAt: Type.String(),
});
export const Attendance = Type.Object({ attended: Type.Boolean() }, { additionalProperties: false });
export const UserParams = Type.Object({ id: Uuid, userId: Uuid });

// ---- calls ----

const Key = Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]*$', maxLength: 60 });
export const Phase = lit(PHASES);
export const FormField = Type.Object(
  {
    key: Key,
    label: Type.String({ minLength: 1, maxLength: 300 }),
    type: lit(FIELD_TYPES),
    required: Type.Optional(Type.Boolean()),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
    options: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
    identifying: Type.Optional(Type.Boolean()),
    accept: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 20,
        uniqueItems: true,
        description: 'file fields: accepted content types',
      }),
    ),
    maxBytes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_FILE_BYTES, description: 'file fields: size cap in bytes' }),
    ),
  },
  { additionalProperties: false },
);
export const EligibilityRule = Type.Object(
  {
    field: Key,
    operator: lit(ELIGIBILITY_OPERATORS),
    value: Type.Union([
      Type.Boolean(),
      Type.Number(),
      Type.String({ maxLength: 200 }),
      Type.Array(Type.Union([Type.Number(), Type.String({ maxLength: 200 })]), { maxItems: 100 }),
    ]),
    message: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export const Criterion = Type.Object(
  {
    key: Key,
    label: Type.String({ minLength: 1, maxLength: 300 }),
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
    max: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  },
  { additionalProperties: false },
);
export const PhaseDates = Type.Object(
  { phase: Phase, startsAt: Type.Optional(Instant), endsAt: Type.Optional(Instant) },
  { additionalProperties: false },
);
export const CallObservatory = Type.Object(
  {
    actionId: Type.Optional(Uuid),
    indicatorCodes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), {
        maxItems: 50,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false, description: 'where selected applications go in the Observatory' },
);
const CallFields = {
  kind: lit(CALL_KINDS),
  title: Name,
  description: Type.Optional(Text),
  orgId: Uuid,
  phases: Type.Optional(Type.Array(PhaseDates, { maxItems: 5 })),
  form: Type.Optional(Type.Array(FormField, { maxItems: 100 })),
  criteria: Type.Optional(Type.Array(Criterion, { maxItems: 30 })),
  blind: Type.Optional(Type.Boolean()),
  observatory: Type.Optional(CallObservatory),
  eligibility: Type.Optional(Type.Array(EligibilityRule, { maxItems: 30 })),
};
export const CallCreate = Type.Object(CallFields, { additionalProperties: false });
export const CallPatch = Type.Object(
  {
    title: Type.Optional(Name),
    description: Type.Optional(Text),
    phases: CallFields.phases,
    form: CallFields.form,
    criteria: CallFields.criteria,
    blind: CallFields.blind,
    observatory: CallFields.observatory,
    eligibility: CallFields.eligibility,
  },
  { additionalProperties: false, minProperties: 1 },
);
export const Call = Type.Object({
  id: Uuid,
  kind: lit(CALL_KINDS),
  title: Type.String(),
  description: Type.String(),
  orgId: Uuid,
  phase: Phase,
  phases: Type.Array(PhaseDates),
  form: Type.Array(FormField),
  criteria: Type.Array(Criterion),
  eligibility: Type.Array(EligibilityRule),
  blind: Type.Boolean(),
  observatory: CallObservatory,
  deliberation: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export const CallQuery = Type.Object(
  { ...Paging.properties, kind: Type.Optional(lit(CALL_KINDS)) },
  { additionalProperties: false },
);
export const PhaseBody = Type.Object({ phase: Phase }, { additionalProperties: false });
export const JurorBody = Type.Object({ userId: Uuid, name: Name }, { additionalProperties: false });
export const Juror = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  reviews: Type.Integer(),
  conflicts: Type.Integer(),
});
// Values are checked against the call's form (calls.ts checkAnswers): a typed union here would let the
// coercing validator turn numbers into strings.
const Answers = Type.Record(Key, Type.Unknown(), { maxProperties: 100 });
export const ApplicationCreate = Type.Object(
  { title: Name, orgId: Type.Optional(Uuid), answers: Type.Optional(Answers) },
  { additionalProperties: false },
);
export const ApplicationPatch = Type.Object(
  { title: Type.Optional(Name), answers: Type.Optional(Answers) },
  { additionalProperties: false, minProperties: 1 },
);
export const Application = Type.Object({
  id: Uuid,
  callId: Uuid,
  applicant: Type.Optional(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      orgId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  title: Type.String(),
  answers: Type.Record(Type.String(), Type.Unknown()),
  status: lit(['draft', 'submitted', 'selected', 'rejected'] as const),
  reference: Type.Union([Type.String(), Type.Null()]),
  submittedAt: Type.Union([Type.String(), Type.Null()]),
  feedback: Type.Union([Type.String(), Type.Null()]),
  observatoryProjectId: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
export const AttachmentUpload = Type.Object(
  {
    field: Key,
    filename: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000-\\u001f]+$' }),
    contentType: Type.String({ maxLength: 100 }),
    data: Type.String({ minLength: 1, maxLength: 2_800_000, description: 'the file, base64' }),
  },
  { additionalProperties: false },
);
export const AttachmentParams = Type.Object({ id: Uuid, attachmentId: Uuid });
export const Receipt = Type.Object({
  reference: Type.String(),
  submittedAt: Type.String(),
  digest: Type.String(),
});
export const ConflictBody = Type.Object(
  { applicationId: Uuid, reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const ReviewBody = Type.Object(
  {
    scores: Type.Record(Key, Type.Number({ minimum: 0, maximum: 1000 }), { maxProperties: 30 }),
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);
const MyReview = Type.Union([
  Type.Object({
    scores: Type.Record(Type.String(), Type.Number()),
    comment: Type.String(),
    weightedTotal: Type.Number(),
  }),
  Type.Null(),
]);
export const Queue = Type.Object({
  items: Type.Array(Type.Object({ application: Application, myReview: MyReview })),
  total: Type.Integer(),
  conflicts: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
export const Ranking = Type.Object({
  method: Type.String(),
  items: Type.Array(
    Type.Object({
      applicationId: Type.String(),
      rank: Type.Integer(),
      score: Type.Number(),
      rawMean: Type.Number(),
      reviews: Type.Integer(),
      title: Type.String(),
      reference: Type.Union([Type.String(), Type.Null()]),
      applicantName: Type.String(),
      status: Type.String(),
      comments: Type.Array(
        Type.Object({
          jurorId: Type.String(),
          jurorName: Type.String(),
          comment: Type.String(),
          weightedTotal: Type.Number(),
        }),
      ),
    }),
  ),
});
export const Notification = Type.Object({
  applicationId: Type.String(),
  kind: Type.String(),
  outcome: Type.String(),
  sentAt: Type.String(),
});
export const ReminderResult = Type.Object({ sent: Type.Integer(), failed: Type.Integer() });
export const DecisionResult = Type.Object({
  selected: Type.Integer(),
  rejected: Type.Integer(),
  notifications: Type.Optional(
    Type.Object({ sent: Type.Integer(), failed: Type.Integer(), unchanged: Type.Integer() }),
  ),
  followUp: Type.Array(
    Type.Object({
      applicationId: Type.String(),
      projectId: Type.Union([Type.String(), Type.Null()]),
      error: Type.Optional(Type.String()),
    }),
  ),
});
export const DecisionBody = Type.Object(
  {
    selected: Type.Array(Uuid, { maxItems: 1000, uniqueItems: true }),
    deliberation: Type.Optional(Type.String({ maxLength: 20_000 })),
    feedback: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Type.String({ maxLength: 5000 }))),
  },
  { additionalProperties: false },
);

// ---- partners directory and knowledge base ----

const SectorSlug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 2, maxLength: 60 });
const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const PartnerContact = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(Type.String({ pattern: '^[+0-9 ().-]{4,40}$' })),
  },
  { additionalProperties: false },
);
const PartnerFields = {
  slug: Slug,
  name: Name,
  orgId: Type.Optional(Nullable(Uuid)),
  sector: SectorSlug,
  size: Type.Optional(Nullable(lit(PARTNER_SIZES))),
  roles: Type.Optional(Type.Array(lit(PARTNER_ROLES), { maxItems: PARTNER_ROLES.length, uniqueItems: true })),
  description: Type.Optional(Text),
  city: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  website: Type.Optional(Nullable(HttpUrl)),
  contact: Type.Optional(PartnerContact),
  projects: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 100 })),
};
export const PartnerCreate = Type.Object(PartnerFields, { additionalProperties: false });
export const PartnerPatch = Type.Object(Type.Partial(Type.Object(PartnerFields)).properties, {
  additionalProperties: false,
  minProperties: 1,
});
export const Partner = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  orgId: Nullable(Type.String()),
  sector: Type.String(),
  size: Nullable(Type.String()),
  roles: Type.Array(Type.String()),
  description: Type.String(),
  city: Nullable(Type.String()),
  website: Nullable(Type.String()),
  contact: Type.Object({
    name: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
  }),
  projects: Type.Array(Type.String()),
  observatoryProjects: Type.Optional(
    Type.Array(
      Type.Object({ code: Type.String(), name: Type.String(), status: Type.String(), role: Type.String() }),
    ),
  ),
  updatedAt: Type.String(),
});
export const PartnerQuery = Type.Object(
  {
    ...Paging.properties,
    q: Type.Optional(Type.String({ maxLength: 200 })),
    sector: Type.Optional(SectorSlug),
    role: Type.Optional(lit(PARTNER_ROLES)),
    size: Type.Optional(lit(PARTNER_SIZES)),
  },
  { additionalProperties: false },
);
const Facet = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));
export const PartnerFacets = Type.Object({ sectors: Facet, roles: Facet });

const Tag = Type.String({ pattern: '^[a-zA-Z0-9À-ÿ]+([ -][a-zA-Z0-9À-ÿ]+)*$', minLength: 2, maxLength: 60 });
const PracticeFields = {
  slug: Slug,
  kind: lit(PRACTICE_KINDS),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  summaryFr: Type.Optional(Text),
  summaryEn: Type.Optional(Text),
  city: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  country: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  year: Type.Optional(Nullable(Type.Integer({ minimum: 1900, maximum: 2200 }))),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
  links: Type.Optional(
    Type.Array(
      Type.Object(
        { title: Type.String({ minLength: 1, maxLength: 300 }), url: HttpUrl },
        { additionalProperties: false },
      ),
      { maxItems: 30 },
    ),
  ),
  communityIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
  callIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true })),
};
export const PracticeCreate = Type.Object(PracticeFields, { additionalProperties: false });
export const PracticePatch = Type.Object(Type.Partial(Type.Object(PracticeFields)).properties, {
  additionalProperties: false,
  minProperties: 1,
});
export const Practice = Type.Object({
  id: Uuid,
  slug: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  summaryFr: Type.String(),
  summaryEn: Type.String(),
  city: Nullable(Type.String()),
  country: Nullable(Type.String()),
  year: Nullable(Type.Integer()),
  tags: Type.Array(Type.String()),
  links: Type.Array(Type.Object({ title: Type.String(), url: Type.String() })),
  communityIds: Type.Array(Type.String()),
  callIds: Type.Array(Type.String()),
  createdBy: Nullable(Type.String()),
  updatedAt: Type.String(),
});
export const PracticeQuery = Type.Object(
  {
    ...Paging.properties,
    q: Type.Optional(Type.String({ maxLength: 200 })),
    tag: Type.Optional(Type.Array(Tag, { maxItems: 10 })),
    kind: Type.Optional(lit(PRACTICE_KINDS)),
    city: Type.Optional(Type.String({ maxLength: 200 })),
    communityId: Type.Optional(Uuid),
    callId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const TagFacets = Type.Object({ items: Facet });

// ---- community workspace ----

const Day = Type.String({ format: 'date', maxLength: 10 });
const MilestoneFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  description: Type.Optional(Text),
  dueDate: Type.Optional(Nullable(Day)),
  status: Type.Optional(lit(MILESTONE_STATUSES)),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
};
export const MilestoneCreate = Type.Object(MilestoneFields, { additionalProperties: false });
export const MilestonePatch = Type.Object(Type.Partial(Type.Object(MilestoneFields)).properties, {
  additionalProperties: false,
  minProperties: 1,
});
export const Milestone = Type.Object({
  id: Uuid,
  communityId: Uuid,
  title: Type.String(),
  description: Type.String(),
  dueDate: Nullable(Type.String()),
  status: Type.String(),
  position: Type.Integer(),
  updatedAt: Type.String(),
});
export const MilestoneParams = Type.Object({ id: Uuid, milestoneId: Uuid });

export const FileUpload = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000-\\u001f]+$' }),
    contentType: Type.String({ maxLength: 100 }),
    data: Type.String({
      minLength: 1,
      maxLength: 2_800_000,
      description: 'the file, base64 (2 MiB at most)',
    }),
  },
  { additionalProperties: false },
);
export const ResourceCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Text),
    visibility: Type.Optional(lit(['public', 'members'] as const)),
    url: Type.Optional(HttpUrl),
    file: Type.Optional(FileUpload),
  },
  { additionalProperties: false },
);
const Author = Type.Object({ userId: Type.String(), name: Type.String() });
export const Resource = Type.Object({
  id: Uuid,
  communityId: Uuid,
  kind: Type.String(),
  title: Type.String(),
  description: Type.String(),
  visibility: Type.String(),
  url: Nullable(Type.String()),
  file: Nullable(
    Type.Object({
      filename: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
      sha256: Type.String(),
    }),
  ),
  author: Author,
  createdAt: Type.String(),
});
export const ThreadCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export const ThreadPatch = Type.Object({ locked: Type.Boolean() }, { additionalProperties: false });
export const Thread = Type.Object({
  id: Uuid,
  communityId: Uuid,
  title: Type.String(),
  author: Author,
  locked: Type.Boolean(),
  posts: Type.Integer(),
  createdAt: Type.String(),
  lastPostAt: Type.String(),
});
export const PostCreate = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 20_000 }) },
  { additionalProperties: false },
);
export const Post = Type.Object({
  id: Uuid,
  threadId: Uuid,
  author: Author,
  body: Type.String(),
  createdAt: Type.String(),
});
export const AttendanceQuery = Type.Object(
  { from: Type.Optional(Instant), to: Type.Optional(Instant) },
  { additionalProperties: false },
);
export const AttendanceSeries = Type.Object({
  communityId: Uuid,
  items: Type.Array(
    Type.Object({
      month: Type.String(),
      events: Type.Integer(),
      registered: Type.Integer(),
      attended: Type.Integer(),
    }),
  ),
});
