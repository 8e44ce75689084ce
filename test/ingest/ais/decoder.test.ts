import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  type AisMessage,
  createAisDecoder,
  createAisDecodeStream,
  createGpsdJsonDecoder,
  decodeAis,
} from '../../../src/ingest/ais/index.js';
import {
  armor,
  bitsOf,
  checksum,
  encode,
  fragments,
  position,
  sentence,
  sixbit,
  tagBlock,
  voyage,
} from './nmea.js';

function decodeAll(
  text: string,
  options = {},
): { messages: AisMessage[]; stats: ReturnType<typeof createAisDecoder>['stats'] } {
  const messages: AisMessage[] = [];
  const decoder = createAisDecoder({ ...options, onMessage: (m) => messages.push(m) });
  decoder.write(text);
  decoder.end();
  return { messages, stats: decoder.stats };
}

describe('sentences', () => {
  const line = encode(
    position({ mmsi: 227006760, speed: 123, course: 2240, heading: 215, lon: -74037230, lat: 29028980 }),
  );

  it('decodes a position report with scaled fields and n/a values absent', () => {
    const m = createAisDecoder().push(line);
    assert.ok(m !== undefined && m.type === 1);
    assert.equal(m.mmsi, 227006760);
    assert.equal(m.speed, 12.3);
    assert.equal(m.course, 224);
    assert.equal(m.heading, 215);
    assert.ok(Math.abs((m.lon as number) - -123.3953833) < 1e-7);
    assert.ok(Math.abs((m.lat as number) - 48.3816333) < 1e-7);
    // turn -128 and second 60 are "not available"
    assert.equal(m.rot, undefined);
    assert.equal(m.turn, undefined);
    assert.equal(m.second, undefined);
  });

  it('accepts lowercase checksums, CRLF, other talkers and VDO', () => {
    const upper = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A';
    const lower = upper.replace('*4A', '*4a');
    const text = [
      `${lower}\r`,
      `${line}\r`,
      encode(position({ mmsi: 1 }), { talker: 'BSVDM' }),
      encode(position({ mmsi: 2 }), { talker: 'ABVDM' }),
      encode(position({ mmsi: 3 }), { talker: 'AIVDO', channel: '' }),
    ].join('\n');
    const { messages, stats } = decodeAll(`${text}\r\n`);
    assert.deepEqual(
      messages.map((m) => m.mmsi),
      [371798000, 227006760, 1, 2, 3],
    );
    assert.equal(messages[4].own, true);
    assert.equal(messages[4].channel, '');
    assert.equal(stats.badChecksum, 0);
  });

  it('ignores trailing fields after the fill bits and text after the checksum', () => {
    const { payload, fill } = armor(bitsOf(position({ mmsi: 4 })));
    const body = `AIVDM,1,1,,B,${payload},${fill},extra,-73`;
    const { messages } = decodeAll(`!${body}*${checksum(body)},1700000000\n`);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].mmsi, 4);
    assert.equal(messages[0].channel, 'B');
  });

  it('counts bad checksums, garbage and other sentences per reason, and never throws', () => {
    const bad = line.replace(/\*..$/, '*00');
    const text = [
      bad,
      'hello world',
      '$GPRMC,213950.00,A,5250.53669,N,00542.34920,E,0.020,,070420,,,A*7D',
      '# a comment',
      '',
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ',
      '!AIVDM,1,1,,A,15RTg~~PAso;90TKcjM8h6g208CQ,0*1B'.replace(
        /\*..$/,
        `*${checksum('AIVDM,1,1,,A,15RTg~~PAso;90TKcjM8h6g208CQ,0')}`,
      ),
      line,
    ].join('\n');
    const { messages, stats } = decodeAll(text);
    assert.equal(messages.length, 1);
    assert.equal(stats.badChecksum, 1);
    assert.equal(stats.garbage, 1);
    assert.equal(stats.otherSentences, 1);
    assert.equal(stats.comments, 1);
    assert.equal(stats.empty, 1);
    assert.equal(stats.malformed, 1, 'missing checksum');
    assert.equal(stats.badPayload, 1, 'characters outside the armoring alphabet');
    assert.equal(stats.lines, 8);
  });

  it('reads NMEA 4.0 tag blocks (source and time) and skips lines whose tag block is corrupt', () => {
    const tag = tagBlock('s:rcv-lehavre,c:1700000000');
    const { messages, stats } = decodeAll(`${tag}${line}\n${tag.replace('lehavre', 'lehavrX')}${line}\n`);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].source, 'rcv-lehavre');
    assert.equal(messages[0].time, 1700000000);
    assert.equal(stats.badTagBlock, 1);
  });

  it('keeps the full 30-bit MMSI range', () => {
    for (const mmsi of [999999999, 2 ** 30 - 1, 972158237, 1]) {
      const m = createAisDecoder().push(encode(position({ mmsi })));
      assert.equal(m?.mmsi, mmsi);
    }
    const json = createGpsdJsonDecoder().push(encode(position({ mmsi: 2 ** 30 - 1 })));
    assert.match(json ?? '', /"mmsi":1073741823,/);
  });

  it('decodes the 204-bit and 163-bit variants of types 1-3 and rejects longer ones as bad length', () => {
    const base = bitsOf(position({ type: 3, mmsi: 5, radio: 0x1234 }));
    const long = armor(`${base}${'1'.repeat(36)}`);
    const short = armor(base.slice(0, 163));
    const tooLong = armor(`${base}${'0'.repeat(42)}`);
    const text = [
      sentence(long.payload, { fill: long.fill }),
      sentence(short.payload, { fill: short.fill }),
      sentence(tooLong.payload, { fill: tooLong.fill }),
    ].join('\n');
    const { messages, stats } = decodeAll(text);
    assert.equal(messages.length, 2);
    assert.equal(messages[0].type === 3 && messages[0].radio, 0x1234);
    // 163 bits: the radio field is what is left, 14 bits.
    assert.equal(messages[1].type === 3 && messages[1].radio, 0x1234 >> 5);
    assert.equal(stats.badLength, 1);
  });

  it("trims '@' padding and trailing spaces from text fields", () => {
    const m = createAisDecoder().push(
      encode(
        voyage({ mmsi: 351759000, callsign: '3FOF8', shipname: 'EVER DIADEM   ', destination: 'NEW YORK' }),
      ),
    );
    assert.ok(m?.type === 5);
    assert.equal(m.callsign, '3FOF8');
    assert.equal(m.shipname, 'EVER DIADEM');
    assert.equal(m.destination, 'NEW YORK');
    assert.equal(m.draught, 12.2);
    const empty = createAisDecoder().push(
      encode(voyage({ mmsi: 1, callsign: '', shipname: '', destination: '' })),
    );
    assert.ok(empty?.type === 5);
    assert.equal(empty.shipname, undefined, 'an all-@ name is not available');
  });
});

