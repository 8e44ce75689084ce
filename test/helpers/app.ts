import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, contextResolverFor } from '../../src/app.js';
import { type Broker, createBroker } from '../../src/broker/index.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { type Backend, openTestDb } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  /**
   * app.inject with JSON bodies and the NGSI-LD defaults filled in. Sends the platform administrator's token
   * unless the request carries its own credential; `as: null` calls anonymously, `as: '<token or API key>'`
   * calls as someone else.
   */
  call(opts: InjectOptions & { json?: unknown; as?: string | null }): Promise<LightMyRequestResponse>;
  /** Bearer token of a platform administrator created for this app. */
  adminToken: string;
  /** The broker behind the routes, for tests that drive its service directly. */
  broker: Broker;
  db(): Db;
  dispose(): Promise<void>;
}

export async function startTestApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  const t = await openTestDb(backend);
  const config = loadConfig({ NODE_ENV: 'test', ESCALE_RATE_LIMIT: '0', ...env });
  const broker = createBroker(t.db, await contextResolverFor(config));
  const app = await buildApp({ config, db: t.db, broker });
  await app.ready();
  const admin = await app.governance.createUser({
    email: 'platform-admin@escale.test',
    name: 'Test platform admin',
    platformAdmin: true,
  });
  const adminToken = (await app.governance.tokens.sign(admin!.id)).token;
  return {
    app,
    adminToken,
    broker,
    call(opts) {
      const { json, as, ...rest } = opts;
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
      const own = Object.keys(headers).some((h) => ['authorization', 'x-api-key'].includes(h.toLowerCase()));
      const credential = as === undefined ? adminToken : as;
      if (!own && credential !== null) headers.authorization = `Bearer ${credential}`;
      if (json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      return app.inject({
        ...rest,
        headers,
        payload: json === undefined ? opts.payload : JSON.stringify(json),
      });
    },
    db: () => t.db,
    async dispose() {
      await app.close();
      await t.dispose();
    },
  };
}
