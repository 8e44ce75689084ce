/**
 * The regular expressions of `~=` / `!~=`, checked and rewritten for PostgreSQL.
 *
 * PostgreSQL compiles a `like_regex` pattern when the jsonpath is parsed and raises an SQL error on any
 * pattern it dislikes, so a pattern must be known-good before it reaches the database. Rather than guess
 * which of PostgreSQL's ARE dialect a user-written pattern happens to hit, this module accepts a well-defined
 * subset common to POSIX ERE, JavaScript and PCRE, and re-emits it in canonical ARE syntax:
 *
 * - literals; `.`; anchors `^` `$`; alternation `|`; groups `( )`, `(?: )`; lookahead `(?= )` `(?! )` and
 *   lookbehind `(?<= )` `(?<! )`;
 * - quantifiers `*` `+` `?` `{n}` `{n,}` `{n,m}` (n, m <= 255), each optionally lazy (`*?`...);
 * - bracket expressions `[a-z]`, `[^...]`, POSIX classes `[[:alpha:]]`, escapes inside;
 * - escapes `\d \D \s \S \w \W`, `\b \B` (word boundaries, emitted as ARE's `\y \Y`), `\A \Z`,
 *   `\n \r \t \f \v`, `\uXXXX`, `\xHH`, and `\` before any punctuation.
 *
 * Back-references, inline options other than a leading `(?i)` (handled by the q parser) and anything else
 * are refused with the position of the offending character.
 */

/** Upper bound on the states a pattern may expand to (bounded repetition copies its operand). */
const MAX_SIZE = 5000;
const MAX_BOUND = 255;

export class RegexError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** ARE's special characters outside brackets; everything else is literal as is. */
const META = new Set(['^', '$', '.', '[', ']', '(', ')', '|', '*', '+', '?', '{', '}', '\\']);
const POSIX_CLASSES = new Set([
  'alnum',
  'alpha',
  'blank',
  'cntrl',
  'digit',
  'graph',
  'lower',
  'print',
  'punct',
  'space',
  'upper',
  'xdigit',
]);

interface Piece {
  out: string;
  size: number;
  quantifiable: boolean;
}

/** Returns the pattern in PostgreSQL ARE syntax, or throws RegexError (position relative to the pattern). */
export function toPostgresRegex(pattern: string): string {
  const p = new RegexParser(pattern);
  const alt = p.alternation();
  if (!p.done) {
    // Only an unbalanced ')' stops an alternation early.
    throw new RegexError("unmatched ')' in regular expression", p.pos);
  }
  if (alt.size > MAX_SIZE) throw new RegexError('regular expression is too complex', 0);
  return alt.out;
}

