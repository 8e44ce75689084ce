/**
 * NMEA 0183 / 4.0 front end: tag blocks, `!xxVDM`/`!xxVDO` sentences, checksums and multi-part reassembly.
 *
 * Works on (string, start, end) ranges so a whole file held in one string is parsed without slicing it into
 * lines; the only allocations on the single-sentence path are the tag-block source (when present).
 */
import { createPayloadBuffer, dearmor, MAX_PAYLOAD_BITS } from './bits.js';

/** Per-reason counters; every input line lands in exactly one of the line-level buckets. */
export interface AisStats {
  /** Lines seen (including empty ones). */
  lines: number;
  /** Empty or whitespace-only lines. */
  empty: number;
  /** Lines starting with '#'. */
  comments: number;
  /** AIVDM/AIVDO sentences with a valid structure and checksum. */
  sentences: number;
  /** Of those, fragments of multi-part messages. */
  fragments: number;
  /** Messages decoded and emitted. */
  messages: number;
  /** Sentences whose checksum does not match. */
  badChecksum: number;
  /** Tag blocks that are unterminated or whose checksum does not match (the line is skipped). */
  badTagBlock: number;
  /** AIVDM/AIVDO sentences with missing fields, a missing checksum or non-numeric counters. */
  malformed: number;
  /** Payloads with characters outside the armoring alphabet, an impossible fill or an overlong length. */
  badPayload: number;
  /** Payloads whose bit length is out of range for their message type. */
  badLength: number;
  /** Payloads of message type 0 or 28-63. */
  unknownType: number;
  /** Fragments with no group to join: number 0, out of order, missing first part, count mismatch. */
  orphanFragments: number;
  /** Incomplete groups dropped: superseded by a new first fragment, timed out, overflowed or at end of input. */
  droppedGroups: number;
  /** Other NMEA sentences ($GPRMC, !AIALR...), ignored. */
  otherSentences: number;
  /** Lines that are not NMEA at all. */
  garbage: number;
}

export function createStats(): AisStats {
  return {
    lines: 0,
    empty: 0,
    comments: 0,
    sentences: 0,
    fragments: 0,
    messages: 0,
    badChecksum: 0,
    badTagBlock: 0,
    malformed: 0,
    badPayload: 0,
    badLength: 0,
    unknownType: 0,
    orphanFragments: 0,
    droppedGroups: 0,
    otherSentences: 0,
    garbage: 0,
  };
}

/** Where a payload came from; one object is reused, so copy what you keep. */
export interface PayloadMeta {
  /** Radio channel as sent ('A', 'B', '1', '2', or '' when empty). */
  channel: string;
  /** Tag-block source (`s:`), if any. */
  source: string | undefined;
  /** Tag-block time (`c:`) in Unix seconds, if any. */
  time: number | undefined;
  /** True for `VDO` (own vessel) sentences. */
  own: boolean;
  /** Number of sentences the message was carried in. */
  sentences: number;
}

export type PayloadSink = (w: Uint32Array, bitLength: number, meta: PayloadMeta) => void;

export interface SentenceOptions {
  /** Incomplete multi-part groups older than this are dropped (default 10 s). */
  fragmentTimeoutMs?: number;
  /** At most this many incomplete groups are kept; the oldest are dropped beyond (default 1000). */
  maxPendingGroups?: number;
  /** Clock for fragment timeouts when sentences carry no tag-block time (default Date.now). */
  now?: () => number;
}

interface Group {
  count: number;
  next: number;
  t: number;
  lines: string[];
  starts: number[];
  ends: number[];
  fills: number[];
}

export interface SentenceParser {
  /** Parse the line held in s[start..end) (trailing CR/LF/spaces are ignored). */
  line(s: string, start: number, end: number): void;
  /** Drop all incomplete groups (counted in droppedGroups). */
  flush(): void;
  /** Number of incomplete multi-part groups held. */
  pending(): number;
  readonly stats: AisStats;
}

const HEXVAL = new Int8Array(128).fill(-1);
for (let c = 48; c < 58; c++) HEXVAL[c] = c - 48;
for (let c = 65; c < 71; c++) HEXVAL[c] = c - 55;
for (let c = 97; c < 103; c++) HEXVAL[c] = c - 87;

function hexAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  if (!(a < 128 && b < 128)) return -1;
  const h = HEXVAL[a];
  const l = HEXVAL[b];
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

