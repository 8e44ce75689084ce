import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Db } from '../db/db.js';
import { type AuditEvent, appendAudit } from './audit.js';
import { type Principal, ROLES, type Role, type UserPrincipal } from './model.js';
import { createOidcClient, type OidcClient, type OidcSettings } from './oidc.js';
import { publicUser, type Repository, repository, type UserRecord } from './repository.js';
import {
  dummyHash,
  hashPassword,
  loadJwtKey,
  looksLikeApiKey,
  sha256Hex,
  type TokenSigner,
  tokenSigner,
  verifyPassword,
} from './secrets.js';

/** What governance needs from the configuration (src/config.ts `Config` provides it). */
export interface GovernanceSettings {
  /** HS256 key of bearer tokens (ESCALE_JWT_KEY); generated once and kept in the database when absent. */
  jwtKey?: string;
  /** Lifetime of a bearer token, seconds (ESCALE_TOKEN_TTL). */
  tokenTtlSeconds: number;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcRedirectUri?: string;
  /**
   * How long a resolved credential is reused without reading the database again, ms (ESCALE_AUTH_CACHE_MS;
   * 0 turns the cache off). Changes made through this node (disabling a user, a membership, revoking a key)
   * take effect at once; made on another node, within this delay.
   */
  principalCacheMs?: number;
}

export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: ReturnType<typeof publicUser>;
}

/** A credential's principal (and, for the cache, when the credential expires by itself: epoch ms), or why it was refused. */
export type Resolved = { principal: Principal; validUntil?: number } | { rejected: string };

/** Minimal logger: pino's shape. */
export interface Log {
  warn(obj: object, msg: string): void;
}

export interface Governance {
  readonly db: Db;
  readonly repo: Repository;
  readonly tokens: TokenSigner;
  readonly oidc?: OidcClient;
  audit(e: AuditEvent): Promise<void>;
  /** Who a request is from, given its Authorization and X-API-Key headers. */
  resolve(
    headers: { authorization?: string; 'x-api-key'?: string | string[] },
    ip: string,
  ): Promise<Resolved>;
  principalOf(user: UserRecord): Promise<UserPrincipal>;
  login(email: string, password: string, ip: string): Promise<LoginResult | undefined>;
  oidcFinish(query: URLSearchParams, ip: string): Promise<LoginResult>;
  /** Creates a local user (password hashed with Argon2id); undefined when the e-mail is taken. */
  createUser(u: {
    email: string;
    name: string;
    password?: string;
    platformAdmin?: boolean;
  }): Promise<UserRecord | undefined>;
}

const KEY_USE_AUDIT_MS = 60 * 60 * 1000; // one `apikey.used` entry per key and hour (per node)
const KEY_TOUCH_MS = 60 * 1000; // last_used_at precision

