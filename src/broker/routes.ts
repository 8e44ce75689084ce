import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import type { Principal } from '../governance/index.js';
import { pageLinks } from '../http/paging.js';
import { badRequest, ProblemError } from '../http/problem.js';
import { applyGrant, type BrokerAccessPolicy, narrowForQuery, ruleFor, type TypeRule } from './access.js';
import { bodyContext, entityContext, negotiate, queryContext, sendLd, tenantOf } from './http.js';
import type { ContextResolver, ResolvedContext } from './jsonld/contexts.js';
import {
  assertAttributeName,
  assertEntityId,
  type IncomingEntity,
  isUri,
  parseAttributeInstances,
  parseAttributes,
  parseEntity,
  sortInstances,
} from './model.js';
import { type EntityQueryInput, runEntityQuery } from './query-service.js';
import type { Format, RenderOptions } from './render.js';
import { renderEntity } from './render.js';
import * as repo from './repository.js';
import {
  type BrokerStore,
  createBrokerStore,
  deleteEntities,
  findEntity,
  mergeInstance,
  modifyEntity,
  type WriteMode,
  type WriteOutcome,
  writeEntities,
} from './service.js';

export interface BrokerPluginOptions {
  db: Db;
  contexts: ContextResolver;
  store?: BrokerStore;
  /** Data sovereignty: what each caller may read of restricted entity types (src/broker/access.ts). */
  access?: BrokerAccessPolicy;
}

const MAX_BATCH = 1000;

const EntityIdParams = Type.Object({ entityId: Type.String({ description: 'entity id (a URI)' }) });
const AttrParams = Type.Object({ entityId: Type.String(), attrId: Type.String() });

const RetrieveQuery = Type.Object({
  attrs: Type.Optional(Type.String({ description: 'comma-separated attribute names to return' })),
  pick: Type.Optional(Type.String({ description: 'entity members to keep (id, type, attribute names)' })),
  omit: Type.Optional(Type.String({ description: 'entity members to leave out' })),
  options: Type.Optional(Type.String({ description: 'keyValues, concise, normalized, sysAttrs' })),
  format: Type.Optional(Type.String({ description: 'keyValues (simplified), concise, normalized' })),
  lang: Type.Optional(
    Type.String({ description: 'language for LanguageProperty values, e.g. fr or fr,en or *' }),
  ),
  type: Type.Optional(Type.String()),
  datasetId: Type.Optional(Type.String()),
});

const QueryEntitiesQuery = Type.Object({
  id: Type.Optional(Type.String({ description: 'comma-separated entity ids' })),
  idPattern: Type.Optional(Type.String({ description: 'regular expression on entity ids' })),
  type: Type.Optional(Type.String({ description: 'type selector: A,B (or), A;B (and), (A;B)|C' })),
  attrs: Type.Optional(Type.String()),
  pick: Type.Optional(Type.String()),
  omit: Type.Optional(Type.String()),
  q: Type.Optional(Type.String({ description: 'NGSI-LD query language (GS CIM 009 4.9)' })),
  scopeQ: Type.Optional(Type.String()),
  georel: Type.Optional(Type.String()),
  geometry: Type.Optional(Type.String()),
  coordinates: Type.Optional(Type.String()),
  geoproperty: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  lang: Type.Optional(Type.String()),
  datasetId: Type.Optional(Type.String()),
});
type QueryEntitiesQueryT = Static<typeof QueryEntitiesQuery>;

const AppendQuery = Type.Object({ options: Type.Optional(Type.String({ description: 'noOverwrite' })) });
const DeleteAttrQuery = Type.Object({
  datasetId: Type.Optional(Type.String()),
  deleteAll: Type.Optional(Type.Boolean()),
});
const CountPaging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  lang: Type.Optional(Type.String()),
});
const Details = Type.Object({ details: Type.Optional(Type.Boolean()) });

