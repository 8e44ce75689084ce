import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { backends } from '../../helpers/db.js';
import { deadPort, eventually, startReceiver } from './helpers.js';
import { kill, ngsi, prepareStore, type Store, serve, tempDatabase } from './processes.js';

/**
 * At-least-once across a crash: `escale serve` runs as a child process; updates are acknowledged while the
 * receiver is down; the server is killed with SIGKILL; the receiver comes up; the server restarts and every
 * notification arrives (receivers de-duplicate on the notification id).
 */

async function scenario(store: Store): Promise<void> {
  const receiverPort = await deadPort();
  const uri = `http://127.0.0.1:${receiverPort}/notify`;
  const token = await prepareStore(store);
  let server = await serve(store);
  let send = ngsi(server.base, token);
  const receiver = { current: undefined as Awaited<ReturnType<typeof startReceiver>> | undefined };
  try {
    const s = await send('POST', '/subscriptions', {
      type: 'Subscription',
      entities: [{ type: 'Vessel' }],
      watchedAttributes: ['seq'],
      notification: { format: 'keyValues', endpoint: { uri } },
    });
    assert.equal(s.status, 201, await s.text());
    const N = 20;
    for (let i = 0; i < N; i++) {
      const r = await send('POST', '/entityOperations/upsert?options=update', [
        { id: `urn:ngsi-ld:Vessel:${i % 4}`, type: 'Vessel', seq: { type: 'Property', value: i } },
      ]);
      assert.ok(r.status === 201 || r.status === 204, `update ${i} acknowledged: ${r.status}`);
    }
    // Let the dispatcher fail against the receiver that is down, then crash in the middle of its retries.
    await eventually(async () => {
      const [x] = (await (await send('GET', '/subscriptions')).json()) as {
        notification: { timesFailed: number };
      }[];
      return x.notification.timesFailed > 0;
    });
    await kill(server);
    receiver.current = await startReceiver({ port: receiverPort });
    server = await serve(store);
    send = ngsi(server.base, token);
    const rcv = receiver.current;
    await eventually(async () => {
      const seqs = new Set(rcv.unique().map((n) => n.body.data[0].seq));
      return seqs.size === N;
    }, 120_000);
    const unique = rcv.unique();
    assert.deepEqual(
      unique.map((n) => n.body.data[0].seq as number).sort((a, b) => a - b),
      [...Array(N).keys()],
      'every acknowledged update was notified once the receiver was up',
    );
    assert.ok(rcv.received.length >= unique.length);
  } finally {
    await kill(server);
    await receiver.current?.close();
  }
}

for (const backend of backends()) {
  describe(`At-least-once delivery across a crash on ${backend}`, () => {
    it('delivers every notification acknowledged before a SIGKILL', { timeout: 600_000 }, async () => {
      if (backend === 'pglite') {
        const dataDir = mkdtempSync(join(tmpdir(), 'escale-crash-'));
        try {
          await scenario({ dataDir });
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
        return;
      }
      const db = await tempDatabase();
      try {
        await scenario({ databaseUrl: db.url });
      } finally {
        await db.drop();
      }
    });
  });
}
