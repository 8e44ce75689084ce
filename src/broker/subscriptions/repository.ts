import type { Queryable } from '../../db/db.js';
import type { SubscriptionBody, SubscriptionRecord } from './model.js';

/** The SQL of subscriptions (broker_subscriptions, broker_subscription_versions). */

interface Row {
  tenant: string;
  body: SubscriptionBody | string;
  context: unknown;
  q_context: unknown;
  owner?: unknown;
  times_sent: number;
  times_failed: number;
  last_notification: Date | string | null;
  last_success: Date | string | null;
  last_failure: Date | string | null;
  delivery_status: 'ok' | 'failed' | null;
  created_at: Date | string;
  modified_at: Date | string;
}

const COLUMNS =
  'tenant, body, context, q_context, times_sent, times_failed, last_notification, last_success, last_failure, ' +
  'delivery_status, created_at, modified_at, owner';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrUndefined = (d: Date | string | null) => (d === null ? undefined : iso(d));
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function toRecord(r: Row): SubscriptionRecord {
  return {
    tenant: r.tenant,
    body: json(r.body),
    context: r.context === null ? null : json(r.context),
    qContext: r.q_context === null ? null : json(r.q_context),
    ...(r.owner ? { owner: json(r.owner) as SubscriptionRecord['owner'] } : {}),
    timesSent: Number(r.times_sent),
    timesFailed: Number(r.times_failed),
    lastNotification: isoOrUndefined(r.last_notification),
    lastSuccess: isoOrUndefined(r.last_success),
    lastFailure: isoOrUndefined(r.last_failure),
    deliveryStatus: r.delivery_status ?? undefined,
    createdAt: iso(r.created_at),
    modifiedAt: iso(r.modified_at),
  };
}

export async function bumpVersion(tx: Queryable, tenant: string): Promise<void> {
  await tx.query(
    `INSERT INTO broker_subscription_versions (tenant, version) VALUES ($1, 1)
     ON CONFLICT (tenant) DO UPDATE SET version = broker_subscription_versions.version + 1`,
    [tenant],
  );
}

/** The version of a tenant's subscriptions (`$1`), NULL before its first subscription. */
export const VERSION_SQL = 'SELECT version FROM broker_subscription_versions WHERE tenant = $1';

export async function version(db: Queryable, tenant: string): Promise<number> {
  const r = await db.query<{ version: number }>(VERSION_SQL, [tenant], { prepare: true });
  return r.rows.length ? Number(r.rows[0].version) : 0;
}

/** Columns mirrored from the body so that SQL (timers, throttling) can use them. */
function mirrored(b: SubscriptionBody): unknown[] {
  return [b.isActive !== false, b.expiresAt ?? null, b.throttling ?? null, b.timeInterval ?? null];
}

