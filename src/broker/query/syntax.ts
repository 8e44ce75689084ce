import { badRequest, type ProblemError } from '../../http/problem.js';

/** Longest query string accepted, in UTF-8 bytes. */
export const MAX_QUERY_BYTES = 4096;
/** Deepest nesting of parentheses (and linked-entity braces) accepted. */
export const MAX_DEPTH = 32;

export type Language = 'q' | 'type selector' | 'scopeQ';

/** Shared by the three parsers: cursor, whitespace, errors that quote the position and the input. */
export class Cursor {
  pos = 0;
  depth = 0;
  constructor(
    readonly src: string,
    readonly lang: Language,
  ) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }
  peek(offset = 0): string {
    return this.src.charAt(this.pos + offset);
  }
  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }
  /** The spec's grammars have no whitespace; tolerate it between tokens (a decoded `+` is a space). */
  skipSpace(): void {
    while (this.pos < this.src.length && isSpace(this.src.charCodeAt(this.pos))) this.pos++;
  }
  error(message: string, at = this.pos): ProblemError {
    return syntaxError(this.lang, this.src, at, message);
  }
  /** "unexpected ')'" or "unexpected end" at the cursor. */
  unexpected(expected?: string): ProblemError {
    const what = this.done ? 'end' : `'${charAt(this.src, this.pos)}'`;
    return this.error(`unexpected ${what}${expected ? `, expected ${expected}` : ''}`);
  }
  enter(at: number): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH}`, at);
  }
  leave(): void {
    this.depth--;
  }
}

export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** The whole code point at i (so errors never print half a surrogate pair). */
export function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

export function syntaxError(lang: Language, src: string, at: number, message: string): ProblemError {
  const shown = src.length > 200 ? `${src.slice(0, 200)}…` : src;
  return badRequest(`${message} at position ${at} in ${lang}: ${shown}`);
}

/**
 * Rejects what no parser should see: empty input, input over the size limit, NUL (PostgreSQL text cannot
 * hold it) and lone surrogates (not representable in UTF-8).
 */
export function checkInput(src: unknown, lang: Language): string {
  if (typeof src !== 'string') throw badRequest(`${lang} must be a string`);
  if (src.trim() === '') throw badRequest(`empty ${lang}`);
  const bytes = Buffer.byteLength(src, 'utf8');
  if (bytes > MAX_QUERY_BYTES)
    throw badRequest(`${lang} is too long (${bytes} bytes, at most ${MAX_QUERY_BYTES})`);
  const bad = findInvalidChar(src);
  if (bad >= 0) {
    throw syntaxError(
      lang,
      src,
      bad,
      `invalid character U+${src.charCodeAt(bad).toString(16).padStart(4, '0')}`,
    );
  }
  return src;
}

/** Index of the first NUL or lone surrogate, or -1. */
export function findInvalidChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}