class RegexParser {
  pos = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  alternation(): Piece {
    const parts = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      parts.push(this.sequence());
    }
    return {
      out: parts.map((p) => p.out).join('|'),
      size: parts.reduce((n, p) => n + p.size, 0),
      quantifiable: true,
    };
  }

  private sequence(): Piece {
    let out = '';
    let size = 0;
    while (!this.done && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atomAt = this.pos;
      const q = this.quantifier(this.atom());
      out += q.out;
      size += q.size;
      if (size > MAX_SIZE) throw new RegexError('regular expression is too complex', atomAt);
    }
    return { out, size, quantifiable: true };
  }

  private quantifier(atom: Piece): Piece {
    const c = this.src[this.pos];
    if (c !== '*' && c !== '+' && c !== '?' && c !== '{') return atom;
    const at = this.pos;
    if (!atom.quantifiable) throw new RegexError(`nothing to repeat before '${c}'`, at);
    let out: string;
    let factor = 1;
    if (c === '{') {
      const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(this.src.slice(at));
      if (!m) throw new RegexError("invalid repetition '{' (write '\\{' for a literal brace)", at);
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      if (min > MAX_BOUND || (max !== undefined && max > MAX_BOUND)) {
        throw new RegexError(`repetition count above ${MAX_BOUND}`, at);
      }
      if (max !== undefined && max < min) throw new RegexError('repetition bounds are reversed', at);
      factor = Math.max(1, max ?? min + 1);
      out = m[0];
      this.pos += m[0].length;
    } else {
      out = c;
      this.pos++;
    }
    if (this.src[this.pos] === '?') {
      out += '?';
      this.pos++;
    }
    const next = this.src[this.pos];
    if (next === '*' || next === '+' || next === '?' || next === '{') {
      throw new RegexError(`nothing to repeat before '${next}'`, this.pos);
    }
    return { out: atom.out + out, size: atom.size * factor, quantifiable: false };
  }

  private atom(): Piece {
    const at = this.pos;
    const c = this.src[at];
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.bracket();
      case '.':
        this.pos++;
        return { out: '.', size: 1, quantifiable: true };
      case '^':
      case '$':
        this.pos++;
        return { out: c, size: 1, quantifiable: false };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new RegexError(`nothing to repeat before '${c}'`, at);
      case '{':
        throw new RegexError("invalid repetition '{' (write '\\{' for a literal brace)", at);
      default: {
        const ch = this.char(at);
        this.pos += ch.length;
        return { out: literal(ch), size: 1, quantifiable: true };
      }
    }
  }

  private group(): Piece {
    const open = this.pos;
    if (++this.depth > 32) throw new RegexError('regular expression nests too deeply', open);
    let prefix = '(';
    let quantifiable = true;
    const rest = this.src.slice(open, open + 4);
    if (rest.startsWith('(?')) {
      const kind = ['(?:', '(?=', '(?!', '(?<=', '(?<!'].find((k) => rest.startsWith(k));
      if (!kind)
        throw new RegexError('unsupported group syntax (only (?: (?= (?! (?<= (?<! are accepted)', open);
      prefix = kind;
      quantifiable = kind === '(?:';
    }
    this.pos += prefix.length;
    const inner = this.alternation();
    if (this.src[this.pos] !== ')') throw new RegexError("missing ')' in regular expression", open);
    this.pos++;
    this.depth--;
    return { out: `${prefix}${inner.out})`, size: Math.max(1, inner.size), quantifiable };
  }

  private escape(): Piece {
    const at = this.pos;
    const c = this.src[at + 1];
    if (c === undefined) throw new RegexError('trailing backslash in regular expression', at);
    this.pos += 2;
    if ('dDsSwW'.includes(c)) return { out: `\\${c}`, size: 1, quantifiable: true };
    if (c === 'b') return { out: '\\y', size: 1, quantifiable: false };
    if (c === 'B') return { out: '\\Y', size: 1, quantifiable: false };
    if (c === 'A' || c === 'Z') return { out: `\\${c}`, size: 1, quantifiable: false };
    const ch = this.charEscape(c, at);
    return { out: literal(ch), size: 1, quantifiable: true };
  }

  /** Escapes that stand for one character (shared with brackets); returns that character. */
  private charEscape(c: string, at: number): string {
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'u':
        return this.hexEscape(4, at);
      case 'x':
        return this.hexEscape(2, at);
    }
    if (/[0-9]/.test(c)) throw new RegexError('back-references are not supported', at);
    if (/[A-Za-z]/.test(c)) throw new RegexError(`unsupported escape '\\${c}'`, at);
    // Punctuation and non-ASCII: the character itself (a surrogate pair is one character).
    const ch = this.char(at + 1);
    this.pos += ch.length - 1;
    return ch;
  }

  /** The code point at i; a lone surrogate has no UTF-8 form and cannot reach PostgreSQL. */
  private char(i: number): string {
    const cp = this.src.codePointAt(i) ?? 0;
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0) throw new RegexError('invalid character', i);
    return String.fromCodePoint(cp);
  }

  private hexEscape(digits: number, at: number): string {
    const hex = this.src.slice(this.pos, this.pos + digits);
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) {
      throw new RegexError(`invalid escape, expected ${digits} hex digits`, at);
    }
    this.pos += digits;
    let cp = Number.parseInt(hex, 16);
    if (digits === 4 && cp >= 0xd800 && cp <= 0xdbff && this.src.slice(this.pos, this.pos + 2) === '\\u') {
      const low = Number.parseInt(this.src.slice(this.pos + 2, this.pos + 6), 16);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        this.pos += 6;
      }
    }
    if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff)) throw new RegexError('invalid character escape', at);
    return String.fromCodePoint(cp);
  }

  private bracket(): Piece {
    const open = this.pos;
    this.pos++;
    let out = '[';
    if (this.src[this.pos] === '^') {
      out += '^';
      this.pos++;
    }
    let items = 0;
    for (;;) {
      if (this.done) throw new RegexError("missing ']' in regular expression", open);
      const at = this.pos;
      const c = this.src[at];
      if (c === ']') {
        if (items === 0) throw new RegexError("empty brackets (write '\\]' for a literal ']')", at);
        this.pos++;
        break;
      }
      items++;
      if (c === '[' && this.src[at + 1] === ':') {
        const m = /^\[:([a-z]+):\]/.exec(this.src.slice(at));
        if (!m || !POSIX_CLASSES.has(m[1])) throw new RegexError('unknown character class', at);
        out += m[0];
        this.pos += m[0].length;
        continue;
      }
      if (c === '[' && (this.src[at + 1] === '.' || this.src[at + 1] === '=')) {
        throw new RegexError('collating elements are not supported', at);
      }
      if (c === '\\' && /[dsw]/.test(this.src[at + 1] ?? '')) {
        out += this.src.slice(at, at + 2);
        this.pos += 2;
        continue;
      }
      if (c === '\\' && /[DSWB]/.test(this.src[at + 1] ?? '')) {
        throw new RegexError(`'\\${this.src[at + 1]}' is not allowed inside brackets`, at);
      }
      const lo = this.bracketChar();
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        const dash = this.pos;
        this.pos++;
        const hiAt = this.pos;
        if (
          this.src[hiAt] === '[' ||
          (this.src[hiAt] === '\\' && /[dswDSW]/.test(this.src[hiAt + 1] ?? ''))
        ) {
          throw new RegexError('invalid range end', hiAt);
        }
        const hi = this.bracketChar();
        if ((lo.codePointAt(0) ?? 0) > (hi.codePointAt(0) ?? 0)) throw new RegexError('invalid range', dash);
        out += `${bracketLiteral(lo)}-${bracketLiteral(hi)}`;
      } else {
        out += bracketLiteral(lo);
      }
    }
    return { out: `${out}]`, size: 1, quantifiable: true };
  }

  /** One character inside brackets, escapes resolved. */
  private bracketChar(): string {
    const at = this.pos;
    const c = this.src[at];
    if (c === '\\') {
      const n = this.src[at + 1];
      if (n === undefined) throw new RegexError('trailing backslash in regular expression', at);
      this.pos += 2;
      if (n === 'b') return '\b';
      return this.charEscape(n, at);
    }
    const ch = this.char(at);
    this.pos += ch.length;
    return ch;
  }
}

/** A character outside brackets, escaped when ARE would read it as an operator. */
function literal(ch: string): string {
  if (META.has(ch)) return `\\${ch}`;
  return controlEscape(ch) ?? ch;
}

/** A character inside brackets: `\`, `]`, `[`, `^` and `-` are escaped (ARE honours `\` in brackets). */
function bracketLiteral(ch: string): string {
  if (ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-') return `\\${ch}`;
  return controlEscape(ch) ?? ch;
}

/** Control characters spelled as ARE escapes, so the pattern stays printable. */
function controlEscape(ch: string): string | undefined {
  const code = ch.charCodeAt(0);
  if (ch.length !== 1 || code >= 0x20) return undefined;
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\f':
      return '\\f';
    case '\v':
      return '\\v';
    case '\b':
      return '\\b';
    default:
      return `\\u${code.toString(16).padStart(4, '0')}`;
  }
}
