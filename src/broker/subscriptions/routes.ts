import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../governance/index.js';
import { OutboundRefused } from '../../http/outbound.js';
import { pageLinks } from '../../http/paging.js';
import { badRequest, ProblemError } from '../../http/problem.js';
import { bodyContext, negotiate, queryContext, sendLd, tenantOf } from '../http.js';
import { CORE_CONTEXT_URL, type ResolvedContext } from '../jsonld/contexts.js';
import { isUri } from '../model.js';
import * as brokerRepo from '../repository.js';
import type { Subscriptions } from './index.js';
import {
  endpointKind,
  parseSubscription,
  patchSubscription,
  renderSubscription,
  type SubscriptionBody,
} from './model.js';
import * as repo from './repository.js';
import { sseChunk } from './stream.js';
import { checkEndpointUri } from './targets.js';

/** A snapshot of the caller that creates a subscription: its notifications carry what this caller may read. */
function ownerOf(req: FastifyRequest): Principal | undefined {
  const p = (req as FastifyRequest & { principal?: Principal }).principal;
  if (!p || p.kind === 'anonymous') return undefined;
  if (p.kind === 'user') {
    // No name nor e-mail: the snapshot travels with every queued notification.
    const { userId, platformAdmin, memberships } = p;
    return { kind: 'user', userId, platformAdmin, memberships, email: '', name: '' };
  }
  return p;
}

/**
 * Whether the caller may see (and so change) a subscription: its endpoint and receiver headers are the
 * creator's business. Platform administrators see all; others the subscriptions of their own organisations
 * (or their own); subscriptions without an owner (the platform's own, or older than owners) are public.
 */
function mayAccess(caller: Principal | undefined, owner: Principal | undefined): boolean {
  if (!owner) return true;
  if (!caller || caller.kind === 'anonymous') return false;
  if (caller.kind === 'user' && caller.platformAdmin) return true;
  const orgsOf = (p: Principal): string[] =>
    p.kind === 'user' ? p.memberships.map((m) => m.orgId) : p.kind === 'apiKey' ? [p.orgId] : [];
  if (caller.kind === 'user' && owner.kind === 'user' && caller.userId === owner.userId) return true;
  const mine = new Set(orgsOf(caller));
  return orgsOf(owner).some((o) => mine.has(o));
}

const callerOf = (req: FastifyRequest): Principal | undefined =>
  (req as FastifyRequest & { principal?: Principal }).principal;

function visibilityOf(req: FastifyRequest): repo.Visibility {
  const p = callerOf(req);
  if (p?.kind === 'user' && p.platformAdmin) return 'all';
  if (p?.kind === 'user') return { userId: p.userId, orgIds: p.memberships.map((m) => m.orgId) };
  if (p?.kind === 'apiKey') return { orgIds: [p.orgId] };
  return { orgIds: [] };
}

export interface SubscriptionRoutesOptions {
  subs: Subscriptions;
}

const IdParams = Type.Object({ subscriptionId: Type.String({ description: 'subscription id (a URI)' }) });
const RetrieveQuery = Type.Object({
  options: Type.Optional(Type.String({ description: 'sysAttrs: add createdAt and modifiedAt' })),
});
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.String({ description: 'sysAttrs: add createdAt and modifiedAt' })),
});
const subscriptionBody = {
  type: 'object',
  description: 'An NGSI-LD Subscription (GS CIM 009 5.2.12)',
  additionalProperties: true,
} as const;

/** A context worth storing: null stands for the core context. */
function contextValue(ctx: ResolvedContext): unknown {
  return ctx.value === CORE_CONTEXT_URL ? null : ctx.value;
}

function sysAttrs(options: string | undefined): boolean {
  const list = (options ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of list) if (o !== 'sysAttrs') throw badRequest(`unknown option ${o}`);
  return list.includes('sysAttrs');
}

function checkId(id: string): string {
  if (!isUri(id)) throw badRequest(`the subscription id must be a URI, got ${JSON.stringify(id)}`);
  return id;
}

