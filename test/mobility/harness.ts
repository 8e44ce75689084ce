/**
 * A test application that shares its broker with the caller, so that connectors (the AIS pipeline, the
 * port-call tracker, the gate service) write into the store the HTTP API reads.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Broker, createBroker } from '../../src/broker/index.js';
import { createContextResolver } from '../../src/broker/jsonld/contexts.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import type { IngestRuntime } from '../../src/ingest/index.js';
import type { MobilityRuntime } from '../../src/mobility/index.js';
import { type Backend, openTestDb } from '../helpers/db.js';

export interface Harness {
  app: FastifyInstance;
  db: Db;
  broker: Broker;
  config: Config;
  /** GET a path of the app and parse its JSON. */
  getJson<T = unknown>(url: string): Promise<T>;
  dispose(): Promise<void>;
}

export async function openHarness(
  backend: Backend,
  env: Record<string, string> = {},
  extra: {
    ingest?: (broker: Broker) => IngestRuntime;
    mobility?: (db: Db, broker: Broker, config: Config) => MobilityRuntime;
  } = {},
): Promise<Harness> {
  const t = await openTestDb(backend);
  const config = loadConfig({ NODE_ENV: 'test', ESCALE_DATA_DIR: 'memory://', ...env });
  const broker = createBroker(t.db, await createContextResolver());
  const mobility = extra.mobility?.(t.db, broker, config);
  const ingest = extra.ingest?.(broker);
  const app = await buildApp({ config, db: t.db, broker, ingest, mobility });
  await app.ready();
  return {
    app,
    db: t.db,
    broker,
    config,
    async getJson<T>(url: string) {
      const r = await app.inject({ method: 'GET', url });
      if (r.statusCode !== 200) throw new Error(`GET ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as T;
    },
    async dispose() {
      await app.close();
      await t.dispose();
    },
  };
}
