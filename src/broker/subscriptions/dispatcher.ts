import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.js';
import type { DeliveryMeta } from './cache.js';
import { notificationBody } from './render.js';
import { DeliveryError, HttpTransport, MqttTransport, type Outgoing } from './transports.js';

/**
 * Delivers the outbox (broker_notifications). One loop claims due rows and records outcomes; each endpoint
 * has its own queue and at most `concurrency` notifications in flight, so a slow or dead endpoint only
 * ever holds its own rows. Claims are leases: `next_attempt_at` moves one lease ahead, and is moved again
 * while the row is held here, so rows held by a process that died are claimed again once the lease runs out
 * (at once on PGlite, whose data directory only one process can open; at once with NATS, cluster.ts).
 */

export interface DispatcherOptions {
  /** Timeout of one delivery (HTTP exchange, MQTT acknowledgement). */
  timeoutMs: number;
  /** Notifications in flight per endpoint. */
  concurrency: number;
  /** Attempts per notification before it is dropped and recorded as failed. */
  maxAttempts: number;
  /** First retry delay; doubles with each attempt, with jitter, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Safety poll: retries that came due, rows of other nodes, anything a nudge missed. */
  pollMs: number;
  allow: Set<string>;
}

interface Row {
  seq: number;
  id: string;
  tenant: string;
  subscriptionId: string;
  endpoint: string;
  meta: DeliveryMeta;
  data: string;
  attempts: number;
}

interface Endpoint {
  uri: string;
  queue: Row[];
  inflight: number;
  /** Consecutive failures of the endpoint as a whole. */
  failures: number;
  blockedUntil: number;
  /** The last claim filled this endpoint's share: more rows may be waiting. */
  more: boolean;
}

interface Outcome {
  row: Row;
  at: number;
  error?: string;
  /** When to try again; undefined for a success or a final failure. */
  retryAt?: number;
}

type Log = (obj: Record<string, unknown>, msg: string) => void;

