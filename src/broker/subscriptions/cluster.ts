import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Db } from '../../db/db.js';
import type { SubscriptionCache } from './cache.js';
import type { StreamEvent, StreamHub } from './stream.js';

/**
 * Several `escale serve` processes on one PostgreSQL, coordinated through NATS (NATS_URL):
 *
 * - liveness: each node keeps a key in the JetStream key-value bucket `escale_nodes`, whose entries expire
 *   `ttlMs` after their last write; the node rewrites it every `ttlMs / 5`. A node whose key is gone (it
 *   died, or stopped) has the outbox rows it had claimed handed back at once, instead of when their lease
 *   runs out, and another node delivers them;
 * - subscription changes: a node that creates, updates or deletes a subscription tells the others, which
 *   drop their cached copy of the tenant's subscriptions and end the SSE streams of a deleted one;
 * - SSE: the value of a node's key lists the subscriptions streamed by its clients; a node that writes a
 *   change concerning one of them publishes the committed notification, and the node holding the stream
 *   sends it to its clients. When its clients change, a node rewrites its key and sends the new list to the
 *   others with the key's revision, which they take at once (a stream opened on one node sees the writes
 *   the others receive a moment later, without waiting for their next reading of the keys).
 *
 * Each notification is still produced once, in the transaction of the write, into the outbox; a row is
 * claimed by one node at a time (FOR UPDATE SKIP LOCKED). NATS only shortens the delays and routes SSE.
 */

const BUCKET = 'escale_nodes';
const CHANGED = 'escale.subscriptions.changed';
const EVENTS = 'escale.subscriptions.events';
const NODES = 'escale.nodes.changed';
/** A sweep for rows of dead nodes also runs this often, besides when a node disappears. */
const SWEEP_MS = 30_000;

type Log = (obj: Record<string, unknown>, msg: string) => void;

export interface ClusterDeps {
  url: string;
  /** This node's id: the dispatcher's claimed_by. */
  nodeId: string;
  db: Db;
  cache: SubscriptionCache;
  hub: StreamHub;
  /** Rows were handed back: claim now. */
  wake: () => void;
  log: { info: Log; warn: Log; error: Log };
  /** How long a node's liveness key outlives its last write (default 5000 ms). */
  ttlMs?: number;
}

interface NodeValue {
  /** Keys (tenant NUL subscription id) of the subscriptions streamed by this node's SSE clients. */
  streams: string[];
}

/** A node's SSE streams changed (NODES): its key's new value and revision; a bare node id asks for a refresh. */
interface NodesMessage extends NodeValue {
  node: string;
  revision: number;
}

interface ChangedMessage {
  node: string;
  tenant: string;
  /** Set when the subscription was deleted. */
  deleted?: string;
}

interface EventsMessage {
  node: string;
  items: { key: string; event: StreamEvent }[];
}

export class Cluster {
  private readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;
  private peers = new Set<string>();
  /**
   * The streams of the other live nodes, with the revision of their key they were read from and the refresh
   * under way when they were learnt (`refreshes`).
   */
  private streamsOf = new Map<string, { revision: number; streams: string[]; refresh: number }>();
  private refreshes = 0;
  private lastSweep = 0;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private closed = false;

  private constructor(
    private readonly deps: ClusterDeps,
    private readonly nc: NatsConnection,
    private readonly kv: KV,
  ) {
    this.ttlMs = deps.ttlMs ?? 5000;
  }

