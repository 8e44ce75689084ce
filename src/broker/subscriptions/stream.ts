import type { Db } from '../../db/db.js';

/**
 * Server-Sent Events streams of subscriptions (GET /ngsi-ld/v1/subscriptions/{id}/events): the clients
 * connected to this process, by subscription. Events are published once the transaction that produced
 * them has committed (checked with pg_xact_status), never before, and never for a rolled-back write.
 */

export interface StreamClient {
  /** A notification. */
  send(event: StreamEvent): void;
  /** A control message in SSE form (the end of the stream). */
  write(chunk: string): void;
  end(): void;
}

/** An event as the SSE wire format writes it. */
export const sseChunk = (event: StreamEvent): string =>
  `id: ${event.id}\nevent: notification\ndata: ${event.body}\n\n`;

export interface StreamEvent {
  /** The notification id (urn:ngsi-ld:Notification:...), also the SSE event id. */
  id: string;
  /** The Notification, as JSON text (one line). */
  body: string;
}

interface Pending {
  xid: string;
  items: { key: string; event: StreamEvent }[];
  since: number;
}

const GIVE_UP_MS = 60_000;

/** The other nodes (cluster.ts): streams held there, and how to reach them. */
export interface StreamPeer {
  /** Committed events, for the streams held by other nodes. */
  relay(items: { key: string; event: StreamEvent }[]): void;
  /** The set of subscriptions streamed by this node's clients changed. */
  interestChanged(): void;
}

const keyOf = (tenant: string, id: string) => `${tenant}\u0000${id}`;

export class StreamHub {
  private readonly clients = new Map<string, Set<StreamClient>>();
  private pending: Pending[] = [];
  private checking = false;
  private delay = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Keys of the subscriptions streamed by other nodes' clients. */
  private remote = new Set<string>();
  peer: StreamPeer | undefined;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Whether a client of this node, or of another node, streams this subscription. */
  has(tenant: string, id: string): boolean {
    const key = keyOf(tenant, id);
    return this.clients.has(key) || this.remote.has(key);
  }

  remoteHas(key: string): boolean {
    return this.remote.has(key);
  }

  setRemote(keys: Set<string>): void {
    this.remote = keys;
  }

  /** The subscriptions streamed by this node's clients. */
  localKeys(): string[] {
    return [...this.clients.keys()];
  }

  /** An event relayed by another node: to this node's clients of that stream. */
  deliver(key: string, event: StreamEvent): void {
    this.send(key, event);
  }

  add(tenant: string, id: string, client: StreamClient): () => void {
    const key = keyOf(tenant, id);
    const set = this.clients.get(key) ?? new Set<StreamClient>();
    set.add(client);
    this.clients.set(key, set);
    if (set.size === 1) this.peer?.interestChanged();
    return () => {
      const s = this.clients.get(key);
      if (!s) return;
      s.delete(client);
      if (s.size === 0) {
        this.clients.delete(key);
        this.peer?.interestChanged();
      }
    };
  }

  publish(tenant: string, id: string, event: StreamEvent): void {
    this.send(keyOf(tenant, id), event);
  }

  private send(key: string, event: StreamEvent): void {
    const set = this.clients.get(key);
    if (!set) return;
    for (const c of set) c.send(event);
  }

  /** Publishes the events when transaction `xid` has committed (drops them if it rolled back). */
  afterCommit(xid: string, items: { tenant: string; subscriptionId: string; event: StreamEvent }[]): void {
    if (this.closed) return;
    this.pending.push({
      xid,
      items: items.map((i) => ({ key: keyOf(i.tenant, i.subscriptionId), event: i.event })),
      since: Date.now(),
    });
    this.delay = 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.checking || this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, this.delay);
  }

  private async check(): Promise<void> {
    if (this.pending.length === 0 || this.closed) return;
    this.checking = true;
    const batch = this.pending;
    this.pending = [];
    try {
      const r = await this.db.query<{ x: string; s: string | null }>(
        'SELECT x, pg_xact_status(x::xid8) AS s FROM unnest($1::text[]) AS x',
        [[...new Set(batch.map((p) => p.xid))]],
      );
      const status = new Map(r.rows.map((row) => [row.x, row.s]));
      const now = Date.now();
      const committed: { key: string; event: StreamEvent }[] = [];
      for (const p of batch) {
        const s = status.get(p.xid);
        if (s === 'committed') committed.push(...p.items);
        else if (s === 'in progress' && now - p.since < GIVE_UP_MS) this.pending.push(p);
      }
      for (const i of committed) this.send(i.key, i.event);
      if (committed.length) this.peer?.relay(committed);
    } catch (err) {
      if (!this.closed) this.onError(err);
    } finally {
      this.checking = false;
    }
    if (this.pending.length) {
      // The commit is usually a fraction of a millisecond away; back off if it is not.
      this.delay = Math.min(50, Math.max(1, this.delay * 2));
      this.schedule();
    }
  }

  /** The subscription was deleted: its streams end. */
  end(tenant: string, id: string): void {
    const key = keyOf(tenant, id);
    const set = this.clients.get(key);
    if (!set) return;
    this.clients.delete(key);
    this.peer?.interestChanged();
    for (const c of set) {
      c.write('event: end\ndata: {"reason":"subscription deleted"}\n\n');
      c.end();
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const set of this.clients.values()) for (const c of set) c.end();
    this.clients.clear();
    this.pending = [];
  }
}