/** Backoff with "equal jitter": half fixed, half random, so retries of many rows spread out. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}

export class Dispatcher {
  readonly nodeId = randomUUID();
  private readonly endpoints = new Map<string, Endpoint>();
  /** Rows claimed by this process and not yet recorded (guards against claiming one twice). */
  private readonly held = new Set<number>();
  private outcomes: Outcome[] = [];
  /** Notification ids produced here whose rows were not seen by a claim yet (see nudge). */
  private readonly awaiting = new Map<string, { endpoint: string; since: number }>();
  private readonly http: HttpTransport;
  private readonly mqtt: MqttTransport;
  private running = false;
  private again = false;
  private wantClaim = false;
  private started = false;
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private retryDelay = 1;
  private readonly idle = new Set<() => void>();
  private readonly queueCap: number;
  private readonly leaseMs: number;

  /**
   * Access filtering of notifications (data sovereignty): the data to send, at once when nothing needs filtering
   * (delivery then stays synchronous), else a promise; undefined data means nothing is left to send.
   */
  filter?: (row: { meta: DeliveryMeta; data: string }) => string | Promise<string | undefined>;

  constructor(
    private readonly db: Db,
    private readonly opts: DispatcherOptions,
    private readonly log: { warn: Log; error: Log },
  ) {
    this.http = new HttpTransport({
      timeoutMs: opts.timeoutMs,
      concurrency: opts.concurrency,
      allow: opts.allow,
    });
    this.mqtt = new MqttTransport({
      timeoutMs: opts.timeoutMs,
      concurrency: opts.concurrency,
      allow: opts.allow,
    });
    // Deep queues: one claim feeds many deliveries (a claim and a record per batch, not per row).
    this.queueCap = opts.concurrency * 64;
    // Claims are leases, renewed while the rows are held here (renew): a process that dies stops renewing,
    // and its rows are claimed again after at most one lease.
    this.leaseMs = Math.max(10_000, opts.timeoutMs * 2 + 5000);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.db.kind === 'pglite') {
      // Only this process can have claimed these rows, in a life that ended: take them back now.
      await this.db.query(
        'UPDATE broker_notifications SET next_attempt_at = now(), claimed_by = NULL WHERE claimed_by IS NOT NULL',
      );
    }
    this.poll = setInterval(() => this.kick(true), this.opts.pollMs);
    this.poll.unref();
    this.renewal = setInterval(() => void this.renew(), this.leaseMs / 3);
    this.renewal.unref();
    this.kick(true);
  }

  /**
   * Called by the matcher for the rows it wrote, once its transaction has committed (the claim then sees
   * them). The ids are still kept until a claim sees them, and claims retried a few times within a short
   * while, should a caller announce rows before their commit.
   */
  nudge(rows: { id: string; endpoint: string }[]): void {
    if (!this.started || this.stopped) return;
    const now = Date.now();
    for (const r of rows) this.awaiting.set(r.id, { endpoint: r.endpoint, since: now });
    this.retryDelay = 2;
    // A millisecond's wait gathers the rows of the writes committing together into one claim.
    this.kickSoon(1, true);
  }

  /** Extends the leases of the rows held here (queued, in flight, or waiting for their outcome to be written). */
  private async renew(): Promise<void> {
    if (this.held.size === 0 || this.stopped) return;
    try {
      await this.db.query(
        `UPDATE broker_notifications SET next_attempt_at = now() + make_interval(secs => $3::float8)
          WHERE seq = ANY($1::bigint[]) AND claimed_by = $2`,
        [[...this.held], this.nodeId, this.leaseMs / 1000],
      );
    } catch (err) {
      if (!this.stopped) this.log.error({ err }, 'notification dispatcher: cannot renew the leases');
    }
  }

  /** Rows may be due now (handed back by a node that is gone): claim. */
  wake(): void {
    if (this.started && !this.stopped) this.kick(true);
  }

  /** Runs the loop: records outcomes, and claims when `claim` (or an earlier kick) asks for it. */
  private kick(claim = false): void {
    if (this.stopped) return;
    if (claim) this.wantClaim = true;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop();
  }

  /** Soon, not now: outcomes of many deliveries are recorded together. */
  private kickSoon(ms = 5, claim = false): void {
    if (claim) this.wantClaim = true;
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.kick();
    }, ms);
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.record();
        if (this.stopped) break;
        if (this.wantClaim) {
          this.wantClaim = false;
          await this.claim();
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.log.error({ err }, 'notification dispatcher: database error; retrying');
    } finally {
      this.running = false;
      if (this.stopped) for (const f of this.idle) f();
    }
  }

  private endpoint(uri: string): Endpoint {
    let e = this.endpoints.get(uri);
    if (!e) {
      e = { uri, queue: [], inflight: 0, failures: 0, blockedUntil: 0, more: false };
      this.endpoints.set(uri, e);
    }
    return e;
  }

  private async claim(): Promise<void> {
    const now = Date.now();
    const capped: string[] = [];
    const caps: number[] = [];
    const excluded: string[] = [];
    for (const e of this.endpoints.values()) {
      const free = this.queueCap - e.queue.length - e.inflight;
      if (e.blockedUntil > now || free <= 0) excluded.push(e.uri);
      else if (free < this.queueCap) {
        capped.push(e.uri);
        caps.push(free);
      } else if (e.inflight === 0 && e.failures === 0 && !e.more) this.endpoints.delete(e.uri);
    }
    const r = await this.db.query<{
      seq: number;
      id: string;
      tenant: string;
      subscription_id: string;
      endpoint: string;
      meta: DeliveryMeta | string;
      data: string;
      attempts: number;
    }>(
      // The recursive CTE walks the distinct endpoints with any row (a loose index scan: one probe per
      // endpoint, however long a dead endpoint's backlog is); each then gives at most its share of due rows.
      `WITH RECURSIVE eps AS (
         (SELECT endpoint FROM broker_notifications ORDER BY endpoint LIMIT 1)
         UNION ALL
         SELECT (SELECT o.endpoint FROM broker_notifications o WHERE o.endpoint > eps.endpoint
                  ORDER BY o.endpoint LIMIT 1)
           FROM eps WHERE eps.endpoint IS NOT NULL
       ), shares AS (
         SELECT eps.endpoint, COALESCE(k.cap, $3::int) AS cap FROM eps
           LEFT JOIN unnest($1::text[], $2::int[]) AS k(endpoint, cap) ON k.endpoint = eps.endpoint
          WHERE eps.endpoint IS NOT NULL AND eps.endpoint <> ALL($4::text[])
       ), picked AS (
         SELECT c.seq FROM shares CROSS JOIN LATERAL (
           SELECT o.seq FROM broker_notifications o
            WHERE o.endpoint = shares.endpoint AND o.next_attempt_at <= now()
            ORDER BY o.next_attempt_at, o.seq LIMIT shares.cap
            FOR UPDATE SKIP LOCKED) c
         LIMIT 2000
       )
       UPDATE broker_notifications n
          SET next_attempt_at = now() + make_interval(secs => $5::float8), attempts = n.attempts + 1,
              claimed_by = $6
        -- = ANY(ARRAY(...)): an index probe per row picked, never a scan of the outbox.
        WHERE n.seq = ANY(ARRAY(SELECT seq FROM picked))
       RETURNING n.seq, n.id::text AS id, n.tenant, n.subscription_id, n.endpoint, n.meta, n.data, n.attempts`,
      [capped, caps, this.queueCap, excluded, this.leaseMs / 1000, this.nodeId],
    );
    const got = new Map<string, number>();
    for (const x of r.rows) {
      const seq = Number(x.seq);
      this.awaiting.delete(x.id);
      if (this.held.has(seq)) continue;
      this.held.add(seq);
      const e = this.endpoint(x.endpoint);
      e.queue.push({
        seq,
        id: x.id,
        tenant: x.tenant,
        subscriptionId: x.subscription_id,
        endpoint: x.endpoint,
        meta: typeof x.meta === 'string' ? (JSON.parse(x.meta) as DeliveryMeta) : x.meta,
        data: x.data,
        attempts: x.attempts,
      });
      got.set(x.endpoint, (got.get(x.endpoint) ?? 0) + 1);
    }
    for (const [uri, n] of got) {
      const e = this.endpoint(uri);
      const share = caps[capped.indexOf(uri)] ?? this.queueCap;
      e.more = n >= share;
      this.pump(e);
    }
    this.followUp(now, new Set(excluded));
  }

  /** Re-claims shortly while rows the matcher announced have not been seen (their commit was not visible). */
  private followUp(now: number, excluded: Set<string>): void {
    for (const [id, a] of this.awaiting) {
      if (now - a.since > 500 || excluded.has(a.endpoint)) this.awaiting.delete(id);
    }
    if (this.awaiting.size === 0) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(50, this.retryDelay * 2);
    this.kickSoon(delay, true);
  }

  private pump(e: Endpoint): void {
    while (!this.stopped && e.inflight < this.opts.concurrency && e.queue.length > 0) {
      const row = e.queue.shift()!;
      e.inflight++;
      void this.deliver(e, row);
    }
  }

  private outgoing(row: Row): Outgoing {
    const m = row.meta;
    // Spelled as in the spec: they are also the keys of the MQTT message's metadata.
    const headers: Record<string, string> = { 'Content-Type': m.accept };
    if (m.accept === 'application/json') {
      headers.Link = `<${m.link}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    }
    if (row.tenant) headers['NGSILD-Tenant'] = row.tenant;
    // The notification id doubles as a de-duplication key for receivers (at-least-once delivery).
    headers['Idempotency-Key'] = `urn:ngsi-ld:Notification:${row.id}`;
    for (const kv of m.receiverInfo ?? []) headers[kv.key] = kv.value;
    return {
      url: new URL(row.endpoint),
      body: notificationBody(row.id, row.subscriptionId, row.data, m),
      headers,
      notifierInfo: m.notifierInfo,
    };
  }

  private async deliver(e: Endpoint, row: Row): Promise<void> {
    let error: DeliveryError | undefined;
    try {
      const shown = this.filter ? this.filter(row) : row.data;
      const data = typeof shown === 'string' ? shown : await shown;
      if (data !== undefined) {
        const o = this.outgoing(data === row.data ? row : { ...row, data });
        await (o.url.protocol.startsWith('mqtt') ? this.mqtt.send(o) : this.http.send(o));
      }
    } catch (err) {
      error = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, true);
    }
    e.inflight--;
    const now = Date.now();
    if (!error) {
      e.failures = 0;
      e.blockedUntil = 0;
      this.outcomes.push({ row, at: now });
    } else {
      this.fail(row, error.message, now, e.blockedUntil);
      if (error.endpointDown && !this.stopped) {
        // The endpoint is down: hold it back, and give back what waits for it rather than try each row.
        e.failures++;
        e.blockedUntil = Math.max(
          e.blockedUntil,
          now + backoff(e.failures, this.opts.retryBaseMs, this.opts.retryMaxMs),
        );
        for (const r of e.queue.splice(0))
          this.fail(r, `endpoint unavailable: ${error.message}`, now, e.blockedUntil);
      }
    }
    if (this.stopped) {
      if (e.inflight === 0) for (const f of this.idle) f();
      return;
    }
    this.pump(e);
    if (e.more && e.queue.length + e.inflight <= this.queueCap / 2) this.kick(true);
    else this.kickSoon();
  }

  private fail(row: Row, error: string, now: number, notBefore: number): void {
    if (row.attempts >= this.opts.maxAttempts) {
      this.log.warn(
        { subscription: row.subscriptionId, notification: row.id, attempts: row.attempts, error },
        'notification dropped after its last attempt',
      );
      this.outcomes.push({ row, at: now, error });
      return;
    }
    const retryAt = Math.max(
      notBefore,
      now + backoff(row.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs),
    );
    this.outcomes.push({ row, at: now, error, retryAt });
  }

  /** Writes the outcomes: delivered and dropped rows deleted, retries rescheduled, status fields updated. */
  private async record(): Promise<void> {
    if (this.outcomes.length === 0) return;
    const batch = this.outcomes;
    this.outcomes = [];
    const done: number[] = [];
    const retrySeq: number[] = [];
    const retryAt: string[] = [];
    const retryError: string[] = [];
    const stats = new Map<
      string,
      {
        tenant: string;
        id: string;
        sent: number;
        failed: number;
        last: number;
        ok?: number;
        fail?: number;
        status: string;
      }
    >();
    for (const o of batch) {
      if (o.retryAt === undefined) done.push(o.row.seq);
      else {
        retrySeq.push(o.row.seq);
        retryAt.push(new Date(o.retryAt).toISOString());
        retryError.push(o.error ?? '');
      }
      const key = `${o.row.tenant}\u0000${o.row.subscriptionId}`;
      let s = stats.get(key);
      if (!s) {
        s = { tenant: o.row.tenant, id: o.row.subscriptionId, sent: 0, failed: 0, last: 0, status: 'ok' };
        stats.set(key, s);
      }
      s.sent++;
      if (o.error) s.failed++;
      if (o.at >= s.last) {
        s.last = o.at;
        s.status = o.error ? 'failed' : 'ok';
      }
      if (o.error) s.fail = Math.max(s.fail ?? 0, o.at);
      else s.ok = Math.max(s.ok ?? 0, o.at);
    }
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    const subs = [...stats.values()]
      .sort((a, b) => (a.tenant === b.tenant ? (a.id < b.id ? -1 : 1) : a.tenant < b.tenant ? -1 : 1))
      .map((s) => ({
        tenant: s.tenant,
        id: s.id,
        sent: s.sent,
        failed: s.failed,
        last: iso(s.last),
        ok_at: iso(s.ok),
        fail_at: iso(s.fail),
        status: s.status,
      }));
    try {
      await this.db.query(
        `WITH d AS (
           DELETE FROM broker_notifications WHERE seq = ANY($1::bigint[])
         ), r AS (
           UPDATE broker_notifications n SET next_attempt_at = x.at, last_error = x.err, claimed_by = NULL
             FROM unnest($2::bigint[], $3::timestamptz[], $4::text[]) AS x(seq, at, err)
            WHERE n.seq = ANY($2::bigint[]) AND n.seq = x.seq
         ), x AS (
           SELECT * FROM jsonb_to_recordset($5::jsonb) AS x(tenant text, id text, sent int, failed int,
             last timestamptz, ok_at timestamptz, fail_at timestamptz, status text)
         ), l AS (
           -- Locked in (tenant, id) order, as the matcher's throttling does: no deadlock between the two.
           SELECT s.tenant, s.id FROM broker_subscriptions s JOIN x ON s.tenant = x.tenant AND s.id = x.id
            ORDER BY s.tenant, s.id FOR NO KEY UPDATE OF s
         )
         UPDATE broker_subscriptions s
            SET times_sent = s.times_sent + x.sent, times_failed = s.times_failed + x.failed,
                last_notification = GREATEST(s.last_notification, x.last),
                last_success = GREATEST(s.last_success, x.ok_at),
                last_failure = GREATEST(s.last_failure, x.fail_at),
                delivery_status = x.status
           FROM x JOIN l ON l.tenant = x.tenant AND l.id = x.id
          WHERE s.tenant = x.tenant AND s.id = x.id`,
        [done, retrySeq, retryAt, retryError, JSON.stringify(subs)],
      );
    } catch (err) {
      // Not recorded: the leases run out and the rows are delivered again (at least once).
      for (const o of batch) this.held.delete(o.row.seq);
      throw err;
    }
    for (const o of batch) this.held.delete(o.row.seq);
  }

  /**
   * Stops claiming, lets deliveries in flight finish (at most `graceMs`), records the outcomes and gives
   * back the rows still queued here so that the next start (or another node) sends them at once.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.renewal) clearInterval(this.renewal);
    if (this.soon) clearTimeout(this.soon);
    const busy = () => this.running || [...this.endpoints.values()].some((e) => e.inflight > 0);
    if (busy()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        const check = () => {
          if (!busy()) {
            clearTimeout(timer);
            resolve();
          }
        };
        this.idle.add(check);
      });
    }
    this.http.close();
    await this.mqtt.close();
    const queued = [...this.endpoints.values()].flatMap((e) => e.queue.splice(0).map((r) => r.seq));
    try {
      await this.record();
      if (queued.length) {
        await this.db.query(
          `UPDATE broker_notifications SET next_attempt_at = now(), claimed_by = NULL, attempts = attempts - 1
            WHERE seq = ANY($1::bigint[])`,
          [queued],
        );
      }
    } catch (err) {
      this.log.warn({ err }, 'notification dispatcher: could not record the last outcomes');
    }
  }
}
