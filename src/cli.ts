#!/usr/bin/env -S node --max-semi-space-size=8
// The young generation is capped at 2 x 8 MB (V8's default is 2 x 16 MB): idle memory ~20 MB lower, the same
// request rates in `npm run bench:broker`. `npm start` passes the same flag.
import { Command, InvalidArgumentError } from 'commander';
import { registerTemporalCommands } from './broker/temporal/cli.js';
import { ConfigError, loadConfig } from './config.js';
import { openDb } from './db/db.js';
import { migrate } from './db/migrate.js';
import { registerGovernanceCommands } from './governance/cli.js';
import { registerIngestCommands } from './ingest/cli.js';
import { start } from './main.js';
import { version } from './version.js';

/** Exit codes: 0 success, 1 runtime failure, 2 usage error (commander), 3 configuration or store unavailable. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unavailable: 3 } as const;

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return n;
};

const program = new Command()
  .name('escale')
  .description("Escale: the data hub, data space, observatory and innovation hub of a port city's programme")
  .version(version)
  .showHelpAfterError()
  // Settings are inherited by subcommands created after this point.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

program
  .command('serve')
  .description('run the platform (HTTP API, web application) until interrupted')
  .option('-p, --port <port>', 'port to listen on (env PORT, default 8080)', port)
  .option('--host <host>', 'address to bind (env HOST, default 0.0.0.0)')
  .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
  .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
  .option('--no-demo', 'do not load the Le Havre demo into an empty store (env ESCALE_DEMO=0)')
  .action(
    async (opts: { port?: number; host?: string; databaseUrl?: string; dataDir?: string; demo: boolean }) => {
      const config = loadConfig(process.env, {
        port: opts.port,
        host: opts.host,
        databaseUrl: opts.databaseUrl,
        dataDir: opts.dataDir,
        demo: opts.demo === false ? false : undefined,
      });
      let running: Awaited<ReturnType<typeof start>>;
      try {
        running = await start(config);
      } catch (err) {
        console.error(`escale: cannot start: ${(err as Error).message}`);
        process.exit(EXIT.unavailable);
      }
      const shutdown = (signal: string) => {
        running.app.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(EXIT.failure), 15_000);
        force.unref();
        running.stop().then(
          () => process.exit(EXIT.ok),
          () => process.exit(EXIT.failure),
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    },
  );

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
  .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
  .action(async (opts: { databaseUrl?: string; dataDir?: string }) => {
    const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
    let db: Awaited<ReturnType<typeof openDb>>;
    try {
      db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    } catch (err) {
      console.error(`escale: cannot open the store: ${(err as Error).message}`);
      process.exit(EXIT.unavailable);
    }
    try {
      const r = await migrate(db);
      for (const name of r.applied) console.log(`applied ${name}`);
      console.log(
        r.applied.length ? `schema at version ${r.current}` : `schema up to date (version ${r.current})`,
      );
    } catch (err) {
      console.error(`escale: migration failed: ${(err as Error).message}`);
      process.exitCode = EXIT.failure;
    } finally {
      await db.close();
    }
  });

registerIngestCommands(program);
registerGovernanceCommands(program);
registerTemporalCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`escale: ${err.message}`);
  process.exit(EXIT.unavailable);
}
