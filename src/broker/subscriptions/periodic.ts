import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.js';
import { runEntityQuery } from '../query-service.js';
import { renderEntity } from '../render.js';
import type { SubscriptionCache } from './cache.js';
import { typeSelectorText } from './model.js';
import { insertOutbox } from './outbox.js';
import { notificationBody } from './render.js';
import type { StreamHub } from './stream.js';

/**
 * Periodic subscriptions (timeInterval): a timer claims the due ones in SQL (so that, with several nodes,
 * exactly one fires each period) and queues a notification with the current state of every matching entity.
 */

/** At most this many entities in one periodic notification (NGSI-LD sets no limit; a notification must). */
export const PERIODIC_MAX_ENTITIES = 5000;

export class PeriodicRunner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly cache: SubscriptionCache,
    private readonly hub: StreamHub,
    private readonly nudge: (rows: { id: string; endpoint: string }[]) => void,
    private readonly onError: (err: unknown) => void,
    private readonly tickMs = 500,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const due = await this.db.query<{ tenant: string; id: string }>(
        `SELECT tenant, id FROM broker_subscriptions
          WHERE time_interval IS NOT NULL AND next_fire_at <= now() AND is_active
            AND (expires_at IS NULL OR expires_at > now())
          ORDER BY next_fire_at LIMIT 100`,
      );
      for (const d of due.rows) {
        if (this.stopped) break;
        await this.fire(d.tenant, d.id);
      }
    } catch (err) {
      if (!this.stopped) this.onError(err);
    } finally {
      this.running = false;
    }
  }

  private async fire(tenant: string, id: string): Promise<void> {
    const published: { id: string; body: string }[] = [];
    const queued = await this.db.transaction(async (tx) => {
      // The claim: only the transaction that moves next_fire_at fires this period.
      const claimed = await tx.query(
        `UPDATE broker_subscriptions SET next_fire_at = now() + make_interval(secs => time_interval)
          WHERE tenant = $1 AND id = $2 AND next_fire_at <= now() RETURNING id`,
        [tenant, id],
      );
      if (claimed.rowCount === 0) return [];
      const s = await this.cache.find(tx, tenant, id);
      if (!s?.body.entities) return [];
      const data: Record<string, unknown>[] = [];
      for (let offset = 0; offset < PERIODIC_MAX_ENTITIES; offset += 1000) {
        const r = await runEntityQuery(tx, tenant, s.qCtx, {
          selectors: s.body.entities!.map((x) => ({
            id: x.id,
            idPattern: x.idPattern,
            type: typeSelectorText(x.type),
          })),
          q: s.body.q,
          scopeQ: s.body.scopeQ,
          geo: s.body.geoQ
            ? {
                georel: s.body.geoQ.georel,
                geometry: s.body.geoQ.geometry,
                coordinates: JSON.stringify(s.body.geoQ.coordinates),
                geoproperty: s.body.geoQ.geoproperty,
              }
            : undefined,
          limit: 1000,
          offset,
          count: false,
        });
        for (const e of r.entities) data.push(renderEntity(e, s.nCtx, s.render));
        if (r.entities.length < 1000) break;
      }
      if (data.length === 0) return [];
      const nid = randomUUID();
      const text = JSON.stringify(data);
      if (this.hub.has(tenant, id)) {
        published.push({
          id: `urn:ngsi-ld:Notification:${nid}`,
          body: notificationBody(nid, id, text, s.meta),
        });
      }
      if (s.kind === 'stream') return [];
      const row = { id: nid, subscriptionId: id, endpoint: s.endpoint, meta: s.metaJson, data: text };
      await insertOutbox(tx, tenant, [row]);
      return [row];
    });
    for (const e of published) this.hub.publish(tenant, id, e);
    if (queued.length) this.nudge(queued);
  }
}
