import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../http/problem.js';
import { listAudit } from './audit.js';
import {
  ApiKey,
  ApiKeyCreate,
  AuditEntry,
  actorOf,
  Invitation,
  isPlatformAdmin,
  Member,
  MemberAdd,
  Organisation,
  OrganisationCreate,
  OrganisationPatch,
  OrgKindSchema,
  Paging,
  type PagingQuery,
  page,
  type Role,
  RoleSchema,
  type Scope,
  ScopeSchema,
  User,
  UserCreate,
  UserPatch,
  Uuid,
} from './model.js';
import {
  assertAuthenticated,
  assertOrgRole,
  orgIdFrom,
  requireOrgRole,
  requirePlatformAdmin,
} from './plugin.js';
import { publicKey, publicUser } from './repository.js';
import { hashPassword, newApiKey, verifyPassword } from './secrets.js';
import { OidcLoginError } from './service.js';

export interface GovernanceRoutesOptions {
  /** Login attempts per window and IP. */
  loginRateLimitMax: number;
  rateLimitWindowMs: number;
}

const OrgParams = Type.Object({ orgId: Uuid });
const LoginResult = Type.Object({
  token: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  user: User,
});
const tags = ['governance'];
const notFound = (what: string) => new ProblemError('ResourceNotFound', `${what} not found`);

