import { randomUUID } from 'node:crypto';
import type { Queryable, Transaction } from '../../db/db.js';
import type { Instance, StoredEntity } from '../model.js';
import { compileGeoQuery, LOCATION_IRI } from '../query/geo.js';
import { compileQ, compileScopeQ, createParams, type TypeExpr } from '../query/index.js';
import type { Change, ChangeListener } from '../service.js';
import { isLive, type LiveSubscription, type SubscriptionCache } from './cache.js';
import { insertOutbox, type OutboxItem } from './outbox.js';
import { type EntityChange, notificationBody, renderChange } from './render.js';
import * as repo from './repository.js';
import type { StreamEvent, StreamHub } from './stream.js';

/**
 * The change listener: runs inside every write transaction, after the write. It finds the subscriptions a
 * change concerns and queues their notifications in the outbox, in that same transaction, so a write is
 * acknowledged only once its notifications are durably queued (and never queued if the write rolls back).
 *
 * Cheap tests run in memory (entity selectors, triggers, watched attributes, expiry, pause); q, scopeQ and
 * geoQ compile to one SQL statement over the changed entities only, inside the transaction.
 */

export interface MatcherDeps {
  cache: SubscriptionCache;
  hub: StreamHub;
  nudge: (rows: { id: string; endpoint: string }[]) => void;
  onError: (err: unknown, msg: string) => void;
}

function sameInstances(a: Instance[], b: Instance[]): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export function analyse(c: Change): EntityChange & { entityChanged: boolean } {
  const { before, after } = c;
  if (!before || !after) {
    return {
      id: c.id,
      before,
      after,
      created: after ? Object.keys(after.attrs) : [],
      updated: [],
      deleted: [],
      entityChanged: true,
    };
  }
  const created: string[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];
  for (const [k, v] of Object.entries(after.attrs)) {
    const prior = before.attrs[k];
    if (!prior) created.push(k);
    else if (!sameInstances(prior, v)) updated.push(k);
  }
  for (const k of Object.keys(before.attrs)) if (!(k in after.attrs)) deleted.push(k);
  return {
    id: c.id,
    before,
    after,
    created,
    updated,
    deleted,
    entityChanged: !sameList(before.types, after.types) || !sameList(before.scopes, after.scopes),
  };
}

function typeMatches(t: TypeExpr, types: string[]): boolean {
  if (t.kind === 'type') return types.includes(t.name);
  return t.kind === 'and'
    ? t.terms.every((x) => typeMatches(x, types))
    : t.terms.some((x) => typeMatches(x, types));
}

function selects(s: LiveSubscription, e: StoredEntity): boolean {
  if (!s.selectors) return true;
  return s.selectors.some(
    (sel) =>
      (sel.id === undefined || sel.id === e.id) &&
      (sel.re === undefined || sel.re.test(e.id)) &&
      typeMatches(sel.type, e.types),
  );
}

/**
 * Whether the change fires one of the subscription's triggers. Entity creation also counts as the creation
 * of each of its attributes; entityCreated and entityDeleted do not look at watchedAttributes.
 */
function triggered(s: LiveSubscription, c: EntityChange & { entityChanged: boolean }): boolean {
  const w = s.watched;
  const hit = (list: string[]) => (w ? list.some((a) => w.has(a)) : list.length > 0);
  const t = s.triggers;
  if (!c.before) return t.has('entityCreated') || (t.has('attributeCreated') && hit(c.created));
  if (!c.after) return t.has('entityDeleted');
  const created = hit(c.created);
  const updated = hit(c.updated);
  const deleted = hit(c.deleted);
  if (t.has('entityUpdated') && (created || updated || deleted || (!w && c.entityChanged))) return true;
  return (
    (t.has('attributeCreated') && created) ||
    (t.has('attributeUpdated') && updated) ||
    (t.has('attributeDeleted') && deleted)
  );
}

interface Candidate {
  sub: LiveSubscription;
  changes: EntityChange[];
}

/**
 * q, scopeQ and geoQ of several subscriptions in one statement: the changed entities as they are now
 * (read in the transaction) or, for deleted ones, as they were; one UNION ALL branch per subscription.
 */
