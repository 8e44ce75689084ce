import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/db.js';
import type { Principal } from '../../governance/index.js';
import { pageLinks } from '../../http/paging.js';
import { badRequest, ProblemError } from '../../http/problem.js';
import {
  applyGrantTemporal,
  type BrokerAccessPolicy,
  narrowForQuery,
  narrowToWindows,
  ruleFor,
  type TypeRule,
} from '../access.js';
import { bodyContext, negotiate, queryContext, sendLd, tenantOf } from '../http.js';
import type { ContextResolver, ResolvedContext } from '../jsonld/contexts.js';
import { assertAttributeName, assertEntityId, isUri, parseInstance } from '../model.js';
import { runEntityQuery } from '../query-service.js';
import * as brokerRepo from '../repository.js';
import { type BrokerStore, createBrokerStore } from '../service.js';
import {
  AGGR_METHODS,
  type OutputOptions,
  parseOutput,
  parseTemporalFilter,
  type TemporalFilterInput,
  TIME_PROPERTIES,
  TIMERELS,
} from './params.js';
import { findTemporalEntity } from './repository.js';
import { parseRetentionSpec, replaceRetentionRules } from './retention.js';
import {
  appendTemporal,
  applyTemporalRetention,
  DEFAULT_INSTANCE_LIMIT,
  deleteAttributeHistory,
  deleteInstance,
  deleteTemporalEntity,
  ensureComingPartitions,
  MAX_ENTITY_LIMIT,
  modifyInstance,
  parseTemporalEntity,
  queryTemporal,
  retrieveTemporal,
  type TemporalAnswer,
  type TemporalSelection,
} from './service.js';

export interface TemporalPluginOptions {
  db: Db;
  contexts: ContextResolver;
  store?: BrokerStore;
  /** Instances per attribute in one response before temporal pagination (206). Default 1000. */
  instanceLimit?: number;
  /** How often retention runs (ms); 0 disables it. Default one hour; the first run is a minute after start. */
  retentionIntervalMs?: number;
  /**
   * Retention rules from configuration (`ESCALE_TEMPORAL_RETENTION`, syntax in retention.ts). When given
   * (even empty), they replace the rules of the temporal_retention table at start; undefined leaves the table.
   */
  retention?: string;
  /** Data sovereignty: what each caller may read of restricted entity types (src/broker/access.ts). */
  access?: BrokerAccessPolicy;
}

const BASE = '/ngsi-ld/v1';

const str = (description: string) => Type.Optional(Type.String({ description }));
const enumOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Optional(Type.Unsafe<T>({ type: 'string', enum: [...values], description }));

const TemporalParams = {
  timerel: enumOf(TIMERELS, 'before, after or between; needs timeAt (and endTimeAt for between)'),
  timeAt: str('ISO 8601 date-time, e.g. 2026-11-23T08:00:00Z'),
  endTimeAt: str('ISO 8601 date-time, with timerel=between'),
  timeproperty: enumOf(TIME_PROPERTIES, 'the time the query applies to (default observedAt)'),
  lastN: Type.Optional(
    Type.Integer({ minimum: 1, description: 'only the last N instances of each attribute' }),
  ),
  aggrMethods: str(`comma-separated: ${AGGR_METHODS.join(', ')} (with options=aggregatedValues)`),
  aggrPeriodDuration: str(
    'ISO 8601 duration of the aggregation periods, e.g. P1D, PT1H (default: the whole interval)',
  ),
  options: str('temporalValues, aggregatedValues, concise, sysAttrs'),
  format: str('normalized, concise, temporalValues (simplified) or aggregatedValues'),
  lang: str('language of LanguageProperty values'),
};

const RetrieveQuery = Type.Object({ attrs: str('comma-separated attribute names'), ...TemporalParams });
type RetrieveQueryT = Static<typeof RetrieveQuery>;

const QueryQuery = Type.Object({
  id: str('comma-separated entity ids'),
  idPattern: str('regular expression on entity ids'),
  type: str('type selector: A,B (or), A;B (and)'),
  attrs: str('comma-separated attribute names'),
  q: str('NGSI-LD query language, evaluated on the current state of the entities'),
  scopeQ: str('scope query'),
  georel: str('geo-relationship, evaluated on the current state of the entities'),
  geometry: str('Point, LineString, Polygon...'),
  coordinates: str('GeoJSON coordinates (JSON)'),
  geoproperty: str('the GeoProperty the geo-query applies to (default location)'),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ENTITY_LIMIT, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Boolean()),
  ...TemporalParams,
});
type QueryQueryT = Static<typeof QueryQuery>;

const PostQueryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ENTITY_LIMIT, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  count: Type.Optional(Type.Boolean()),
  aggrMethods: TemporalParams.aggrMethods,
  aggrPeriodDuration: TemporalParams.aggrPeriodDuration,
  options: TemporalParams.options,
  format: TemporalParams.format,
  lang: TemporalParams.lang,
});
type PostQueryQueryT = Static<typeof PostQueryQuery>;

const EntityIdParams = Type.Object({ entityId: Type.String({ description: 'entity id (a URI)' }) });
const AttrParams = Type.Object({ entityId: Type.String(), attrId: Type.String() });
const InstanceParams = Type.Object({
  entityId: Type.String(),
  attrId: Type.String(),
  instanceId: Type.String({ description: 'urn:ngsi-ld:attribute:instance:<uuid>' }),
});
const DeleteAttrQuery = Type.Object({
  datasetId: str('the datasetId whose history is deleted (default: the default instance)'),
  deleteAll: Type.Optional(Type.Boolean({ description: 'delete the history of every datasetId' })),
});

const temporalEntityBody = {
  type: 'object',
  description:
    'A temporal entity: id, type and attributes, each an attribute instance or an array of instances (observedAt places them in time)',
  additionalProperties: true,
} as const;
const fragmentBody = {
  type: 'object',
  description: 'Attributes, each an attribute instance or an array of instances',
  additionalProperties: true,
} as const;
const queryBody = {
  type: 'object',
  description:
    'Query: {"type": "Query", "entities": [...], "attrs": [...], "q", "scopeQ", "geoQ", "temporalQ": {"timerel", "timeAt", "endTimeAt", "timeproperty", "lastN"}}',
  required: ['type'],
  additionalProperties: true,
} as const;