/** Decimal digits s[a..b) as a number, -1 if empty or not all digits (or longer than 9 digits). */
function digits(s: string, a: number, b: number): number {
  if (a >= b || b - a > 9) return -1;
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function createSentenceParser(options: SentenceOptions, sink: PayloadSink): SentenceParser {
  const stats = createStats();
  const timeout = options.fragmentTimeoutMs ?? 10_000;
  const maxPending = Math.max(1, options.maxPendingGroups ?? 1000);
  const clock = options.now ?? Date.now;
  const words = createPayloadBuffer();
  let dirty = words.length;
  const commas = new Int32Array(8);
  const groups = new Map<string, Group>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  // The group that took the previous sentence, for fragments whose sequential id does not match.
  let lastGroup: Group | undefined;
  let lastKey = '';
  let lastLine = -1;
  let lastChannel = '';
  let lastSource: string | undefined;
  const meta: PayloadMeta = { channel: '', source: undefined, time: undefined, own: false, sentences: 1 };

  function clear(): void {
    words.fill(0, 0, dirty);
  }

  /** `written` is the furthest bit written, pad bits included, so the next clear() covers it. */
  function emit(bitLength: number, written: number): void {
    dirty = Math.min(words.length, (written >>> 5) + 2);
    sink(words, bitLength, meta);
  }

  function sweep(now: number): void {
    lastSweep = now;
    for (const [key, g] of groups) {
      if (now - g.t > timeout) {
        groups.delete(key);
        stats.droppedGroups++;
      }
    }
    // Map iteration follows insertion order: the first entries are the oldest.
    for (const key of groups.keys()) {
      if (groups.size < maxPending) break;
      groups.delete(key);
      stats.droppedGroups++;
    }
  }

  function line(s: string, start: number, end: number): void {
    stats.lines++;
    while (end > start && s.charCodeAt(end - 1) <= 32) end--;
    while (start < end && s.charCodeAt(start) <= 32) start++;
    if (end === start) {
      stats.empty++;
      return;
    }
    let i = start;
    let c = s.charCodeAt(i);
    let source: string | undefined;
    let time: number | undefined;
    if (c === 92) {
      // NMEA 4.0 tag block: \key:value,key:value*hh\
      const close = s.indexOf('\\', i + 1);
      if (close < 0 || close >= end) {
        stats.badTagBlock++;
        return;
      }
      let sum = 0;
      let j = i + 1;
      let fieldStart = j;
      for (; j < close; j++) {
        const ch = s.charCodeAt(j);
        if (ch === 42) break;
        if (ch === 44) {
          const parsed = tagField(s, fieldStart, j);
          if (parsed === 1) source = s.slice(fieldStart + 2, j);
          else if (parsed === 2) time = tagTime(s, fieldStart + 2, j);
          fieldStart = j + 1;
        }
        sum ^= ch;
      }
      if (j >= close || j + 3 !== close || hexAt(s, j + 1) !== sum) {
        stats.badTagBlock++;
        return;
      }
      const parsed = tagField(s, fieldStart, j);
      if (parsed === 1) source = s.slice(fieldStart + 2, j);
      else if (parsed === 2) time = tagTime(s, fieldStart + 2, j);
      i = close + 1;
      if (i >= end) {
        stats.garbage++;
        return;
      }
      c = s.charCodeAt(i);
    }
    if (c !== 33) {
      if (c === 35) {
        stats.comments++;
        return;
      }
      if (c === 36) {
        stats.otherSentences++;
        return;
      }
      // Junk before the sentence (a receiver timestamp, a partial line): resynchronise on '!' as gpsd does.
      const bang = s.indexOf('!', i);
      if (bang < 0 || bang >= end) {
        stats.garbage++;
        return;
      }
      i = bang;
    }
    if (
      end - i < 8 ||
      s.charCodeAt(i + 3) !== 86 ||
      s.charCodeAt(i + 4) !== 68 ||
      (s.charCodeAt(i + 5) !== 77 && s.charCodeAt(i + 5) !== 79) ||
      s.charCodeAt(i + 6) !== 44
    ) {
      if (end - i >= 6 && isUpper(s.charCodeAt(i + 1)) && isUpper(s.charCodeAt(i + 2)))
        stats.otherSentences++;
      else stats.garbage++;
      return;
    }
    const own = s.charCodeAt(i + 5) === 79;
    // One pass: checksum over everything between '!' and '*', recording the comma positions.
    let sum = 0;
    let nc = 0;
    let star = -1;
    for (let j = i + 1; j < end; j++) {
      const ch = s.charCodeAt(j);
      if (ch === 42) {
        star = j;
        break;
      }
      sum ^= ch;
      if (ch === 44 && nc < 8) commas[nc++] = j;
    }
    if (star < 0 || star + 3 > end) {
      stats.malformed++;
      return;
    }
    const cks = hexAt(s, star + 1);
    if (cks < 0) {
      stats.malformed++;
      return;
    }
    if (cks !== sum) {
      stats.badChecksum++;
      return;
    }
    if (nc < 6) {
      stats.malformed++;
      return;
    }
    const count = digits(s, commas[0] + 1, commas[1]);
    const num = digits(s, commas[1] + 1, commas[2]);
    const seqStart = commas[2] + 1;
    const seqEnd = commas[3];
    const chStart = commas[3] + 1;
    const chEnd = commas[4];
    const ps = commas[4] + 1;
    const pe = commas[5];
    const fillEnd = nc > 6 ? commas[6] : star;
    let fill = 0;
    if (fillEnd > pe + 1) {
      // One digit; 6-9 are out of spec but gpsd takes them, and real feeds send them.
      fill = fillEnd === pe + 2 ? digits(s, pe + 1, fillEnd) : -1;
    }
    const seq = seqStart === seqEnd ? -2 : digits(s, seqStart, seqEnd);
    if (count < 1 || num < 0 || fill < 0 || seq === -1) {
      stats.malformed++;
      return;
    }
    stats.sentences++;
    meta.channel =
      chEnd === chStart ? '' : chEnd === chStart + 1 ? s.charAt(chStart) : s.slice(chStart, chEnd);
    meta.source = source;
    meta.time = time;
    meta.own = own;

    if (count === 1 && num === 1) {
      clear();
      const pos = dearmor(words, s, ps, pe, 0);
      if (pos < 0 || fill > pos || pos - fill > MAX_PAYLOAD_BITS) {
        dirty = words.length;
        stats.badPayload++;
        return;
      }
      meta.sentences = 1;
      emit(pos - fill, pos);
      return;
    }

    stats.fragments++;
    if (num < 1 || num > count) {
      stats.orphanFragments++;
      return;
    }
    const now = time !== undefined ? time * 1000 : clock();
    let key = source === undefined ? `${meta.channel}|${seq}` : `${source}|${meta.channel}|${seq}`;
    let g = groups.get(key);
    if (g !== undefined && now - g.t > timeout) {
      groups.delete(key);
      stats.droppedGroups++;
      if (lastGroup === g) lastGroup = undefined;
      g = undefined;
    }
    if (num === 1) {
      if (g !== undefined) {
        groups.delete(key);
        stats.droppedGroups++;
      }
      if (now - lastSweep > timeout / 4 || groups.size >= maxPending) sweep(now);
      g = { count, next: 1, t: now, lines: [], starts: [], ends: [], fills: [] };
      groups.set(key, g);
    } else if (
      g === undefined &&
      lastGroup !== undefined &&
      lastLine === stats.lines - 1 &&
      now - lastGroup.t <= timeout &&
      lastGroup.count === count &&
      lastGroup.next === num &&
      lastChannel === meta.channel &&
      lastSource === source
    ) {
      // Some transmitters change the sequential id between the fragments of one message; like gpsd, accept
      // a fragment that directly continues the previous sentence's group on the same channel.
      g = lastGroup;
      key = lastKey;
    } else if (g === undefined || g.count !== count || g.next !== num) {
      if (g !== undefined) {
        groups.delete(key);
        stats.droppedGroups++;
      }
      stats.orphanFragments++;
      return;
    }
    g.lines.push(s);
    g.starts.push(ps);
    g.ends.push(pe);
    g.fills.push(fill);
    g.next++;
    if (num !== count) {
      lastGroup = g;
      lastKey = key;
      lastLine = stats.lines;
      lastChannel = meta.channel;
      lastSource = source;
      return;
    }
    lastGroup = undefined;
    groups.delete(key);

    // Assemble: each fragment's pad bits are dropped where the next one starts, as gpsd does.
    clear();
    let pos = 0;
    let written = 0;
    for (let k = 0; k < count; k++) {
      pos = dearmor(words, g.lines[k], g.starts[k], g.ends[k], pos);
      if (pos < 0 || g.fills[k] > pos) {
        dirty = words.length;
        stats.badPayload++;
        return;
      }
      if (pos > written) written = pos;
      pos -= g.fills[k];
      if (pos > MAX_PAYLOAD_BITS) {
        dirty = words.length;
        stats.badPayload++;
        return;
      }
    }
    meta.sentences = count;
    emit(pos, written);
  }

  function flush(): void {
    stats.droppedGroups += groups.size;
    groups.clear();
  }

  return { line, flush, pending: () => groups.size, stats };
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** 1 for an `s:` field, 2 for a `c:` field, 0 otherwise. */
function tagField(s: string, a: number, b: number): number {
  if (b - a < 2 || s.charCodeAt(a + 1) !== 58) return 0;
  const k = s.charCodeAt(a);
  return k === 115 ? 1 : k === 99 ? 2 : 0;
}

/** Unix time of a `c:` value; values beyond year 5000 in seconds are taken as milliseconds. */
function tagTime(s: string, a: number, b: number): number | undefined {
  let n = 0;
  if (a >= b) return undefined;
  for (let i = a; i < b; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n > 1e11 ? n / 1000 : n;
}
