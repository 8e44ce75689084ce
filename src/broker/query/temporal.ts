import { jpString } from './jsonpath.js';

/**
 * DateTime, Date and Time literals of the query language, and their comparison inside jsonpath.
 *
 * Literals are normalised to UTC here. Stored values are strings in several ISO 8601 spellings; PostgreSQL's
 * jsonpath `.datetime()` reads most of them but not the `Z` suffix NGSI-LD uses everywhere, and comparing a
 * zoned with an unzoned value raises an error that no jsonpath mode suppresses. So each comparison is a set
 * of branches, one per spelling, each guarded by a `like_regex` (jsonpath `&&` short-circuits) so that a
 * value is only ever parsed by a template that fits it and only ever compared with a literal of the same
 * kind (zoned with zoned, unzoned with unzoned). No branch depends on the session time zone.
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

interface Form {
  /** Guard: the stored string has exactly this spelling. */
  re: string;
  /** `.datetime()` template that parses it. */
  template: string;
  /** Compare with the zoned (timestamptz/timetz) or the unzoned spelling of the literal. */
  zoned: boolean;
}

/** Seconds and zone spellings the broker accepts (see model.ts): each gets its own template. */
const SECONDS = [
  { re: '', t: '' },
  { re: ':\\d{2}', t: ':SS' },
  { re: ':\\d{2}\\.\\d{1,6}', t: ':SS.FF6' },
];
/** `Z` parses to an unzoned UTC value (templates cannot read `Z` as a zone); no zone is taken as UTC. */
const ZONES = [
  { re: 'Z', t: '"Z"', zoned: false },
  { re: '[+-]\\d{2}:\\d{2}', t: 'TZH:TZM', zoned: true },
  { re: '[+-]\\d{4}', t: 'TZHTZM', zoned: true },
  { re: '[+-]\\d{2}', t: 'TZH', zoned: true },
  { re: '', t: '', zoned: false },
];

function forms(re: string, template: string): Form[] {
  return SECONDS.flatMap((s) =>
    ZONES.map((z) => ({ re: `^${re}${s.re}${z.re}$`, template: `${template}${s.t}${z.t}`, zoned: z.zoned })),
  );
}

const DATE_TIME_PREFIX = '^\\d{4}-\\d{2}-\\d{2}';
const DATE_TIME_FORMS: Form[] = [
  ...forms(`${DATE_TIME_PREFIX.slice(1)}T\\d{2}:\\d{2}`, 'YYYY-MM-DD"T"HH24:MI'),
  // A bare Date compares as midnight UTC.
  { re: `${DATE_TIME_PREFIX}$`, template: 'YYYY-MM-DD', zoned: false },
];
const TIME_PREFIX = '^\\d{2}:\\d{2}';
const TIME_FORMS: Form[] = forms(TIME_PREFIX.slice(1), 'HH24:MI');

/**
 * jsonpath predicate on `@`: the current item is a temporal string that compares with the literal.
 * `value` is a normalised literal (see normalise*); a Date compares as midnight UTC of that day.
 */
export function temporalPredicate(op: TemporalOp, type: TemporalType, value: string): string {
  const time = type === 'time';
  const instant = type === 'date' ? `${value}T00:00:00Z` : value;
  const [whole, frac = ''] = instant.slice(0, -1).split('.');
  const unzoned = `${whole}.${frac.padEnd(6, '0')}`;
  const list = time ? TIME_FORMS : DATE_TIME_FORMS;
  const prefix = time ? TIME_PREFIX : DATE_TIME_PREFIX;
  const lit = (zoned: boolean) => `${jpString(zoned ? `${unzoned}+00:00` : unzoned)}.datetime()`;
  const branches = list
    .map(
      (f) => `(@ like_regex ${jpString(f.re)} && @.datetime(${jpString(f.template)}) ${op} ${lit(f.zoned)})`,
    )
    .join(' || ');
  // The cheap prefix test first: most strings are not dates at all.
  return `(@ like_regex ${jpString(prefix)} && (${branches}))`;
}