function splitList(s: string | undefined): string[] | undefined {
  if (s === undefined || s === '') return undefined;
  const list = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

function checkAttrs(list: string[] | undefined): string[] | undefined {
  for (const a of list ?? []) assertAttributeName(a);
  return list;
}

/** The NGSI-LD temporal API (GS CIM 009 v1.8, 5.6.11-5.6.16, 5.7.3-5.7.4) under /temporal. */
export async function temporalRoutes(app: FastifyInstance, opts: TemporalPluginOptions): Promise<void> {
  const { contexts } = opts;
  const store = opts.store ?? createBrokerStore(opts.db);
  const db = store.db;
  const instanceLimit = opts.instanceLimit ?? DEFAULT_INSTANCE_LIMIT;
  const tags = ['ngsi-ld'];
  const now = () => new Date().toISOString();
  /** The caller's access rules; undefined when it may read everything. */
  const rulesOf = async (req: FastifyRequest): Promise<TypeRule[] | undefined> => {
    const principal = (req as FastifyRequest & { principal?: Principal }).principal;
    if (!opts.access || !principal) return undefined;
    const rules = await opts.access.rulesFor(principal);
    return rules?.length ? rules : undefined;
  };
  /** Applies the grants to rendered temporal entities and records the uses. */
  const granted = async (
    rules: TypeRule[] | undefined,
    ctx: ResolvedContext,
    body: Record<string, unknown>[],
    types: (e: Record<string, unknown>) => string[],
    timeproperty?: string,
  ) => {
    if (!rules) return body;
    const uses = new Map<TypeRule, { entities: number; bytes: number }>();
    const out = body.map((e) => {
      const rule = ruleFor(rules, types(e));
      if (!rule?.grant) return e;
      const shown = applyGrantTemporal(e, rule.grant, (t) => ctx.expand(t), timeproperty);
      const use = uses.get(rule) ?? { entities: 0, bytes: 0 };
      use.entities++;
      use.bytes += Buffer.byteLength(JSON.stringify(shown));
      uses.set(rule, use);
      return shown;
    });
    for (const [rule, use] of uses) await rule.grant?.record?.(use);
    return out;
  };
  const typesOf = (ctx: ResolvedContext) => (e: Record<string, unknown>) => {
    const t = e.type;
    return (Array.isArray(t) ? t : [t])
      .filter((x): x is string => typeof x === 'string')
      .map((x) => ctx.expand(x));
  };

  if (opts.retention !== undefined) {
    const rules = parseRetentionSpec(opts.retention, (term) => contexts.core.expand(term));
    await replaceRetentionRules(db, rules);
  }
  app.addHook('onReady', () => ensureComingPartitions(db));
  startRetention(app, db, opts.retentionIntervalMs ?? 3_600_000);

  /** Reads on a tenant that was never written to are 404 NonexistentTenant, as in the entity API. */
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
  const writeTenant = async (req: FastifyRequest) => {
    const tenant = tenantOf(req);
    if (tenant && !store.knownTenants.has(tenant)) {
      await brokerRepo.ensureTenant(db, tenant);
      store.knownTenants.add(tenant);
    }
    return tenant;
  };

  const send = (
    reply: FastifyReply,
    req: FastifyRequest,
    ctx: ResolvedContext,
    answer: TemporalAnswer,
    body: unknown,
  ) => {
    const type = negotiate(req);
    if (answer.contentRange) reply.header('Content-Range', answer.contentRange);
    return sendLd(reply, type, ctx, body, answer.contentRange ? 206 : 200);
  };

  app.post(
    '/temporal/entities',
    {
      schema: {
        tags,
        summary: 'Create or update the temporal representation of an entity (instances are appended)',
        body: temporalEntityBody,
      },
    },
    async (req, reply) => {
      const tenant = await writeTenant(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const t = now();
      const input = parseTemporalEntity(req.body, ctx, t);
      const r = await appendTemporal(db, tenant, input, t);
      if (!r.created) return reply.status(204).send();
      reply.header('Location', `${BASE}/temporal/entities/${encodeURIComponent(input.id)}`);
      return reply.status(201).send();
    },
  );

  app.get(
    '/temporal/entities/:entityId',
    {
      schema: {
        tags,
        summary: 'Retrieve the temporal representation of an entity',
        params: EntityIdParams,
        querystring: RetrieveQuery,
      },
    },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      const q = req.query as RetrieveQueryT;
      assertEntityId(entityId);
      negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const filter = parseTemporalFilter(q);
      const out = { ...parseOutput(q), lang: q.lang };
      const rules = await rulesOf(req);
      if (rules) {
        // A restricted entity the caller may not see does not exist for it; within a granted area only.
        const found = await findTemporalEntity(db, tenant, entityId);
        const rule = found && ruleFor(rules, found.types);
        const hidden =
          rule &&
          (!rule.grant ||
            (rule.grant.area &&
              (
                await runEntityQuery(db, tenant, ctx, {
                  ids: [entityId],
                  restrict: rules,
                  limit: 1,
                  offset: 0,
                  count: false,
                })
              ).entities.length === 0));
        if (hidden) throw new ProblemError('ResourceNotFound', `temporal entity ${entityId} does not exist`);
      }
      // Aggregates cannot be cut afterwards: the interval is narrowed to the agreement's time window.
      const found =
        rules && out.representation === 'aggregatedValues'
          ? await findTemporalEntity(db, tenant, entityId)
          : undefined;
      const rule = found && rules ? ruleFor(rules, found.types) : undefined;
      const window = rule ? narrowToWindows(filter, [rule]) : filter;
      if (!window)
        throw new ProblemError(
          'ResourceNotFound',
          `temporal entity ${entityId} has no history you may read in this interval`,
        );
      const answer = await retrieveTemporal(
        db,
        tenant,
        ctx,
        entityId,
        checkAttrs(splitList(q.attrs)),
        window,
        out,
        instanceLimit,
      );
      const [body] = await granted(rules, ctx, answer.body, typesOf(ctx), filter.timeproperty);
      return send(reply, req, ctx, answer, body);
    },
  );

  app.get(
    '/temporal/entities',
    { schema: { tags, summary: 'Query the temporal evolution of entities', querystring: QueryQuery } },
    async (req, reply) => {
      const q = req.query as QueryQueryT;
      negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      const filter = parseTemporalFilter(q);
      const out = { ...parseOutput(q), lang: q.lang };
      const hasGeo = [q.georel, q.geometry, q.coordinates, q.geoproperty].some((v) => v !== undefined);
      const selection: TemporalSelection = {
        ids: splitList(q.id),
        idPattern: q.idPattern,
        type: q.type,
        attrs: checkAttrs(splitList(q.attrs)),
        q: q.q,
        scopeQ: q.scopeQ,
        geo: hasGeo
          ? { georel: q.georel, geometry: q.geometry, coordinates: q.coordinates, geoproperty: q.geoproperty }
          : undefined,
        limit: q.limit ?? 20,
        offset: q.offset ?? 0,
        count: q.count ?? false,
      };
      return answerQuery(req, reply, tenant, ctx, selection, filter, out);
    },
  );

  app.post(
    '/temporal/entityOperations/query',
    {
      schema: {
        tags,
        summary: 'Query the temporal evolution of entities with a Query document',
        querystring: PostQueryQuery,
        body: queryBody,
      },
    },
    async (req, reply) => {
      const paging = req.query as PostQueryQueryT;
      negotiate(req);
      const tenant = await readTenant(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const b = req.body as Record<string, unknown>;
      if (b.type !== 'Query') throw badRequest('the body must be a Query ({"type": "Query", ...})');
      const entities = b.entities;
      if (entities !== undefined && (!Array.isArray(entities) || !entities.every(isSelector))) {
        throw badRequest('entities must be an array of {id, idPattern, type} objects');
      }
      const attrs = b.attrs;
      if (attrs !== undefined && (!Array.isArray(attrs) || !attrs.every((a) => typeof a === 'string'))) {
        throw badRequest('attrs must be an array of attribute names');
      }
      for (const k of ['q', 'scopeQ', 'lang'] as const) {
        if (b[k] !== undefined && typeof b[k] !== 'string') throw badRequest(`${k} must be a string`);
      }
      const temporalQ = b.temporalQ ?? {};
      if (!temporalQ || typeof temporalQ !== 'object' || Array.isArray(temporalQ)) {
        throw badRequest('temporalQ must be an object');
      }
      const tq = temporalQ as TemporalFilterInput & { aggrMethods?: unknown; aggrPeriodDuration?: unknown };
      const filter = parseTemporalFilter(tq);
      const aggrMethods = paging.aggrMethods ?? stringOrList(tq.aggrMethods, 'temporalQ.aggrMethods');
      const aggrPeriodDuration =
        paging.aggrPeriodDuration ?? stringOrList(tq.aggrPeriodDuration, 'temporalQ.aggrPeriodDuration');
      const out = {
        ...parseOutput({
          ...paging,
          aggrMethods,
          aggrPeriodDuration: aggrPeriodDuration as string | undefined,
        }),
        lang: (b.lang as string | undefined) ?? paging.lang,
      };
      const geoQ = b.geoQ;
      if (geoQ !== undefined && (!geoQ || typeof geoQ !== 'object' || Array.isArray(geoQ))) {
        throw badRequest('geoQ must be an object');
      }
      const g = geoQ as Record<string, unknown> | undefined;
      const selection: TemporalSelection = {
        selectors: entities as TemporalSelection['selectors'],
        attrs: checkAttrs(attrs as string[] | undefined),
        q: b.q as string | undefined,
        scopeQ: b.scopeQ as string | undefined,
        geo: g
          ? {
              georel: g.georel as string | undefined,
              geometry: g.geometry as string | undefined,
              coordinates: g.coordinates,
              geoproperty: g.geoproperty as string | undefined,
            }
          : undefined,
        limit: paging.limit ?? 20,
        offset: paging.offset ?? 0,
        count: paging.count ?? false,
      };
      return answerQuery(req, reply, tenant, ctx, selection, filter, out);
    },
  );

  async function answerQuery(
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: string,
    ctx: ResolvedContext,
    selection: TemporalSelection,
    filter: ReturnType<typeof parseTemporalFilter>,
    out: OutputOptions & { lang?: string },
  ) {
    const all = await rulesOf(req);
    const rules =
      all &&
      narrowForQuery(
        all,
        { q: selection.q, attrs: selection.attrs, geoproperty: selection.geo?.geoproperty },
        (t) => ctx.expand(t),
      );
    // Aggregates cannot be cut afterwards: the interval is narrowed to the agreements' time windows.
    const window =
      rules && out.representation === 'aggregatedValues' ? narrowToWindows(filter, rules) : filter;
    if (!window) return send(reply, req, ctx, { body: [] }, []);
    const answer = await queryTemporal(
      db,
      tenant,
      ctx,
      rules ? { ...selection, restrict: rules } : selection,
      window,
      out,
      instanceLimit,
    );
    if (selection.count) reply.header('NGSILD-Results-Count', String(answer.total ?? 0));
    const links = pageLinks(req, selection.offset, selection.limit, answer.body.length, answer.total);
    if (links) reply.header('Link', links);
    const body = await granted(rules, ctx, answer.body, typesOf(ctx), filter.timeproperty);
    return send(reply, req, ctx, answer, body);
  }

  app.post(
    '/temporal/entities/:entityId/attrs',
    {
      schema: {
        tags,
        summary: 'Add attribute instances to a temporal entity',
        params: EntityIdParams,
        body: fragmentBody,
      },
    },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = await readTenant(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const t = now();
      const input = parseTemporalEntity(req.body, ctx, t, { fragmentOf: entityId });
      await appendTemporal(db, tenant, input, t, true);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/temporal/entities/:entityId',
    { schema: { tags, summary: 'Delete the temporal representation of an entity', params: EntityIdParams } },
    async (req, reply) => {
      const { entityId } = req.params as Static<typeof EntityIdParams>;
      assertEntityId(entityId);
      const tenant = await readTenant(req);
      await deleteTemporalEntity(db, tenant, entityId);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/temporal/entities/:entityId/attrs/:attrId',
    {
      schema: {
        tags,
        summary: 'Delete the history of an attribute',
        params: AttrParams,
        querystring: DeleteAttrQuery,
      },
    },
    async (req, reply) => {
      const { entityId, attrId } = req.params as Static<typeof AttrParams>;
      const q = req.query as Static<typeof DeleteAttrQuery>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      await deleteAttributeHistory(db, tenant, entityId, ctx.expand(attrId), q);
      return reply.status(204).send();
    },
  );

  app.patch(
    '/temporal/entities/:entityId/attrs/:attrId/:instanceId',
    {
      schema: {
        tags,
        summary: 'Modify an attribute instance',
        params: InstanceParams,
        body: {
          type: 'object',
          description: 'Fragment with the attribute: {"<attrId>": {"value": ..., "observedAt": ...}}',
          additionalProperties: true,
        },
      },
    },
    async (req, reply) => {
      const { entityId, attrId, instanceId } = req.params as Static<typeof InstanceParams>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      if (!isUri(instanceId)) throw badRequest('instanceId must be a URI');
      const tenant = await readTenant(req);
      const ctx = await bodyContext(req, contexts, req.body);
      const iri = ctx.expand(attrId);
      const members = Object.entries(req.body as Record<string, unknown>).filter(([k]) => k !== '@context');
      if (members.length !== 1 || ctx.expand(members[0][0]) !== iri) {
        throw badRequest(`the body must be a fragment holding exactly the attribute ${attrId}`);
      }
      let raw = members[0][1];
      if (Array.isArray(raw)) {
        if (raw.length !== 1) throw badRequest('exactly one attribute instance can be modified');
        raw = raw[0];
      }
      const t = now();
      const patch = parseInstance(raw, attrId, ctx, { now: t, partial: true });
      await modifyInstance(db, tenant, entityId, iri, instanceId, patch, t);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/temporal/entities/:entityId/attrs/:attrId/:instanceId',
    { schema: { tags, summary: 'Delete an attribute instance', params: InstanceParams } },
    async (req, reply) => {
      const { entityId, attrId, instanceId } = req.params as Static<typeof InstanceParams>;
      assertEntityId(entityId);
      assertAttributeName(attrId);
      if (!isUri(instanceId)) throw badRequest('instanceId must be a URI');
      const tenant = await readTenant(req);
      const ctx = await queryContext(req, contexts);
      await deleteInstance(db, tenant, entityId, ctx.expand(attrId), instanceId);
      return reply.status(204).send();
    },
  );
}

function isSelector(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.entries(v).every(
    ([k, x]) => !['id', 'idPattern', 'type'].includes(k) || typeof x === 'string',
  );
}

function stringOrList(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  throw badRequest(`${name} must be a string or an array of strings`);
}

/** Runs retention (and creates the coming months' partitions) on an interval while the server runs. */
function startRetention(app: FastifyInstance, db: Db, intervalMs: number): void {
  if (!(intervalMs > 0)) return;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  const run = () => {
    running = applyTemporalRetention(db)
      .then((r) => {
        if (r.deletedInstances || r.droppedPartitions.length) app.log.info(r, 'temporal retention applied');
      })
      .catch((err: unknown) => app.log.error({ err }, 'temporal retention failed'))
      .finally(() => {
        running = undefined;
        if (!closed) schedule(intervalMs);
      });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(run, ms);
    timer.unref();
  };
  app.addHook('onReady', async () => schedule(Math.min(60_000, intervalMs)));
  app.addHook('onClose', async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    await running;
  });
}
