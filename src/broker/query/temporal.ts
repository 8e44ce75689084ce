/**
 * DateTime, Date and Time literals of the query language, and their comparison with stored values.
 *
 * Literals are normalised to UTC here. Stored values are strings in several ISO 8601 spellings (the broker
 * keeps them as sent), so they are compared in SQL: a value is cast to timestamptz (or time) only after a
 * regular expression has checked it is a valid calendar date and time in a spelling PostgreSQL reads, so a
 * cast can never fail, and only values with a zone (or none, taken as UTC) are cast, so nothing depends on
 * the session time zone. (jsonpath's `.datetime()` cannot read the `Z` suffix and raises errors no mode
 * suppresses when zoned and unzoned values meet, which rules it out.)
 */
export type TemporalType = 'dateTime' | 'date' | 'time';

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)?$/;

/** Shapes a q value token may have; the parser uses them to pick the literal type. */
export const DATE_TIME_TOKEN =
  /\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+\- ]\d{2}(?::?\d{2})?)?/y;
export const DATE_TOKEN = /\d{4}-\d{2}-\d{2}/y;
export const TIME_TOKEN = /\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+\- ]\d{2}(?::?\d{2})?)?/y;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Proleptic Gregorian, as PostgreSQL: an impossible date must be refused here, not fail in SQL. */
function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && leap ? 29 : DAYS[m - 1];
}

/** Sub-microsecond digits are dropped: PostgreSQL keeps microseconds. */
function fraction(digits: string | undefined): string {
  return digits ? digits.slice(0, 6) : '';
}

/** Offset in minutes east of UTC, or undefined when malformed. `' '` is a `+` decoded from a URL. */
function offsetMinutes(
  sign: string | undefined,
  hh: string | undefined,
  mm: string | undefined,
): number | undefined {
  if (!sign) return 0;
  const h = Number(hh);
  const m = Number(mm ?? '0');
  if (h > 15 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** `2026-11-23T09:00:00.5+01:00` -> `2026-11-23T08:00:00.5Z`; undefined when not a valid instant. */
export function normaliseDateTime(text: string): string | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const s = Number(m[6] ?? '0');
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const off = offsetMinutes(m[9], m[10], m[11]);
  if (off === undefined) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi - off, s, 0);
  const year = t.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  const frac = fraction(m[7]);
  return (
    `${pad(year, 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}` +
    `T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${frac ? `.${frac}` : ''}Z`
  );
}

export function normaliseDate(text: string): string | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return text;
}

/** `09:30:00+01:00` -> `08:30:00Z` (wrapping around midnight); undefined when invalid. */
export function normaliseTime(text: string): string | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const [h, mi] = [m[1], m[2]].map(Number);
  const s = Number(m[3] ?? '0');
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const off = offsetMinutes(m[6], m[7], m[8]);
  if (off === undefined) return undefined;
  const minutes = (((h * 60 + mi - off) % 1440) + 1440) % 1440;
  const frac = fraction(m[4]);
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:${pad(s)}${frac ? `.${frac}` : ''}Z`;
}

export type TemporalOp = '==' | '>' | '>=' | '<' | '<=';

export interface TemporalTest {
  op: TemporalOp;
  type: TemporalType;
  /** Normalised literal (see normalise*). */
  value: string;
}

// Validation of stored values; [0-9] rather than \d keeps backslashes out of the SQL text.
const DAY =
  '(?:(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)' +
  '|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29)';
const CLOCK = '(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,9})?)?';
const ZONE = '(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)';

/** SQL: the instant a stored JSON value stands for, or NULL (typed literals are read on `@value`). */
function instantOf(s: string): string {
  return (
    `CASE WHEN ${s} ~ '^${DAY}T${CLOCK}${ZONE}$' THEN ${s}::timestamptz` +
    ` WHEN ${s} ~ '^${DAY}T${CLOCK}$' THEN (${s} || 'Z')::timestamptz` +
    ` WHEN ${s} ~ '^${DAY}$' THEN (${s} || 'T00:00:00Z')::timestamptz END`
  );
}

/** SQL: the UTC time of day a stored JSON value stands for, or NULL. */
function timeOf(s: string): string {
  return (
    `CASE WHEN ${s} ~ '^${CLOCK}${ZONE}$' THEN (${s}::timetz AT TIME ZONE 'UTC')::time` +
    ` WHEN ${s} ~ '^${CLOCK}$' THEN ${s}::time END`
  );
}

/** The literal as PostgreSQL reads it: an instant (a Date is midnight UTC) or a UTC time of day. */
function sqlLiteral(t: TemporalTest): string {
  if (t.type === 'date') return `${t.value}T00:00:00Z`;
  return t.type === 'time' ? t.value.slice(0, -1) : t.value;
}

/**
 * SQL: one of the candidate values (`jsonb_path_query(from, candidates)`) satisfies one of the groups (all
 * tests of a group: a range is a group of two). All tests are Times, or all are DateTimes/Dates.
 */
export function temporalExists(
  from: string,
  candidates: string,
  groups: TemporalTest[][],
  add: (v: unknown) => string,
  alias: string,
): string {
  const time = groups[0][0].type === 'time';
  const cast = time ? 'time' : 'timestamptz';
  const lit = (t: TemporalTest) => `${add(sqlLiteral(t))}::${cast}`;
  const op = (o: TemporalOp) => (o === '==' ? '=' : o);
  let cond: string;
  if (groups.every((g) => g.length === 1 && g[0].op === '==')) {
    cond = `${alias}.t IN (${groups.map((g) => lit(g[0])).join(', ')})`;
  } else {
    cond = groups
      .map((g) => `(${g.map((t) => `${alias}.t ${op(t.op)} ${lit(t)}`).join(' AND ')})`)
      .join(' OR ');
  }
  const str = `${alias}_s.s`;
  return (
    `EXISTS (SELECT 1 FROM (SELECT ${time ? timeOf(str) : instantOf(str)} AS t FROM (` +
    `SELECT CASE WHEN jsonb_typeof(${alias}_j.j) = 'string' THEN ${alias}_j.j #>> '{}' END AS s FROM (` +
    `SELECT COALESCE(${alias}_c.v -> '@value', ${alias}_c.v) AS j FROM jsonb_path_query(${from}, ${candidates}::jsonpath) AS ${alias}_c(v)` +
    `) AS ${alias}_j) AS ${alias}_s) AS ${alias} WHERE ${cond})`
  );
}