  static async start(deps: ClusterDeps): Promise<Cluster> {
    const ttlMs = deps.ttlMs ?? 5000;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: deps.url.split(',').map((s) => s.trim()),
        name: `escale-${deps.nodeId}`,
        maxReconnectAttempts: -1,
      });
    } catch (err) {
      throw new Error(`NATS_URL: cannot connect to ${deps.url}: ${(err as Error).message}`);
    }
    let kv: KV;
    try {
      kv = await new Kvm(nc).create(BUCKET, { ttl: ttlMs, history: 1 });
    } catch (err) {
      await nc.close();
      throw new Error(
        `NATS_URL: cannot open the JetStream bucket ${BUCKET} (is JetStream enabled, nats-server -js?): ${
          (err as Error).message
        }`,
      );
    }
    const c = new Cluster(deps, nc, kv);
    await c.beat();
    c.listen();
    await c.refresh();
    c.timer = setInterval(() => void c.refresh(), Math.max(100, Math.floor(ttlMs / 5)));
    c.timer.unref();
    return c;
  }

  private listen(): void {
    const { cache, hub, nodeId } = this.deps;
    this.nc.subscribe(CHANGED, {
      callback: (err, msg) => {
        if (err) return;
        const m = safeJson<ChangedMessage>(msg.data);
        if (!m || m.node === nodeId) return;
        cache.invalidate(m.tenant);
        if (m.deleted !== undefined) hub.end(m.tenant, m.deleted);
      },
    });
    this.nc.subscribe(EVENTS, {
      callback: (err, msg) => {
        if (err) return;
        const m = safeJson<EventsMessage>(msg.data);
        if (!m || m.node === nodeId) return;
        for (const i of m.items) hub.deliver(i.key, i.event);
      },
    });
    this.nc.subscribe(NODES, {
      callback: (err, msg) => {
        if (err) return;
        const text = new TextDecoder().decode(msg.data);
        if (text === nodeId) return;
        const m = text.startsWith('{') ? safeJson<NodesMessage>(msg.data) : undefined;
        if (m) {
          if (m.node === nodeId) return;
          if (typeof m.revision === 'number' && Array.isArray(m.streams)) {
            this.learn(m.node, m.revision, m.streams);
            this.publishRemote();
          }
        }
        void this.refresh();
      },
    });
  }

  /** The subscriptions of `tenant` changed on this node (`deleted`: that one was deleted). */
  subscriptionsChanged(tenant: string, deleted?: string): void {
    const m: ChangedMessage = { node: this.deps.nodeId, tenant, deleted };
    this.publish(CHANGED, JSON.stringify(m));
  }

  /** Committed notifications for SSE streams, some of which may be held by other nodes. */
  relay(items: { key: string; event: StreamEvent }[]): void {
    // One message per notification: a batch could exceed the server's max_payload (1 MiB by default).
    for (const i of items) {
      if (!this.deps.hub.remoteHas(i.key)) continue;
      const m: EventsMessage = { node: this.deps.nodeId, items: [i] };
      this.publish(EVENTS, JSON.stringify(m));
    }
  }

  /** This node's SSE clients changed: rewrite its key now, and send its new value to the others. */
  interestChanged(): void {
    void this.beat().then(
      ({ revision, streams }) => {
        const m: NodesMessage = { node: this.deps.nodeId, revision, streams };
        this.publish(NODES, JSON.stringify(m));
      },
      () => undefined,
    );
  }

  /** The streams of `node` as of its key's `revision`, unless newer ones are known. */
  private learn(node: string, revision: number, streams: string[]): void {
    const known = this.streamsOf.get(node);
    if (known && known.revision >= revision) return;
    this.streamsOf.set(node, { revision, streams, refresh: this.refreshes });
  }

  private publishRemote(): void {
    const remote = new Set<string>();
    for (const { streams } of this.streamsOf.values()) for (const k of streams) remote.add(k);
    this.deps.hub.setRemote(remote);
  }

  private publish(subject: string, data: string): void {
    if (this.closed) return;
    try {
      this.nc.publish(subject, data);
    } catch (err) {
      this.deps.log.warn({ err, subject }, 'NATS: cannot publish');
    }
  }

  private async beat(): Promise<{ revision: number; streams: string[] }> {
    const streams = this.deps.hub.localKeys();
    const v: NodeValue = { streams };
    const revision = await this.kv.put(this.deps.nodeId, JSON.stringify(v));
    return { revision, streams };
  }

  /** Rewrites this node's key, reads the others', and hands back the rows of the nodes that are gone. */
  private refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          await this.refreshOnce();
        } catch (err) {
          if (!this.closed) this.deps.log.warn({ err }, 'NATS: cannot refresh the nodes of the cluster');
        }
      } while (this.again && !this.closed);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    await this.beat();
    // What a message teaches from now on is newer than the keys read below, and stays.
    const refresh = ++this.refreshes;
    const live = new Set<string>();
    for await (const k of await this.kv.keys()) live.add(k);
    live.add(this.deps.nodeId);
    for (const node of live) {
      if (node === this.deps.nodeId) continue;
      const e = await this.kv.get(node);
      if (e?.operation === 'PUT') {
        // A newer value may have come in a message while the keys were read: the revision tells.
        this.learn(node, e.revision, safeJson<NodeValue>(e.value)?.streams ?? []);
      } else {
        // Gone since the keys were listed (deleted or expired), unless a message has told otherwise since.
        const known = this.streamsOf.get(node);
        if (known && (e ? known.revision < e.revision : known.refresh < refresh)) this.streamsOf.delete(node);
      }
    }
    for (const [node, known] of this.streamsOf) {
      if (!live.has(node) && known.refresh < refresh) this.streamsOf.delete(node);
    }
    this.publishRemote();
    const lost = [...this.peers].some((p) => !live.has(p));
    this.peers = live;
    const now = Date.now();
    if (lost || now - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = now;
      await this.takeOver(live);
    }
  }

  /** Rows claimed by nodes that are not alive go back to the outbox, due now. */
  private async takeOver(live: Set<string>): Promise<void> {
    const r = await this.deps.db.query<{ claimed_by: string; n: number }>(
      `WITH t AS (
         UPDATE broker_notifications SET next_attempt_at = now(), claimed_by = NULL
          WHERE claimed_by IS NOT NULL AND claimed_by <> ALL($1::text[]) AND next_attempt_at > now()
         RETURNING claimed_by)
       SELECT claimed_by, count(*)::int AS n FROM (SELECT claimed_by FROM t) x GROUP BY claimed_by`,
      [[...live]],
    );
    if (r.rows.length === 0) return;
    for (const row of r.rows) {
      this.deps.log.info(
        { node: row.claimed_by, notifications: row.n },
        'NATS: a node is gone; its claimed notifications are taken over',
      );
    }
    this.deps.wake();
  }

  /** Stops the heartbeat and removes this node's key, so that the others know at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    this.closed = true;
    try {
      await this.kv.delete(this.deps.nodeId);
      this.nc.publish(NODES, this.deps.nodeId);
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => undefined);
    }
  }
}

function safeJson<T>(data: Uint8Array): T | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as T;
  } catch {
    return undefined;
  }
}
