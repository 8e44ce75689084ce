import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, type Receiver, sseEvents, startReceiver } from './helpers.js';
import {
  kill,
  type NatsServer,
  natsServerPath,
  ngsi,
  prepareStore,
  type Server,
  serve,
  startNats,
  tempDatabase,
} from './processes.js';

/**
 * Two `escale serve` processes on one PostgreSQL database, coordinated through a real nats-server with
 * JetStream (NATS_URL): subscriptions created on one node fire for writes received by the other, once;
 * changes and deletions reach the other node; SSE streams see the writes of the other node; the
 * notifications a killed node was delivering are delivered by the survivor.
 */

const API = '/ngsi-ld/v1';
const prop = (value: unknown) => ({ type: 'Property', value });
const nats = natsServerPath();
const skip = !process.env.TEST_DATABASE_URL
  ? 'two-node test skipped: TEST_DATABASE_URL is not set (the nodes share one PostgreSQL)'
  : !nats
    ? 'two-node test skipped: nats-server is not installed (apt-get install nats-server)'
    : false;

let token = '';
const send = (base: string, method: string, path: string, body?: unknown) =>
  ngsi(base, token)(method, path, body);

async function upsert(base: string, id: string, attrs: Record<string, unknown>): Promise<void> {
  const r = await send(base, 'POST', '/entityOperations/upsert?options=update', [
    { id, type: 'Vessel', ...attrs },
  ]);
  assert.ok(r.status === 201 || r.status === 204, `upsert acknowledged: ${r.status} ${await r.text()}`);
}

async function subscribe(base: string, body: Record<string, unknown>): Promise<string> {
  const r = await send(base, 'POST', '/subscriptions', { type: 'Subscription', ...body });
  assert.equal(r.status, 201, await r.text());
  return decodeURIComponent(r.headers.get('location')!.split('/').pop()!);
}