const entityBody = {
  type: 'object',
  description: 'An NGSI-LD entity (normalized or concise representation)',
  additionalProperties: true,
} as const;
const entityArray = {
  type: 'array',
  items: { type: 'object', additionalProperties: true },
  maxItems: MAX_BATCH,
} as const;

function splitList(s: string | undefined): string[] | undefined {
  if (s === undefined || s === '') return undefined;
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export function renderOptions(
  q: {
    options?: string;
    format?: string;
    attrs?: string;
    pick?: string;
    omit?: string;
    lang?: string;
    datasetId?: string;
  },
  ctx: ResolvedContext,
): RenderOptions {
  const options = new Set(splitList(q.options) ?? []);
  for (const o of options) {
    if (
      ![
        'keyValues',
        'simplified',
        'concise',
        'normalized',
        'sysAttrs',
        'noOverwrite',
        'replace',
        'update',
      ].includes(o)
    ) {
      throw badRequest(`unknown option ${o}`);
    }
  }
  let format: Format = 'normalized';
  const f =
    q.format ??
    (options.has('keyValues') || options.has('simplified')
      ? 'keyValues'
      : options.has('concise')
        ? 'concise'
        : 'normalized');
  if (f === 'keyValues' || f === 'simplified') format = 'keyValues';
  else if (f === 'concise') format = 'concise';
  else if (f !== 'normalized') throw badRequest(`unknown format ${f}`);
  const attrs = splitList(q.attrs);
  if (q.pick && q.omit) throw badRequest('pick and omit cannot be used together');
  return {
    format,
    sysAttrs: options.has('sysAttrs'),
    attrs: attrs ? new Set(attrs.map((a) => ctx.expand(a))) : undefined,
    pick: q.pick ? new Set(splitList(q.pick)) : undefined,
    omit: q.omit ? new Set(splitList(q.omit)) : undefined,
    lang: q.lang,
    datasetId: q.datasetId ? new Set(splitList(q.datasetId)) : undefined,
  };
}

/** The NGSI-LD API (ETSI GS CIM 009 v1.8): entities, batch operations, queries, types and attributes. */
export async function brokerRoutes(app: FastifyInstance, opts: BrokerPluginOptions): Promise<void> {
  const { contexts } = opts;
  const store = opts.store ?? createBrokerStore(opts.db);
  const db = store.db;
  const now = () => new Date().toISOString();
  const tags = ['ngsi-ld'];
  /** The caller's access rules; undefined when it may read everything. */
  const rulesOf = async (req: FastifyRequest): Promise<TypeRule[] | undefined> => {
    const principal = (req as FastifyRequest & { principal?: Principal }).principal;
    if (!opts.access || !principal) return undefined;
    const rules = await opts.access.rulesFor(principal);
    return rules?.length ? rules : undefined;
  };

  /** Reads on a tenant that was never written to are 404 NonexistentTenant. */
  const readTenant = async (req: FastifyRequest) => {
    const tenant = tenantOf(req);
    if (tenant && !store.knownTenants.has(tenant)) {
      if (!(await repo.tenantExists(db, tenant))) {
        throw new ProblemError('NonexistentTenant', `tenant ${tenant} does not exist`);
      }
      store.knownTenants.add(tenant);
    }
    return tenant;
  };

  // ---- Entities -------------------------------------------------------------------------------------
  app.post(
    '/entities',
    { schema: { tags, summary: 'Create an entity', body: entityBody } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const entity = parseEntity(req.body, ctx, { now: now() });
      const r = await writeEntities(store, tenant, [entity], 'create', now());
      const o = r.outcomes[0];
      if (o.error) throw o.error;
      reply.header('Location', `/ngsi-ld/v1/entities/${encodeURIComponent(entity.id)}`);
      return reply.status(201).send();
    },
  );

  app.get(
    '/entities/:entityId',
    { schema: { tags, summary: 'Retrieve an entity', params: EntityIdParams, querystring: RetrieveQuery } },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      const q = req.query as Static<typeof RetrieveQuery>;
      assertEntityId(entityId);
      const type = negotiate(req, true);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const ro = renderOptions(q, ctx);
      let e = await findEntity(store, tenant, entityId);
      if (!e) throw new ProblemError('ResourceNotFound', `entity ${entityId} does not exist`);
      const rules = await rulesOf(req);
      const rule = rules && ruleFor(rules, e.types);
      if (rule && rules) {
        // A restricted entity the caller may not see does not exist for it; within a granted area only.
        const visible =
          rule.grant &&
          (!rule.grant.area ||
            (
              await runEntityQuery(db, tenant, ctx, {
                ids: [entityId],
                restrict: rules,
                limit: 1,
                offset: 0,
                count: false,
              })
            ).entities.length > 0);
        if (!visible || !rule.grant)
          throw new ProblemError('ResourceNotFound', `entity ${entityId} does not exist`);
        e = applyGrant(e, rule.grant);
      }
      if (q.type) {
        const wanted = splitList(q.type)!.map((t) => ctx.expand(t));
        if (!wanted.some((t) => e.types.includes(t))) {
          throw new ProblemError('ResourceNotFound', `entity ${entityId} has no type ${q.type}`);
        }
      }
      if (ro.attrs && ![...ro.attrs].some((a) => a in e.attrs)) {
        throw new ProblemError(
          'ResourceNotFound',
          `entity ${entityId} has none of the attributes ${q.attrs}`,
        );
      }
      const body = renderEntity(e, ctx, ro);
      if (rule?.grant?.record) {
        await rule.grant.record({ entities: 1, bytes: Buffer.byteLength(JSON.stringify(body)) });
      }
      if (type === 'application/geo+json') return sendLd(reply, type, ctx, toFeature(body, ctx));
      return sendLd(reply, type, ctx, body);
    },
  );

  app.put(
    '/entities/:entityId',
    { schema: { tags, summary: 'Replace an entity', params: EntityIdParams, body: entityBody } },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const entity = parseEntity(req.body, ctx, { now: now(), requireId: false });
      if (entity.id && entity.id !== entityId)
        throw badRequest('the id in the body differs from the id in the path');
      entity.id = entityId;
      await requireExisting(tenant, entityId);
      const r = await writeEntities(store, tenant, [entity], 'replace', now());
      if (r.outcomes[0].error) throw r.outcomes[0].error;
      return reply.status(204).send();
    },
  );

  app.patch(
    '/entities/:entityId',
    {
      schema: {
        tags,
        summary: 'Merge an entity (JSON merge-patch semantics)',
        params: EntityIdParams,
        body: entityBody,
      },
    },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body, { mergePatch: true });
      const entity = parseEntity(req.body, ctx, {
        now: now(),
        requireId: false,
        requireType: false,
        partial: true,
      });
      if (entity.id && entity.id !== entityId)
        throw badRequest('the id in the body differs from the id in the path');
      entity.id = entityId;
      const r = await writeEntities(store, tenant, [entity], 'merge', now());
      if (r.outcomes[0].error) throw r.outcomes[0].error;
      return reply.status(204).send();
    },
  );

  app.delete(
    '/entities/:entityId',
    { schema: { tags, summary: 'Delete an entity', params: EntityIdParams } },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = tenantOf(req);
      const r = await deleteEntities(store, tenant, [entityId]);
      if (r.outcomes[0].error) throw r.outcomes[0].error;
      return reply.status(204).send();
    },
  );

  // ---- Attributes of one entity ---------------------------------------------------------------------
  app.post(
    '/entities/:entityId/attrs',
    {
      schema: {
        tags,
        summary: 'Append attributes',
        params: EntityIdParams,
        querystring: AppendQuery,
        body: entityBody,
      },
    },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      const { options } = req.query as Static<typeof AppendQuery>;
      assertEntityId(entityId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const entity = fragment(req.body, entityId, ctx);
      const mode: WriteMode = splitList(options)?.includes('noOverwrite') ? 'appendNoOverwrite' : 'append';
      const r = await writeEntities(store, tenant, [entity], mode, now());
      return updateResult(reply, r.outcomes[0], ctx);
    },
  );

  app.patch(
    '/entities/:entityId/attrs',
    { schema: { tags, summary: 'Update existing attributes', params: EntityIdParams, body: entityBody } },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const entity = fragment(req.body, entityId, ctx);
      const r = await writeEntities(store, tenant, [entity], 'updateExisting', now());
      return updateResult(reply, r.outcomes[0], ctx);
    },
  );

  app.patch(
    '/entities/:entityId/attrs/:attrId',
    { schema: { tags, summary: 'Partial attribute update', params: AttrParams, body: entityBody } },
    async (req, reply) => {
      const { entityId, attrId } = req.params as Static<typeof AttrParams>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const t = now();
      const [patch] = parseAttributeInstances(stripContext(req.body), attrId, ctx, { now: t, partial: true });
      const iri = ctx.expand(attrId);
      await modifyEntity(store, tenant, entityId, (e) => {
        const list = e.attrs[iri];
        const idx = list?.findIndex((i) => (i.datasetId ?? '') === (patch.datasetId ?? '')) ?? -1;
        if (!list || idx < 0) {
          throw new ProblemError(
            'ResourceNotFound',
            `entity ${entityId} has no attribute ${attrId}${patch.datasetId ? ` with datasetId ${patch.datasetId}` : ''}`,
          );
        }
        const next = [...list];
        next[idx] = mergeInstance(list[idx], patch, t);
        return { ...e, attrs: { ...e.attrs, [iri]: next }, modifiedAt: t };
      });
      return reply.status(204).send();
    },
  );

  app.put(
    '/entities/:entityId/attrs/:attrId',
    { schema: { tags, summary: 'Replace an attribute', params: AttrParams, body: entityBody } },
    async (req, reply) => {
      const { entityId, attrId } = req.params as Static<typeof AttrParams>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      const tenant = tenantOf(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const t = now();
      const instances = parseAttributeInstances(stripContext(req.body), attrId, ctx, { now: t });
      const iri = ctx.expand(attrId);
      await modifyEntity(store, tenant, entityId, (e) => {
        const list = e.attrs[iri];
        if (!list)
          throw new ProblemError('ResourceNotFound', `entity ${entityId} has no attribute ${attrId}`);
        const next = [...list];
        for (const inst of instances) {
          const idx = next.findIndex((i) => (i.datasetId ?? '') === (inst.datasetId ?? ''));
          if (idx < 0)
            throw new ProblemError(
              'ResourceNotFound',
              `attribute ${attrId} has no instance with datasetId ${inst.datasetId}`,
            );
          next[idx] = { ...inst, createdAt: next[idx].createdAt };
        }
        return { ...e, attrs: { ...e.attrs, [iri]: sortInstances(next) }, modifiedAt: t };
      });
      return reply.status(204).send();
    },
  );

  app.delete(
    '/entities/:entityId/attrs/:attrId',
    { schema: { tags, summary: 'Delete an attribute', params: AttrParams, querystring: DeleteAttrQuery } },
    async (req, reply) => {
      const { entityId, attrId } = req.params as Static<typeof AttrParams>;
      const { datasetId, deleteAll } = req.query as Static<typeof DeleteAttrQuery>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      if (datasetId !== undefined && !isUri(datasetId)) throw badRequest('datasetId must be a URI');
      const tenant = tenantOf(req);
      const ctx = await queryContext(req, contexts);
      const iri = ctx.expand(attrId);
      const t = now();
      await modifyEntity(store, tenant, entityId, (e) => {
        const list = e.attrs[iri];
        if (!list)
          throw new ProblemError('ResourceNotFound', `entity ${entityId} has no attribute ${attrId}`);
        const next = deleteAll ? [] : list.filter((i) => (i.datasetId ?? '') !== (datasetId ?? ''));
        if (next.length === list.length) {
          throw new ProblemError(
            'ResourceNotFound',
            `attribute ${attrId} has no instance with datasetId ${datasetId ?? '(default)'}`,
          );
        }
        const attrs = { ...e.attrs };
        if (next.length) attrs[iri] = next;
        else delete attrs[iri];
        return { ...e, attrs, modifiedAt: t };
      });
      return reply.status(204).send();
    },
  );

  // ---- Query ------------------------------------------------------------------------------------------
  app.get(
    '/entities',
    { schema: { tags, summary: 'Query entities', querystring: QueryEntitiesQuery } },
    async (req, reply) => {
      const q = req.query as QueryEntitiesQueryT;
      const type = negotiate(req, true);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const input: EntityQueryInput = {
        ids: splitList(q.id),
        idPattern: q.idPattern,
        type: q.type,
        attrs: splitList(q.attrs),
        q: q.q,
        scopeQ: q.scopeQ,
        geo:
          q.georel || q.geometry || q.coordinates
            ? {
                georel: q.georel,
                geometry: q.geometry,
                coordinates: q.coordinates,
                geoproperty: q.geoproperty,
              }
            : undefined,
        limit: q.limit ?? 20,
        offset: q.offset ?? 0,
        count: q.count ?? false,
      };
      return answerQuery(req, reply, tenant, ctx, input, q, type);
    },
  );

  app.post(
    '/entityOperations/query',
    {
      schema: {
        tags,
        summary: 'Query entities with a Query document in the body',
        querystring: CountPaging,
        body: { type: 'object', additionalProperties: true },
      },
    },
    async (req, reply) => {
      const paging = req.query as Static<typeof CountPaging>;
      const type = negotiate(req, true);
      const tenant = await readTenant(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const b = req.body as Record<string, unknown>;
      if (b.type !== 'Query') throw badRequest('the body must be a Query ({"type": "Query", ...})');
      const entities = b.entities as { id?: string; idPattern?: string; type?: string }[] | undefined;
      if (entities !== undefined && !Array.isArray(entities)) throw badRequest('entities must be an array');
      const geoQ = b.geoQ as Record<string, unknown> | undefined;
      const input: EntityQueryInput = {
        selectors: entities,
        attrs: Array.isArray(b.attrs) ? (b.attrs as string[]) : undefined,
        q: typeof b.q === 'string' ? b.q : undefined,
        scopeQ: typeof b.scopeQ === 'string' ? b.scopeQ : undefined,
        geo: geoQ
          ? {
              georel: geoQ.georel as string,
              geometry: geoQ.geometry as string,
              coordinates:
                typeof geoQ.coordinates === 'string' ? geoQ.coordinates : JSON.stringify(geoQ.coordinates),
              geoproperty: geoQ.geoproperty as string | undefined,
            }
          : undefined,
        limit: paging.limit ?? 20,
        offset: paging.offset ?? 0,
        count: paging.count ?? false,
      };
      const ro = {
        ...paging,
        attrs: input.attrs?.join(','),
        lang: (b.lang as string | undefined) ?? paging.lang,
      };
      return answerQuery(req, reply, tenant, ctx, input, ro, type);
    },
  );

  async function answerQuery(
    req: FastifyRequest,
    reply: import('fastify').FastifyReply,
    tenant: string,
    ctx: ResolvedContext,
    input: EntityQueryInput,
    ro: Parameters<typeof renderOptions>[0],
    type: ReturnType<typeof negotiate>,
  ) {
    const options = renderOptions(ro, ctx);
    const all = await rulesOf(req);
    const rules =
      all &&
      narrowForQuery(all, { q: input.q, attrs: input.attrs, geoproperty: input.geo?.geoproperty }, (t) =>
        ctx.expand(t),
      );
    const r = await runEntityQuery(db, tenant, ctx, rules ? { ...input, restrict: rules } : input);
    const uses = new Map<TypeRule, { entities: number; bytes: number }>();
    const body = r.entities.map((e) => {
      const rule = rules && ruleFor(rules, e.types);
      if (!rule?.grant) return renderEntity(e, ctx, options);
      const out = renderEntity(applyGrant(e, rule.grant), ctx, options);
      const use = uses.get(rule) ?? { entities: 0, bytes: 0 };
      use.entities++;
      use.bytes += Buffer.byteLength(JSON.stringify(out));
      uses.set(rule, use);
      return out;
    });
    for (const [rule, use] of uses) await rule.grant?.record?.(use);
    if (input.count) reply.header('NGSILD-Results-Count', String(r.total ?? 0));
    const links = pageLinks(req, input.offset, input.limit, r.entities.length, r.total);
    if (links) reply.header('Link', links);
    if (type === 'application/geo+json') {
      return sendLd(reply, type, ctx, {
        type: 'FeatureCollection',
        features: body.map((e) => toFeature(e, ctx)),
      });
    }
    // The context Link header is set by sendLd; pagination links are added alongside it.
    return sendLd(reply, type, ctx, body);
  }

  // ---- Batch operations -----------------------------------------------------------------------------
  const batchItems = async (req: FastifyRequest, partial = false) => {
    const body = req.body;
    if (!Array.isArray(body)) throw badRequest('the body of a batch operation is an array of entities');
    if (body.length === 0) throw badRequest('the batch is empty');
    const fallback = await bodyContext(req, contexts, body);
    const t = now();
    const items: IncomingEntity[] = [];
    const errors: WriteOutcome[] = [];
    for (const raw of body) {
      try {
        const ctx = await entityContext(req, contexts, raw, fallback);
        items.push(parseEntity(raw, ctx, { now: t, requireType: !partial, partial }));
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        const id = raw && typeof raw === 'object' ? String((raw as Record<string, unknown>).id ?? '') : '';
        errors.push({ id, error: err });
      }
    }
    return { items, errors, ctx: fallback };
  };

  const batchReply = (
    reply: import('fastify').FastifyReply,
    outcomes: WriteOutcome[],
    onAllOk: () => unknown,
  ) => {
    const failed = outcomes.filter((o) => o.error);
    if (failed.length === 0) return onAllOk();
    return reply
      .status(207)
      .type('application/json')
      .send({
        success: outcomes.filter((o) => !o.error).map((o) => o.id),
        errors: failed.map((o) => ({ entityId: o.id, error: o.error!.toBody() })),
      });
  };

  app.post(
    '/entityOperations/create',
    { schema: { tags, summary: 'Batch create', body: entityArray } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const { items, errors } = await batchItems(req);
      const r = items.length ? await writeEntities(store, tenant, items, 'create', now()) : { outcomes: [] };
      const outcomes = [...errors, ...r.outcomes];
      return batchReply(reply, outcomes, () => reply.status(201).send(outcomes.map((o) => o.id)));
    },
  );

  app.post(
    '/entityOperations/upsert',
    {
      schema: {
        tags,
        summary: 'Batch upsert',
        body: entityArray,
        querystring: Type.Object({
          options: Type.Optional(Type.String({ description: 'replace (default) or update' })),
        }),
      },
    },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const { options } = req.query as { options?: string };
      const opt = splitList(options) ?? [];
      if (opt.some((o) => o !== 'replace' && o !== 'update'))
        throw badRequest('options must be replace or update');
      const { items, errors } = await batchItems(req);
      const mode: WriteMode = opt.includes('update') ? 'upsertUpdate' : 'replace';
      const r = items.length ? await writeEntities(store, tenant, items, mode, now()) : { outcomes: [] };
      const outcomes = [...errors, ...r.outcomes];
      return batchReply(reply, outcomes, () => {
        const created = outcomes.filter((o) => o.created).map((o) => o.id);
        return created.length ? reply.status(201).send(created) : reply.status(204).send();
      });
    },
  );

  app.post(
    '/entityOperations/update',
    { schema: { tags, summary: 'Batch update', body: entityArray, querystring: AppendQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const { options } = req.query as Static<typeof AppendQuery>;
      const { items, errors } = await batchItems(req, true);
      const mode: WriteMode = splitList(options)?.includes('noOverwrite') ? 'appendNoOverwrite' : 'append';
      const r = items.length ? await writeEntities(store, tenant, items, mode, now()) : { outcomes: [] };
      return batchReply(reply, [...errors, ...r.outcomes], () => reply.status(204).send());
    },
  );

  app.post(
    '/entityOperations/merge',
    { schema: { tags, summary: 'Batch merge', body: entityArray } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const { items, errors } = await batchItems(req, true);
      const r = items.length ? await writeEntities(store, tenant, items, 'merge', now()) : { outcomes: [] };
      return batchReply(reply, [...errors, ...r.outcomes], () => reply.status(204).send());
    },
  );

  app.post(
    '/entityOperations/delete',
    {
      schema: {
        tags,
        summary: 'Batch delete',
        body: { type: 'array', items: { type: 'string' }, maxItems: MAX_BATCH, minItems: 1 },
      },
    },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const ids = req.body as string[];
      const bad: WriteOutcome[] = [];
      const good: string[] = [];
      for (const id of ids) {
        if (isUri(id)) good.push(id);
        else bad.push({ id, error: badRequest(`${JSON.stringify(id)} is not a URI`) });
      }
      const r = good.length ? await deleteEntities(store, tenant, good) : { outcomes: [] };
      return batchReply(reply, [...bad, ...r.outcomes], () => reply.status(204).send());
    },
  );

  // ---- Types and attributes -------------------------------------------------------------------------
  app.get(
    '/types',
    { schema: { tags, summary: 'Entity types', querystring: Details } },
    async (req, reply) => {
      const { details } = req.query as Static<typeof Details>;
      const type = negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const rules = await rulesOf(req);
      const types = (await repo.listTypes(db, tenant)).filter(
        (t) => !rules || ruleFor(rules, [t.type])?.grant !== undefined || !ruleFor(rules, [t.type]),
      );
      if (details) {
        return sendLd(
          reply,
          type,
          ctx,
          types.map((t) => ({
            id: t.type,
            type: 'EntityType',
            typeName: ctx.compact(t.type),
            attributeNames: t.attrs.map((a) => ctx.compact(a)),
          })),
        );
      }
      return sendLd(reply, type, ctx, {
        id: `urn:ngsi-ld:EntityTypeList:${tenant || 'default'}`,
        type: 'EntityTypeList',
        typeList: types.map((t) => ctx.compact(t.type)).sort(),
      });
    },
  );

  app.get(
    '/types/:type',
    { schema: { tags, summary: 'Details of one entity type', params: Type.Object({ type: Type.String() }) } },
    async (req, reply) => {
      const type = negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const wanted = ctx.expand((req.params as { type: string }).type);
      const rules = await rulesOf(req);
      const hidden = rules && ruleFor(rules, [wanted]) && !ruleFor(rules, [wanted])?.grant;
      const t = hidden ? undefined : (await repo.listTypes(db, tenant)).find((x) => x.type === wanted);
      if (!t)
        throw new ProblemError(
          'ResourceNotFound',
          `no entity of type ${(req.params as { type: string }).type}`,
        );
      const attrs = (await repo.listAttributes(db, tenant)).filter((a) => a.types.includes(wanted));
      return sendLd(reply, type, ctx, {
        id: t.type,
        type: 'EntityTypeInfo',
        typeName: ctx.compact(t.type),
        entityCount: t.count,
        attributeDetails: attrs.map((a) => ({
          id: a.attr,
          type: 'Attribute',
          attributeName: ctx.compact(a.attr),
          attributeTypes: a.attrTypes,
        })),
      });
    },
  );

  app.get(
    '/attributes',
    { schema: { tags, summary: 'Attributes in use', querystring: Details } },
    async (req, reply) => {
      const { details } = req.query as Static<typeof Details>;
      const type = negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const rules = await rulesOf(req);
      // Attributes only seen on entity types hidden from the caller are not listed.
      const attrs = (await repo.listAttributes(db, tenant)).filter(
        (a) => !rules || a.types.some((t) => ruleFor(rules, [t])?.grant || !ruleFor(rules, [t])),
      );
      if (details) {
        return sendLd(
          reply,
          type,
          ctx,
          attrs.map((a) => ({
            id: a.attr,
            type: 'Attribute',
            attributeName: ctx.compact(a.attr),
            typeNames: a.types.map((t) => ctx.compact(t)),
          })),
        );
      }
      return sendLd(reply, type, ctx, {
        id: `urn:ngsi-ld:AttributeList:${tenant || 'default'}`,
        type: 'AttributeList',
        attributeList: attrs.map((a) => ctx.compact(a.attr)).sort(),
      });
    },
  );

  app.get(
    '/attributes/:attrId',
    { schema: { tags, summary: 'Details of one attribute', params: Type.Object({ attrId: Type.String() }) } },
    async (req, reply) => {
      const type = negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const name = (req.params as { attrId: string }).attrId;
      const rules = await rulesOf(req);
      const a = (await repo.listAttributes(db, tenant)).find(
        (x) =>
          x.attr === ctx.expand(name) &&
          (!rules || x.types.some((t) => ruleFor(rules, [t])?.grant || !ruleFor(rules, [t]))),
      );
      if (!a) throw new ProblemError('ResourceNotFound', `no attribute ${name}`);
      return sendLd(reply, type, ctx, {
        id: a.attr,
        type: 'Attribute',
        attributeName: ctx.compact(a.attr),
        attributeCount: a.count,
        attributeTypes: a.attrTypes,
        typeNames: a.types.map((t) => ctx.compact(t)),
      });
    },
  );

  async function requireExisting(tenant: string, id: string) {
    if (!(await repo.findEntity(db, tenant, id)))
      throw new ProblemError('ResourceNotFound', `entity ${id} does not exist`);
  }
}

