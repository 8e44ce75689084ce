/**
 * Runs the `escale` ingest commands in a child process with the same exit-code policy as src/cli.ts
 * (0 ok, 1 failure, 2 usage), without loading the rest of the application.
 */
import { Command } from 'commander';
import { registerIngestCommands } from '../../../src/ingest/cli.js';

const program = new Command().name('escale');
registerIngestCommands(program);
program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
