import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, it } from 'node:test';
import type { AisMessage } from '../../src/ingest/ais/types.js';
import { createBackoff, parseHostPort } from '../../src/ingest/feeds/feed.js';
import { createTcpFeed } from '../../src/ingest/feeds/tcp.js';
import { createUdpFeed } from '../../src/ingest/feeds/udp.js';
import { parseReplaySpec } from '../../src/ingest/index.js';

const A = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A';
const B = '!AIVDM,1,1,,B,13HOI:0P0000VOHLCnHQKwvL05Ip,0*20';
const TWO_PARTS = [
  '!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E',
  '!AIVDM,2,2,3,B,1@0000000000000,2*55',
];

/** Resolves when `check` holds, polling the event loop (no fixed delays: the test waits for behaviour). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('AIS feeds', () => {
  it('TCP: reads NMEA, reconnects after the server drops the connection', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      // First connection: a sentence, half of a two-part message, then the server hangs up.
      if (connections === 1) socket.end(`${A}\r\n${TWO_PARTS[0]}\r\n`);
      else socket.write(`${B}\n${TWO_PARTS.join('\n')}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const got: AisMessage[] = [];
    const events: string[] = [];
    const feed = createTcpFeed({
      host: '127.0.0.1',
      port,
      onMessage: (m) => got.push(m),
      backoff: { initialMs: 10, maxMs: 50 },
      onEvent: (e) => events.push(e),
    });
    try {
      feed.start();
      await until(() => got.length >= 3, 'messages from the second connection');
      assert.deepEqual(
        got.map((m) => [m.type, m.mmsi]),
        [
          [1, 371798000],
          [1, 227006760],
          [5, 369190000],
        ],
      );
      const s = feed.status();
      assert.equal(s.kind, 'tcp');
      assert.equal(s.state, 'connected');
      assert.equal(s.connections, 2);
      assert.equal(s.failures, 1);
      assert.equal(s.lastError, 'connection closed by peer');
      assert.equal(s.messages, 3);
      assert.deepEqual(events.slice(0, 3), ['connected', 'disconnected', 'connected']);
    } finally {
      await feed.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.equal(feed.status().state, 'stopped');
  });

  it('TCP: keeps trying, with backoff, while the server is down', async () => {
    // A port nobody listens on: take one, then close it.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const feed = createTcpFeed({
      host: '127.0.0.1',
      port,
      onMessage: () => {},
      backoff: { initialMs: 5, maxMs: 20 },
    });
    feed.start();
    await until(() => feed.status().failures >= 3, 'three failed attempts');
    const s = feed.status();
    assert.ok(s.state === 'backoff' || s.state === 'connecting');
    assert.match(s.lastError ?? '', /ECONNREFUSED/);
    assert.equal(s.connections, 0);
    await feed.stop();
  });

  it('UDP: decodes datagrams, with or without a final newline', async () => {
    const got: AisMessage[] = [];
    const feed = createUdpFeed({ port: 0, host: '127.0.0.1', onMessage: (m) => got.push(m) });
    feed.start();
    await until(() => feed.port() !== undefined, 'the socket to be bound');
    const client = dgram.createSocket('udp4');
    const send = (text: string) =>
      new Promise<void>((resolve, reject) =>
        client.send(text, feed.port()!, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    try {
      await send(A); // no newline: must not be glued to the next datagram
      await send(`${B}\r\n`);
      await send(`${TWO_PARTS.join('\r\n')}\r\n`);
      await until(() => got.length >= 3, 'three messages');
      assert.deepEqual(
        got.map((m) => m.mmsi),
        [371798000, 227006760, 369190000],
      );
      const s = feed.status();
      assert.equal(s.state, 'listening');
      assert.equal(s.messages, 3);
      assert.equal(s.rejected, 0);
    } finally {
      client.close();
      await feed.stop();
    }
  });

  it('UDP: retries binding a port that is taken, and gets it once free', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const port = holder.address().port;
    const feed = createUdpFeed({
      port,
      host: '127.0.0.1',
      onMessage: () => {},
      backoff: { initialMs: 5, maxMs: 20 },
    });
    feed.start();
    await until(() => feed.status().failures >= 1, 'a failed bind');
    assert.match(feed.status().lastError ?? '', /EADDRINUSE/);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await until(() => feed.status().state === 'listening', 'the bind to succeed');
    assert.equal(feed.port(), port);
    await feed.stop();
  });

  it('backs off exponentially up to a ceiling, and starts again after reset', () => {
    const b = createBackoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
    const j = createBackoff({ initialMs: 1000, jitter: 0.2, random: () => 1 });
    assert.equal(j.next(), 1200);
  });

  it('parses feed settings', () => {
    assert.deepEqual(parseHostPort('data.aishub.net:4321'), { host: 'data.aishub.net', port: 4321 });
    assert.deepEqual(parseHostPort('[::1]:10110'), { host: '::1', port: 10110 });
    assert.deepEqual(parseHostPort('10110', '0.0.0.0'), { host: '0.0.0.0', port: 10110 });
    assert.throws(() => parseHostPort('nohost'), /host:port/);
    assert.throws(() => parseHostPort('h:99999'), /0-65535/);
    assert.deepEqual(parseReplaySpec('/data/ais.nmea.gz@10'), { file: '/data/ais.nmea.gz', speed: 10 });
    assert.deepEqual(parseReplaySpec('/data/ais@home.nmea'), { file: '/data/ais@home.nmea', speed: 1 });
  });
});
