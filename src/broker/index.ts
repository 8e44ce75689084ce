import type { Db } from '../db/db.js';
import type { ContextResolver } from './jsonld/contexts.js';
import { parseEntity, type StoredEntity } from './model.js';
import { type EntityQueryInput, runEntityQuery } from './query-service.js';
import { renderEntity } from './render.js';
import * as repo from './repository.js';
import { type BrokerStore, type ChangeListener, createBrokerStore, writeEntities } from './service.js';
import { parseOutput, parseTemporalFilter, type TemporalFilterInput } from './temporal/params.js';
import { queryTemporal, type TemporalAnswer, type TemporalSelection } from './temporal/service.js';

export type { AccessArea, BrokerAccessPolicy, TypeGrant, TypeRule } from './access.js';
export type { StoredEntity } from './model.js';
export type { EntityQueryInput } from './query-service.js';
export type { TemporalAnswer, TemporalSelection } from './temporal/service.js';

/** What a temporal query returns and how (the query parameters of GET /temporal/entities that shape output). */
export interface TemporalOutputInput {
  options?: string;
  aggrMethods?: string;
  aggrPeriodDuration?: string;
}

/**
 * The broker as other capabilities see it: a typed interface, never its tables.
 * Entities are given and returned in NGSI-LD normalized form under the given @context (core when absent).
 */
export interface Broker {
  readonly store: BrokerStore;
  readonly contexts: ContextResolver;
  /** Creates or updates (attribute by attribute) entities; returns the ids created. */
  upsert(
    entities: Record<string, unknown>[],
    opts?: { tenant?: string; context?: unknown },
  ): Promise<string[]>;
  get(
    id: string,
    opts?: { tenant?: string; context?: unknown },
  ): Promise<Record<string, unknown> | undefined>;
  count(opts?: { tenant?: string }): Promise<number>;
  /** An NGSI-LD entity query (GET /entities semantics); entities in stored form, keyed by expanded IRIs. */
  query(
    input: EntityQueryInput,
    opts?: { tenant?: string; context?: unknown },
  ): Promise<{ entities: StoredEntity[]; total?: number }>;
  /** A temporal query (GET /temporal/entities semantics, aggregation included), rendered under the context. */
  queryTemporal(
    selection: TemporalSelection,
    filter: TemporalFilterInput,
    output: TemporalOutputInput,
    opts?: { tenant?: string; context?: unknown },
  ): Promise<TemporalAnswer>;
  onChange(listener: ChangeListener): void;
}

export function createBroker(db: Db, contexts: ContextResolver): Broker {
  const store = createBrokerStore(db);
  return {
    store,
    contexts,
    async upsert(entities, opts = {}) {
      const ctx = await contexts.resolve(opts.context);
      const now = new Date().toISOString();
      const items = entities.map((e) => parseEntity(e, ctx, { now }));
      const r = await writeEntities(store, opts.tenant ?? '', items, 'upsertUpdate', now);
      const failed = r.outcomes.find((o) => o.error);
      if (failed?.error) throw failed.error;
      return r.outcomes.filter((o) => o.created).map((o) => o.id);
    },
    async get(id, opts = {}) {
      const ctx = await contexts.resolve(opts.context);
      const e = await repo.findEntity(db, opts.tenant ?? '', id);
      return e ? renderEntity(e, ctx, { format: 'normalized', sysAttrs: false }) : undefined;
    },
    async count(opts = {}) {
      const r = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM broker_entities WHERE tenant = $1',
        [opts.tenant ?? ''],
      );
      return r.rows[0].n;
    },
    async query(input, opts = {}) {
      return runEntityQuery(db, opts.tenant ?? '', await contexts.resolve(opts.context), input);
    },
    async queryTemporal(selection, filter, output, opts = {}) {
      const ctx = await contexts.resolve(opts.context);
      return queryTemporal(
        db,
        opts.tenant ?? '',
        ctx,
        selection,
        parseTemporalFilter(filter),
        parseOutput(output),
      );
    },
    onChange(listener) {
      store.listeners.push(listener);
    },
  };
}
