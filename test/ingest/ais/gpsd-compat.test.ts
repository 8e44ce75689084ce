/**
 * Escale's decoder against gpsd's own regression files (test/fixtures/ais, copied from gpsd's test suite):
 * every message must agree with gpsd's expected output, field by field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type AisMessage, createAisDecoder, createGpsdJsonDecoder } from '../../../src/ingest/ais/index.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/ais/${name}`, import.meta.url), 'latin1');
const jsonLines = (text: string) => text.split(/\r?\n/).filter((l) => l.startsWith('{'));

type Json = Record<string, unknown>;

/**
 * Field-by-field comparison: same members in the same order, numbers compared numerically (so "12.30" and
 * 12.3 agree), strings and booleans exactly, nested arrays and objects recursively.
 */
function assertSameMessage(got: Json, want: Json, where: string): void {
  assert.deepEqual(Object.keys(got), Object.keys(want), `${where}: members differ`);
  for (const key of Object.keys(want)) compareValue(got[key], want[key], `${where}.${key}`);
}

function compareValue(got: unknown, want: unknown, where: string): void {
  if (typeof want === 'number') {
    assert.equal(typeof got, 'number', `${where}: expected a number`);
    assert.ok(
      Math.abs((got as number) - want) <= 1e-9 * Math.max(1, Math.abs(want)),
      `${where}: ${got} != ${want}`,
    );
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${where}: expected an array`);
    assert.equal((got as unknown[]).length, want.length, `${where}: array length`);
    for (let i = 0; i < want.length; i++) compareValue((got as unknown[])[i], want[i], `${where}[${i}]`);
  } else if (want !== null && typeof want === 'object') {
    assertSameMessage(got as Json, want as Json, where);
  } else {
    assert.equal(got, want, where);
  }
}

function decodeGpsd(text: string, scaled: boolean, device = 'stdin'): string[] {
  const out: string[] = [];
  const decoder = createGpsdJsonDecoder({ scaled, device, onJson: (j) => out.push(j) });
  decoder.write(text);
  decoder.end();
  return out;
}

function compareAll(got: string[], want: string[]): void {
  assert.equal(got.length, want.length, 'number of messages');
  for (let i = 0; i < want.length; i++) {
    assertSameMessage(JSON.parse(got[i]) as Json, JSON.parse(want[i]) as Json, `message ${i + 1}`);
  }
}

/**
 * gpsd-ais-nmea.log.chk is a gpsd daemon session: input sentences echoed, each followed by what gpsd
 * reported. The AIS object right after a `!` sentence is its decoding; later copies are gpsd re-reporting
 * its last AIS state at the end of a GPS cycle and are not decodings.
 */
function daemonDecodings(chk: string): string[] {
  const out: string[] = [];
  let afterAis = false;
  for (const line of chk.split(/\r?\n/)) {
    if (line.startsWith('!') || line.startsWith('$')) afterAis = line.startsWith('!');
    else if (line.startsWith('{"class":"AIS"')) {
      if (afterAis) out.push(line);
      afterAis = false;
    }
  }
  return out;
}

describe('gpsd-compatible JSON', () => {
  it('agrees with gpsdecode -j on sample.aivdm, message by message', () => {
    const got = decodeGpsd(fixture('gpsd-sample.aivdm'), true);
    compareAll(got, jsonLines(fixture('gpsd-sample.aivdm.js.chk')));
  });

  it('agrees with gpsdecode -u -j (unscaled) on sample.aivdm', () => {
    const got = decodeGpsd(fixture('gpsd-sample.aivdm'), false);
    compareAll(got, jsonLines(fixture('gpsd-sample.aivdm.ju.chk')));
  });

  it('reproduces gpsd byte for byte on sample.aivdm (CRLF line endings aside)', () => {
    const want = jsonLines(fixture('gpsd-sample.aivdm.js.chk'));
    assert.deepEqual(decodeGpsd(fixture('gpsd-sample.aivdm'), true), want);
  });

  it('agrees with the gpsd daemon on a mixed NMEA/AIS log', () => {
    const want = daemonDecodings(fixture('gpsd-ais-nmea.log.chk'));
    assert.ok(want.length > 100, 'the expected file yields decodings');
    compareAll(decodeGpsd(fixture('gpsd-ais-nmea.log'), false, ''), want);
  });

  it('writes the same lines as bytes through onNdjson, with the chosen line ending', () => {
    const chunks: Buffer[] = [];
    const decoder = createGpsdJsonDecoder({ device: 'stdin', eol: '\r\n', onNdjson: (c) => chunks.push(c) });
    decoder.write(fixture('gpsd-sample.aivdm'));
    decoder.end();
    assert.equal(Buffer.concat(chunks).toString('latin1'), fixture('gpsd-sample.aivdm.js.chk'));
  });

  it('prints type 24 halves only with split24, as gpsdecode -s', () => {
    const lines = [
      '!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D',
      '!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40',
    ].join('\n');
    const merged = decodeGpsd(lines, true).map((j) => JSON.parse(j) as Json);
    assert.equal(merged.length, 1);
    assert.equal(merged[0].shipname, 'PROGUY');
    assert.equal(merged[0].part, undefined);
    const out: string[] = [];
    const split = createGpsdJsonDecoder({ split24: true, onJson: (j) => out.push(j) });
    split.write('!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D\n');
    split.write('!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40\n');
    split.write('!AIVDM,1,1,,B,H42O55lti4hhhilD3nink000?050,0*43\n');
    split.end();
    const parts = out.map((j) => (JSON.parse(j) as Json).part ?? 'AB');
    assert.deepEqual(parts, ['A', 'AB', 'B']);
  });
});

describe('native objects against gpsd', () => {
  // The native decoder scales on its own; check it against gpsd's scaled values where both define them.
  const messages: AisMessage[] = [];
  const decoder = createAisDecoder({ onMessage: (m) => messages.push(m) });
  decoder.write(fixture('gpsd-sample.aivdm'));
  decoder.end();
  const gpsd = jsonLines(fixture('gpsd-sample.aivdm.js.chk')).map((l) => JSON.parse(l) as Json);
  // Type 24 halves are reported natively but merged by gpsd: compare the rest in order.
  const native = messages.filter((m) => m.type !== 24 || m.part === 'AB');

  it('decodes the same messages in the same order', () => {
    assert.deepEqual(
      native.map((m) => `${m.type}/${m.mmsi}`),
      gpsd.map((g) => `${g.type}/${g.mmsi}`),
    );
  });

  it('agrees on positions, kinematics and texts', () => {
    const near = (a: unknown, b: unknown, where: string) =>
      assert.ok(Math.abs((a as number) - (b as number)) < 1e-6, `${where}: ${a} != ${b}`);
    let checked = 0;
    native.forEach((m, i) => {
      const g = gpsd[i];
      const where = `message ${i + 1} (type ${m.type})`;
      assert.equal(m.repeat, g.repeat, where);
      if ('lon' in m && typeof g.lon === 'number' && m.type !== 17 && m.type !== 27) {
        if (Math.abs(g.lon) <= 180) near(m.lon, g.lon, `${where} lon`);
        else assert.equal(m.lon, undefined, `${where}: out-of-range lon is absent`);
        if (Math.abs(g.lat as number) <= 90) near(m.lat, g.lat, `${where} lat`);
        else assert.equal(m.lat, undefined, `${where}: out-of-range lat is absent`);
        checked++;
      }
      if (m.type === 1 || m.type === 2 || m.type === 3 || m.type === 18) {
        if (g.course === 360) assert.equal(m.course, undefined, where);
        else near(m.course, g.course, `${where} course`);
        if (g.heading === 511) assert.equal(m.heading, undefined, where);
        else assert.equal(m.heading, g.heading, where);
        if (typeof g.speed === 'number' && g.speed < 102.3) near(m.speed, g.speed, `${where} speed`);
        else assert.equal(m.speed, undefined, where);
      }
      if (m.type === 5) {
        assert.equal(m.shipname ?? '', g.shipname, where);
        assert.equal(m.callsign ?? '', g.callsign, where);
        assert.equal(m.destination ?? '', g.destination, where);
        assert.equal(m.imo ?? 0, g.imo, where);
      }
      if (m.type === 24) {
        assert.equal(m.shipname ?? '', g.shipname, where);
        assert.equal(m.callsign ?? '', g.callsign, where);
        assert.equal(m.toStern, g.to_stern, where);
      }
      if (m.type === 21) assert.equal(m.name, g.name, where);
      if (m.type === 12 || m.type === 14) assert.equal(m.text, g.text, where);
    });
    assert.ok(checked >= 15, `positions were compared (${checked})`);
  });

  it('decodes DAC 1 FI 31 and FI 11 met/hydro data with n/a values absent', () => {
    const met = native.filter((m) => m.type === 8 && m.app?.kind === 'met-hydro');
    const gMet = gpsd.filter((g) => g.type === 8 && (g.fid === 11 || g.fid === 31));
    assert.equal(met.length, gMet.length);
    met.forEach((m, i) => {
      if (m.type !== 8 || m.app?.kind !== 'met-hydro') return;
      const g = gMet[i];
      assert.ok(Math.abs((m.app.lat as number) - (g.lat as number)) < 1e-6);
      // gpsd prints 127 (FI 11: 127 = n/a) where the native value is absent.
      if (g.wspeed === 127) assert.equal(m.app.windSpeed, undefined);
      else assert.equal(m.app.windSpeed, g.wspeed);
      if (g.fid === 31 && g.airtemp === -102.4) assert.equal(m.app.airTemperature, undefined);
      else if (m.app.airTemperature !== undefined)
        assert.ok(Math.abs(m.app.airTemperature - (g.airtemp as number)) < 1e-9);
    });
  });
});
