import type { FastifyInstance } from 'fastify';
import { buildApp, contextResolverFor } from './app.js';
import { createBroker } from './broker/index.js';
import { seedCatalogDemo } from './catalog/index.js';
import { type Config, redactUrl } from './config.js';
import { type Db, openDb } from './db/db.js';
import { startEmbeddedMaintenance } from './db/maintenance.js';
import { migrate } from './db/migrate.js';
import { seedDemo } from './demo/le-havre.js';
import { DEMO_ADMIN_EMAIL, seedGovernanceDemo } from './governance/demo.js';
import { createEntityBatcher } from './ingest/batcher.js';
import { brokerWriter, createIngest } from './ingest/index.js';
import { seedInnovationDemo } from './innovation/index.js';
import { createMobility } from './mobility/index.js';
import { seedObservatoryDemo, seedObservatoryStaff } from './observatory/index.js';
import {
  backfillWasteReadings,
  planDemoRounds,
  seedWasteContainers,
  type WasteDemoSeed,
} from './waste/demo.js';

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
  // Vessels and port calls share one coalescing writer: one upsert per second, however busy the feeds.
  const batcher = createEntityBatcher({
    write: brokerWriter(broker),
    intervalMs: config.aisFlushMs,
    maxEntities: config.aisFlushMax,
    onError: (err, entities) => app.log.warn({ err: err.message, entities }, 'ais: batch write failed'),
  });
  const mobility = createMobility(config, { db, broker, batcher });
  const ingest = createIngest(config, { batcher, onPosition: mobility.onPosition });
  const app = await buildApp({ config, db, broker, ingest, mobility });
  let wasteSeed: WasteDemoSeed | undefined;
  if (config.demo) {
    const seeded = await seedDemo(broker);
    app.log.info(
      seeded,
      seeded.skipped ? 'demo: store not empty, left alone' : 'demo: Le Havre reference data loaded',
    );
    wasteSeed = await seedWasteContainers(db, broker);
    if (!wasteSeed.skipped)
      app.log.info({ containers: wasteSeed.containers }, 'demo: waste containers created');
    const obs = await seedObservatoryDemo(db);
    app.log.info(
      obs,
      obs.skipped ? 'demo: observatory programme present' : 'demo: observatory programme loaded',
    );
    const people = await seedGovernanceDemo(app.governance, config);
    app.log.info(
      {
        organisations: people.organisations,
        admin: DEMO_ADMIN_EMAIL,
        passwordFile: people.adminPasswordFile,
      },
      people.adminCreated
        ? 'demo: organisations and platform administrator created'
        : 'demo: organisations ready',
    );
    await seedObservatoryStaff(db, (slug) => app.governance.repo.getOrgBySlug(slug));
    const catalog = await seedCatalogDemo(db, (slug) => app.governance.repo.getOrgBySlug(slug));
    if (!catalog.skipped) app.log.info(catalog, 'demo: catalog datasets created');
    const hub = await seedInnovationDemo(db);
    if (!hub.skipped) app.log.info(hub, 'demo: innovation communities and events created');
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
  // Connectors start once the server is up (and after the demo seed, which only fills an empty store).
  batcher.start();
  await mobility.start(app.log);
  ingest.start(app.log);
  // PGlite has no autovacuum: the server does its work (a statistics query a round when nothing is due).
  const maintenance = startEmbeddedMaintenance(db, config.dataMaintenanceMs, app.log);
  // The waste demo's reading history loads in the background (the forecasts need it, the server does not).
  const wasteAbort = new AbortController();
  const wasteBackfill =
    wasteSeed && !wasteSeed.skipped
      ? backfillWasteReadings(db, wasteSeed.readings(), wasteAbort.signal)
          .then((readings) => {
            if (wasteAbort.signal.aborted) return; // stopping: no planning on a partial history
            app.log.info({ readings }, 'demo: waste readings loaded');
            // Tomorrow's rounds, planned on those readings, for the port map; not awaited by stop().
            planDemoRounds(db, broker).then(
              (plan) => {
                if (plan)
                  app.log.info({ rounds: plan.rounds.length, date: plan.date }, 'demo: waste rounds planned');
              },
              (err: Error) => {
                if (!wasteAbort.signal.aborted) app.log.warn({ err: err.message }, 'demo: waste rounds');
              },
            );
          })
          .catch((err: Error) => app.log.warn({ err: err.message }, 'demo: waste readings'))
      : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      maintenance.stop();
      await app.close(); // stops accepting, lets in-flight requests finish
      await ingest.stop();
      await mobility.stop();
      await batcher.close(); // the last positions and port-call changes
      wasteAbort.abort();
      await wasteBackfill;
      await db.close();
    })();
    return stopping;
  };
  return { app, db, url, stop };
}