/** Inserts a subscription; false when the id is taken. */
export async function insertSubscription(
  tx: Queryable,
  tenant: string,
  body: SubscriptionBody,
  context: unknown,
  qContext: unknown,
  now: string,
  owner?: unknown,
): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO broker_subscriptions
       (tenant, id, body, context, q_context, is_active, expires_at, throttling, time_interval, next_fire_at,
        created_at, modified_at, owner)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, $8, $9, CASE WHEN $9::float8 IS NULL THEN NULL ELSE now() END,
             $10, $10, $11::jsonb)
     ON CONFLICT (tenant, id) DO NOTHING`,
    [
      tenant,
      body.id,
      JSON.stringify(body),
      context === null ? null : JSON.stringify(context),
      qContext === null ? null : JSON.stringify(qContext),
      ...mirrored(body),
      now,
      owner === undefined ? null : JSON.stringify(owner),
    ],
  );
  if (r.rowCount === 0) return false;
  await bumpVersion(tx, tenant);
  return true;
}

/** Replaces the body (an update); the timer of a periodic subscription restarts now. */
export async function updateSubscription(
  tx: Queryable,
  tenant: string,
  body: SubscriptionBody,
  context: unknown,
  qContext: unknown,
  now: string,
): Promise<void> {
  await tx.query(
    `UPDATE broker_subscriptions SET body = $3::jsonb, context = $4::jsonb, q_context = $5::jsonb, is_active = $6,
            expires_at = $7, throttling = $8, time_interval = $9,
            next_fire_at = CASE WHEN $9::float8 IS NULL THEN NULL ELSE now() END, modified_at = $10
      WHERE tenant = $1 AND id = $2`,
    [
      tenant,
      body.id,
      JSON.stringify(body),
      context === null ? null : JSON.stringify(context),
      qContext === null ? null : JSON.stringify(qContext),
      ...mirrored(body),
      now,
    ],
  );
  await bumpVersion(tx, tenant);
}

export async function deleteSubscription(tx: Queryable, tenant: string, id: string): Promise<boolean> {
  const r = await tx.query('DELETE FROM broker_subscriptions WHERE tenant = $1 AND id = $2', [tenant, id]);
  if (r.rowCount === 0) return false;
  await tx.query('DELETE FROM broker_notifications WHERE tenant = $1 AND subscription_id = $2', [tenant, id]);
  await bumpVersion(tx, tenant);
  return true;
}

export async function findSubscription(
  db: Queryable,
  tenant: string,
  id: string,
  forUpdate = false,
): Promise<SubscriptionRecord | undefined> {
  const r = await db.query<Row>(
    `SELECT ${COLUMNS} FROM broker_subscriptions WHERE tenant = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [tenant, id],
  );
  return r.rows[0] ? toRecord(r.rows[0]) : undefined;
}

/** Whose subscriptions a caller may list: all, or those without an owner and those of a user or organisations. */
export type Visibility = 'all' | { userId?: string; orgIds: string[] };

export async function listSubscriptions(
  db: Queryable,
  tenant: string,
  limit: number,
  offset: number,
  count: boolean,
  visibility: Visibility = 'all',
): Promise<{ records: SubscriptionRecord[]; total?: number }> {
  const params: unknown[] = [tenant];
  let where = 'tenant = $1';
  if (visibility !== 'all') {
    params.push(visibility.userId ?? null, visibility.orgIds);
    where += ` AND (owner IS NULL OR owner->>'userId' = $2 OR owner->>'orgId' = ANY($3::text[])
      OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(owner->'memberships', '[]'::jsonb)) m
                  WHERE m->>'orgId' = ANY($3::text[])))`;
  }
  const records: SubscriptionRecord[] = [];
  if (limit > 0) {
    const r = await db.query<Row>(
      `SELECT ${COLUMNS} FROM broker_subscriptions WHERE ${where} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    for (const row of r.rows) records.push(toRecord(row));
  }
  let total: number | undefined;
  if (count) {
    const c = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM broker_subscriptions WHERE ${where}`,
      params,
    );
    total = Number(c.rows[0].n);
  }
  return { records, total };
}

/** Every subscription of a tenant (the matcher's cache). */
export async function loadTenant(db: Queryable, tenant: string): Promise<SubscriptionRecord[]> {
  const r = await db.query<Row>(`SELECT ${COLUMNS} FROM broker_subscriptions WHERE tenant = $1`, [tenant]);
  return r.rows.map(toRecord);
}

/**
 * Throttling: of the given subscriptions, those whose last notification is older than their throttling
 * period; their time is set to now. The row lock makes concurrent writers agree on who notifies.
 */
export async function passThrottle(tx: Queryable, tenant: string, ids: string[]): Promise<Set<string>> {
  const r = await tx.query<{ id: string }>(
    // Locks in id order (as the dispatcher does) so that two transactions can never deadlock here.
    `WITH l AS (
       SELECT id FROM broker_subscriptions WHERE tenant = $1 AND id = ANY($2::text[]) ORDER BY id FOR NO KEY UPDATE
     )
     UPDATE broker_subscriptions s SET last_queued_at = clock_timestamp()
       FROM l
      WHERE s.tenant = $1 AND s.id = l.id
        AND (s.last_queued_at IS NULL OR s.last_queued_at <= clock_timestamp() - s.throttling * interval '1 second')
      RETURNING s.id`,
    [tenant, ids],
  );
  return new Set(r.rows.map((x) => x.id));
}
