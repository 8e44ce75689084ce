import type { FastifyInstance } from 'fastify';
import { buildApp, contextResolverFor } from './app.js';
import { createBroker } from './broker/index.js';
import { type Config, redactUrl } from './config.js';
import { type Db, openDb } from './db/db.js';
import { migrate } from './db/migrate.js';
import { seedDemo } from './demo/le-havre.js';

export interface Running {
  app: FastifyInstance;
  db: Db;
  url: string;
  stop(): Promise<void>;
}

/** The composition root: opens the store, applies migrations, starts the HTTP server. */
export async function start(config: Config): Promise<Running> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const migrated = await migrate(db);
  const broker = createBroker(db, await contextResolverFor(config));
  const app = await buildApp({ config, db, broker });
  if (config.demo) {
    const seeded = await seedDemo(broker);
    app.log.info(
      seeded,
      seeded.skipped ? 'demo: store not empty, left alone' : 'demo: Le Havre reference data loaded',
    );
  }
  app.log.info(
    {
      store: config.databaseUrl ? redactUrl(config.databaseUrl) : `embedded PGlite in ${config.dataDir}`,
      migrationsApplied: migrated.applied,
      schemaVersion: migrated.current,
    },
    'store ready',
  );
  const url = await app.listen({ port: config.port, host: config.host });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      await db.close();
    })();
    return stopping;
  };
  return { app, db, url, stop };
}
