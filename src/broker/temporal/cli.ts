import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config.js';
import { type Db, openDb } from '../../db/db.js';
import { migrate } from '../../db/migrate.js';
import { createContextResolver } from '../jsonld/contexts.js';
import { listRetentionRules } from './repository.js';
import { parseRetentionSpec, replaceRetentionRules } from './retention.js';
import { applyTemporalRetention } from './service.js';

/** Exit codes as in src/cli.ts: 1 runtime failure, 3 configuration or store unavailable. */
const FAILURE = 1;
const UNAVAILABLE = 3;

interface StoreOpts {
  databaseUrl?: string;
  dataDir?: string;
  retention?: string;
}

const instant = (v: string) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('an ISO 8601 date-time');
  return new Date(t);
};

/**
 * Opens the store, applies ESCALE_TEMPORAL_RETENTION (or --retention) when given, as `escale serve` does,
 * then runs `fn`.
 */
async function withStore(opts: StoreOpts, fn: (db: Db) => Promise<void>): Promise<void> {
  const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  const spec = opts.retention ?? config.temporalRetention;
  let rules: ReturnType<typeof parseRetentionSpec> | undefined;
  let db: Db;
  try {
    if (spec !== undefined) {
      // Type terms are expanded with the core context only (offline: it is built in).
      const core = (await createContextResolver({})).core;
      rules = parseRetentionSpec(spec, (t) => core.expand(t));
    }
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    console.error(`escale: ${(err as Error).message}`);
    process.exit(UNAVAILABLE);
  }
  try {
    await migrate(db);
    if (rules) await replaceRetentionRules(db, rules);
    await fn(db);
  } catch (err) {
    console.error(`escale: ${(err as Error).message}`);
    process.exitCode = FAILURE;
  } finally {
    await db.close();
  }
}

/** `escale temporal retention` (list the rules) and `escale temporal prune` (apply them now). */
export function registerTemporalCommands(program: Command): void {
  const temporal = program.command('temporal').description('history of entities (NGSI-LD temporal API)');
  const store = (c: Command) =>
    c
      .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
      .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
      .option(
        '--retention <rules>',
        `retention rules replacing the stored ones, e.g. '*=P90D,port/Vessel=P2Y' (env ESCALE_TEMPORAL_RETENTION)`,
      );

  store(temporal.command('retention'))
    .description('list the retention rules of the history (tenant, entity type, how long it is kept)')
    .action(async (opts: StoreOpts) => {
      await withStore(opts, async (db) => {
        const rules = await listRetentionRules(db);
        if (rules.length === 0) console.log('no retention rule: history is kept forever');
        for (const r of rules) {
          const tenant = r.tenant === '*' ? 'every tenant' : r.tenant === '' ? 'default tenant' : r.tenant;
          console.log(`${tenant}\t${r.entityType || 'every type'}\t${r.keep}`);
        }
      });
    });

  store(temporal.command('prune'))
    .description('delete the history older than its retention now; drop expired monthly partitions')
    .option('--at <date-time>', 'prune as of this instant instead of now (ISO 8601)', instant)
    .action(async (opts: StoreOpts & { at?: Date }) => {
      await withStore(opts, async (db) => {
        const r = await applyTemporalRetention(db, opts.at);
        console.log(
          `deleted ${r.deletedInstances} instance(s); dropped ${r.droppedPartitions.length} partition(s)` +
            (r.droppedPartitions.length ? `: ${r.droppedPartitions.join(', ')}` : ''),
        );
      });
    });
}