describe('multi-part reassembly', () => {
  const a = voyage({ mmsi: 111111111, callsign: 'AAAA', shipname: 'FIRST', destination: 'LE HAVRE' });
  const b = voyage({ mmsi: 222222222, callsign: 'BBBB', shipname: 'SECOND', destination: 'ROUEN' });

  it('decodes messages interleaved on one channel, keyed by sequential id', () => {
    const [a1, a2] = fragments(a, 2, '3');
    const [b1, b2] = fragments(b, 2, '4');
    const { messages, stats } = decodeAll([a1, b1, b2, a2].join('\n'));
    assert.deepEqual(
      messages.map((m) => (m.type === 5 ? m.shipname : '')),
      ['SECOND', 'FIRST'],
    );
    assert.equal(stats.orphanFragments, 0);
    assert.equal(stats.droppedGroups, 0);
  });

  it('keeps groups of different sources apart', () => {
    const [a1, a2] = fragments(a, 2, '1');
    const [b1, b2] = fragments(b, 2, '1');
    const s1 = tagBlock('s:one');
    const s2 = tagBlock('s:two');
    const { messages } = decodeAll([s1 + a1, s2 + b1, s1 + a2, s2 + b2].join('\n'));
    assert.deepEqual(
      messages.map((m) => m.source),
      ['one', 'two'],
    );
  });

  it('handles orphan, empty and number-0 fragments without emitting or throwing', () => {
    const [, a2] = fragments(a, 2, '5');
    const text = [
      a2,
      sentence('', { count: 2, num: 2, seq: '6' }),
      sentence('15RTgt0PAso', { count: 2, num: 0, seq: '7' }),
      sentence('15RTgt0PAso', { count: 2, num: 3, seq: '7' }),
    ].join('\n');
    const { messages, stats } = decodeAll(text);
    assert.equal(messages.length, 0);
    assert.equal(stats.orphanFragments, 4);
  });

  it('assembles a message whose last fragment is empty', () => {
    const { payload, fill } = armor(bitsOf(a));
    const text = [
      sentence(payload, { count: 2, num: 1, seq: '2' }),
      sentence('', { count: 2, num: 2, seq: '2', fill }),
    ].join('\n');
    // The fill belongs to the last sentence: here it trims bits of the first part's last character.
    const { messages } = decodeAll(text);
    assert.equal(messages.length, 1);
  });

  it('drops incomplete groups after the timeout, by tag-block time or the clock', () => {
    const [a1, a2] = fragments(a, 2, '8');
    const t0 = tagBlock('c:1700000000');
    const t1 = tagBlock('c:1700000030');
    const late = decodeAll([t0 + a1, t1 + a2].join('\n'), { fragmentTimeoutMs: 10_000 });
    assert.equal(late.messages.length, 0);
    assert.equal(late.stats.droppedGroups, 1);
    const inTime = decodeAll([t0 + a1, t1 + a2].join('\n'), { fragmentTimeoutMs: 60_000 });
    assert.equal(inTime.messages.length, 1);

    let now = 0;
    const decoder = createAisDecoder({ fragmentTimeoutMs: 1000, now: () => now });
    decoder.push(a1);
    assert.equal(decoder.pending(), 1);
    now = 5000;
    assert.equal(decoder.push(a2), undefined);
    assert.equal(decoder.stats.droppedGroups, 1);
  });

  it('drops what is incomplete at the end of the input', () => {
    const [a1] = fragments(a, 3, '9');
    const { stats } = decodeAll(a1);
    assert.equal(stats.droppedGroups, 1);
  });
});