/** Identity and access API: sign-in, organisations, members, users, API keys, audit log. */
export async function governanceRoutes(app: FastifyInstance, opts: GovernanceRoutesOptions): Promise<void> {
  const gov = app.governance;
  const { repo } = gov;
  const audit = (req: FastifyRequest, event: string, orgId: string | null, detail: Record<string, unknown>) =>
    gov.audit({ event, outcome: 'success', actor: actorOf(req.principal), orgId, ip: req.ip, detail });
  const existingOrg = async (orgId: string) => {
    const org = await repo.getOrg(orgId);
    if (!org) throw notFound('organisation');
    return org;
  };

  // ---- sign-in ----

  app.post(
    '/api/auth/login',
    {
      config: {
        escaleAuth: 'public',
        rateLimit:
          opts.loginRateLimitMax > 0
            ? {
                max: opts.loginRateLimitMax,
                timeWindow: opts.rateLimitWindowMs,
                keyGenerator: (req: FastifyRequest) => `login:${req.ip}`,
              }
            : false,
      },
      schema: {
        tags,
        summary: 'Sign in with e-mail and password; returns a short-lived bearer token (JWT)',
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: LoginResult },
      },
    },
    async (req) => {
      const { email, password } = req.body as { email: string; password: string };
      const r = await gov.login(email, password, req.ip);
      if (!r) throw new ProblemError('Unauthorized', 'wrong e-mail or password');
      return r;
    },
  );

  app.get(
    '/api/auth/oidc/login',
    {
      config: { escaleAuth: 'public' },
      schema: {
        tags,
        summary: 'Sign in through the identity provider (OIDC authorisation code flow with PKCE): redirects',
      },
    },
    async (_req, reply) => {
      if (!gov.oidc) throw new ProblemError('ResourceNotFound', 'no OIDC provider is configured');
      const s = await gov.oidc.start();
      await repo.saveOidcRequest(s.state, s.codeVerifier, s.nonce);
      return reply.redirect(s.url.href, 302);
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    {
      config: { escaleAuth: 'public' },
      schema: {
        tags,
        summary: 'Where the identity provider sends the browser back; returns a bearer token',
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 2048 })),
          state: Type.String({ maxLength: 512 }),
          iss: Type.Optional(Type.String({ maxLength: 2048 })),
          error: Type.Optional(Type.String({ maxLength: 256 })),
          error_description: Type.Optional(Type.String({ maxLength: 2048 })),
        }),
        response: { 200: LoginResult },
      },
    },
    async (req, reply) => {
      if (!gov.oidc) throw new ProblemError('ResourceNotFound', 'no OIDC provider is configured');
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      try {
        const r = await gov.oidcFinish(query, req.ip);
        // A browser is sent back to the web application; the token travels in the fragment, which the
        // browser never sends to a server (so it stays out of access logs and Referer headers).
        if ((req.headers.accept ?? '').includes('text/html')) {
          const fragment = new URLSearchParams({ token: r.token, expiresIn: String(r.expiresIn) });
          return reply.header('cache-control', 'no-store').redirect(`/signin#${fragment}`, 303);
        }
        return r;
      } catch (err) {
        if (err instanceof OidcLoginError) throw new ProblemError('Unauthorized', err.message);
        throw err;
      }
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags,
        summary: 'The caller: user with memberships, or API key with organisation and scopes',
        response: {
          200: Type.Union([
            Type.Object({
              kind: Type.Literal('user'),
              user: User,
              memberships: Type.Array(Type.Object({ orgId: Uuid, role: RoleSchema })),
            }),
            Type.Object({
              kind: Type.Literal('apiKey'),
              keyId: Uuid,
              orgId: Uuid,
              scopes: Type.Array(ScopeSchema),
            }),
          ]),
        },
      },
    },
    async (req) => {
      const p = await assertAuthenticated(req);
      if (p.kind === 'apiKey') return { kind: 'apiKey', keyId: p.keyId, orgId: p.orgId, scopes: p.scopes };
      const u = await repo.getUser(p.userId);
      if (!u) throw notFound('user');
      return { kind: 'user', user: publicUser(u), memberships: p.memberships };
    },
  );

  // ---- organisations (a public directory; changes by their administrators) ----

  app.get(
    '/api/organisations',
    {
      schema: {
        tags,
        summary: 'Organisations taking part (public directory), by name',
        querystring: Type.Composite([Paging, Type.Object({ kind: Type.Optional(OrgKindSchema) })]),
        response: { 200: page(Organisation) },
      },
    },
    async (req) => {
      const q = req.query as PagingQuery & { kind?: string };
      return { ...(await repo.listOrgs(q.limit, q.offset, q.kind)), limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/api/organisations',
    {
      preHandler: requirePlatformAdmin(),
      schema: {
        tags,
        summary: 'Create an organisation (platform administrators)',
        body: OrganisationCreate,
        response: { 201: Organisation },
      },
    },
    async (req, reply) => {
      const org = await repo.insertOrg(randomUUID(), req.body as OrganisationCreate);
      if (!org) throw new ProblemError('AlreadyExists', 'an organisation with this slug exists');
      await audit(req, 'org.created', org.id, { slug: org.slug });
      return reply.status(201).send(org);
    },
  );

  app.get(
    '/api/organisations/:orgId',
    { schema: { tags, summary: 'One organisation', params: OrgParams, response: { 200: Organisation } } },
    async (req) => existingOrg((req.params as { orgId: string }).orgId),
  );

  app.patch(
    '/api/organisations/:orgId',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin'),
      schema: {
        tags,
        summary: 'Change an organisation (its administrators)',
        params: OrgParams,
        body: OrganisationPatch,
        response: { 200: Organisation },
      },
    },
    async (req) => {
      const { orgId } = req.params as { orgId: string };
      const org = await repo.updateOrg(orgId, req.body as OrganisationPatch);
      if (!org) throw notFound('organisation');
      await audit(req, 'org.updated', orgId, { fields: Object.keys(req.body as object) });
      return org;
    },
  );

  app.delete(
    '/api/organisations/:orgId',
    {
      preHandler: requirePlatformAdmin(),
      schema: {
        tags,
        summary: 'Delete an organisation with its memberships and API keys (platform administrators)',
        params: OrgParams,
      },
    },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      if (!(await repo.deleteOrg(orgId))) throw notFound('organisation');
      await audit(req, 'org.deleted', orgId, {});
      return reply.status(204).send();
    },
  );

  // ---- members ----

  const hideMembers = { hide: true, what: 'organisation' };

  app.get(
    '/api/organisations/:orgId/members',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'member', hideMembers),
      schema: {
        tags,
        summary: 'Members of an organisation (its members)',
        params: OrgParams,
        querystring: Paging,
        response: { 200: page(Member) },
      },
    },
    async (req) => {
      const { orgId } = req.params as { orgId: string };
      await existingOrg(orgId);
      const q = req.query as PagingQuery;
      return { ...(await repo.listMembers(orgId, q.limit, q.offset)), limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/api/organisations/:orgId/members',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin'),
      schema: {
        tags,
        summary: 'Add a member by e-mail (201), or invite an e-mail address not yet registered (202)',
        params: OrgParams,
        body: MemberAdd,
        response: { 201: Member, 202: Invitation },
      },
    },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      await existingOrg(orgId);
      const { email, role } = req.body as { email: string; role: Role };
      const user = await repo.getUserByEmail(email);
      if (!user) {
        await repo.invite(orgId, email, role, req.principal.kind === 'user' ? req.principal.userId : null);
        await audit(req, 'membership.invited', orgId, { role });
        return reply
          .status(202)
          .send({ email: email.toLowerCase(), role, createdAt: new Date().toISOString() });
      }
      const before = await repo.getRole(orgId, user.id);
      await repo.setMembership(orgId, user.id, role);
      await audit(req, before ? 'membership.changed' : 'membership.added', orgId, {
        userId: user.id,
        role,
        ...(before ? { from: before } : {}),
      });
      const m = (await repo.listMembers(orgId, 500, 0)).items.find((x) => x.userId === user.id);
      return reply.status(201).send(m);
    },
  );

  const MemberParams = Type.Object({ orgId: Uuid, userId: Uuid });

  app.patch(
    '/api/organisations/:orgId/members/:userId',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin'),
      schema: {
        tags,
        summary: "Change a member's role",
        params: MemberParams,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: Member },
      },
    },
    async (req) => {
      const { orgId, userId } = req.params as { orgId: string; userId: string };
      const { role } = req.body as { role: Role };
      const before = await repo.getRole(orgId, userId);
      if (!before) throw notFound('member');
      if (before === 'admin' && role !== 'admin' && (await repo.countAdmins(orgId)) === 1) {
        throw new ProblemError('AlreadyExists', 'an organisation keeps at least one administrator');
      }
      await repo.setMembership(orgId, userId, role);
      await audit(req, 'membership.changed', orgId, { userId, role, from: before });
      return (await repo.listMembers(orgId, 500, 0)).items.find((x) => x.userId === userId);
    },
  );

  app.delete(
    '/api/organisations/:orgId/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (an administrator), or leave (the member)',
        params: MemberParams,
      },
    },
    async (req, reply) => {
      const { orgId, userId } = req.params as { orgId: string; userId: string };
      const p = await assertAuthenticated(req);
      if (!(p.kind === 'user' && p.userId === userId)) await assertOrgRole(req, orgId, 'admin');
      const before = await repo.getRole(orgId, userId);
      if (!before) throw notFound('member');
      if (before === 'admin' && (await repo.countAdmins(orgId)) === 1 && !isPlatformAdmin(p)) {
        throw new ProblemError('AlreadyExists', 'an organisation keeps at least one administrator');
      }
      await repo.removeMembership(orgId, userId);
      await audit(req, 'membership.removed', orgId, { userId, from: before });
      return reply.status(204).send();
    },
  );

  // ---- API keys ----

  const hideKeys = { hide: true, what: 'organisation' };

  app.get(
    '/api/organisations/:orgId/api-keys',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin', hideKeys),
      schema: {
        tags,
        summary: "An organisation's API keys (never their secret)",
        params: OrgParams,
        querystring: Paging,
        response: { 200: page(ApiKey) },
      },
    },
    async (req) => {
      const { orgId } = req.params as { orgId: string };
      const q = req.query as PagingQuery;
      const r = await repo.listKeys(orgId, q.limit, q.offset);
      return { items: r.items.map(publicKey), total: r.total, limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/api/organisations/:orgId/api-keys',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin', hideKeys),
      schema: {
        tags,
        summary: 'Create an API key; its secret is in this answer only',
        params: OrgParams,
        body: ApiKeyCreate,
        response: {
          201: Type.Composite([ApiKey, Type.Object({ key: Type.String({ description: 'shown once' }) })]),
        },
      },
    },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      await existingOrg(orgId);
      const body = req.body as ApiKeyCreate;
      if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) {
        throw new ProblemError('BadRequestData', 'expiresAt must be in the future');
      }
      const secret = newApiKey();
      const k = await repo.insertKey({
        id: randomUUID(),
        orgId,
        name: body.name,
        prefix: secret.prefix,
        hash: secret.hash,
        scopes: body.scopes as Scope[],
        createdBy: req.principal.kind === 'user' ? req.principal.userId : null,
        expiresAt: body.expiresAt ?? null,
      });
      await audit(req, 'apikey.created', orgId, {
        keyId: k.id,
        name: k.name,
        scopes: k.scopes,
        expiresAt: k.expiresAt,
      });
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...publicKey(k), key: secret.key });
    },
  );

  app.delete(
    '/api/organisations/:orgId/api-keys/:keyId',
    {
      preHandler: requireOrgRole(orgIdFrom(), 'admin', hideKeys),
      schema: {
        tags,
        summary: 'Revoke an API key (at once, for good)',
        params: Type.Object({ orgId: Uuid, keyId: Uuid }),
        response: { 200: ApiKey },
      },
    },
    async (req) => {
      const { orgId, keyId } = req.params as { orgId: string; keyId: string };
      const k = await repo.revokeKey(orgId, keyId);
      if (!k) throw notFound('API key');
      await audit(req, 'apikey.revoked', orgId, { keyId });
      return publicKey(k);
    },
  );

  // ---- users ----

  const UserParams = Type.Object({ userId: Uuid });

  app.get(
    '/api/users',
    {
      preHandler: requirePlatformAdmin(),
      schema: {
        tags,
        summary: 'Users (platform administrators)',
        querystring: Paging,
        response: { 200: page(User) },
      },
    },
    async (req) => {
      const q = req.query as PagingQuery;
      const r = await repo.listUsers(q.limit, q.offset);
      return { items: r.items.map(publicUser), total: r.total, limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/api/users',
    {
      preHandler: requirePlatformAdmin(),
      schema: {
        tags,
        summary: 'Create a local account (platform administrators)',
        body: UserCreate,
        response: { 201: User },
      },
    },
    async (req, reply) => {
      const body = req.body as UserCreate;
      const u = await gov.createUser(body);
      if (!u) throw new ProblemError('AlreadyExists', 'a user with this e-mail exists');
      await audit(req, 'user.created', null, { userId: u.id, platformAdmin: u.platformAdmin });
      return reply.status(201).send(publicUser(u));
    },
  );

  /** A user may see and change their own account; platform administrators any. Others learn nothing (404). */
  const selfOrAdmin = async (req: FastifyRequest, userId: string) => {
    const p = await assertAuthenticated(req);
    if (isPlatformAdmin(p) || (p.kind === 'user' && p.userId === userId)) return p;
    throw notFound('user');
  };

  app.get(
    '/api/users/:userId',
    {
      schema: {
        tags,
        summary: 'One user (themselves or a platform administrator)',
        params: UserParams,
        response: { 200: User },
      },
    },
    async (req) => {
      const { userId } = req.params as { userId: string };
      await selfOrAdmin(req, userId);
      const u = await repo.getUser(userId);
      if (!u) throw notFound('user');
      return publicUser(u);
    },
  );

  app.patch(
    '/api/users/:userId',
    {
      schema: {
        tags,
        summary:
          'Change a user: name and password (themselves, with currentPassword), admin rights and disabling (platform administrators)',
        params: UserParams,
        body: UserPatch,
        response: { 200: User },
      },
    },
    async (req) => {
      const { userId } = req.params as { userId: string };
      const p = await selfOrAdmin(req, userId);
      const body = req.body as UserPatch;
      const admin = isPlatformAdmin(p);
      if (!admin && (body.platformAdmin !== undefined || body.disabled !== undefined)) {
        throw new ProblemError(
          'Forbidden',
          'only platform administrators change admin rights or disable accounts',
        );
      }
      const u = await repo.getUser(userId);
      if (!u) throw notFound('user');
      if (body.password && !admin && u.passwordHash) {
        if (!body.currentPassword || !(await verifyPassword(u.passwordHash, body.currentPassword))) {
          throw new ProblemError('Forbidden', 'currentPassword is wrong');
        }
      }
      const updated = await repo.updateUser(userId, {
        name: body.name,
        passwordHash: body.password ? await hashPassword(body.password) : undefined,
        platformAdmin: body.platformAdmin,
        disabled: body.disabled,
      });
      if (!updated) throw notFound('user');
      const changes = Object.keys(body).filter((k) => k !== 'currentPassword');
      await audit(req, body.platformAdmin !== undefined ? 'role.changed' : 'user.updated', null, {
        userId,
        fields: changes,
        ...(body.platformAdmin !== undefined ? { platformAdmin: body.platformAdmin } : {}),
      });
      return publicUser(updated);
    },
  );

  // ---- audit ----

  app.get(
    '/api/audit',
    {
      preHandler: requirePlatformAdmin(),
      schema: {
        tags,
        summary: 'Security events, newest first (platform administrators)',
        querystring: Type.Composite([
          Paging,
          Type.Object({ event: Type.Optional(Type.String({ maxLength: 100 })), orgId: Type.Optional(Uuid) }),
        ]),
        response: { 200: page(AuditEntry) },
      },
    },
    async (req) => {
      const q = req.query as PagingQuery & { event?: string; orgId?: string };
      return { ...(await listAudit(gov.db, q)), limit: q.limit, offset: q.offset };
    },
  );
}