export async function createGovernance(db: Db, s: GovernanceSettings, log?: Log): Promise<Governance> {
  const principals = principalCache(s.principalCacheMs ?? 0);
  const repo = forgetOnChange(repository(db), principals.clear);
  const tokens = tokenSigner(await loadJwtKey(db, s.jwtKey), s.tokenTtlSeconds);
  const oidcSettings: OidcSettings | undefined =
    s.oidcIssuer && s.oidcClientId && s.oidcRedirectUri
      ? {
          issuer: s.oidcIssuer,
          clientId: s.oidcClientId,
          clientSecret: s.oidcClientSecret,
          redirectUri: s.oidcRedirectUri,
        }
      : undefined;
  const oidc = oidcSettings ? createOidcClient(oidcSettings) : undefined;
  const keyUse = new Map<string, { audited: number; touched: number }>();

  const audit = async (e: AuditEvent) => {
    try {
      await appendAudit(db, e);
    } catch (err) {
      // The request goes on; the failure is visible in the logs (without the event's detail).
      log?.warn({ err: (err as Error).message, event: e.event }, 'audit: append failed');
    }
  };

  const principalOf = async (u: UserRecord): Promise<UserPrincipal> => ({
    kind: 'user',
    userId: u.id,
    email: u.email,
    name: u.name,
    platformAdmin: u.platformAdmin,
    memberships: await repo.memberships(u.id),
  });

  async function resolveKey(key: string, ip: string): Promise<Resolved> {
    if (!looksLikeApiKey(key)) return { rejected: 'malformed API key' };
    const k = await repo.keyByHash(sha256Hex(key));
    let reason: string | undefined;
    if (!k) reason = 'unknown API key';
    else if (k.revokedAt) reason = 'revoked API key';
    else if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) reason = 'expired API key';
    if (reason || !k) {
      await audit({
        event: 'apikey.rejected',
        outcome: 'denied',
        actor: k ? `apikey:${k.id}` : null,
        orgId: k?.orgId,
        ip,
        detail: { reason: reason ?? 'unknown API key', ...(k ? {} : { prefix: key.slice(0, 12) }) },
      });
      return { rejected: reason ?? 'unknown API key' };
    }
    const now = Date.now();
    const seen = keyUse.get(k.id) ?? { audited: 0, touched: 0 };
    if (now - seen.touched > KEY_TOUCH_MS) {
      seen.touched = now;
      await repo.touchKey(k.id);
    }
    if (now - seen.audited > KEY_USE_AUDIT_MS) {
      seen.audited = now;
      await audit({ event: 'apikey.used', outcome: 'success', actor: `apikey:${k.id}`, orgId: k.orgId, ip });
    }
    keyUse.set(k.id, seen);
    return {
      principal: { kind: 'apiKey', keyId: k.id, orgId: k.orgId, scopes: k.scopes },
      validUntil: k.expiresAt ? Date.parse(k.expiresAt) : undefined,
    };
  }

  async function issue(user: UserRecord): Promise<LoginResult> {
    const { token, expiresIn } = await tokens.sign(user.id);
    await repo.touchLogin(user.id);
    return { token, tokenType: 'Bearer', expiresIn, user: publicUser(user) };
  }

  const gov: Governance = {
    db,
    repo,
    tokens,
    oidc,
    audit,
    principalOf,
    async resolve(headers, ip) {
      const apiKey = headers['x-api-key'];
      if (apiKey !== undefined) {
        if (typeof apiKey !== 'string') return { rejected: 'one X-API-Key header only' };
        return principals.through(`k ${apiKey.trim()}`, () => resolveKey(apiKey.trim(), ip));
      }
      const auth = headers.authorization;
      if (auth === undefined) return { principal: { kind: 'anonymous' } };
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (!m) return { rejected: 'the Authorization header must be `Bearer <token or API key>`' };
      const credential = m[1];
      if (credential.startsWith('esk_'))
        return principals.through(`k ${credential}`, () => resolveKey(credential, ip));
      return principals.through(`t ${credential}`, async () => {
        const userId = await tokens.verify(credential);
        const user = userId ? await repo.getUser(userId) : undefined;
        if (!user || user.disabled) return { rejected: 'invalid or expired bearer token' };
        return { principal: await principalOf(user), validUntil: tokenExpiry(credential) };
      });
    },
    async login(email, password, ip) {
      const user = await repo.getUserByEmail(email);
      // Same cost whether the account exists or not.
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
      if (!user || !ok || user.disabled || !user.passwordHash) {
        await audit({
          event: 'auth.login',
          outcome: 'failure',
          actor: user ? `user:${user.id}` : null,
          ip,
          detail: {
            method: 'password',
            reason: !user ? 'unknown account' : user.disabled ? 'account disabled' : 'wrong password',
          },
        });
        return undefined;
      }
      await audit({
        event: 'auth.login',
        outcome: 'success',
        actor: `user:${user.id}`,
        ip,
        detail: { method: 'password' },
      });
      return issue(user);
    },
    async oidcFinish(query, ip) {
      if (!oidc) throw new Error('OIDC is not configured');
      const state = query.get('state') ?? '';
      const pending = state ? await repo.takeOidcRequest(state) : undefined;
      if (!pending) {
        await audit({
          event: 'auth.login',
          outcome: 'failure',
          ip,
          detail: { method: 'oidc', reason: 'unknown or expired state' },
        });
        throw new OidcLoginError('this sign-in request is unknown or has expired: start again');
      }
      let id: Awaited<ReturnType<OidcClient['finish']>>;
      try {
        id = await oidc.finish(query, { state, codeVerifier: pending.verifier, nonce: pending.nonce });
      } catch (err) {
        await audit({
          event: 'auth.login',
          outcome: 'failure',
          ip,
          detail: { method: 'oidc', reason: (err as Error).message.slice(0, 200) },
        });
        throw new OidcLoginError('the identity provider did not confirm the sign-in');
      }
      let userId = await repo.userForIdentity(id.issuer, id.subject);
      let joined: { orgId: string; role: Role }[] = [];
      if (!userId) {
        if (!id.email || !id.emailVerified) {
          await audit({
            event: 'auth.login',
            outcome: 'failure',
            ip,
            detail: { method: 'oidc', issuer: id.issuer, subject: id.subject, reason: 'no verified e-mail' },
          });
          throw new OidcLoginError('the identity provider gave no verified e-mail address');
        }
        // An existing local account with the same verified e-mail is linked; otherwise a new user is made.
        const user =
          (await repo.getUserByEmail(id.email)) ??
          (await repo.insertUser(randomUUID(), {
            email: id.email,
            name: id.name ?? id.email,
            passwordHash: null,
            platformAdmin: false,
          }));
        if (!user) throw new OidcLoginError('this account could not be created');
        userId = user.id;
        await repo.linkIdentity(id.issuer, id.subject, userId);
        joined = await repo.acceptInvitations(id.email, userId);
        if (joined.length === 0) {
          const domain = id.email.split('@')[1]?.toLowerCase() ?? '';
          for (const org of await repo.orgsForDomain(domain)) {
            if (!(await repo.getRole(org.id, userId))) {
              await repo.setMembership(org.id, userId, 'member');
              joined.push({ orgId: org.id, role: 'member' });
            }
          }
        }
      }
      const user = await repo.getUser(userId);
      if (!user || user.disabled) {
        await audit({
          event: 'auth.login',
          outcome: 'failure',
          actor: `user:${userId}`,
          ip,
          detail: { method: 'oidc', reason: 'account disabled' },
        });
        throw new OidcLoginError('this account is disabled');
      }
      await audit({
        event: 'auth.login',
        outcome: 'success',
        actor: `user:${user.id}`,
        ip,
        detail: { method: 'oidc', issuer: id.issuer, ...(joined.length ? { joined } : {}) },
      });
      for (const j of joined) {
        await audit({
          event: 'membership.added',
          outcome: 'success',
          actor: `user:${user.id}`,
          orgId: j.orgId,
          ip,
          detail: { userId: user.id, role: j.role, via: 'oidc' },
        });
      }
      return issue(user);
    },
    async createUser(u) {
      const user = await repo.insertUser(randomUUID(), {
        email: u.email,
        name: u.name,
        passwordHash: u.password ? await hashPassword(u.password) : null,
        platformAdmin: u.platformAdmin ?? false,
      });
      if (user) await repo.acceptInvitations(user.email, user.id);
      return user;
    },
  };
  return gov;
}