async function sqlFilter(
  tx: Queryable,
  tenant: string,
  cands: Candidate[],
): Promise<Map<number, Set<string>>> {
  const params = createParams(1);
  params.add(tenant);
  const current = new Set<string>();
  const gone = new Map<string, StoredEntity>();
  for (const c of cands) {
    for (const ch of c.changes) {
      if (ch.after) current.add(ch.id);
      else gone.set(ch.id, ch.before!);
    }
  }
  const pCurrent = params.add([...current]);
  const pGone = params.add(
    JSON.stringify(
      [...gone.values()].map((e) => ({ id: e.id, types: e.types, scopes: e.scopes, attrs: e.attrs })),
    ),
  );
  const branches = cands.map((c, k) => {
    const ctx = { alias: 'e', expand: (t: string) => c.sub.qCtx.expand(t), params };
    const conds: string[] = [`e.id = ANY(${params.add(c.changes.map((x) => x.id))}::text[])`];
    if (c.sub.q) conds.push(compileQ(c.sub.q, ctx));
    if (c.sub.scope) conds.push(compileScopeQ(c.sub.scope, ctx));
    if (c.sub.geo) conds.push(compileGeoQuery(c.sub.geo, ctx));
    return `SELECT ${k} AS k, e.id FROM e WHERE ${conds.join(' AND ')}`;
  });
  const sql =
    `WITH e AS (SELECT tenant, id, types, scopes, attrs, location_geom FROM broker_entities WHERE tenant = $1 AND id = ANY(${pCurrent}::text[])` +
    // location_geom as the stored column of broker_entities computes it (src/broker/sql/0004_*.sql).
    ` UNION ALL SELECT $1::text, d.id, d.types, d.scopes, d.attrs,` +
    ` ST_GeomFromGeoJSON(d.attrs -> ${params.add(LOCATION_IRI)}::text -> 0 ->> 'value')` +
    ` FROM jsonb_to_recordset(${pGone}::jsonb)` +
    ` AS d(id text, types text[], scopes text[], attrs jsonb)) ${branches.join(' UNION ALL ')}`;
  // A savepoint, so that a query PostgreSQL rejects at run time costs its notifications, not the write.
  await tx.query('SAVEPOINT escale_subscriptions');
  try {
    const r = await tx.query<{ k: number; id: string }>(sql, params.values);
    await tx.query('RELEASE SAVEPOINT escale_subscriptions');
    const out = new Map<number, Set<string>>();
    for (const row of r.rows) {
      const set = out.get(row.k) ?? new Set<string>();
      set.add(row.id);
      out.set(row.k, set);
    }
    return out;
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT escale_subscriptions');
    throw err;
  }
}

export function createMatcher(deps: MatcherDeps): ChangeListener {
  return {
    prefetch: deps.cache.versionSql,
    after: (tenant, changes, tx, version) => match(deps, tenant, changes, tx, version),
  };
}

async function match(
  deps: MatcherDeps,
  tenant: string,
  changes: Change[],
  tx: Transaction,
  version: unknown,
): Promise<void> {
  if (changes.length === 0) return;
  const subs = await deps.cache.get(tx, tenant, version);
  if (subs.length === 0) return;
  const nowMs = Date.now();
  const live = subs.filter((s) => !s.periodic && isLive(s, nowMs));
  if (live.length === 0) return;
  const analysed = changes.map(analyse);
  let cands: Candidate[] = [];
  for (const sub of live) {
    const m = analysed.filter((c) => selects(sub, (c.after ?? c.before)!) && triggered(sub, c));
    if (m.length) cands.push({ sub, changes: m });
  }
  if (cands.length === 0) return;

  const filtered = cands.filter((c) => c.sub.q || c.sub.scope || c.sub.geo);
  if (filtered.length) {
    let pass: Map<number, Set<string>>;
    try {
      pass = await sqlFilter(tx, tenant, filtered);
    } catch (err) {
      deps.onError(err, 'subscription q/scopeQ/geoQ could not be evaluated; no notification for this change');
      pass = new Map();
    }
    filtered.forEach((c, k) => {
      const ids = pass.get(k);
      c.changes = ids ? c.changes.filter((x) => ids.has(x.id)) : [];
    });
    cands = cands.filter((c) => c.changes.length > 0);
  }

  const throttled = cands.filter((c) => c.sub.throttling !== undefined).map((c) => c.sub.id);
  if (throttled.length) {
    const open = await repo.passThrottle(tx, tenant, [...new Set(throttled)].sort());
    cands = cands.filter((c) => c.sub.throttling === undefined || open.has(c.sub.id));
  }
  if (cands.length === 0) return;

  const now = new Date(nowMs).toISOString();
  const rows: OutboxItem[] = [];
  const events: { tenant: string; subscriptionId: string; event: StreamEvent }[] = [];
  for (const { sub, changes: list } of cands) {
    const data = JSON.stringify(list.map((c) => renderChange(c, sub, now)));
    const id = randomUUID();
    if (sub.kind !== 'stream') {
      rows.push({ id, subscriptionId: sub.id, endpoint: sub.endpoint, meta: sub.metaJson, data });
    }
    if (deps.hub.has(tenant, sub.id)) {
      const event = {
        id: `urn:ngsi-ld:Notification:${id}`,
        body: notificationBody(id, sub.id, data, sub.meta, now),
      };
      events.push({ tenant, subscriptionId: sub.id, event });
    }
  }
  await insertOutbox(tx, tenant, rows);
  // Streams see only committed writes; the dispatcher's claim, announced after the commit, finds the rows at
  // once (announced before, it would often look before they are visible, and look again later).
  if (events.length) tx.onCommit(() => deps.hub.publishCommitted(events));
  if (rows.length) tx.onCommit(() => deps.nudge(rows));
}
