import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db, Queryable } from '../db/db.js';
import {
  assertAuthenticated,
  assertOrgRole,
  isPlatformAdmin,
  type Principal,
  roleIn,
} from '../governance/index.js';
import { pageLinks } from '../http/paging.js';
import { badRequest, notFound, ProblemError } from '../http/problem.js';
import { auditCatalog, checkPolicy, visibleTo } from './access.js';
import { datasetIri } from './dcat.js';
import { limitsOf } from './enforcement.js';
import { Paging, type Plan, Uuid } from './model.js';
import { evaluate, parsePolicy } from './odrl/index.js';
import { catalogRepository } from './repository.js';

export const AGREEMENT_STATES = ['REQUESTED', 'AGREED', 'FINALIZED', 'TERMINATED'] as const;
export type AgreementState = (typeof AGREEMENT_STATES)[number];

export interface Agreement {
  id: string;
  datasetId: string;
  providerOrgId: string;
  consumerOrgId: string;
  state: AgreementState;
  purpose?: string;
  /** The ODRL Agreement, immutable once AGREED. */
  policy?: Record<string, unknown>;
  /** JWS (compact serialisation, EdDSA) whose payload is the agreement; verify with /api/catalog/jwks. */
  signature?: string;
  /** The dataset's price plan when agreed: what statements charge. */
  plan?: Plan;
  requestedAt: string;
  agreedAt?: string;
  finalizedAt?: string;
  terminatedAt?: string;
  terminatedBy?: 'provider' | 'consumer';
  reason?: string;
}

interface Row {
  id: string;
  dataset_id: string;
  provider_org_id: string;
  consumer_org_id: string;
  state: AgreementState;
  purpose: string | null;
  policy: Record<string, unknown> | null;
  signature: string | null;
  plan: Plan | null;
  requested_at: Date | string;
  agreed_at: Date | string | null;
  finalized_at: Date | string | null;
  terminated_at: Date | string | null;
  terminated_by: 'provider' | 'consumer' | null;
  reason: string | null;
}

const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : undefined);

function out(r: Row): Agreement {
  const a: Agreement = {
    id: r.id,
    datasetId: r.dataset_id,
    providerOrgId: r.provider_org_id,
    consumerOrgId: r.consumer_org_id,
    state: r.state,
    requestedAt: iso(r.requested_at) as string,
  };
  if (r.purpose) a.purpose = r.purpose;
  if (r.policy) a.policy = r.policy;
  if (r.signature) a.signature = r.signature;
  if (r.plan) a.plan = r.plan;
  if (r.agreed_at) a.agreedAt = iso(r.agreed_at);
  if (r.finalized_at) a.finalizedAt = iso(r.finalized_at);
  if (r.terminated_at) a.terminatedAt = iso(r.terminated_at);
  if (r.terminated_by) a.terminatedBy = r.terminated_by;
  if (r.reason) a.reason = r.reason;
  return a;
}

/** The platform's Ed25519 signing key, created once and shared by every node through the database. */
async function signingKey(db: Queryable): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
  const found = await db.query<{ kid: string; private_jwk: JWK }>(
    'SELECT kid, private_jwk FROM cat_signing_keys ORDER BY created_at, kid LIMIT 1',
  );
  let row = found.rows[0];
  if (!row) {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = randomUUID();
    const priv = await exportJWK(pair.privateKey);
    const pub = await exportJWK(pair.publicKey);
    await db.query('INSERT INTO cat_signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
      kid,
      JSON.stringify({ ...priv, kid, alg: 'EdDSA' }),
      JSON.stringify({ ...pub, kid, alg: 'EdDSA', use: 'sig' }),
    ]);
    row = (
      await db.query<{ kid: string; private_jwk: JWK }>(
        'SELECT kid, private_jwk FROM cat_signing_keys ORDER BY created_at, kid LIMIT 1',
      )
    ).rows[0];
  }
  return { kid: row.kid, key: await importJWK(row.private_jwk, 'EdDSA') };
}

/** The public keys that verify agreement signatures (a JWK Set). */
export async function agreementJwks(db: Queryable): Promise<{ keys: JWK[] }> {
  const r = await db.query<{ public_jwk: JWK }>(
    'SELECT public_jwk FROM cat_signing_keys ORDER BY created_at, kid',
  );
  return { keys: r.rows.map((x) => x.public_jwk) };
}

