import type { Command } from 'commander';
import { registerAisCommands } from './ais/cli.js';

/** Ingestion commands (`escale ais ...`, `escale import ...`); each connector adds its own here. */
export function registerIngestCommands(program: Command): void {
  registerAisCommands(program);
}
