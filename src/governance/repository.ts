import type { Queryable } from '../db/db.js';
import type {
  ApiKey,
  Member,
  Membership,
  Organisation,
  OrganisationCreate,
  OrganisationPatch,
  Role,
  Scope,
  User,
} from './model.js';

/** SQL of the governance capability: nothing outside src/governance reads these tables. */

const iso = (v: Date | string | null): string | null =>
  v === null ? null : (v instanceof Date ? v : new Date(v)).toISOString();

interface OrgRow {
  id: string;
  slug: string;
  name: string;
  kind: Organisation['kind'];
  website: string | null;
  description: string | null;
  email_domains: string[];
  created_at: Date;
  updated_at: Date;
}
const toOrg = (r: OrgRow): Organisation => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  kind: r.kind,
  website: r.website,
  description: r.description,
  emailDomains: r.email_domains,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface UserRecord extends User {
  passwordHash: string | null;
}
interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  platform_admin: boolean;
  disabled: boolean;
  created_at: Date;
  last_login_at: Date | null;
}
const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  platformAdmin: r.platform_admin,
  disabled: r.disabled,
  hasPassword: r.password_hash !== null,
  createdAt: iso(r.created_at)!,
  lastLoginAt: iso(r.last_login_at),
  passwordHash: r.password_hash,
});
export const publicUser = ({ passwordHash: _, ...u }: UserRecord): User => u;

export interface ApiKeyRecord extends ApiKey {
  secretHash: string;
}
interface KeyRow {
  id: string;
  org_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: Scope[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  lastUsedAt: iso(r.last_used_at),
  secretHash: r.secret_hash,
});
export const publicKey = ({ secretHash: _, ...k }: ApiKeyRecord): ApiKey => k;

const count = async (db: Queryable, sql: string, params: unknown[] = []) =>
  (await db.query<{ n: number }>(sql, params)).rows[0].n;

