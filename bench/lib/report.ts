/** Tables for the console and for Markdown. */

export interface TableRow {
  operation: string;
  escale: string;
  raw: string;
  ratio: string;
  target: string;
}

const HEADER: TableRow = {
  operation: 'operation',
  escale: 'Escale',
  raw: 'raw SQL',
  ratio: 'Escale/raw',
  target: 'target',
};
const KEYS = ['operation', 'escale', 'raw', 'ratio', 'target'] as const;
const RIGHT = new Set<string>(['escale', 'raw', 'ratio']);

/** Width in terminal columns, counting each code point as one. */
const width = (s: string) => [...s].length;
const pad = (s: string, w: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
};

export function textTable(rows: readonly TableRow[]): string[] {
  const all = [HEADER, ...rows];
  const widths = KEYS.map((k) => Math.max(...all.map((r) => width(r[k]))));
  const line = (r: TableRow) =>
    KEYS.map((k, i) => pad(r[k], widths[i], RIGHT.has(k) && r !== HEADER)).join(' | ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)];
}

export function markdownTable(rows: readonly TableRow[]): string[] {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const line = (r: TableRow) => `| ${KEYS.map((k) => esc(r[k])).join(' | ')} |`;
  return [
    line(HEADER),
    `| ${KEYS.map((k) => (RIGHT.has(k) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map(line),
  ];
}