const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const RequestBody = Type.Object(
  { orgId: Uuid, purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
const TerminateBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { ...Paging, state: Type.Optional(Type.Union(AGREEMENT_STATES.map((s) => Type.Literal(s)))) },
  { additionalProperties: false },
);

/** Organisations on whose behalf the principal acts (undefined: all, for platform administrators). */
function orgsOf(p: Principal): string[] | undefined {
  if (isPlatformAdmin(p)) return undefined;
  if (p.kind === 'user') return p.memberships.map((m) => m.orgId);
  if (p.kind === 'apiKey') return [p.orgId];
  return [];
}

/**
 * Access requests and agreements for restricted datasets: a consumer organisation requests, the owner agrees
 * (the platform then signs the ODRL Agreement) or refuses, the consumer finalises; either side may terminate.
 */
export async function agreementRoutes(
  app: FastifyInstance,
  opts: { db: Db; publicUrl?: string },
): Promise<void> {
  const { db } = opts;
  const repo = catalogRepository(db);
  const base = (req: FastifyRequest) =>
    (opts.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
  const tags = ['catalog'];

  async function load(req: FastifyRequest, id: string): Promise<Agreement> {
    const p = await assertAuthenticated(req);
    const r = await db.query<Row>('SELECT * FROM cat_agreements WHERE id = $1', [id]);
    const a = r.rows[0] ? out(r.rows[0]) : undefined;
    const orgs = orgsOf(p);
    if (!a || (orgs && !orgs.includes(a.providerOrgId) && !orgs.includes(a.consumerOrgId))) {
      throw notFound(`agreement ${id} not found`);
    }
    return a;
  }

  const conflict = (a: Agreement, what: string) =>
    new ProblemError('OperationNotSupported', `agreement ${a.id} is ${a.state}: it cannot be ${what}`);

  app.get('/api/catalog/jwks', { schema: { tags } }, async () => agreementJwks(db));

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RequestBody> }>(
    '/api/catalog/datasets/:id/agreements',
    { schema: { tags, params: IdParams, body: RequestBody } },
    async (req, reply) => {
      const d = await repo.getDataset(req.params.id);
      if (!d || !visibleTo(req.principal).includes(d.access))
        throw notFound(`dataset ${req.params.id} not found`);
      await assertOrgRole(req, req.body.orgId, 'editor');
      if (d.access !== 'restricted')
        throw badRequest(`dataset ${d.id} is ${d.access}: it needs no agreement`);
      if (d.orgId === req.body.orgId)
        throw badRequest('an organisation needs no agreement for its own dataset');
      const id = randomUUID();
      const r = await db.query<Row>(
        `INSERT INTO cat_agreements (id, dataset_id, provider_org_id, consumer_org_id, state, purpose)
         VALUES ($1, $2, $3, $4, 'REQUESTED', $5) RETURNING *`,
        [id, d.id, d.orgId, req.body.orgId, req.body.purpose ?? null],
      );
      await auditCatalog(req, 'agreement.requested', d.orgId, {
        agreement: id,
        dataset: d.id,
        consumer: req.body.orgId,
      });
      reply.status(201).header('location', `/api/catalog/agreements/${id}`);
      // Automatic acceptance: the owner agrees in advance to requests whose purpose its policy permits.
      if (d.autoAgree && autoAgreeable(d.policy, req.body.purpose, req.body.orgId)) {
        return agree(req, out(r.rows[0]), true);
      }
      return out(r.rows[0]);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/catalog/agreements',
    { schema: { tags, querystring: ListQuery } },
    async (req, reply) => {
      const p = await assertAuthenticated(req);
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 20;
      const orgs = orgsOf(p);
      const params: unknown[] = [orgs ?? null, req.query.state ?? null];
      const where = `($1::uuid[] IS NULL OR provider_org_id = ANY($1::uuid[]) OR consumer_org_id = ANY($1::uuid[]))
        AND ($2::text IS NULL OR state = $2::text)`;
      const rows = await db.query<Row>(
        `SELECT * FROM cat_agreements WHERE ${where} ORDER BY requested_at DESC, id LIMIT $3 OFFSET $4`,
        [...params, limit, offset],
      );
      const total = (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cat_agreements WHERE ${where}`, params)
      ).rows[0].n;
      const link = pageLinks(req, offset, limit, rows.rows.length, total);
      if (link) reply.header('link', link);
      return { total, offset, limit, items: rows.rows.map(out) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/agreements/:id',
    { schema: { tags, params: IdParams } },
    async (req) => load(req, req.params.id),
  );

  /** The offer becomes an ODRL Agreement between the two organisations, signed by the platform. */
  async function agree(req: FastifyRequest, a: Agreement, auto: boolean): Promise<Agreement> {
    const d = await repo.getDataset(a.datasetId);
    const offer = d?.policy ?? { permission: [{ action: 'use' }] };
    const { '@context': _ctx, ...rest } = offer;
    const policy: Record<string, unknown> = {
      '@context': 'http://www.w3.org/ns/odrl.jsonld',
      ...rest,
      '@type': 'Agreement',
      uid: `urn:uuid:${a.id}`,
      assigner: `urn:uuid:${a.providerOrgId}`,
      assignee: `urn:uuid:${a.consumerOrgId}`,
      target: datasetIri(base(req), a.datasetId),
    };
    checkPolicy(policy);
    const agreedAt = new Date().toISOString();
    const { kid, key } = await signingKey(db);
    const payload = {
      agreement: a.id,
      dataset: a.datasetId,
      provider: a.providerOrgId,
      consumer: a.consumerOrgId,
      purpose: a.purpose ?? null,
      agreedAt,
      policy,
    };
    const signature = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'escale-agreement+json' })
      .sign(key);
    const r = await db.query<Row>(
      `UPDATE cat_agreements SET state = 'AGREED', policy = $2, signature = $3, agreed_at = $4, plan = $5
         WHERE id = $1 AND state = 'REQUESTED' RETURNING *`,
      [a.id, JSON.stringify(policy), signature, agreedAt, d?.plan ? JSON.stringify(d.plan) : null],
    );
    if (!r.rows[0]) throw conflict(await load(req, a.id), 'agreed');
    await auditCatalog(req, 'agreement.agreed', a.providerOrgId, {
      agreement: a.id,
      consumer: a.consumerOrgId,
      ...(auto ? { auto: true } : {}),
    });
    return out(r.rows[0]);
  }

  // The owner agrees.
  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/agreements/:id/agree',
    { schema: { tags, params: IdParams } },
    async (req) => {
      const a = await load(req, req.params.id);
      await assertOrgRole(req, a.providerOrgId, 'editor');
      if (a.state !== 'REQUESTED') throw conflict(a, 'agreed');
      return agree(req, a, false);
    },
  );

  // The consumer confirms the signed agreement: access may start.
  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/agreements/:id/finalize',
    { schema: { tags, params: IdParams } },
    async (req) => {
      const a = await load(req, req.params.id);
      await assertOrgRole(req, a.consumerOrgId, 'editor');
      const r = await db.query<Row>(
        `UPDATE cat_agreements SET state = 'FINALIZED', finalized_at = now()
         WHERE id = $1 AND state = 'AGREED' RETURNING *`,
        [a.id],
      );
      if (!r.rows[0]) throw conflict(a, 'finalized');
      await auditCatalog(req, 'agreement.finalized', a.providerOrgId, {
        agreement: a.id,
        consumer: a.consumerOrgId,
      });
      return out(r.rows[0]);
    },
  );

  // Either party ends it (the owner refusing a request, too); a terminated agreement stays on record.
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TerminateBody> }>(
    '/api/catalog/agreements/:id/terminate',
    { schema: { tags, params: IdParams, body: Type.Optional(TerminateBody) } },
    async (req) => {
      const a = await load(req, req.params.id);
      const p = req.principal;
      const asProvider = isPlatformAdmin(p) || (roleIn(p, a.providerOrgId) ?? 'member') !== 'member';
      if (!asProvider) await assertOrgRole(req, a.consumerOrgId, 'editor');
      const r = await db.query<Row>(
        `UPDATE cat_agreements SET state = 'TERMINATED', terminated_at = now(), terminated_by = $2, reason = $3
         WHERE id = $1 AND state <> 'TERMINATED' RETURNING *`,
        [a.id, asProvider ? 'provider' : 'consumer', req.body?.reason ?? null],
      );
      if (!r.rows[0]) throw conflict(a, 'terminated');
      await auditCatalog(req, 'agreement.terminated', a.providerOrgId, {
        agreement: a.id,
        consumer: a.consumerOrgId,
        by: asProvider ? 'provider' : 'consumer',
      });
      return out(r.rows[0]);
    },
  );
}

/**
 * Whether a request may be agreed without the owner: the dataset's policy permits `use` for this purpose, by
 * this consumer, now (limits enforced as filters, area and time window, are left to enforcement).
 */
export function autoAgreeable(
  offer: Record<string, unknown> | undefined,
  purpose: string | undefined,
  consumerOrgId: string,
): boolean {
  if (!offer || !purpose) return false;
  const parsed = parsePolicy(offer);
  if (!parsed.ok) return false;
  const { policy } = limitsOf(parsed.policy);
  const ev = evaluate(
    { ...policy, assignee: undefined, target: undefined },
    { action: 'use', purpose, assignee: `urn:uuid:${consumerOrgId}`, now: new Date(), count: 0 },
  );
  return ev.decision === 'permit';
}

/** Finalised agreements of a consumer organisation on a dataset: what enforcement will read. */
export async function activeAgreements(
  db: Queryable,
  consumerOrgId: string,
  datasetId?: string,
): Promise<Agreement[]> {
  const r = await db.query<Row>(
    `SELECT * FROM cat_agreements WHERE consumer_org_id = $1 AND state = 'FINALIZED'
       AND ($2::uuid IS NULL OR dataset_id = $2::uuid) ORDER BY finalized_at`,
    [consumerOrgId, datasetId ?? null],
  );
  return r.rows.map(out);
}
