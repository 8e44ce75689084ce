/**
 * Server-Sent Events streams of subscriptions (GET /ngsi-ld/v1/subscriptions/{id}/events): the clients
 * connected to this process, by subscription. Events are published once the transaction that produced
 * them has committed (from its onCommit), never before, and never for a rolled-back write.
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
  private closed = false;
  /** Keys of the subscriptions streamed by other nodes' clients. */
  private remote = new Set<string>();
  peer: StreamPeer | undefined;

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

  /** Events of a committed write: to this node's clients, and to the other nodes' (cluster.ts). */
  publishCommitted(items: { tenant: string; subscriptionId: string; event: StreamEvent }[]): void {
    if (this.closed) return;
    const keyed = items.map((i) => ({ key: keyOf(i.tenant, i.subscriptionId), event: i.event }));
    for (const i of keyed) this.send(i.key, i.event);
    this.peer?.relay(keyed);
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
    for (const set of this.clients.values()) for (const c of set) c.end();
    this.clients.clear();
  }
}
