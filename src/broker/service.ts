import type { Db, Queryable, Transaction } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import { type Coalescer, createCoalescer } from './coalescer.js';
import { validateGeometry } from './geojson.js';
import {
  type Attrs,
  carryCreatedAt,
  type IncomingEntity,
  type Instance,
  NULL_URI,
  type StoredEntity,
  sortInstances,
} from './model.js';
import { createParams, type SqlParams } from './query/params.js';
import * as repo from './repository.js';

/**
 * The broker's write logic. Every write is read-modify-write inside one transaction: the entities concerned
 * are row-locked (in id order, so concurrent batches cannot deadlock), changed in memory, and saved in one
 * statement. Callers get per-entity outcomes, which is what the batch operations report.
 */

export type WriteMode =
  /** create; fails with AlreadyExists if present */
  | 'create'
  /** upsert options=replace: create or replace the whole entity */
  | 'replace'
  /** upsert options=update: create, or replace/add the attributes given */
  | 'upsertUpdate'
  /** batch update / append attrs: entity must exist; attributes replaced or added */
  | 'append'
  /** append with options=noOverwrite: existing attributes are left alone */
  | 'appendNoOverwrite'
  /** PATCH /entities/{id}/attrs: only existing attributes are updated, others reported as not updated */
  | 'updateExisting'
  /** PATCH /entities/{id} and batch merge: JSON merge-patch semantics, urn:ngsi-ld:null deletes */
  | 'merge';

export interface WriteOutcome {
  id: string;
  created?: boolean;
  error?: ProblemError;
  /** Attribute IRIs that were not written (noOverwrite or not existing), with the reason. */
  notUpdated?: { attr: string; reason: string }[];
  updated?: string[];
}

export interface Change {
  id: string;
  before?: StoredEntity;
  after?: StoredEntity;
}

export interface WriteResult {
  outcomes: WriteOutcome[];
  changes: Change[];
}

/**
 * What reacts to every write, inside its transaction (temporal history, subscriptions). A write costs one
 * round trip per statement, so listeners ride on the write's own statements where they can.
 */
export interface ChangeListener {
  /**
   * A scalar SQL expression (`$1` is the tenant) read in the write's first statement, with its row locks;
   * its value is given to `after`.
   */
  prefetch?: string;
  /**
   * Data-modifying CTEs (with their values added to `params`) run in the very statement that saves the
   * entities. They cannot see the saved rows; `tx` is there for a preparatory statement when one is needed.
   */
  record?(tenant: string, changes: Change[], tx: Queryable, params: SqlParams): Promise<string[]>;
  /** Runs after the save, in the same transaction. */
  after?(tenant: string, changes: Change[], tx: Transaction, prefetched: unknown): Promise<void>;
}

export interface BrokerStore {
  db: Db;
  listeners: ChangeListener[];
  knownTenants: Set<string>;
  /** Writes waiting while others commit share one transaction (coalescer.ts). */
  writes: Coalescer<EntityStep[], WriteResult>;
  /** Reads of one entity by id waiting while others run share one statement. */
  reads: Coalescer<string, StoredEntity | undefined>;
}

/** One entity's part of a write: what it becomes, given its locked current state (undefined: absent). */
export interface EntityStep {
  id: string;
  /** Throws a ProblemError to refuse this entity alone; returning `prior` itself changes nothing. */
  apply(prior: StoredEntity | undefined): {
    entity: StoredEntity;
    notUpdated?: { attr: string; reason: string }[];
    updated?: string[];
  };
}

/**
 * Small write transactions running at once. Two keeps both cores busy while the writes that wait build up the
 * next transaction; measured at 16 connections (PATCH/s): 1: 952, 2: 1,135, 4: 814, 8: 746 (BENCHMARKS.md).
 */
const WRITES_RUNNING = 2;
/** Writes of more entities than this (batch operations) run at once and alone; reads share up to this many. */
const SHARED_IDS = 100;
/**
 * Reads by id running at once; those that wait are read by one statement. Measured at 16 connections and
 * 30,000 entities on PostgreSQL (GET/s): a statement each 1,564–2,228, shared with 2 running 3,629–4,376.
 */
