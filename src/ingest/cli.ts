import type { Command } from 'commander';

/** Ingestion commands (`escale ais ...`, `escale import ...`); each connector adds its own here. */
export function registerIngestCommands(_program: Command): void {}