describe('type 24', () => {
  const partA = (mmsi: number, name: string) =>
    encode([[24, 6], [0, 2], [mmsi, 30], [0, 2], ...sixbit(name, 20), [0, 8]]);
  const partB = (mmsi: number, tail: number[]) =>
    encode([
      [24, 6],
      [0, 2],
      [mmsi, 30],
      [1, 2],
      [37, 8],
      ...sixbit('SRT', 3),
      [1, 4],
      [311616, 20],
      ...sixbit('PF8234', 7),
      [tail[0], 9],
      [tail[1], 9],
      [tail[2], 6],
      [tail[3], 6],
      [0, 6],
    ]);

  it('reports part A alone, then merges part B with it per MMSI', () => {
    const { messages } = decodeAll([partA(244129744, 'SALUTI'), partB(244129744, [13, 4, 4, 1])].join('\n'));
    assert.equal(messages.length, 2);
    const [a, ab] = messages;
    assert.ok(a.type === 24 && ab.type === 24);
    assert.equal(a.part, 'A');
    assert.equal(a.shipname, 'SALUTI');
    assert.equal(ab.part, 'AB');
    assert.equal(ab.shipname, 'SALUTI');
    assert.equal(ab.callsign, 'PF8234');
    assert.equal(ab.shiptype, 37);
    assert.equal(ab.toBow, 13);
    assert.equal(ab.toStarboard, 1);
  });

  it('reports a part B without part A as usable alone', () => {
    const m = createAisDecoder().push(partB(244129745, [5, 9, 1, 2]));
    assert.ok(m?.type === 24);
    assert.equal(m.part, 'B');
    assert.equal(m.shipname, undefined);
    assert.equal(m.toStern, 9);
  });

  it('gives the mothership MMSI for auxiliary craft (MMSI 98xxxxxxx)', () => {
    // The 30 bits after the call sign hold the mothership MMSI instead of the dimensions.
    const mother = 244129744;
    const bits = bitsOf([[mother, 30]]);
    const tail = [bits.slice(0, 9), bits.slice(9, 18), bits.slice(18, 24), bits.slice(24, 30)].map((b) =>
      Number.parseInt(b, 2),
    );
    const m = createAisDecoder().push(partB(982441297, tail));
    assert.ok(m?.type === 24);
    assert.equal(m.mothershipMmsi, mother);
    assert.equal(m.toBow, undefined);
    const json = createGpsdJsonDecoder({ split24: true }).push(partB(982441297, tail));
    assert.match(json ?? '', /"mothership_mmsi":244129744}$/);
  });
});

