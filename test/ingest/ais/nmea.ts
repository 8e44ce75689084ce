/** Test helpers: build AIVDM sentences from bit fields, so tests state their inputs explicitly. */

const ARMOR = '0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw';

/** Fields as [value, width]; negative values are written in two's complement. */
export type Fields = [number, number][];

export function bitsOf(fields: Fields): string {
  let bits = '';
  for (const [value, width] of fields) {
    const v = value < 0 ? 2 ** width + value : value;
    bits += v.toString(2).padStart(width, '0').slice(-width);
  }
  return bits;
}

/** Six-bit text field of `chars` characters, padded with '@'. */
export function sixbit(text: string, chars: number): Fields {
  const table = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';
  const out: Fields = [];
  for (let i = 0; i < chars; i++) out.push([i < text.length ? table.indexOf(text[i]) : 0, 6]);
  return out;
}

export function armor(bits: string): { payload: string; fill: number } {
  const fill = (6 - (bits.length % 6)) % 6;
  const padded = bits + '0'.repeat(fill);
  let payload = '';
  for (let i = 0; i < padded.length; i += 6) payload += ARMOR[Number.parseInt(padded.slice(i, i + 6), 2)];
  return { payload, fill };
}

export function checksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

export interface SentenceOptions {
  count?: number;
  num?: number;
  seq?: string;
  channel?: string;
  talker?: string;
  fill?: number;
}

export function sentence(payload: string, o: SentenceOptions = {}): string {
  const body = `${o.talker ?? 'AIVDM'},${o.count ?? 1},${o.num ?? 1},${o.seq ?? ''},${o.channel ?? 'A'},${payload},${o.fill ?? 0}`;
  return `!${body}*${checksum(body)}`;
}

/** A tag block prefix: \s:source,c:time*hh\ */
export function tagBlock(fields: string): string {
  return `\\${fields}*${checksum(fields)}\\`;
}

/** Single-sentence AIVDM line for the given fields. */
export function encode(fields: Fields, o: SentenceOptions = {}): string {
  const { payload, fill } = armor(bitsOf(fields));
  return sentence(payload, { ...o, fill });
}

/** Split a payload into `parts` fragments with the given sequential id. */
export function fragments(fields: Fields, parts: number, seq: string, channel = 'A'): string[] {
  const { payload, fill } = armor(bitsOf(fields));
  const size = Math.ceil(payload.length / parts);
  const out: string[] = [];
  for (let k = 0; k < parts; k++) {
    const last = k === parts - 1;
    out.push(
      sentence(payload.slice(k * size, (k + 1) * size), {
        count: parts,
        num: k + 1,
        seq,
        channel,
        fill: last ? fill : 0,
      }),
    );
  }
  return out;
}

/** Fields of a type 1-3 position report (168 bits). */
export function position(o: {
  type?: number;
  mmsi: number;
  status?: number;
  turn?: number;
  speed?: number;
  lon?: number;
  lat?: number;
  course?: number;
  heading?: number;
  second?: number;
  radio?: number;
}): Fields {
  return [
    [o.type ?? 1, 6],
    [0, 2],
    [o.mmsi, 30],
    [o.status ?? 0, 4],
    [o.turn ?? -128, 8],
    [o.speed ?? 1023, 10],
    [1, 1],
    [o.lon ?? 108600000, 28],
    [o.lat ?? 54600000, 27],
    [o.course ?? 3600, 12],
    [o.heading ?? 511, 9],
    [o.second ?? 60, 6],
    [0, 2],
    [0, 3],
    [0, 1],
    [o.radio ?? 0, 19],
  ];
}

/** Fields of a type 5 static and voyage report (424 bits). */
export function voyage(o: { mmsi: number; callsign: string; shipname: string; destination: string }): Fields {
  return [
    [5, 6],
    [0, 2],
    [o.mmsi, 30],
    [0, 2],
    [9134270, 30],
    ...sixbit(o.callsign, 7),
    ...sixbit(o.shipname, 20),
    [70, 8],
    [225, 9],
    [70, 9],
    [1, 6],
    [31, 6],
    [1, 4],
    [5, 4],
    [15, 5],
    [14, 5],
    [0, 6],
    [122, 8],
    ...sixbit(o.destination, 20),
    [0, 1],
    [0, 1],
  ];
}
