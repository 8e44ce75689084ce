import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { assertOrgRole, requireAuth, requireScope } from '../governance/index.js';
import { outboundAllowlist } from '../http/outbound.js';
import { pageLinks } from '../http/paging.js';
import { badRequest, notFound, ProblemError } from '../http/problem.js';
import { auditCatalog, checkPolicy, visibleTo } from './access.js';
import { agreementRoutes } from './agreements.js';
import { catalogJsonLd, catalogTurtle, datasetIri } from './dcat.js';
import type { CatalogEnforcement } from './enforcement.js';
import { harvestRoutes } from './harvest.js';
import {
  DataServiceCreate,
  type Dataset,
  DatasetCreate,
  DatasetPatch,
  DatasetQuery,
  DistributionCreate,
  Paging,
  PolicyBody,
  Uuid,
} from './model.js';
import { evaluate, parsePolicy } from './odrl/index.js';
import { catalogRepository } from './repository.js';
import { usageRoutes } from './usage.js';

export { checkPolicy, visibleTo };

export interface CatalogPluginOptions {
  db: Db;
  /** Public base URL used in the DCAT-AP export's IRIs (ESCALE_PUBLIC_URL); the request's host otherwise. */
  publicUrl?: string;
  /** Enforcement in the broker (createCatalogEnforcement): its caches are dropped after every catalog write. */
  enforcement?: CatalogEnforcement;
  /** Non-public hosts harvesting may reach (ESCALE_OUTBOUND_ALLOW by default; tests only). */
  outboundAllow?: Set<string>;
}

/** At most this many distributions per dataset, and datasets in one `/catalog` export. */
export const CATALOG_LIMITS = { distributionsPerDataset: 50, exportDatasets: 1000 } as const;

const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const DistParams = Type.Object({ id: Uuid, distId: Uuid }, { additionalProperties: false });