const READS_RUNNING = 2;

export function createBrokerStore(db: Db): BrokerStore {
  const store: BrokerStore = {
    db,
    listeners: [],
    knownTenants: new Set(['']),
    writes: createCoalescer({
      maxRunning: WRITES_RUNNING,
      maxIds: SHARED_IDS,
      onePerId: true,
      run: (tenant, reqs) => writeTogether(store, tenant, reqs),
    }),
    reads: createCoalescer({
      maxRunning: READS_RUNNING,
      maxIds: SHARED_IDS,
      // Readers of one entity (a vessel everyone follows) share its row; nothing below changes it in place.
      onePerId: false,
      run: async (tenant, ids) => {
        const found = await repo.findEntities(store.db, tenant, ids);
        return ids.map((id) => found.get(id));
      },
    }),
  };
  return store;
}

export async function writeEntities(
  store: BrokerStore,
  tenant: string,
  items: IncomingEntity[],
  mode: WriteMode,
  now: string,
): Promise<WriteResult> {
  return submit(
    store,
    tenant,
    items.map((item) => ({ id: item.id, apply: (prior) => applyWrite(prior, item, mode, now) })),
  );
}

/** Runs fn on one existing entity and saves what it returns (attribute-level operations). */
export async function modifyEntity(
  store: BrokerStore,
  tenant: string,
  id: string,
  fn: (e: StoredEntity) => StoredEntity,
): Promise<void> {
  const r = await submit(store, tenant, [
    {
      id,
      apply: (prior) => {
        if (!prior) throw new ProblemError('ResourceNotFound', `entity ${id} does not exist`);
        return { entity: fn(prior) };
      },
    },
  ]);
  if (r.outcomes[0].error) throw r.outcomes[0].error;
}

/** One entity by id, read together with the others asked for at the same time. */
export function findEntity(
  store: BrokerStore,
  tenant: string,
  id: string,
): Promise<StoredEntity | undefined> {
  return store.reads.submit(tenant, [id], id);
}

async function submit(store: BrokerStore, tenant: string, steps: EntityStep[]): Promise<WriteResult> {
  if (tenant !== '' && !store.knownTenants.has(tenant)) {
    await repo.ensureTenant(store.db, tenant);
    store.knownTenants.add(tenant);
  }
  return store.writes.submit(tenant, [...new Set(steps.map((s) => s.id))], steps);
}

/**
 * Runs writes of one tenant in one transaction. Absent entities cannot be row-locked: when a concurrent write
 * creates one this write also creates, the save detects it and the whole write runs again, then finding,
 * locking and merging into that entity.
 */
async function writeTogether(
  store: BrokerStore,
  tenant: string,
  writes: EntityStep[][],
): Promise<WriteResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(store, tenant, writes);
    } catch (err) {
      if (!(err instanceof repo.ConcurrentCreate) || attempt >= 5) throw err;
    }
  }
}

/** Each write's steps are applied in order; distinct writes touch distinct entities (coalescer.ts). */
function writeOnce(store: BrokerStore, tenant: string, writes: EntityStep[][]): Promise<WriteResult[]> {
  return store.db.transaction(async (tx) => {
    const ids = [...new Set(writes.flatMap((steps) => steps.map((s) => s.id)))].sort();
    const { entities: existing, prefetched } = await repo.lockEntities(tx, tenant, ids, prefetches(store));
    const working = new Map(existing);
    const results = writes.map((steps) => {
      const outcomes: WriteOutcome[] = [];
      for (const step of steps) {
        const prior = working.get(step.id);
        try {
          const { entity, notUpdated, updated } = step.apply(prior);
          working.set(step.id, entity);
          outcomes.push({ id: step.id, created: !prior, notUpdated, updated });
        } catch (err) {
          if (!(err instanceof ProblemError)) throw err;
          outcomes.push({ id: step.id, error: err });
        }
      }
      return { outcomes, changes: [] as Change[] };
    });
    const changes: Change[] = [];
    const toSave: StoredEntity[] = [];
    const changesOf = new Map<string, Change[]>();
    writes.forEach((steps, i) => {
      for (const s of steps) changesOf.set(s.id, results[i].changes);
    });
    for (const id of ids) {
      const after = working.get(id);
      const before = existing.get(id);
      if (after && after !== before) {
        const change = { id, before, after };
        toSave.push(after);
        changes.push(change);
        changesOf.get(id)!.push(change);
      }
    }
    await saveAndRecord(store, tx, tenant, toSave, existing, changes, prefetched);
    return results;
  });
}