/** An HTTP receiver that keeps every request unanswered while `hold` is set, and answers 204 after. */
async function holdingReceiver() {
  const held: ServerResponse[] = [];
  const ids: string[] = [];
  let hold = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      if (hold) {
        held.push(res);
        return;
      }
      ids.push(body.id);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    held,
    ids,
    release() {
      hold = false;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Two escale nodes on one PostgreSQL, coordinated through NATS JetStream', { skip }, () => {
  let natsServer: NatsServer;
  let db: Awaited<ReturnType<typeof tempDatabase>>;
  let a: Server;
  let b: Server;
  const receivers: { close(): Promise<void> }[] = [];
  let env: Record<string, string>;

  before(async () => {
    natsServer = await startNats(nats!);
    db = await tempDatabase();
    token = await prepareStore({ databaseUrl: db.url });
    env = {
      NATS_URL: natsServer.url,
      ESCALE_NODE_TTL_MS: '1500',
      ESCALE_NOTIFY_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'info',
    };
    // One after the other: the first applies the migrations.
    a = await serve({ databaseUrl: db.url }, env);
    // B only claims when told to (its own writes, a node gone): A's rows stay A's until A dies.
    b = await serve({ databaseUrl: db.url }, { ...env, ESCALE_NOTIFY_POLL_MS: '600000' });
  });

  after(async () => {
    await kill(a, 'SIGTERM');
    await kill(b, 'SIGTERM');
    for (const r of receivers) await r.close();
    await db?.drop();
    await natsServer?.stop();
  });

  it('notifies once per write, whichever node received the write or the subscription', async () => {
    const rcv: Receiver = await startReceiver();
    receivers.push(rcv);
    const id = await subscribe(a.base, {
      entities: [{ type: 'Vessel' }],
      watchedAttributes: ['seq'],
      notification: { format: 'keyValues', endpoint: { uri: rcv.url } },
    });
    const N = 10;
    for (let i = 0; i < N; i++) {
      await upsert(i % 2 ? a.base : b.base, `urn:ngsi-ld:Vessel:c${i % 3}`, { seq: prop(i) });
    }
    await rcv.waitFor(N, 60_000);
    // A last write: once it has arrived, any duplicate of the earlier ones would have arrived too.
    await upsert(b.base, 'urn:ngsi-ld:Vessel:c0', { seq: prop(N) });
    const all = await rcv.waitFor(N + 1, 60_000);
    assert.deepEqual(
      all.map((n) => n.body.data[0].seq as number).sort((x, y) => x - y),
      [...Array(N + 1).keys()],
      'each write notified exactly once',
    );
    assert.ok(all.every((n) => n.body.subscriptionId === id));

    // Changed on B: A notifies by the new watchedAttributes at once.
    const p = await send(b.base, 'PATCH', `/subscriptions/${encodeURIComponent(id)}`, {
      watchedAttributes: ['draught'],
    });
    assert.equal(p.status, 204);
    await upsert(a.base, 'urn:ngsi-ld:Vessel:c1', { seq: prop(100) });
    await upsert(a.base, 'urn:ngsi-ld:Vessel:c1', { draught: prop(7.5) });
    const next = await rcv.waitFor(N + 2, 60_000);
    assert.equal(next[N + 1].body.data[0].draught, 7.5, 'the update of draught, not of seq, notified');

    // The delivery counters of the shared subscription, read through the other node (recorded in batches).
    const s = await eventually(async () => {
      const r = await send(b.base, 'GET', `/subscriptions/${encodeURIComponent(id)}`);
      const x = (await r.json()) as { notification: { timesSent: number; lastSuccess?: string } };
      return x.notification.timesSent === N + 2 && x;
    });
    assert.ok(s.notification.lastSuccess);
  });

  it('streams to an SSE client of one node the notifications of writes received by the other', async () => {
    const rcv = await startReceiver();
    receivers.push(rcv);
    const id = await subscribe(a.base, {
      entities: [{ type: 'Vessel', id: 'urn:ngsi-ld:Vessel:sse' }],
      notification: { endpoint: { uri: rcv.url } },
    });
    const ac = new AbortController();
    const res = await fetch(`${b.base}${API}/subscriptions/${encodeURIComponent(id)}/events`, {
      signal: ac.signal,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const next = sseEvents(res);
    try {
      // A learns of B's stream through NATS within a moment: write through A until an event comes.
      let k = 0;
      const ev = await eventually(async () => {
        await upsert(a.base, 'urn:ngsi-ld:Vessel:sse', { speed: prop(k++) });
        return await next(1000).catch(() => undefined);
      }, 60_000);
      assert.equal(ev.event, 'notification');
      const body = JSON.parse(ev.data) as { id: string; subscriptionId: string };
      assert.equal(body.subscriptionId, id);
      assert.equal(ev.id, body.id);
      // The same notification (same id) reaches the endpoint.
      await eventually(async () => rcv.received.some((n) => n.body.id === body.id), 60_000);

      // Deleted on A: B ends its stream.
      assert.equal((await send(a.base, 'DELETE', `/subscriptions/${encodeURIComponent(id)}`)).status, 204);
      for (;;) {
        const e = await next(30_000);
        if (e.event === 'end') break;
      }
    } finally {
      ac.abort();
    }
  });

  it('delivers, from the surviving node, the notifications of a node killed mid-delivery', async () => {
    // Two fresh nodes, alone (A and B stop first, as their claims could take the victim's rows): the survivor
    // has never been written to, so it has no claim of its own under way and only claims when the cluster
    // tells it a node is gone (its poll is 10 minutes).
    await kill(a, 'SIGTERM');
    await kill(b, 'SIGTERM');
    const victim = await serve({ databaseUrl: db.url }, env);
    const survivor = await serve({ databaseUrl: db.url }, { ...env, ESCALE_NOTIFY_POLL_MS: '600000' });
    try {
      const rcv = await holdingReceiver();
      receivers.push(rcv);
      await subscribe(victim.base, {
        entities: [{ type: 'Vessel', id: 'urn:ngsi-ld:Vessel:crash' }],
        notification: { format: 'keyValues', endpoint: { uri: rcv.url } },
      });
      // The victim claims them (its own writes) and is stuck sending them: the receiver does not answer yet.
      const N = 4;
      for (let i = 0; i < N; i++) await upsert(victim.base, 'urn:ngsi-ld:Vessel:crash', { seq: prop(i) });
      await eventually(async () => rcv.held.length === N, 60_000);
      await kill(victim);
      rcv.release();
      // With a 60 s delivery timeout the victim's leases last minutes: the survivor takes the rows over when
      // the victim's key expires.
      try {
        await eventually(async () => new Set(rcv.ids).size === N, 60_000);
      } catch (err) {
        const said = survivor.output.join('');
        throw new Error(`${(err as Error).message}; received ${rcv.ids.length}; the survivor said:\n${said}`);
      }
    } finally {
      await kill(victim);
      await kill(survivor, 'SIGTERM');
    }
  });
});