const EvaluateBody = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 100 }),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    purpose: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1, maxLength: 2048 }),
        Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 20 }),
      ]),
    ),
    recipient: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    count: Type.Optional(Type.Integer({ minimum: 0 })),
    spatial: Type.Optional(
      Type.Object(
        {
          area: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          point: Type.Optional(
            Type.Tuple([
              Type.Number({ minimum: -180, maximum: 180 }),
              Type.Number({ minimum: -90, maximum: 90 }),
            ]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    payAmount: Type.Optional(
      Type.Object(
        { amount: Type.Number({ minimum: 0 }), unit: Type.Optional(Type.String({ maxLength: 200 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Format = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('ttl'), Type.Literal('jsonld')])) },
  { additionalProperties: false },
);

export async function catalogRoutes(app: FastifyInstance, opts: CatalogPluginOptions): Promise<void> {
  const repo = catalogRepository(opts.db);
  const base = (req: FastifyRequest) =>
    (opts.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
  const write = { preHandler: [requireScope('catalog:write')], schema: { tags: ['catalog'] } };

  /** A dataset the caller may read: anonymous callers learn nothing of datasets that are not open. */
  async function readable(req: FastifyRequest, id: string): Promise<Dataset> {
    const d = await repo.getDataset(id);
    const visible = visibleTo(req.principal);
    if (d && visible.includes(d.access)) return d;
    if (req.principal.kind === 'anonymous') {
      throw new ProblemError('Unauthorized', 'no such open dataset; sign in to see the others');
    }
    throw notFound(`dataset ${id} not found`);
  }

  /** A dataset the caller may edit (editor of its owner organisation). */
  async function editable(req: FastifyRequest, id: string): Promise<Dataset> {
    const d = await readable(req, id);
    await assertOrgRole(req, d.orgId, 'editor');
    return d;
  }

  async function knownOrg(orgId: string) {
    if (!(await app.governance.repo.getOrg(orgId))) throw badRequest(`organisation ${orgId} does not exist`);
  }

  app.get<{ Querystring: DatasetQuery }>(
    '/api/catalog/datasets',
    { schema: { tags: ['catalog'], querystring: DatasetQuery } },
    async (req, reply) => {
      const q = req.query;
      const offset = q.offset ?? 0;
      const limit = q.limit ?? 20;
      const r = await repo.searchDatasets(
        {
          visible: visibleTo(req.principal),
          q: q.q,
          themes: q.theme,
          keywords: q.keyword,
          publishers: q.publisher,
          access: q.access,
        },
        offset,
        limit,
      );
      const link = pageLinks(req, offset, limit, r.items.length, r.total);
      if (link) reply.header('link', link);
      return { total: r.total, offset, limit, items: r.items, facets: r.facets };
    },
  );

  app.post<{ Body: DatasetCreate }>(
    '/api/catalog/datasets',
    { ...write, schema: { tags: ['catalog'], body: DatasetCreate } },
    async (req, reply) => {
      const body = req.body;
      await assertOrgRole(req, body.orgId, 'editor');
      await knownOrg(body.orgId);
      if (body.policy !== undefined) checkPolicy(body.policy);
      const id = randomUUID();
      await repo.insertDataset(id, body);
      if (body.policy !== undefined)
        await auditCatalog(req, 'catalog.policy.changed', body.orgId, { dataset: id });
      reply.status(201).header('location', `/api/catalog/datasets/${id}`);
      return repo.getDataset(id);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/datasets/:id',
    { schema: { tags: ['catalog'], params: IdParams } },
    async (req) => readable(req, req.params.id),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: DatasetPatch }>(
    '/api/catalog/datasets/:id',
    { ...write, schema: { tags: ['catalog'], params: IdParams, body: DatasetPatch } },
    async (req) => {
      const d = await editable(req, req.params.id);
      if (req.body.policy) checkPolicy(req.body.policy);
      const out = await repo.updateDataset(d, req.body);
      if (req.body.policy !== undefined)
        await auditCatalog(req, 'catalog.policy.changed', d.orgId, { dataset: d.id });
      return out;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/datasets/:id',
    { ...write, schema: { tags: ['catalog'], params: IdParams } },
    async (req, reply) => {
      await editable(req, req.params.id);
      if (await repo.hasAgreements(req.params.id)) {
        throw new ProblemError(
          'OperationNotSupported',
          'this dataset has agreements on record; it can be made restricted but not deleted',
        );
      }
      await repo.deleteDataset(req.params.id);
      reply.status(204).send();
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Record<string, unknown> }>(
    '/api/catalog/datasets/:id/policy',
    { ...write, schema: { tags: ['catalog'], params: IdParams, body: PolicyBody } },
    async (req) => {
      const d = await editable(req, req.params.id);
      checkPolicy(req.body);
      const out = await repo.updateDataset(d, { policy: req.body });
      await auditCatalog(req, 'catalog.policy.changed', d.orgId, { dataset: d.id });
      return out?.policy;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/datasets/:id/policy',
    { ...write, schema: { tags: ['catalog'], params: IdParams } },
    async (req, reply) => {
      const d = await editable(req, req.params.id);
      await repo.updateDataset(d, { policy: null });
      await auditCatalog(req, 'catalog.policy.removed', d.orgId, { dataset: d.id });
      reply.status(204).send();
    },
  );

  // What the dataset's policy decides for a request: a dry run for owners and consumers alike.
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof EvaluateBody> }>(
    '/api/catalog/datasets/:id/policy/evaluate',
    { preHandler: [requireAuth()], schema: { tags: ['catalog'], params: IdParams, body: EvaluateBody } },
    async (req) => {
      const d = await readable(req, req.params.id);
      if (!d.policy) throw notFound(`dataset ${d.id} has no policy`);
      const policy = checkPolicy(d.policy);
      const b = req.body;
      return evaluate(policy, {
        action: b.action,
        target: datasetIri(base(req), d.id),
        assignee: b.assignee,
        purpose: b.purpose,
        recipient: b.recipient,
        now: b.at ? new Date(b.at) : new Date(),
        since: b.since ? new Date(b.since) : undefined,
        count: b.count,
        spatial: b.spatial
          ? { area: b.spatial.area, point: b.spatial.point as [number, number] | undefined }
          : undefined,
        payAmount: b.payAmount,
      });
    },
  );

  // Checks a policy without saving it.
  app.post<{ Body: Record<string, unknown> }>(
    '/api/catalog/policies/validate',
    { preHandler: [requireAuth()], schema: { tags: ['catalog'], body: PolicyBody } },
    async (req) => {
      const r = parsePolicy(req.body);
      return r.ok ? { valid: true, issues: [] } : { valid: false, issues: r.issues };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: DistributionCreate }>(
    '/api/catalog/datasets/:id/distributions',
    { ...write, schema: { tags: ['catalog'], params: IdParams, body: DistributionCreate } },
    async (req, reply) => {
      const d = await editable(req, req.params.id);
      if ((await repo.countDistributions(d.id)) >= CATALOG_LIMITS.distributionsPerDataset) {
        throw badRequest(`a dataset has at most ${CATALOG_LIMITS.distributionsPerDataset} distributions`);
      }
      const dist = await repo.insertDistribution(randomUUID(), d.id, req.body);
      reply.status(201).header('location', `/api/catalog/datasets/${d.id}/distributions/${dist.id}`);
      return dist;
    },
  );

  app.delete<{ Params: Static<typeof DistParams> }>(
    '/api/catalog/datasets/:id/distributions/:distId',
    { ...write, schema: { tags: ['catalog'], params: DistParams } },
    async (req, reply) => {
      const d = await editable(req, req.params.id);
      if (!(await repo.deleteDistribution(d.id, req.params.distId))) {
        throw notFound(`distribution ${req.params.distId} not found`);
      }
      reply.status(204).send();
    },
  );

  const ServiceQuery = Type.Object({ ...Paging }, { additionalProperties: false });
  app.get<{ Querystring: Static<typeof ServiceQuery> }>(
    '/api/catalog/dataservices',
    { schema: { tags: ['catalog'], querystring: ServiceQuery } },
    async (req, reply) => {
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 20;
      const r = await repo.listServices(visibleTo(req.principal), offset, limit);
      const link = pageLinks(req, offset, limit, r.items.length, r.total);
      if (link) reply.header('link', link);
      return { total: r.total, offset, limit, items: r.items };
    },
  );

  app.post<{ Body: DataServiceCreate }>(
    '/api/catalog/dataservices',
    { ...write, schema: { tags: ['catalog'], body: DataServiceCreate } },
    async (req, reply) => {
      const b = req.body;
      await assertOrgRole(req, b.orgId, 'editor');
      await knownOrg(b.orgId);
      const serves = b.servesDatasets ?? [];
      const owned = await repo.datasetsOwnedBy(b.orgId, serves);
      const foreign = serves.filter((id) => !owned.includes(id));
      if (foreign.length)
        throw badRequest(
          `a data service serves datasets of its own organisation; not: ${foreign.join(', ')}`,
        );
      const s = await repo.insertService(randomUUID(), b);
      reply.status(201).header('location', `/api/catalog/dataservices/${s.id}`);
      return s;
    },
  );

  async function readableService(req: FastifyRequest, id: string) {
    const s = await repo.getService(id);
    if (s && visibleTo(req.principal).includes(s.access)) return s;
    if (req.principal.kind === 'anonymous') {
      throw new ProblemError('Unauthorized', 'no such open data service; sign in to see the others');
    }
    throw notFound(`data service ${id} not found`);
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/dataservices/:id',
    { schema: { tags: ['catalog'], params: IdParams } },
    async (req) => readableService(req, req.params.id),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/dataservices/:id',
    { ...write, schema: { tags: ['catalog'], params: IdParams } },
    async (req, reply) => {
      const s = await readableService(req, req.params.id);
      await assertOrgRole(req, s.orgId, 'editor');
      await repo.deleteService(s.id);
      reply.status(204).send();
    },
  );

  await agreementRoutes(app, opts);
  await usageRoutes(app, { db: opts.db });
  await harvestRoutes(app, { db: opts.db, outboundAllow: opts.outboundAllow ?? outboundAllowlist() });
  // Datasets, distributions and agreements decide what the broker shows: forget what enforcement cached.
  if (opts.enforcement) {
    const enforcement = opts.enforcement;
    // Before the answer leaves, so that a client reading the broker right after sees the change.
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && reply.statusCode < 400) enforcement.invalidate();
      return payload;
    });
  }

  // DCAT-AP export: JSON-LD by default, Turtle with `Accept: text/turtle` or `?format=ttl`.
  app.get<{ Querystring: Static<typeof Format> }>(
    '/catalog',
    { schema: { tags: ['catalog'], querystring: Format } },
    async (req, reply: FastifyReply) => {
      const visible = visibleTo(req.principal);
      const found = await repo.searchDatasets({ visible }, 0, CATALOG_LIMITS.exportDatasets);
      const services = await repo.listServices(visible, 0, CATALOG_LIMITS.exportDatasets);
      const publishers = new Map<string, string>();
      for (const orgId of new Set([...found.items, ...services.items].map((x) => x.orgId))) {
        const org = await app.governance.repo.getOrg(orgId);
        if (org) publishers.set(orgId, org.name);
      }
      const doc = catalogJsonLd({
        base: base(req),
        datasets: found.items,
        services: services.items,
        publishers,
      });
      const accept = req.headers.accept ?? '';
      const turtle =
        req.query.format === 'ttl' || (req.query.format === undefined && /text\/turtle/.test(accept));
      reply.header('vary', 'accept');
      if (turtle) return reply.type('text/turtle; charset=utf-8').send(await catalogTurtle(doc));
      return reply.type('application/ld+json').send(JSON.stringify(doc));
    },
  );
}
