import type { Queryable } from '../../db/db.js';

/** A notification to queue, in the transaction of the change that produced it. */
export interface OutboxItem {
  /** UUID of the notification (its id is urn:ngsi-ld:Notification:<uuid>). */
  id: string;
  subscriptionId: string;
  endpoint: string;
  /** DeliveryMeta as JSON. */
  meta: string;
  /** The `data` member: a JSON array of entities. */
  data: string;
}

/** Queues notifications in one statement; due at once. */
export async function insertOutbox(tx: Queryable, tenant: string, items: OutboxItem[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO broker_notifications (id, tenant, subscription_id, endpoint, meta, data, next_attempt_at, created_at)
     SELECT x.id::uuid, $1, x.sub, x.endpoint, x.meta::jsonb, x.data, now(), now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(id, sub, endpoint, meta, data)`,
    [
      tenant,
      items.map((i) => i.id),
      items.map((i) => i.subscriptionId),
      items.map((i) => i.endpoint),
      items.map((i) => i.meta),
      items.map((i) => i.data),
    ],
  );
}
