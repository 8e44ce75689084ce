import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadMigrations } from '../../src/db/migrate.js';
import { packageRoot } from '../../src/paths.js';

/** Where the migrated PGlite template for the current set of migrations is kept. */
export function templatePath(): string {
  const h = createHash('sha256');
  for (const m of loadMigrations()) h.update(m.checksum);
  return join(packageRoot(), '.cache', `pglite-template-${h.digest('hex').slice(0, 16)}.tar.gz`);
}