function stripContext(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && '@context' in body) {
    const { '@context': _, ...rest } = body as Record<string, unknown>;
    return rest;
  }
  return body;
}

/** The body of an attribute operation: a fragment of attributes (id and type, if given, must match). */
function fragment(body: unknown, entityId: string, ctx: ResolvedContext): IncomingEntity {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.id !== undefined && b.id !== entityId)
    throw badRequest('the id in the body differs from the id in the path');
  const attrs = parseAttributes(b, ctx, { now: new Date().toISOString() });
  if (Object.keys(attrs).length === 0) throw badRequest('no attribute given');
  return { id: entityId, types: [], scopes: undefined, attrs };
}

function updateResult(reply: import('fastify').FastifyReply, o: WriteOutcome, ctx: ResolvedContext) {
  if (o.error) throw o.error;
  if (o.notUpdated?.length) {
    return reply
      .status(207)
      .type('application/json')
      .send({
        updated: (o.updated ?? []).map((a) => ctx.compact(a)),
        notUpdated: o.notUpdated.map((n) => ({ attributeName: ctx.compact(n.attr), reason: n.reason })),
      });
  }
  return reply.status(204).send();
}

/** GeoJSON representation (GS CIM 009 4.5.16): one Feature per entity, geometry from `location`. */
function toFeature(e: Record<string, unknown>, _ctx: ResolvedContext): Record<string, unknown> {
  const { id, ...properties } = e;
  const loc = properties.location as { value?: unknown } | unknown;
  const geometry =
    loc && typeof loc === 'object' && 'value' in (loc as object)
      ? (loc as { value: unknown }).value
      : (loc ?? null);
  return { id, type: 'Feature', geometry, properties };
}
