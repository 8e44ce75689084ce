/**
 * Six-bit de-armoring and bit-field extraction.
 *
 * The payload is unpacked into big-endian 32-bit words so that any field of up to 32 bits is read with at
 * most two array loads and a few shifts. Fields past the payload end read as zero (or as the pad bits of
 * the last character, like gpsd), so decoders never need to bounds-check fixed offsets.
 */

/** gpsd refuses reassembled payloads longer than this; so do we. */
export const MAX_PAYLOAD_BITS = 2048;

/** Words in a payload buffer: the longest payload plus slack for fixed-offset reads past its end. */
export const PAYLOAD_WORDS = (MAX_PAYLOAD_BITS + 2048) >>> 5;

/** 6-bit value of each armoring character, -1 for characters outside the two AIVDM ranges. */
const ARMOR = new Int8Array(128).fill(-1);
for (let c = 48; c < 88; c++) ARMOR[c] = c - 48;
for (let c = 96; c < 120; c++) ARMOR[c] = c - 56;

/** Six-bit ASCII (ITU-R M.1371 table 47) as character codes. */
export const SIXBIT_CHARS = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';
const SIXBIT_STRINGS: string[] = Array.from(SIXBIT_CHARS);

export function createPayloadBuffer(): Uint32Array {
  return new Uint32Array(PAYLOAD_WORDS);
}

/**
 * Unpack armored characters s[from..to) into `w` starting at bit `pos` (bits are OR-ed in, the caller zeroes
 * the buffer once per message). Returns the new bit position, or -1 on an invalid character or overflow.
 */
export function dearmor(w: Uint32Array, s: string, from: number, to: number, pos: number): number {
  let i = from;
  // Refuse anything that would not fit instead of writing past the buffer.
  if (pos + 6 * (to - from) > MAX_PAYLOAD_BITS + 64) return -1;
  // Fast path: 16 characters are exactly three words when the position is word aligned.
  if ((pos & 31) === 0) {
    let wi = pos >>> 5;
    while (to - i >= 16) {
      let a = 0;
      let b = 0;
      let c = 0;
      let bad = 0;
      let v = 0;
      let x = s.charCodeAt(i);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a = v << 26;
      x = s.charCodeAt(i + 1);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a |= v << 20;
      x = s.charCodeAt(i + 2);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a |= v << 14;
      x = s.charCodeAt(i + 3);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a |= v << 8;
      x = s.charCodeAt(i + 4);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a |= v << 2;
      x = s.charCodeAt(i + 5);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      a |= v >>> 4;
      b = (v & 15) << 28;
      x = s.charCodeAt(i + 6);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      b |= v << 22;
      x = s.charCodeAt(i + 7);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      b |= v << 16;
      x = s.charCodeAt(i + 8);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      b |= v << 10;
      x = s.charCodeAt(i + 9);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      b |= v << 4;
      x = s.charCodeAt(i + 10);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      b |= v >>> 2;
      c = (v & 3) << 30;
      x = s.charCodeAt(i + 11);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      c |= v << 24;
      x = s.charCodeAt(i + 12);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      c |= v << 18;
      x = s.charCodeAt(i + 13);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      c |= v << 12;
      x = s.charCodeAt(i + 14);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      c |= v << 6;
      x = s.charCodeAt(i + 15);
      v = x < 128 ? ARMOR[x] : -1;
      bad |= v;
      c |= v;
      if (bad < 0) return -1;
      w[wi] = a;
      w[wi + 1] = b;
      w[wi + 2] = c;
      wi += 3;
      i += 16;
      pos += 96;
    }
  }
  for (; i < to; i++) {
    const x = s.charCodeAt(i);
    const v = x < 128 ? ARMOR[x] : -1;
    if (v < 0) return -1;
    const wi = pos >>> 5;
    const off = pos & 31;
    if (off <= 26) {
      w[wi] |= v << (26 - off);
    } else {
      w[wi] |= v >>> (off - 26);
      w[wi + 1] |= v << (58 - off);
    }
    pos += 6;
  }
  return pos;
}

/** Unsigned field of 1..32 bits at bit offset `start`. */
export function ubits(w: Uint32Array, start: number, len: number): number {
  const wi = start >>> 5;
  const off = start & 31;
  let v = w[wi] << off;
  if (off + len > 32) v |= w[wi + 1] >>> (32 - off);
  return len === 32 ? v >>> 0 : v >>> (32 - len);
}

/** Signed (two's complement) field of 2..32 bits. */
export function sbits(w: Uint32Array, start: number, len: number): number {
  const wi = start >>> 5;
  const off = start & 31;
  let v = w[wi] << off;
  if (off + len > 32) v |= w[wi + 1] >>> (32 - off);
  return len === 32 ? v | 0 : v >> (32 - len);
}

/** Unsigned field wider than 32 bits (up to 53), as a JS number. */
export function ubitsWide(w: Uint32Array, start: number, len: number): number {
  if (len <= 32) return ubits(w, start, len);
  return ubits(w, start, len - 32) * 4294967296 + ubits(w, start + len - 32, 32);
}

/**
 * Six-bit text of at most `count` characters: stops at the first '@' (gpsd's rule) and trims trailing
 * spaces and '@'.
 */
export function sixbitText(w: Uint32Array, start: number, count: number): string {
  let last = 0;
  // First pass finds the trimmed length without building anything.
  for (let i = 0; i < count; i++) {
    const v = ubits(w, start + 6 * i, 6);
    if (v === 0) break;
    if (v !== 32) last = i + 1;
  }
  let out = '';
  for (let i = 0; i < last; i++) out += SIXBIT_STRINGS[ubits(w, start + 6 * i, 6)];
  return out;
}

/** Six-bit text without trimming (stops at '@' only), for type 21 names whose extension is appended. */
export function sixbitUntrimmed(w: Uint32Array, start: number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const v = ubits(w, start + 6 * i, 6);
    if (v === 0) break;
    out += SIXBIT_STRINGS[v];
  }
  return out;
}

/** Trim trailing spaces and '@' (gpsd's trim_spaces_on_right_end). */
export function trimRight(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 32 && c !== 64) break;
    e--;
  }
  return e === s.length ? s : s.slice(0, e);
}

const HEX = '0123456789abcdef';
const HEX_BYTES: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTES.push(HEX[i >>> 4] + HEX[i & 15]);

/**
 * Lowercase hex of `nbytes` bytes of the bit stream starting at bit `start`; bits at or after `limit` read as
 * zero (gpsd copies whole bytes, so whether the pad bits of the last byte show depends on the message type).
 */
export function hexBits(w: Uint32Array, start: number, nbytes: number, limit: number): string {
  let out = '';
  for (let k = 0; k < nbytes; k++) {
    const at = start + 8 * k;
    let b = at >= limit ? 0 : ubits(w, at, 8);
    if (at + 8 > limit && at < limit) b &= (0xff << (8 - (limit - at))) & 0xff;
    out += HEX_BYTES[b];
  }
  return out;
}
