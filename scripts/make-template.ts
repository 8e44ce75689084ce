// Builds the migrated PGlite template used by the tests (see test/helpers/db.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { embeddedHandle, openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { templatePath } from '../test/helpers/template.js';

const file = templatePath();
if (!existsSync(file)) {
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  const blob = await embeddedHandle(db)!.dumpDataDir('gzip');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await db.close();
  console.log(`pglite template written: ${file}`);
}
