import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { type Backend, openTestDb } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  /** app.inject with JSON bodies and the NGSI-LD defaults filled in. */
  call(opts: InjectOptions & { json?: unknown }): Promise<LightMyRequestResponse>;
  db(): Db;
  dispose(): Promise<void>;
}

export async function startTestApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  const t = await openTestDb(backend);
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const app = await buildApp({ config, db: t.db });
  await app.ready();
  return {
    app,
    call(opts) {
      const { json, ...rest } = opts;
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
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
