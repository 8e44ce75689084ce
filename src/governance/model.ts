import { type Static, Type } from '@sinclair/typebox';

/** Kinds of organisation taking part in the programme. */
export const ORG_KINDS = [
  'port-authority',
  'metropolis',
  'operator',
  'start-up',
  'research',
  'other',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Roles in an organisation, weakest first. */
export const ROLES = ['member', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `has` is at least `needed`. */
export function roleAtLeast(has: Role, needed: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needed);
}

/**
 * Scopes an API key may carry. A user has every scope (roles decide what a user may do); a key has only its own.
 * Writes under `/ngsi-ld/v1` need `broker:write`; writes under `/api/<capability>/...` need `<capability>:write`.
 */
export const SCOPES = [
  'broker:read',
  'broker:write',
  'catalog:read',
  'catalog:write',
  'mobility:write',
  'ingest:write',
  'observatory:write',
  'innovation:write',
  'governance:read',
  'governance:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Membership {
  orgId: string;
  role: Role;
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
}
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  name: string;
  platformAdmin: boolean;
  memberships: Membership[];
}
export interface ApiKeyPrincipal {
  kind: 'apiKey';
  keyId: string;
  orgId: string;
  scopes: Scope[];
}
/** Who is calling: set on every request by the governance plugin as `request.principal`. */
export type Principal = AnonymousPrincipal | UserPrincipal | ApiKeyPrincipal;

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous' });

/** A short, log-safe name of a principal (never a secret). */
export function actorOf(p: Principal): string | null {
  if (p.kind === 'user') return `user:${p.userId}`;
  if (p.kind === 'apiKey') return `apikey:${p.keyId}`;
  return null;
}

/** The role a principal holds in an organisation, if any. An API key acts as an editor of its organisation. */
export function roleIn(p: Principal, orgId: string): Role | undefined {
  if (p.kind === 'user') return p.memberships.find((m) => m.orgId === orgId)?.role;
  if (p.kind === 'apiKey') return p.orgId === orgId ? 'editor' : undefined;
  return undefined;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  if (p.kind === 'user') return true;
  if (p.kind === 'apiKey') return p.scopes.includes(scope);
  return false;
}

export const isPlatformAdmin = (p: Principal): boolean => p.kind === 'user' && p.platformAdmin;

// ---- HTTP schemas ----

export const Uuid = Type.String({ format: 'uuid' });
export const OrgKindSchema = Type.Union(ORG_KINDS.map((k) => Type.Literal(k)));
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const ScopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));
const Email = Type.String({ format: 'email', maxLength: 254 });
const Domain = Type.String({ pattern: '^[a-z0-9.-]+\\.[a-z]{2,}$', maxLength: 253 });

export const Paging = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
export type PagingQuery = Static<typeof Paging>;

export const page = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

export const Organisation = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  kind: OrgKindSchema,
  website: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  emailDomains: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Organisation = Static<typeof Organisation>;

export const OrganisationCreate = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: OrgKindSchema,
    website: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    emailDomains: Type.Optional(Type.Array(Domain, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type OrganisationCreate = Static<typeof OrganisationCreate>;

export const OrganisationPatch = Type.Partial(Type.Omit(OrganisationCreate, ['slug']), {
  additionalProperties: false,
  minProperties: 1,
});
export type OrganisationPatch = Static<typeof OrganisationPatch>;

export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  platformAdmin: Type.Boolean(),
  disabled: Type.Boolean(),
  hasPassword: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type User = Static<typeof User>;

export const Password = Type.String({ minLength: 12, maxLength: 256 });

export const UserCreate = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.Optional(Password),
    platformAdmin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
    platformAdmin: Type.Optional(Type.Boolean()),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

export const Member = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  since: Type.String({ format: 'date-time' }),
});
export type Member = Static<typeof Member>;

export const MemberAdd = Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false });

export const Invitation = Type.Object({
  email: Type.String(),
  role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
});

export const ApiKey = Type.Object({
  id: Uuid,
  orgId: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  scopes: Type.Array(ScopeSchema),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  event: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  actor: Type.Union([Type.String(), Type.Null()]),
  orgId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;
