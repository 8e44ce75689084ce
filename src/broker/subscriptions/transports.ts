import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { MqttClient } from 'mqtt';
import type { KeyValue } from './model.js';
import { bareHost, guardedLookup, resolveAllowed } from './targets.js';

/** One notification on the wire: what the dispatcher hands to a transport. */
export interface Outgoing {
  url: URL;
  /** The Notification (JSON text). */
  body: string;
  /** HTTP headers (content type, Link, tenant, receiverInfo, Idempotency-Key). */
  headers: Record<string, string>;
  notifierInfo?: KeyValue[];
}

/** A delivery failure. `endpointDown` says the endpoint as a whole is unreachable or unwell. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly endpointDown: boolean,
  ) {
    super(message);
  }
}

export interface TransportOptions {
  timeoutMs: number;
  /** Sockets per HTTP endpoint (the dispatcher's concurrency per endpoint). */
  concurrency: number;
  allow: Set<string>;
}

/**
 * HTTP(S) POST with node:http: keep-alive agents per origin, a deadline on the whole exchange, and the SSRF
 * guard in the socket's own DNS lookup, so the address checked is the one connected to.
 */
export class HttpTransport {
  private readonly agents = new Map<string, http.Agent>();
  private readonly active = new Set<http.ClientRequest>();

  constructor(private readonly opts: TransportOptions) {}

  private agent(url: URL): http.Agent {
    let a = this.agents.get(url.origin);
    if (!a) {
      const o = { keepAlive: true, maxSockets: this.opts.concurrency, maxFreeSockets: this.opts.concurrency };
      a = url.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
      this.agents.set(url.origin, a);
    }
    return a;
  }

  async send(o: Outgoing): Promise<void> {
    const { url } = o;
    // An IP literal never reaches the lookup: check it here.
    await resolveAllowed(url.hostname, this.opts.allow).catch((err: Error) => {
      throw new DeliveryError(err.message, true);
    });
    const mod = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(o.body, 'utf8');
    await new Promise<void>((resolve, reject) => {
      const req = mod.request({
        protocol: url.protocol,
        hostname: bareHost(url.hostname),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...o.headers, 'Content-Length': String(body.length) },
        agent: this.agent(url),
        lookup: guardedLookup(this.opts.allow),
      });
      this.active.add(req);
      const timer = setTimeout(
        () => req.destroy(new DeliveryError(`no answer within ${this.opts.timeoutMs} ms`, true)),
        this.opts.timeoutMs,
      );
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.active.delete(req);
        if (err) reject(err instanceof DeliveryError ? err : new DeliveryError(err.message, true));
        else resolve();
      };
      req.on('error', done);
      req.on('response', (res) => {
        res.on('error', done);
        res.resume();
        res.on('end', () => {
          const s = res.statusCode ?? 0;
          if (s >= 200 && s < 300) done();
          else done(new DeliveryError(`HTTP ${s}`, s >= 500 || s === 429 || s === 408));
        });
      });
      req.end(body);
    });
  }

  close(): void {
    for (const r of this.active) r.destroy(new DeliveryError('shutting down', false));
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/**
 * MQTT publication (GS CIM 009 clause 7): the message is `{"metadata": {...}, "body": <Notification>}` on the
 * topic of the endpoint URI, QoS 1 unless notifierInfo MQTT-QoS says otherwise; one connection per broker
 * and credentials, opened on first use and kept while it works.
 */
export class MqttTransport {
  private readonly clients = new Map<string, Promise<MqttClient>>();

  constructor(private readonly opts: TransportOptions) {}

  private client(url: URL, version: 4 | 5): Promise<MqttClient> {
    const key = `${url.protocol}//${url.username}:${url.password}@${url.host}#${version}`;
    let p = this.clients.get(key);
    if (!p) {
      p = this.connect(url, version);
      this.clients.set(key, p);
      const forget = () => {
        if (this.clients.get(key) === p) this.clients.delete(key);
      };
      p.then((c) => {
        c.on('close', forget);
        c.on('error', forget);
      }, forget);
    }
    return p;
  }

  private async connect(url: URL, version: 4 | 5): Promise<MqttClient> {
    const host = bareHost(url.hostname);
    // Resolve and check once, then connect to the checked address (TLS still verifies the name).
    const addresses = await resolveAllowed(host, this.opts.allow).catch((err: Error) => {
      throw new DeliveryError(err.message, true);
    });
    const tls = url.protocol === 'mqtts:';
    // Loaded on first use: most deployments never notify over MQTT, and the library weighs on idle memory.
    const { default: mqtt } = await import('mqtt');
    const c = mqtt.connect({
      protocol: tls ? 'mqtts' : 'mqtt',
      host: addresses[0].address,
      port: url.port ? Number(url.port) : tls ? 8883 : 1883,
      servername: tls ? host : undefined,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      protocolVersion: version,
      clientId: `escale-${randomUUID()}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.opts.timeoutMs,
      queueQoSZero: false,
    });
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        c.end(true);
        reject(new DeliveryError(`MQTT broker ${url.host}: ${err.message}`, true));
      };
      c.once('connect', () => {
        c.off('error', fail);
        resolve(c);
      });
      c.once('error', fail);
      c.once('close', () => fail(new Error('connection closed')));
    });
  }

  async send(o: Outgoing): Promise<void> {
    const info = new Map((o.notifierInfo ?? []).map((kv) => [kv.key, kv.value]));
    const version = info.get('MQTT-Version') === 'mqtt5.0' ? 5 : 4;
    const qos = Number(info.get('MQTT-QoS') ?? '1') as 0 | 1 | 2;
    const topic = decodeURIComponent(o.url.pathname.replace(/^\//, ''));
    const payload = `{"metadata":${JSON.stringify(o.headers)},"body":${o.body}}`;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeliveryError(`no acknowledgement within ${this.opts.timeoutMs} ms`, true)),
        this.opts.timeoutMs,
      );
    });
    try {
      const c = await Promise.race([this.client(o.url, version), deadline]);
      await Promise.race([c.publishAsync(topic, payload, { qos }), deadline]);
    } catch (err) {
      throw err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, true);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (c) => c.endAsync(true),
          () => undefined,
        ),
      ),
    );
  }
}