const prefetches = (store: BrokerStore) =>
  store.listeners.flatMap((l) => (l.prefetch === undefined ? [] : [l.prefetch]));

/**
 * Saves the entities (or deletes them: `save` empty, `deleted` set) together with what the listeners record
 * in the same statement, then runs their `after` steps.
 */
async function saveAndRecord(
  store: BrokerStore,
  tx: Transaction,
  tenant: string,
  save: StoredEntity[],
  existing: ReadonlyMap<string, unknown> | ReadonlySet<string>,
  changes: Change[],
  prefetched: unknown[],
  deleted: string[] = [],
): Promise<void> {
  const companions = createParams((deleted.length ? repo.DELETE_PARAMS : repo.SAVE_PARAMS) + 1);
  const ctes: string[] = [];
  if (changes.length) {
    for (const l of store.listeners)
      if (l.record) ctes.push(...(await l.record(tenant, changes, tx, companions)));
  }
  if (deleted.length) await repo.deleteEntities(tx, tenant, deleted, { ctes, params: companions.values });
  else await repo.saveEntities(tx, tenant, save, existing, { ctes, params: companions.values });
  let k = 0;
  for (const l of store.listeners) {
    const value = l.prefetch === undefined ? undefined : prefetched[k++];
    if (l.after) await l.after(tenant, changes, tx, value);
  }
}

function applyWrite(
  prior: StoredEntity | undefined,
  item: IncomingEntity,
  mode: WriteMode,
  now: string,
): { entity: StoredEntity; notUpdated?: { attr: string; reason: string }[]; updated?: string[] } {
  if (!prior) {
    if (mode === 'append' || mode === 'appendNoOverwrite' || mode === 'updateExisting' || mode === 'merge') {
      throw new ProblemError('ResourceNotFound', `entity ${item.id} does not exist`);
    }
    if (item.types.length === 0) throw new ProblemError('BadRequestData', `entity ${item.id} has no type`);
    const attrs = stripNulls(item.attrs);
    return {
      entity: {
        id: item.id,
        types: item.types,
        scopes: item.scopes ?? null,
        attrs,
        createdAt: now,
        modifiedAt: now,
      },
    };
  }
  if (mode === 'create') throw new ProblemError('AlreadyExists', `entity ${item.id} already exists`);

  const types = mode === 'replace' ? item.types : union(prior.types, item.types);
  const scopes = item.scopes === undefined ? prior.scopes : item.scopes;
  if (mode === 'replace') {
    const attrs: Attrs = {};
    for (const [k, v] of Object.entries(stripNulls(item.attrs))) attrs[k] = carryCreatedAt(v, prior.attrs[k]);
    return { entity: { ...prior, types, scopes, attrs, modifiedAt: now } };
  }

  const attrs: Attrs = { ...prior.attrs };
  const notUpdated: { attr: string; reason: string }[] = [];
  const updated: string[] = [];
  for (const [name, incoming] of Object.entries(item.attrs)) {
    const current = attrs[name];
    if (mode === 'merge') {
      const merged = mergeAttribute(current, incoming, now);
      if (merged === undefined) delete attrs[name];
      else attrs[name] = merged;
      updated.push(name);
      continue;
    }
    if (isNullInstance(incoming)) {
      // urn:ngsi-ld:null in an update deletes the attribute (NGSI-LD 4.5.7)
      if (current) {
        delete attrs[name];
        updated.push(name);
      } else notUpdated.push({ attr: name, reason: 'attribute does not exist' });
      continue;
    }
    const next = [...(current ?? [])];
    let touched = false;
    for (const inst of incoming) {
      const idx = next.findIndex((x) => (x.datasetId ?? '') === (inst.datasetId ?? ''));
      if (idx >= 0) {
        if (mode === 'appendNoOverwrite') {
          notUpdated.push({ attr: name, reason: 'attribute exists and noOverwrite was requested' });
          continue;
        }
        next[idx] = { ...inst, createdAt: next[idx].createdAt ?? inst.createdAt };
        touched = true;
      } else if (mode === 'updateExisting') {
        notUpdated.push({
          attr: name,
          reason: inst.datasetId
            ? `no instance with datasetId ${inst.datasetId}`
            : 'attribute does not exist',
        });
      } else {
        next.push(inst);
        touched = true;
      }
    }
    if (touched) {
      attrs[name] = sortInstances(next);
      updated.push(name);
    }
  }
  const changed = updated.length > 0 || types.length !== prior.types.length || scopes !== prior.scopes;
  return {
    entity: changed ? { ...prior, types, scopes, attrs, modifiedAt: now } : prior,
    notUpdated: notUpdated.length ? notUpdated : undefined,
    updated,
  };
}