describe('binary messages', () => {
  it('decodes an IMO 289 area notice (DAC 1 FI 22)', () => {
    const fields: [number, number][] = [
      [8, 6],
      [0, 2],
      [2275200, 30],
      [0, 2],
      [1, 10],
      [22, 6],
      // header: linkage, notice, month, day, hour, minute, duration
      [77, 10],
      [2, 7],
      [11, 4],
      [23, 5],
      [9, 5],
      [30, 6],
      [120, 18],
      // circle: shape 0, scale 1 (x10 m), lon/lat in 1/1000 minute, precision, radius
      [0, 3],
      [1, 2],
      [Math.round(0.1 * 60000), 25],
      [Math.round(49.48 * 60000), 24],
      [4, 3],
      [150, 12],
      [0, 18],
      // associated text
      [5, 3],
      ...sixbit('KEEP CLEAR', 14),
    ];
    const m = createAisDecoder().push(encode(fields));
    assert.ok(m?.type === 8 && m.app?.kind === 'area-notice');
    assert.equal(m.dac, 1);
    assert.equal(m.fid, 22);
    assert.equal(m.app.linkage, 77);
    assert.equal(m.app.duration, 120);
    assert.equal(m.app.areas.length, 2);
    const circle = m.app.areas[0];
    assert.ok(circle.shape === 'circle');
    assert.equal(circle.radius, 1500);
    assert.ok(Math.abs((circle.lat as number) - 49.48) < 1e-9);
    assert.deepEqual(m.app.areas[1], { shape: 'text', text: 'KEEP CLEAR' });
    // gpsd does not decode area notices: its JSON carries the raw data.
    assert.match(
      createGpsdJsonDecoder().push(encode(fields)) ?? '',
      /"dac":1,"fid":22,"data":"\d+:[0-9a-f]+"}$/,
    );
  });

  it('passes unknown application messages on as hex data and bit count', () => {
    const m = createAisDecoder().push('!AIVDM,1,1,,A,601uEPprEH2@<P<j00,4*32');
    assert.ok(m?.type === 6);
    assert.equal(m.dac, 200);
    assert.equal(m.fid, 3);
    assert.equal(m.bits, 16);
    assert.equal(m.data, '3200');
    assert.equal(m.app, undefined);
  });
});

describe('streams', () => {
  const lines = [
    encode(position({ mmsi: 10 })),
    ...fragments(voyage({ mmsi: 11, callsign: 'X', shipname: 'Y', destination: 'Z' }), 2, '1'),
    'junk',
    encode(position({ mmsi: 12 })),
  ].join('\r\n');

  it('decodes through a Transform stream, whatever the chunking', async () => {
    const bytes = Buffer.from(`${lines}\r\n`, 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const stream = createAisDecodeStream();
    const out: AisMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (m: AisMessage) => out.push(m));
      stream.on('end', resolve);
      stream.on('error', reject);
      Readable.from(chunks).pipe(stream);
    });
    assert.deepEqual(
      out.map((m) => m.mmsi),
      [10, 11, 12],
    );
    assert.equal(stream.stats.garbage, 1);
  });

  it('decodes through an async generator, a last line without newline included', async () => {
    const out: number[] = [];
    for await (const m of decodeAis(Readable.from([lines.slice(0, 50), lines.slice(50)]))) out.push(m.mmsi);
    assert.deepEqual(out, [10, 11, 12]);
  });

  it('survives random bytes (fixed-seed fuzz) and keeps decoding afterwards', () => {
    let seed = 0x2f6b1c3d;
    const rand = () => {
      // xorshift32: reproducible without a dependency.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const alphabet = '!$\\*,0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWabcdefw`\r\n\u0000\u00ff\u20ac AIVDM';
    const native = createAisDecoder();
    const gpsd = createGpsdJsonDecoder();
    const valid = encode(position({ mmsi: 99 }));
    for (let round = 0; round < 3000; round++) {
      let s = '';
      const n = Math.floor(rand() * 120);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      // Also mutate valid sentences: keeps some inputs close to well-formed.
      if (round % 3 === 0) {
        const at = Math.floor(rand() * valid.length);
        s = valid.slice(0, at) + s.slice(0, 3) + valid.slice(at + 1);
      }
      native.write(s);
      gpsd.write(s);
      native.push(s);
      gpsd.push(s);
    }
    native.end();
    gpsd.end();
    assert.equal(native.push(valid)?.mmsi, 99);
    assert.match(gpsd.push(valid) ?? '', /"mmsi":99,/);
    assert.ok(native.stats.lines > 3000);
  });
});

describe('number formatting', () => {
  it('rounds exact ties half to even like printf, not up like toFixed', async () => {
    const { printf1 } = await import('../../../src/ingest/ais/gpsd.js');
    // 150/600 = 0.25 and 450/600 = 0.75 are exact doubles: printf gives 0.2 and 0.8.
    assert.deepEqual(
      [
        printf1(150, 600),
        printf1(450, 600),
        printf1(-150, 600),
        printf1(125, 100),
        printf1(115, 100),
        printf1(7, 600),
      ],
      ['0.2', '0.8', '-0.2', '1.2', '1.1', '0.0'],
    );
  });
});