export class OidcLoginError extends Error {}

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

/**
 * Resolved credentials, reused for a few seconds: without it every authenticated request costs two queries
 * (the user and their memberships, or the key) before its own work. Only accepted credentials are kept (a
 * refusal is always checked again, and audited), at most until the credential's own expiry, and at most
 * MAX_CACHED of them (the oldest go first).
 */
function principalCache(ttlMs: number) {
  const MAX_CACHED = 10_000;
  const entries = new Map<string, { until: number; resolved: Resolved }>();
  return {
    async through(key: string, resolve: () => Promise<Resolved>): Promise<Resolved> {
      if (ttlMs <= 0) return resolve();
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.resolved;
      const resolved = await resolve();
      if ('principal' in resolved) {
        if (entries.size >= MAX_CACHED) entries.delete(entries.keys().next().value as string);
        entries.set(key, {
          until: Math.min(now + ttlMs, resolved.validUntil ?? Number.POSITIVE_INFINITY),
          resolved,
        });
      } else entries.delete(key);
      return resolved;
    },
    clear: () => entries.clear(),
  };
}

/** A bearer token's `exp` claim in epoch ms (it has been verified: the claim can be trusted). */
function tokenExpiry(token: string): number | undefined {
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** The repository, whose writes that can change a principal (users, memberships, keys, organisations) empty the cache. */
function forgetOnChange<R extends Record<string, unknown>>(repo: R, forget: () => void): R {
  const changes = new Set([
    'updateOrg',
    'deleteOrg',
    'updateUser',
    'setMembership',
    'removeMembership',
    'acceptInvitations',
    'revokeKey',
  ]);
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !changes.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          forget();
        }
      };
    },
  });
}
