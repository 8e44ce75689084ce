import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CALL_KINDS, FIELD_TYPES, PHASES } from './calls.js';

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
const CallFields = {
  kind: lit(CALL_KINDS),
  title: Name,
  description: Type.Optional(Text),
  orgId: Uuid,
  phases: Type.Optional(Type.Array(PhaseDates, { maxItems: 5 })),
  form: Type.Optional(Type.Array(FormField, { maxItems: 100 })),
  criteria: Type.Optional(Type.Array(Criterion, { maxItems: 30 })),
  blind: Type.Optional(Type.Boolean()),
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
  blind: Type.Boolean(),
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
  updatedAt: Type.String(),
});
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
export const DecisionBody = Type.Object(
  {
    selected: Type.Array(Uuid, { maxItems: 1000, uniqueItems: true }),
    deliberation: Type.Optional(Type.String({ maxLength: 20_000 })),
    feedback: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Type.String({ maxLength: 5000 }))),
  },
  { additionalProperties: false },
);
