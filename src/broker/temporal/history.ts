import type { Db } from '../../db/db.js';
import type { Attrs, Instance } from '../model.js';
import { NULL_URI } from '../model.js';
import { normaliseDateTime } from '../query/temporal.js';
import type { ChangeListener } from '../service.js';
import { type EntityState, ensurePartitions, historyStatements, type NewInstance } from './repository.js';

/**
 * Recording history: every write of the broker gives the listener the entities before and after; the history
 * rows are written by the write's own save statement, so they commit (or roll back) with the write itself.
 */

/** Months known to have a partition, per database (shared by the listener and the temporal routes). */
const partitionCaches = new WeakMap<Db, Set<string>>();
export function partitionCache(db: Db): Set<string> {
  let s = partitionCaches.get(db);
  if (!s) {
    s = new Set();
    partitionCaches.set(db, s);
  }
  return s;
}

/** The change listener to register with `Broker.onChange`. */
export function temporalHistory(db: Db): ChangeListener {
  const known = partitionCache(db);
  return {
    record: async (tenant, changes, tx, params) => {
      const entities: EntityState[] = [];
      const rows: NewInstance[] = [];
      const fallback = new Date().toISOString();
      for (const c of changes) {
        if (c.after) {
          const at = c.after.modifiedAt;
          entities.push({ id: c.id, types: c.after.types, scopes: c.after.scopes, at, deletedAt: null });
          diffAttributes(c.id, c.before?.attrs ?? {}, c.after.attrs, at, rows);
        } else if (c.before) {
          entities.push({
            id: c.id,
            types: c.before.types,
            scopes: c.before.scopes,
            at: fallback,
            deletedAt: fallback,
          });
          diffAttributes(c.id, c.before.attrs, {}, fallback, rows);
        }
      }
      if (entities.length === 0 && rows.length === 0) return [];
      // A month seen for the first time costs one statement before the write's; partitions are cached.
      if (rows.length)
        await ensurePartitions(
          tx,
          known,
          rows.map((r) => r.ts),
        );
      return historyStatements(params, tenant, entities, rows);
    },
  };
}

const sameDataset = (a: Instance, b: Instance) => (a.datasetId ?? '') === (b.datasetId ?? '');

/** Appends a row for every instance that is new or changed, and a deletion record for every one removed. */
export function diffAttributes(
  entityId: string,
  before: Attrs,
  after: Attrs,
  at: string,
  out: NewInstance[],
): void {
  for (const attr of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const prior = before[attr];
    const next = after[attr];
    // Attributes a write did not touch are the very same arrays: nothing to compare.
    if (prior === next) continue;
    for (const inst of next ?? []) {
      const p = prior?.find((x) => sameDataset(x, inst));
      if (p && sameInstance(p, inst)) continue;
      out.push(historyRow(entityId, attr, inst, at, inst.modifiedAt ?? at));
    }
    for (const p of prior ?? []) {
      if (!next?.some((x) => sameDataset(x, p))) out.push(deletionRow(entityId, attr, p, at));
    }
  }
}

/** An instance as history keeps it: without its system times (they are columns). */
export function stripSystem(inst: Instance): Instance {
  const { createdAt: _c, modifiedAt: _m, sub, ...rest } = inst;
  const out: Instance = { ...rest };
  if (sub) {
    out.sub = {};
    for (const [k, v] of Object.entries(sub)) out.sub[k] = stripSystem(v);
  }
  return out;
}

export function numericValue(inst: Instance): number | null {
  return inst.type === 'Property' && typeof inst.value === 'number' && Number.isFinite(inst.value)
    ? inst.value
    : null;
}

/** observedAt when the instance has one (normalised to UTC), else the given fallback. */
export function instanceTime(inst: Instance, fallback: string): string {
  return (inst.observedAt && normaliseDateTime(inst.observedAt)) || normaliseDateTime(fallback) || fallback;
}

export function historyRow(
  entityId: string,
  attr: string,
  inst: Instance,
  createdAt: string,
  changedAt: string,
): NewInstance {
  return {
    entityId,
    attr,
    datasetId: inst.datasetId ?? '',
    ts: instanceTime(inst, changedAt),
    createdAt,
    inst: stripSystem(inst),
    num: numericValue(inst),
  };
}

/** The deletion of an attribute, as the spec's null value of its type with deletedAt. */
function deletionRow(entityId: string, attr: string, prior: Instance, at: string): NewInstance {
  const inst: Instance = { type: prior.type };
  switch (prior.type) {
    case 'Relationship':
      inst.object = NULL_URI;
      break;
    case 'LanguageProperty':
      inst.languageMap = { '@none': NULL_URI };
      break;
    case 'VocabProperty':
      inst.vocab = NULL_URI;
      break;
    case 'JsonProperty':
      inst.json = NULL_URI;
      break;
    case 'ListProperty':
      inst.valueList = [NULL_URI];
      break;
    case 'ListRelationship':
      inst.objectList = [NULL_URI];
      break;
    default:
      inst.value = NULL_URI;
  }
  if (prior.datasetId !== undefined) inst.datasetId = prior.datasetId;
  return {
    entityId,
    attr,
    datasetId: prior.datasetId ?? '',
    ts: at,
    createdAt: at,
    deletedAt: at,
    inst,
    num: null,
  };
}

const SYSTEM_KEYS = new Set(['createdAt', 'modifiedAt']);

/** Same content, system times aside; key order does not matter (jsonb reorders keys). */
export function sameInstance(a: Instance, b: Instance): boolean {
  return canonical(a, true) === canonical(b, true);
}

function canonical(v: unknown, instance: boolean): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, false)).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => !(instance && SYSTEM_KEYS.has(k)) && o[k] !== undefined)
      .sort();
    return `{${keys
      .map((k) => {
        // Sub-attributes are instances too: their system times are ignored as well.
        const child =
          instance && k === 'sub'
            ? `{${Object.keys(o.sub as object)
                .sort()
                .map((s) => `${JSON.stringify(s)}:${canonical((o.sub as Record<string, unknown>)[s], true)}`)
                .join(',')}}`
            : canonical(o[k], false);
        return `${JSON.stringify(k)}:${child}`;
      })
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
