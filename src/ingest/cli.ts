import type { Command } from 'commander';
import { registerAisCommands } from './ais/cli.js';
import { registerMobilityCommands } from './commands.js';

/** Ingestion commands (`escale ais ...`, `escale import ...`); each connector adds its own here. */
export function registerIngestCommands(program: Command): void {
  registerAisCommands(program);
  registerMobilityCommands(program);
}