export function repository(db: Queryable) {
  return {
    // ---- organisations ----
    async listOrgs(limit: number, offset: number, kind?: string) {
      const params: unknown[] = kind ? [kind] : [];
      const w = kind ? 'WHERE kind = $1' : '';
      const total = await count(db, `SELECT count(*)::int AS n FROM gov_organisations ${w}`, params);
      const rows = await db.query<OrgRow>(
        `SELECT * FROM gov_organisations ${w} ORDER BY name, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, limit, offset],
      );
      return { items: rows.rows.map(toOrg), total };
    },
    async getOrg(id: string): Promise<Organisation | undefined> {
      const r = await db.query<OrgRow>('SELECT * FROM gov_organisations WHERE id = $1', [id]);
      return r.rows[0] && toOrg(r.rows[0]);
    },
    async getOrgBySlug(slug: string): Promise<Organisation | undefined> {
      const r = await db.query<OrgRow>('SELECT * FROM gov_organisations WHERE slug = $1', [slug]);
      return r.rows[0] && toOrg(r.rows[0]);
    },
    async insertOrg(id: string, o: OrganisationCreate): Promise<Organisation | undefined> {
      const r = await db.query<OrgRow>(
        `INSERT INTO gov_organisations (id, slug, name, kind, website, description, email_domains)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING RETURNING *`,
        [id, o.slug, o.name, o.kind, o.website ?? null, o.description ?? null, o.emailDomains ?? []],
      );
      return r.rows[0] && toOrg(r.rows[0]);
    },
    async updateOrg(id: string, p: OrganisationPatch): Promise<Organisation | undefined> {
      const r = await db.query<OrgRow>(
        `UPDATE gov_organisations SET
           name = COALESCE($2, name), kind = COALESCE($3, kind),
           website = CASE WHEN $4::boolean THEN $5 ELSE website END,
           description = CASE WHEN $6::boolean THEN $7 ELSE description END,
           email_domains = COALESCE($8, email_domains), updated_at = now()
         WHERE id = $1 RETURNING *`,
        [
          id,
          p.name ?? null,
          p.kind ?? null,
          p.website !== undefined,
          p.website ?? null,
          p.description !== undefined,
          p.description ?? null,
          p.emailDomains ?? null,
        ],
      );
      return r.rows[0] && toOrg(r.rows[0]);
    },
    async deleteOrg(id: string): Promise<boolean> {
      return (await db.query('DELETE FROM gov_organisations WHERE id = $1', [id])).rowCount > 0;
    },
    async orgsForDomain(domain: string): Promise<Organisation[]> {
      const r = await db.query<OrgRow>(
        'SELECT * FROM gov_organisations WHERE $1 = ANY (email_domains) ORDER BY created_at',
        [domain],
      );
      return r.rows.map(toOrg);
    },

    // ---- users ----
    async listUsers(limit: number, offset: number) {
      const total = await count(db, 'SELECT count(*)::int AS n FROM gov_users');
      const rows = await db.query<UserRow>('SELECT * FROM gov_users ORDER BY email, id LIMIT $1 OFFSET $2', [
        limit,
        offset,
      ]);
      return { items: rows.rows.map(toUser), total };
    },
    async getUser(id: string): Promise<UserRecord | undefined> {
      const r = await db.query<UserRow>('SELECT * FROM gov_users WHERE id = $1', [id]);
      return r.rows[0] && toUser(r.rows[0]);
    },
    async getUserByEmail(email: string): Promise<UserRecord | undefined> {
      const r = await db.query<UserRow>('SELECT * FROM gov_users WHERE lower(email) = lower($1)', [email]);
      return r.rows[0] && toUser(r.rows[0]);
    },
    async insertUser(
      id: string,
      u: { email: string; name: string; passwordHash: string | null; platformAdmin: boolean },
    ): Promise<UserRecord | undefined> {
      const r = await db.query<UserRow>(
        `INSERT INTO gov_users (id, email, name, password_hash, platform_admin) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING *`,
        [id, u.email, u.name, u.passwordHash, u.platformAdmin],
      );
      return r.rows[0] && toUser(r.rows[0]);
    },
    async updateUser(
      id: string,
      p: { name?: string; passwordHash?: string; platformAdmin?: boolean; disabled?: boolean },
    ): Promise<UserRecord | undefined> {
      const r = await db.query<UserRow>(
        `UPDATE gov_users SET name = COALESCE($2, name), password_hash = COALESCE($3, password_hash),
           platform_admin = COALESCE($4, platform_admin), disabled = COALESCE($5, disabled), updated_at = now()
         WHERE id = $1 RETURNING *`,
        [id, p.name ?? null, p.passwordHash ?? null, p.platformAdmin ?? null, p.disabled ?? null],
      );
      return r.rows[0] && toUser(r.rows[0]);
    },
    async touchLogin(id: string) {
      await db.query('UPDATE gov_users SET last_login_at = now() WHERE id = $1', [id]);
    },
    async memberships(userId: string): Promise<Membership[]> {
      const r = await db.query<{ org_id: string; role: Role }>(
        'SELECT org_id, role FROM gov_memberships WHERE user_id = $1 ORDER BY org_id',
        [userId],
      );
      return r.rows.map((m) => ({ orgId: m.org_id, role: m.role }));
    },

    // ---- memberships and invitations ----
    async listMembers(orgId: string, limit: number, offset: number) {
      const total = await count(db, 'SELECT count(*)::int AS n FROM gov_memberships WHERE org_id = $1', [
        orgId,
      ]);
      const rows = await db.query<{
        user_id: string;
        email: string;
        name: string;
        role: Role;
        created_at: Date;
      }>(
        `SELECT m.user_id, u.email, u.name, m.role, m.created_at FROM gov_memberships m
         JOIN gov_users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.email LIMIT $2 OFFSET $3`,
        [orgId, limit, offset],
      );
      const items: Member[] = rows.rows.map((r) => ({
        userId: r.user_id,
        email: r.email,
        name: r.name,
        role: r.role,
        since: iso(r.created_at)!,
      }));
      return { items, total };
    },
    async getRole(orgId: string, userId: string): Promise<Role | undefined> {
      const r = await db.query<{ role: Role }>(
        'SELECT role FROM gov_memberships WHERE org_id = $1 AND user_id = $2',
        [orgId, userId],
      );
      return r.rows[0]?.role;
    },
    async setMembership(orgId: string, userId: string, role: Role) {
      await db.query(
        `INSERT INTO gov_memberships (org_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
        [orgId, userId, role],
      );
    },
    async removeMembership(orgId: string, userId: string): Promise<boolean> {
      return (
        (await db.query('DELETE FROM gov_memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId]))
          .rowCount > 0
      );
    },
    async countAdmins(orgId: string): Promise<number> {
      return count(
        db,
        `SELECT count(*)::int AS n FROM gov_memberships WHERE org_id = $1 AND role = 'admin'`,
        [orgId],
      );
    },
    async invite(orgId: string, email: string, role: Role, by: string | null) {
      await db.query(
        `INSERT INTO gov_invitations (org_id, email, role, invited_by) VALUES ($1, lower($2), $3, $4)
         ON CONFLICT (org_id, email) DO UPDATE SET role = EXCLUDED.role`,
        [orgId, email, role, by],
      );
    },
    /** Turns the pending invitations of an e-mail address into memberships; returns them. */
    async acceptInvitations(email: string, userId: string): Promise<Membership[]> {
      const r = await db.query<{ org_id: string; role: Role }>(
        'DELETE FROM gov_invitations WHERE email = lower($1) RETURNING org_id, role',
        [email],
      );
      for (const i of r.rows) {
        await db.query(
          `INSERT INTO gov_memberships (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [i.org_id, userId, i.role],
        );
      }
      return r.rows.map((i) => ({ orgId: i.org_id, role: i.role }));
    },

    // ---- OIDC ----
    async userForIdentity(issuer: string, subject: string): Promise<string | undefined> {
      const r = await db.query<{ user_id: string }>(
        'SELECT user_id FROM gov_identities WHERE issuer = $1 AND subject = $2',
        [issuer, subject],
      );
      return r.rows[0]?.user_id;
    },
    async linkIdentity(issuer: string, subject: string, userId: string) {
      await db.query(
        'INSERT INTO gov_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [issuer, subject, userId],
      );
    },
    async saveOidcRequest(state: string, verifier: string, nonce: string) {
      await db.query(`DELETE FROM gov_oidc_requests WHERE created_at < now() - interval '15 minutes'`);
      await db.query('INSERT INTO gov_oidc_requests (state, code_verifier, nonce) VALUES ($1, $2, $3)', [
        state,
        verifier,
        nonce,
      ]);
    },
    async takeOidcRequest(state: string): Promise<{ verifier: string; nonce: string } | undefined> {
      const r = await db.query<{ code_verifier: string; nonce: string }>(
        `DELETE FROM gov_oidc_requests WHERE state = $1 AND created_at > now() - interval '15 minutes'
         RETURNING code_verifier, nonce`,
        [state],
      );
      return r.rows[0] && { verifier: r.rows[0].code_verifier, nonce: r.rows[0].nonce };
    },

    // ---- API keys ----
    async insertKey(k: {
      id: string;
      orgId: string;
      name: string;
      prefix: string;
      hash: string;
      scopes: Scope[];
      createdBy: string | null;
      expiresAt: string | null;
    }): Promise<ApiKeyRecord> {
      const r = await db.query<KeyRow>(
        `INSERT INTO gov_api_keys (id, org_id, name, prefix, secret_hash, scopes, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [k.id, k.orgId, k.name, k.prefix, k.hash, k.scopes, k.createdBy, k.expiresAt],
      );
      return toKey(r.rows[0]);
    },
    async keyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
      const r = await db.query<KeyRow>('SELECT * FROM gov_api_keys WHERE secret_hash = $1', [hash]);
      return r.rows[0] && toKey(r.rows[0]);
    },
    async getKey(orgId: string, id: string): Promise<ApiKeyRecord | undefined> {
      const r = await db.query<KeyRow>('SELECT * FROM gov_api_keys WHERE org_id = $1 AND id = $2', [
        orgId,
        id,
      ]);
      return r.rows[0] && toKey(r.rows[0]);
    },
    async listKeys(orgId: string, limit: number, offset: number) {
      const total = await count(db, 'SELECT count(*)::int AS n FROM gov_api_keys WHERE org_id = $1', [orgId]);
      const rows = await db.query<KeyRow>(
        'SELECT * FROM gov_api_keys WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3',
        [orgId, limit, offset],
      );
      return { items: rows.rows.map(toKey), total };
    },
    async revokeKey(orgId: string, id: string): Promise<ApiKeyRecord | undefined> {
      const r = await db.query<KeyRow>(
        `UPDATE gov_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE org_id = $1 AND id = $2 RETURNING *`,
        [orgId, id],
      );
      return r.rows[0] && toKey(r.rows[0]);
    },
    async touchKey(id: string) {
      await db.query('UPDATE gov_api_keys SET last_used_at = now() WHERE id = $1', [id]);
    },
  };
}

export type Repository = ReturnType<typeof repository>;
