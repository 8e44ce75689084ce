/**
 * Truck gate events from CSV exports of terminal operating systems. A header row names the columns, in
 * English or French, in any order and case: time (timestamp, date, horodatage), terminal, lane (voie),
 * direction (event, type, sens, mouvement: in/out, gate-in/gate-out, entrée/sortie, E/S), plate
 * (immatriculation, plaque, registration) and an optional id. Separators `,` `;` or tab are recognised.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { GateEvent } from '../mobility/gates.js';

export type CsvRow = { line: number; event: GateEvent } | { line: number; error: string };

const COLUMNS: Record<string, keyof GateEvent> = {
  time: 'time',
  timestamp: 'time',
  date: 'time',
  datetime: 'time',
  horodatage: 'time',
  heure: 'time',
  terminal: 'terminal',
  terminalcode: 'terminal',
  lane: 'lane',
  voie: 'lane',
  gate: 'lane',
  direction: 'direction',
  event: 'direction',
  eventtype: 'direction',
  type: 'direction',
  sens: 'direction',
  mouvement: 'direction',
  movement: 'direction',
  plate: 'plate',
  licenseplate: 'plate',
  registration: 'plate',
  immatriculation: 'plate',
  plaque: 'plate',
  id: 'id',
  eventid: 'id',
};

const DIRECTIONS: Record<string, 'in' | 'out'> = {
  in: 'in',
  gatein: 'in',
  i: 'in',
  e: 'in',
  entree: 'in',
  entry: 'in',
  arrival: 'in',
  out: 'out',
  gateout: 'out',
  o: 'out',
  s: 'out',
  sortie: 'out',
  exit: 'out',
  departure: 'out',
};

const squash = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** "2024-05-02 08:15" or "2024-05-02T08:15:00" without an offset gets `utcOffset` (e.g. "+02:00"). */
export function withOffset(time: string, utcOffset: string | undefined): string {
  const t = time.trim().replace(' ', 'T');
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(t) || !utcOffset) return t;
  return t + (utcOffset === 'Z' || utcOffset === '+00:00' ? 'Z' : utcOffset);
}

export interface GateCsvOptions {
  /** Offset given to times that have none ("Z", "+01:00"); without it such rows are errors. */
  utcOffset?: string;
}

/** Reads a CSV stream row by row; a row is either a GateEvent or an error naming what is wrong with it. */
export async function* readGateCsv(input: Readable, options: GateCsvOptions = {}): AsyncGenerator<CsvRow> {
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter: [',', ';', '\t'],
      columns: (header: string[]) => header.map((h) => COLUMNS[squash(h)] ?? `ignored:${h}`),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  let checked = false;
  for await (const record of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const r = record.record;
    const line = record.info.lines;
    if (!checked) {
      checked = true;
      const missing = (['time', 'terminal', 'direction', 'plate'] as const).filter((c) => !(c in r));
      if (missing.length) throw new Error(`the header has no ${missing.join(', ')} column`);
    }
    const direction = DIRECTIONS[squash(r.direction ?? '')];
    if (!direction) {
      yield { line, error: `direction "${r.direction ?? ''}" is neither in nor out` };
      continue;
    }
    if (!r.plate) {
      yield { line, error: 'no plate' };
      continue;
    }
    if (!r.terminal) {
      yield { line, error: 'no terminal' };
      continue;
    }
    const event: GateEvent = {
      terminal: r.terminal,
      direction,
      plate: r.plate,
      time: withOffset(r.time ?? '', options.utcOffset),
    };
    if (r.lane) event.lane = r.lane.slice(0, 32);
    if (r.id) event.id = r.id.slice(0, 128);
    yield { line, event };
  }
}