function union(a: string[], b: string[]): string[] {
  const out = [...a];
  for (const t of b) if (!out.includes(t)) out.push(t);
  return out;
}

function isNullInstance(list: Instance[]): boolean {
  return list.length === 1 && isNullish(list[0]);
}

function isNullish(i: Instance): boolean {
  return i.value === NULL_URI || i.object === NULL_URI || (i.type === 'Property' && i.value === null);
}

function stripNulls(attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) if (!isNullInstance(v)) out[k] = v;
  return out;
}

/** JSON merge-patch of one attribute (NGSI-LD 5.6.17): members given replace, sub-attributes merge. */
function mergeAttribute(
  current: Instance[] | undefined,
  incoming: Instance[],
  now: string,
): Instance[] | undefined {
  if (isNullInstance(incoming)) return undefined;
  const next = [...(current ?? [])];
  for (const inst of incoming) {
    const idx = next.findIndex((x) => (x.datasetId ?? '') === (inst.datasetId ?? ''));
    if (idx < 0) {
      next.push(inst);
      continue;
    }
    next[idx] = mergeInstance(next[idx], inst, now);
  }
  return sortInstances(next);
}

export function mergeInstance(prior: Instance, patch: Partial<Instance>, now: string): Instance {
  const typeChanged = patch.type !== undefined && patch.type !== prior.type;
  const base: Instance = typeChanged ? { type: patch.type!, datasetId: prior.datasetId } : { ...prior };
  const out: Instance = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'sub' || k === 'createdAt' || v === undefined) continue;
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (patch.sub) {
    const sub = { ...(prior.sub ?? {}) };
    for (const [k, v] of Object.entries(patch.sub)) {
      if (isNullish(v)) delete sub[k];
      else sub[k] = sub[k] ? mergeInstance(sub[k], v, now) : v;
    }
    if (Object.keys(sub).length) out.sub = sub;
    else delete out.sub;
  }
  out.createdAt = prior.createdAt;
  out.modifiedAt = now;
  if (!out.type) out.type = prior.type;
  // A merge can bring a new value into a GeoProperty: it must still be a geometry PostGIS accepts.
  if (out.type === 'GeoProperty') validateGeometry(out.value, 'value');
  return out;
}

/** Deletes entities; ids that do not exist are reported as ResourceNotFound. */
export async function deleteEntities(
  store: BrokerStore,
  tenant: string,
  ids: string[],
): Promise<{ outcomes: WriteOutcome[]; changes: Change[] }> {
  return store.db.transaction(async (tx) => {
    const unique = [...new Set(ids)].sort();
    const { entities: existing, prefetched } = await repo.lockEntities(tx, tenant, unique, prefetches(store));
    const outcomes: WriteOutcome[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (!existing.has(id) || seen.has(id)) {
        outcomes.push({ id, error: new ProblemError('ResourceNotFound', `entity ${id} does not exist`) });
      } else outcomes.push({ id });
      seen.add(id);
    }
    const changes = [...existing.values()].map((before) => ({ id: before.id, before }));
    await saveAndRecord(store, tx, tenant, [], existing, changes, prefetched, [...existing.keys()]);
    return { outcomes, changes };
  });
}
