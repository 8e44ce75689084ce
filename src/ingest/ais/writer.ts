/**
 * ASCII byte writer for the JSON output: numbers and strings are written straight into one growing buffer,
 * so producing a line costs no intermediate strings (building lines from template strings spent most of
 * its time in the garbage collector).
 */

export interface ByteWriter {
  buf: Buffer;
  pos: number;
}

export function createWriter(size = 1 << 16): ByteWriter {
  return { buf: Buffer.allocUnsafe(size), pos: 0 };
}

/** Make room for `n` more bytes. */
export function reserve(o: ByteWriter, n: number): void {
  if (o.pos + n <= o.buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(o.buf.length * 2, o.pos + n));
  o.buf.copy(next, 0, 0, o.pos);
  o.buf = next;
}

/** ASCII text (callers reserve; every string here is short). */
export function ascii(o: ByteWriter, s: string): void {
  const b = o.buf;
  let p = o.pos;
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  o.pos = p;
}

/** Non-negative integer below 2^53. */
export function uint(o: ByteWriter, n: number): void {
  const b = o.buf;
  if (n < 10) {
    b[o.pos++] = 48 + n;
    return;
  }
  if (n < 100) {
    b[o.pos++] = 48 + ((n / 10) | 0);
    b[o.pos++] = 48 + (n % 10);
    return;
  }
  let digits = 3;
  for (let m = 1000; m <= n && digits < 16; m *= 10) digits++;
  let p = o.pos + digits;
  o.pos = p;
  while (digits-- > 0) {
    b[--p] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
}

export function int(o: ByteWriter, n: number): void {
  if (n < 0) {
    o.buf[o.pos++] = 45;
    uint(o, -n);
  } else uint(o, n);
}

/** %02u */
export function uint2(o: ByteWriter, n: number): void {
  if (n < 10) o.buf[o.pos++] = 48;
  uint(o, n);
}

/** raw / 10 with one decimal (%.1f of tenths), raw >= 0. */
export function tenths(o: ByteWriter, raw: number): void {
  uint(o, Math.floor(raw / 10));
  o.buf[o.pos++] = 46;
  o.buf[o.pos++] = 48 + (raw % 10);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000];

/**
 * %.{digits}f of raw / div for an integer raw and an integer divisor, by exact integer arithmetic
 * (|raw| * 10^digits stays far below 2^53 for AIS fields). Only for scales where an exact tie cannot occur
 * (raw * 10^digits / div never ends in exactly .5): there it agrees with printf and Number#toFixed.
 */
export function ratio(o: ByteWriter, raw: number, div: number, digits: number): void {
  const scale = POW10[digits];
  let a = raw;
  if (a < 0) {
    a = -a;
    o.buf[o.pos++] = 45;
  }
  const num = a * scale * 2 + div;
  const den = 2 * div;
  let q = Math.floor(num / den);
  // The float division can land one off near an integer: correct it with the exact remainder.
  const r = num - q * den;
  if (r < 0) q--;
  else if (r >= den) q++;
  uint(o, Math.floor(q / scale));
  const b = o.buf;
  b[o.pos++] = 46;
  let frac = q % scale;
  let p = o.pos + digits;
  o.pos = p;
  for (let i = 0; i < digits; i++) {
    b[--p] = 48 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
}

export function bool(o: ByteWriter, v: number): void {
  ascii(o, v !== 0 ? 'true' : 'false');
}

/** A JSON string body: six-bit text can only need '"' and '\' escaped. */
export function text(o: ByteWriter, s: string): void {
  const b = o.buf;
  let p = o.pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92) b[p++] = 92;
    b[p++] = c;
  }
  o.pos = p;
}
