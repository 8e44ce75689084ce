import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import {
  ANONYMOUS,
  type AnonymousPrincipal,
  actorOf,
  hasScope,
  isPlatformAdmin,
  type Principal,
  type Role,
  roleAtLeast,
  roleIn,
  SCOPES,
  type Scope,
} from './model.js';
import { createGovernance, type Governance, type GovernanceSettings } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling (anonymous, a user, an API key): set by the governance plugin before any route runs. */
    principal: Principal;
  }
  interface FastifyInstance {
    governance: Governance;
  }
  interface FastifyContextConfig {
    /**
     * `public`: a write anyone may send (login); `own-credential`: the route checks its own secret (webhooks).
     * Without it, every POST/PUT/PATCH/DELETE under /api and /ngsi-ld/v1 needs an authenticated principal.
     */
    escaleAuth?: 'public' | 'own-credential';
  }
}

export interface AccessSettings extends GovernanceSettings {
  /** Requests per window and principal (user, API key, or IP when anonymous); 0 disables (ESCALE_RATE_LIMIT). */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Login attempts per window and IP (ESCALE_LOGIN_RATE_LIMIT). */
  loginRateLimitMax: number;
}

export interface InstallOptions {
  db: Db;
  settings: AccessSettings;
  /** Existing routes with their own credential, as `METHOD /url` (e.g. the gate webhook's X-Escale-Gate-Key). */
  ownCredentialRoutes?: string[];
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const GOVERNANCE_PATHS = new Set(['organisations', 'users', 'auth', 'me', 'audit']);

/** The scope an API key needs to write to a path; undefined when no scope covers it (keys are refused). */
export function writeScopeFor(path: string): Scope | undefined {
  if (path === '/ngsi-ld/v1' || path.startsWith('/ngsi-ld/v1/')) return 'broker:write';
  const seg = /^\/api\/([^/?]+)/.exec(path)?.[1];
  if (!seg) return undefined;
  if (GOVERNANCE_PATHS.has(seg)) return 'governance:write';
  const scope = `${seg}:write`;
  return (SCOPES as readonly string[]).includes(scope) ? (scope as Scope) : undefined;
}

const guarded = (path: string) =>
  path === '/api' || path.startsWith('/api/') || path === '/ngsi-ld/v1' || path.startsWith('/ngsi-ld/v1/');

function unauthorized(reply: FastifyReply | undefined, detail: string, invalidToken: boolean): ProblemError {
  reply?.header('www-authenticate', `Bearer realm="escale"${invalidToken ? ', error="invalid_token"' : ''}`);
  return new ProblemError('Unauthorized', detail);
}

/**
 * Installs identity and access control on the root instance, before the other capabilities register their
 * routes: `request.principal` on every request, authentication on every write, rate limits.
 */
export async function installGovernance(app: FastifyInstance, opts: InstallOptions): Promise<Governance> {
  const gov = await createGovernance(opts.db, opts.settings, app.log);
  const own = new Set(opts.ownCredentialRoutes ?? []);
  app.decorate('governance', gov);
  app.decorateRequest('principal', null as unknown as AnonymousPrincipal);

  app.addHook('onRequest', async (req, reply) => {
    req.principal = ANONYMOUS;
    const path = req.url.split('?')[0];
    const mode =
      req.routeOptions.config?.escaleAuth ??
      (own.has(`${req.method} ${req.routeOptions.url}`) ? 'own-credential' : undefined);
    if (mode === 'own-credential') return;
    const r = await gov.resolve(
      { authorization: req.headers.authorization, 'x-api-key': req.headers['x-api-key'] },
      req.ip,
    );
    if ('rejected' in r) {
      if (mode === 'public') return; // a stale token does not stop anyone from signing in again
      throw unauthorized(reply, `the credential was refused: ${r.rejected}`, true);
    }
    req.principal = r.principal;
    if (mode === 'public' || !WRITES.has(req.method) || !guarded(path)) return;
    if (r.principal.kind === 'anonymous') {
      await gov.audit({
        event: 'access.denied',
        outcome: 'denied',
        ip: req.ip,
        detail: { method: req.method, route: req.routeOptions.url ?? path, reason: 'not authenticated' },
      });
      throw unauthorized(
        reply,
        'this operation needs an authenticated caller (bearer token or API key)',
        false,
      );
    }
    if (r.principal.kind === 'apiKey') {
      const scope = writeScopeFor(path);
      if (!scope || !hasScope(r.principal, scope)) {
        await deny(req, `missing scope ${scope ?? '(none covers this path)'}`, r.principal.orgId);
        throw new ProblemError('Forbidden', `this API key lacks the scope ${scope ?? 'for this path'}`);
      }
    }
  });

  if (opts.settings.rateLimitMax > 0) {
    await app.register(rateLimit, {
      global: true,
      max: opts.settings.rateLimitMax,
      timeWindow: opts.settings.rateLimitWindowMs,
      keyGenerator: (req) => {
        const p = req.principal ?? ANONYMOUS;
        return p.kind === 'user' ? `u:${p.userId}` : p.kind === 'apiKey' ? `k:${p.keyId}` : `ip:${req.ip}`;
      },
      errorResponseBuilder: (_req, ctx) =>
        new ProblemError(
          'TooManyRequests',
          `rate limit exceeded: ${ctx.max} requests per window; retry in ${ctx.after}`,
        ),
    });
  }
  return gov;
}

/** Records a denial in the audit log. */
async function deny(req: FastifyRequest, reason: string, orgId?: string): Promise<void> {
  await req.server.governance?.audit({
    event: 'access.denied',
    outcome: 'denied',
    actor: actorOf(req.principal ?? ANONYMOUS),
    orgId: orgId ?? null,
    ip: req.ip,
    detail: { method: req.method, route: req.routeOptions.url ?? req.url.split('?')[0], reason },
  });
}

// ---- guards, for every capability's routes (re-exported by src/governance/index.ts) ----

type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The caller, who must be authenticated (401 otherwise). */
export async function assertAuthenticated(
  req: FastifyRequest,
): Promise<Exclude<Principal, { kind: 'anonymous' }>> {
  const p = req.principal ?? ANONYMOUS;
  if (p.kind === 'anonymous') {
    await deny(req, 'not authenticated');
    throw new ProblemError('Unauthorized', 'this operation needs an authenticated caller');
  }
  return p;
}

/** preHandler: 401 unless the caller is authenticated. */
export const requireAuth = (): Guard => async (req, reply) => {
  if ((req.principal ?? ANONYMOUS).kind === 'anonymous') {
    reply.header('www-authenticate', 'Bearer realm="escale"');
  }
  await assertAuthenticated(req);
};

/** preHandler: 401 when anonymous, 403 when an API key lacks the scope (users hold every scope). */
export const requireScope =
  (scope: Scope): Guard =>
  async (req) => {
    const p = await assertAuthenticated(req);
    if (!hasScope(p, scope)) {
      await deny(req, `missing scope ${scope}`, p.kind === 'apiKey' ? p.orgId : undefined);
      throw new ProblemError('Forbidden', `this API key lacks the scope ${scope}`);
    }
  };

/** preHandler: 401 unless a platform administrator; 403 for anyone else. */
export const requirePlatformAdmin = (): Guard => async (req) => {
  const p = await assertAuthenticated(req);
  if (!isPlatformAdmin(p)) {
    await deny(req, 'platform administrators only');
    throw new ProblemError('Forbidden', 'this operation is reserved to platform administrators');
  }
};

export interface OrgRoleOptions {
  /** Answer 404 instead of 403 to callers outside the organisation: for objects they may not know exist. */
  hide?: boolean;
  /** What to call the hidden object in the 404 message. */
  what?: string;
}

/**
 * Checks that the caller holds at least `role` in the organisation (platform administrators always do;
 * an API key acts as an editor of its own organisation). 401 when anonymous; 403, or 404 with `hide`.
 */
export async function assertOrgRole(
  req: FastifyRequest,
  orgId: string | undefined,
  role: Role,
  opts: OrgRoleOptions = {},
): Promise<void> {
  const p = await assertAuthenticated(req);
  if (isPlatformAdmin(p)) return;
  const has = orgId ? roleIn(p, orgId) : undefined;
  if (has && roleAtLeast(has, role)) return;
  await deny(req, has ? `role ${has} below ${role}` : 'not a member', orgId);
  if (opts.hide && !has) throw new ProblemError('ResourceNotFound', `${opts.what ?? 'resource'} not found`);
  throw new ProblemError('Forbidden', `this operation needs the ${role} role in the organisation`);
}

/** preHandler form of assertOrgRole: `requireOrgRole(orgIdFrom('orgId'), 'editor')`. */
export const requireOrgRole =
  (orgIdOf: (req: FastifyRequest) => string | undefined, role: Role, opts?: OrgRoleOptions): Guard =>
  async (req) =>
    assertOrgRole(req, orgIdOf(req), role, opts);

/** Reads an organisation id from a route parameter. */
export const orgIdFrom =
  (param = 'orgId') =>
  (req: FastifyRequest): string | undefined => {
    const v = (req.params as Record<string, unknown> | undefined)?.[param];
    return typeof v === 'string' ? v : undefined;
  };
