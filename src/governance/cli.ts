import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { type Db, openDb } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { verifyAudit } from './audit.js';

/** `escale audit verify`: proves the audit chain intact (exit 0) or names the first broken entry (exit 1). */
export function registerGovernanceCommands(program: Command): void {
  const audit = program.command('audit').description('the security audit log');
  audit
    .command('verify')
    .description('check the hash chain of the audit log; exit code 1 and the first broken entry when broken')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); embedded PGlite when absent')
    .option('--data-dir <dir>', 'folder of the embedded store (env ESCALE_DATA_DIR, default ./data)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { databaseUrl?: string; dataDir?: string; json?: boolean }) => {
      const config = loadConfig(process.env, { databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
      let db: Db;
      try {
        db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        await migrate(db);
      } catch (err) {
        console.error(`escale: cannot open the store: ${(err as Error).message}`);
        process.exit(3);
      }
      try {
        const r = await verifyAudit(db);
        if (opts.json) console.log(JSON.stringify(r));
        else if (r.ok) console.log(`audit log intact: ${r.checked} entries, last #${r.lastSeq ?? 0}`);
        else
          console.log(
            `audit log BROKEN at entry #${r.broken!.seq}: ${r.broken!.reason} (${r.checked - 1} entries before it are intact)`,
          );
        process.exitCode = r.ok ? 0 : 1;
      } catch (err) {
        console.error(`escale: audit verification failed: ${(err as Error).message}`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