/** The subscriptions API (GS CIM 009 v1.8, 5.8 and 6.10-6.11), and the SSE stream of a subscription. */
export async function subscriptionRoutes(
  app: FastifyInstance,
  opts: SubscriptionRoutesOptions,
): Promise<void> {
  const { subs } = opts;
  const { db, store, contexts, hub } = subs;
  const tags = ['ngsi-ld'];
  const now = () => new Date().toISOString();

  const readTenant = async (req: FastifyRequest) => {
    const tenant = tenantOf(req);
    if (tenant && !store.knownTenants.has(tenant)) {
      if (!(await brokerRepo.tenantExists(db, tenant))) {
        throw new ProblemError('NonexistentTenant', `tenant ${tenant} does not exist`);
      }
      store.knownTenants.add(tenant);
    }
    return tenant;
  };

  /** Endpoint and jsonldContext checks that need the network: before any transaction. */
  const checkOutside = async (
    body: SubscriptionBody,
    prior?: SubscriptionBody,
  ): Promise<ResolvedContext | undefined> => {
    const uri = body.notification.endpoint.uri;
    if (endpointKind(uri) !== 'stream' && uri !== prior?.notification.endpoint.uri) {
      try {
        await checkEndpointUri(uri, subs.options.allow);
      } catch (err) {
        if (err instanceof OutboundRefused)
          throw badRequest(`notification.endpoint.uri refused: ${err.message}`);
        throw err;
      }
    }
    if (body.jsonldContext !== undefined && body.jsonldContext !== prior?.jsonldContext) {
      return contexts.resolve(body.jsonldContext);
    }
    return undefined;
  };

  const notFound = (id: string) => new ProblemError('ResourceNotFound', `subscription ${id} does not exist`);

  app.post(
    '/subscriptions',
    { schema: { tags, summary: 'Create a subscription', body: subscriptionBody } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const body = parseSubscription(req.body, ctx, () => `urn:ngsi-ld:Subscription:${randomUUID()}`);
      const jsonld = await checkOutside(body);
      if (tenant !== '' && !store.knownTenants.has(tenant)) {
        await brokerRepo.ensureTenant(db, tenant);
        store.knownTenants.add(tenant);
      }
      const created = await db.transaction((tx) =>
        repo.insertSubscription(
          tx,
          tenant,
          body,
          contextValue(jsonld ?? ctx),
          contextValue(ctx),
          now(),
          ownerOf(req),
        ),
      );
      if (!created) throw new ProblemError('AlreadyExists', `subscription ${body.id} already exists`);
      subs.changed(tenant);
      reply.header('Location', `/ngsi-ld/v1/subscriptions/${encodeURIComponent(body.id)}`);
      return reply.status(201).send();
    },
  );

  app.get(
    '/subscriptions',
    { schema: { tags, summary: 'List subscriptions', querystring: ListQuery } },
    async (req, reply) => {
      const q = req.query as Static<typeof ListQuery>;
      const type = negotiate(req);
      const sys = sysAttrs(q.options);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const limit = q.limit ?? 20;
      const offset = q.offset ?? 0;
      if (limit === 0 && !q.count) throw badRequest('limit=0 is only meaningful with count=true');
      const r = await repo.listSubscriptions(db, tenant, limit, offset, q.count ?? false, visibilityOf(req));
      if (q.count) reply.header('NGSILD-Results-Count', String(r.total ?? 0));
      const links = pageLinks(req, offset, limit, r.records.length, r.total);
      if (links) reply.header('Link', links);
      return sendLd(
        reply,
        type,
        ctx,
        r.records.map((x) => renderSubscription(x, ctx, { sysAttrs: sys })),
      );
    },
  );

  app.get(
    '/subscriptions/:subscriptionId',
    { schema: { tags, summary: 'Retrieve a subscription', params: IdParams, querystring: RetrieveQuery } },
    async (req, reply) => {
      const id = checkId((req.params as Static<typeof IdParams>).subscriptionId);
      const q = req.query as Static<typeof RetrieveQuery>;
      const type = negotiate(req);
      const sys = sysAttrs(q.options);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const r = await repo.findSubscription(db, tenant, id);
      if (!r || !mayAccess(callerOf(req), r.owner)) throw notFound(id);
      return sendLd(reply, type, ctx, renderSubscription(r, ctx, { sysAttrs: sys }));
    },
  );

  app.patch(
    '/subscriptions/:subscriptionId',
    { schema: { tags, summary: 'Update a subscription', params: IdParams, body: subscriptionBody } },
    async (req, reply) => {
      const id = checkId((req.params as Static<typeof IdParams>).subscriptionId);
      const tenant = await readTenant(req);
      const ctx = await bodyContext(req, contexts, req.body, { mergePatch: true });
      const prior = await repo.findSubscription(db, tenant, id);
      if (!prior || !mayAccess(callerOf(req), prior.owner)) throw notFound(id);
      const priorQ = await contexts.resolve(prior.qContext ?? undefined);
      const jsonld = await checkOutside(
        patchSubscription(prior.body, req.body, ctx, priorQ).body,
        prior.body,
      );
      await db.transaction(async (tx) => {
        const current = await repo.findSubscription(tx, tenant, id, true);
        if (!current) throw notFound(id);
        const currentQ = await contexts.resolve(current.qContext ?? undefined);
        const p = patchSubscription(current.body, req.body, ctx, currentQ);
        const qContext = p.queriesChanged ? contextValue(ctx) : current.qContext;
        let context = current.context;
        if (jsonld) context = contextValue(jsonld);
        else if (current.body.jsonldContext !== undefined && p.body.jsonldContext === undefined)
          context = null;
        await repo.updateSubscription(tx, tenant, p.body, context, qContext, now());
      });
      subs.changed(tenant);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/subscriptions/:subscriptionId',
    { schema: { tags, summary: 'Delete a subscription', params: IdParams } },
    async (req, reply) => {
      const id = checkId((req.params as Static<typeof IdParams>).subscriptionId);
      const tenant = await readTenant(req);
      const existing = await repo.findSubscription(db, tenant, id);
      if (!existing || !mayAccess(callerOf(req), existing.owner)) throw notFound(id);
      const deleted = await db.transaction((tx) => repo.deleteSubscription(tx, tenant, id));
      if (!deleted) throw notFound(id);
      subs.changed(tenant, id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/subscriptions/:subscriptionId/events',
    {
      schema: {
        tags,
        summary: 'Stream the notifications of a subscription (Server-Sent Events)',
        description:
          'text/event-stream: one `notification` event per notification the subscription produces while the ' +
          'stream is open (event id = notification id, data = the Notification as JSON). Escale extension.',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const id = checkId((req.params as Static<typeof IdParams>).subscriptionId);
      const tenant = await readTenant(req);
      const sub = await repo.findSubscription(db, tenant, id);
      if (!sub || !mayAccess(callerOf(req), sub.owner)) throw notFound(id);
      // Restricted data reaches a stream only as the subscription's creator may read it (src/broker/access.ts).
      const filter = subs.streamFilter(sub.owner);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n: notifications of ${id}\n\n`);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      let queue = Promise.resolve();
      const remove = hub.add(tenant, id, {
        write: (chunk) => res.write(chunk),
        send: (event) => {
          if (!filter) {
            res.write(sseChunk(event));
            return;
          }
          // Filtering is asynchronous: one queue per client keeps the events in order.
          queue = queue
            .then(() => filter(event.body))
            .then(
              (body) => {
                if (body !== undefined) res.write(sseChunk({ id: event.id, body }));
              },
              (err: unknown) => req.log.error({ err }, 'subscription stream: cannot filter a notification'),
            );
        },
        end: () => res.end(),
      });
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        remove();
      });
    },
  );
}
