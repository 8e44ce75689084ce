import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { backends } from '../../helpers/db.js';
import { deadPort, eventually, notifyEnv } from './helpers.js';

notifyEnv();

const API = '/ngsi-ld/v1';
const enc = encodeURIComponent;
// Debian installs it in /usr/sbin, which is not always on PATH.
const MOSQUITTO = ['mosquitto', '/usr/sbin/mosquitto'].find((p) => spawnSync(p, ['-h']).error === undefined);
const hasMosquitto = MOSQUITTO !== undefined;
const skip = hasMosquitto
  ? false
  : 'mosquitto is not installed (apt-get install mosquitto): MQTT delivery not tested';

interface MqttMessage {
  topic: string;
  metadata: Record<string, string>;
  body: { id: string; type: string; subscriptionId: string; data: Record<string, unknown>[] };
}

for (const backend of backends()) {
  describe(`MQTT notifications on ${backend}`, { skip }, () => {
    let t: TestApp;
    let broker: ChildProcess;
    let port: number;
    let client: mqtt.MqttClient;
    let dir: string;
    const messages: MqttMessage[] = [];

    before(async () => {
      port = await deadPort();
      // Its own broker: a free loopback port, a temporary configuration, no persistence.
      dir = mkdtempSync(join(tmpdir(), 'escale-mosquitto-'));
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(
        conf,
        `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`,
      );
      broker = spawn(MOSQUITTO!, ['-c', conf], { stdio: 'ignore' });
      client = await eventually(async () =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 }),
      );
      await client.subscribeAsync('escale/#', { qos: 1 });
      client.on('message', (topic, payload) => {
        const m = JSON.parse(payload.toString('utf8')) as Omit<MqttMessage, 'topic'>;
        messages.push({ topic, ...m });
      });
      t = await startTestApp(backend);
    });
    after(async () => {
      await t?.dispose();
      await client?.endAsync();
      broker?.kill('SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('publishes {metadata, body} on the topic of the endpoint, QoS 1', async () => {
      const r = await t.call({
        method: 'POST',
        url: `${API}/subscriptions`,
        json: {
          type: 'Subscription',
          entities: [{ type: 'Lighthouse' }],
          notification: {
            format: 'keyValues',
            endpoint: {
              uri: `mqtt://127.0.0.1:${port}/escale/lighthouses`,
              receiverInfo: [{ key: 'X-Site', value: 'Le Havre' }],
              notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
            },
          },
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      const sid = decodeURIComponent(String(r.headers.location).split('/').pop()!);
      for (let i = 0; i < 3; i++) {
        const w = await t.call({
          method: 'POST',
          url: `${API}/entityOperations/upsert?options=update`,
          json: [
            { id: 'urn:ngsi-ld:Lighthouse:1', type: 'Lighthouse', beam: { type: 'Property', value: i } },
          ],
        });
        assert.ok(w.statusCode < 300, w.body);
      }
      await eventually(async () => messages.length >= 3);
      assert.deepEqual(messages.map((m) => m.body.data[0].beam).sort(), [0, 1, 2]);
      const m = messages[0];
      assert.equal(m.topic, 'escale/lighthouses');
      assert.equal(m.body.type, 'Notification');
      assert.equal(m.body.subscriptionId, sid);
      assert.equal(m.metadata['Content-Type'], 'application/json');
      assert.equal(m.metadata['X-Site'], 'Le Havre');
      assert.equal(m.metadata['Idempotency-Key'], m.body.id);
      const s = await eventually(async () => {
        const g = (await t.call({ method: 'GET', url: `${API}/subscriptions/${enc(sid)}` })).json();
        return g.notification.timesSent >= 3 ? g : undefined;
      });
      assert.equal(s.notification.status, 'ok');
    });

    it('records a failure when the MQTT broker is unreachable', async () => {
      const r = await t.call({
        method: 'POST',
        url: `${API}/subscriptions`,
        json: {
          type: 'Subscription',
          entities: [{ type: 'Foghorn' }],
          notification: { endpoint: { uri: `mqtt://127.0.0.1:${await deadPort()}/escale/foghorns` } },
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      const sid = decodeURIComponent(String(r.headers.location).split('/').pop()!);
      await t.call({
        method: 'POST',
        url: `${API}/entities`,
        json: { id: 'urn:ngsi-ld:Foghorn:1', type: 'Foghorn', on: { type: 'Property', value: 1 } },
      });
      const s = await eventually(async () => {
        const g = (await t.call({ method: 'GET', url: `${API}/subscriptions/${enc(sid)}` })).json();
        return g.notification.timesFailed >= 1 ? g : undefined;
      });
      assert.equal(s.notification.status, 'failed');
    });
  });
}
