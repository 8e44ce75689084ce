/**
 * Native decoding of an assembled payload into the typed objects of types.ts.
 *
 * "Not available" values are `undefined` (the key is always present so that every message of one type has
 * the same shape, which keeps V8's property access monomorphic; JSON.stringify drops them).
 */
import { hexBits, sbits, sixbitText, sixbitUntrimmed, trimRight, ubits } from './bits.js';
import type { PayloadMeta } from './sentence.js';
import { checkLength, isAuxiliaryMmsi, LENGTH_OK, TYPE_UNKNOWN } from './tables.js';
import type {
  AisApplication,
  AisMessage,
  AreaNotice,
  AreaShape,
  MetHydroData,
  RouteInformation,
  StaticDataReport,
  TidalWindow,
} from './types.js';

export interface Type24Store {
  /** Part A names waiting for their part B, by MMSI (insertion order = age). */
  names: Map<number, { shipname: string | undefined; t: number }>;
  max: number;
}

export function createType24Store(max = 4096): Type24Store {
  return { names: new Map(), max };
}

/** Outcome of decodePayload besides a message: why nothing was produced. */
export interface DecodeCounters {
  badLength: number;
  unknownType: number;
}

const U = undefined;

/** Degrees from 1/10000 minute units; out-of-range values (181°/91° "not available") are undefined. */
function lon4(raw: number): number | undefined {
  return raw > 108000000 || raw < -108000000 ? U : raw / 600000;
}
function lat4(raw: number): number | undefined {
  return raw > 54000000 || raw < -54000000 ? U : raw / 600000;
}
/** Degrees from 1/1000 minute units. */
function lon3(raw: number): number | undefined {
  return raw > 10800000 || raw < -10800000 ? U : raw / 60000;
}
function lat3(raw: number): number | undefined {
  return raw > 5400000 || raw < -5400000 ? U : raw / 60000;
}
/** Degrees from 1/10 minute units. */
function lon1(raw: number): number | undefined {
  return raw > 108000 || raw < -108000 ? U : raw / 600;
}
function lat1(raw: number): number | undefined {
  return raw > 54000 || raw < -54000 ? U : raw / 600;
}
function textOrU(s: string): string | undefined {
  return s === '' ? U : s;
}
/** Speed in 1/10 knot, 1023 not available. */
function sog(raw: number): number | undefined {
  return raw === 1023 ? U : raw / 10;
}
/** Course in 1/10 degree, 3600 not available. */
function cog(raw: number): number | undefined {
  return raw >= 3600 ? U : raw / 10;
}
function hdg(raw: number): number | undefined {
  return raw >= 360 ? U : raw;
}
function sec(raw: number): number | undefined {
  return raw === 60 ? U : raw;
}
function epfdOrU(raw: number): number | undefined {
  return raw === 0 ? U : raw;
}
/** Value unless it equals the "not available" code. */
function na(raw: number, notAvailable: number): number | undefined {
  return raw === notAvailable ? U : raw;
}
function scaled(raw: number, notAvailable: number, div: number, offset = 0): number | undefined {
  return raw === notAvailable ? U : (raw - offset) / div;
}

/**
 * Decode one payload. Returns undefined (and counts why) when gpsd's length rules reject it or the type is
 * unknown. Type 24 part B is merged with a stored part A of the same MMSI when there is one.
 */
export function decodePayload(
  w: Uint32Array,
  bitLength: number,
  meta: PayloadMeta,
  store: Type24Store,
  counters: DecodeCounters,
): AisMessage | undefined {
  const check = checkLength(w, bitLength);
  if (check !== LENGTH_OK) {
    if (check === TYPE_UNKNOWN) counters.unknownType++;
    else counters.badLength++;
    return U;
  }
  const type = ubits(w, 0, 6);
  const repeat = ubits(w, 6, 2);
  const mmsi = ubits(w, 8, 30);
  const channel = meta.channel;
  const source = meta.source;
  const time = meta.time;
  const own = meta.own ? true : U;
  switch (type) {
    case 1:
    case 2:
    case 3: {
      const rot = sbits(w, 42, 8);
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        status: na(ubits(w, 38, 4), 15),
        rot: rot === -128 ? U : rot,
        turn: rot === -128 || rot === 127 || rot === -127 ? U : Math.sign(rot) * (rot / 4.733) ** 2,
        speed: sog(ubits(w, 50, 10)),
        accuracy: ubits(w, 60, 1) === 1,
        lon: lon4(sbits(w, 61, 28)),
        lat: lat4(sbits(w, 89, 27)),
        course: cog(ubits(w, 116, 12)),
        heading: hdg(ubits(w, 128, 9)),
        second: sec(ubits(w, 137, 6)),
        maneuver: ubits(w, 143, 2),
        raim: ubits(w, 148, 1) === 1,
        radio: bitLength >= 168 ? ubits(w, 149, 19) : ubits(w, 149, bitLength - 149),
      };
    }
    case 4:
    case 11:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        year: na(ubits(w, 38, 14), 0),
        month: na(ubits(w, 52, 4), 0),
        day: na(ubits(w, 56, 5), 0),
        hour: na(ubits(w, 61, 5), 24),
        minute: na(ubits(w, 66, 6), 60),
        second: na(ubits(w, 72, 6), 60),
        accuracy: ubits(w, 78, 1) === 1,
        lon: lon4(sbits(w, 79, 28)),
        lat: lat4(sbits(w, 107, 27)),
        epfd: epfdOrU(ubits(w, 134, 4)),
        raim: ubits(w, 148, 1) === 1,
        radio: ubits(w, 149, 19),
      };
    case 5:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        aisVersion: ubits(w, 38, 2),
        imo: na(ubits(w, 40, 30), 0),
        callsign: textOrU(sixbitText(w, 70, 7)),
        shipname: textOrU(sixbitText(w, 112, 20)),
        shiptype: na(ubits(w, 232, 8), 0),
        toBow: ubits(w, 240, 9),
        toStern: ubits(w, 249, 9),
        toPort: ubits(w, 258, 6),
        toStarboard: ubits(w, 264, 6),
        epfd: epfdOrU(ubits(w, 270, 4)),
        etaMonth: na(ubits(w, 274, 4), 0),
        etaDay: na(ubits(w, 278, 5), 0),
        etaHour: na(ubits(w, 283, 5), 24),
        etaMinute: na(ubits(w, 288, 6), 60),
        draught: scaled(ubits(w, 294, 8), 0, 10),
        destination: textOrU(sixbitText(w, 302, 20)),
        dte: bitLength >= 423 && ubits(w, 422, 1) === 1,
      };
    case 6: {
      const dac = ubits(w, 72, 10);
      const fid = ubits(w, 82, 6);
      const bits = bitLength - 88;
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        seqno: ubits(w, 38, 2),
        destMmsi: ubits(w, 40, 30),
        retransmit: ubits(w, 70, 1) === 1,
        dac,
        fid,
        data: hexBits(w, 88, (bits + 7) >>> 3, bitLength),
        bits,
        app: application(w, bitLength, dac, fid, 88),
      };
    }
    case 7:
    case 13: {
      const acks: { mmsi: number; seqno: number }[] = [];
      for (let u = 0; u < 4 && 40 + 32 * u + 30 <= bitLength; u++) {
        acks.push({ mmsi: ubits(w, 40 + 32 * u, 30), seqno: ubits(w, 70 + 32 * u, 2) });
      }
      return { type, repeat, mmsi, channel, source, time, own, acks };
    }
    case 8: {
      const dac = ubits(w, 40, 10);
      const fid = ubits(w, 50, 6);
      const bits = bitLength - 56;
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        dac,
        fid,
        data: hexBits(w, 56, (bits + 7) >>> 3, bitLength),
        bits,
        app: application(w, bitLength, dac, fid, 56),
      };
    }
    case 9:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        alt: na(ubits(w, 38, 12), 4095),
        speed: na(ubits(w, 50, 10), 1023),
        accuracy: ubits(w, 60, 1) === 1,
        lon: lon4(sbits(w, 61, 28)),
        lat: lat4(sbits(w, 89, 27)),
        course: cog(ubits(w, 116, 12)),
        second: sec(ubits(w, 128, 6)),
        regional: ubits(w, 134, 8),
        dte: ubits(w, 142, 1) === 1,
        assigned: ubits(w, 146, 1) === 1,
        raim: ubits(w, 147, 1) === 1,
        radio: ubits(w, 148, 20),
      };
    case 10:
      return { type, repeat, mmsi, channel, source, time, own, destMmsi: ubits(w, 40, 30) };
    case 12:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        seqno: ubits(w, 38, 2),
        destMmsi: ubits(w, 40, 30),
        retransmit: ubits(w, 70, 1) === 1,
        text: restText(w, bitLength, 72),
      };
    case 14:
      return { type, repeat, mmsi, channel, source, time, own, text: restText(w, bitLength, 40) };
    case 15: {
      const requests = [{ mmsi: ubits(w, 40, 30), type: ubits(w, 70, 6), offset: ubits(w, 76, 12) }];
      if (bitLength >= 108)
        requests.push({ mmsi: requests[0].mmsi, type: ubits(w, 90, 6), offset: ubits(w, 96, 12) });
      if (bitLength >= 158)
        requests.push({ mmsi: ubits(w, 110, 30), type: ubits(w, 140, 6), offset: ubits(w, 146, 12) });
      return { type, repeat, mmsi, channel, source, time, own, requests };
    }
    case 16: {
      const assignments = [{ mmsi: ubits(w, 40, 30), offset: ubits(w, 70, 12), increment: ubits(w, 82, 10) }];
      if (bitLength >= 144) {
        assignments.push({ mmsi: ubits(w, 92, 30), offset: ubits(w, 122, 12), increment: ubits(w, 134, 10) });
      }
      return { type, repeat, mmsi, channel, source, time, own, assignments };
    }
    case 17: {
      const bits = bitLength - 80;
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        lon: lon1(sbits(w, 40, 18)),
        lat: lat1(sbits(w, 58, 17)),
        data: hexBits(w, 80, (bits + 7) >>> 3, bitLength),
        bits,
      };
    }
    case 18:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        reserved: ubits(w, 38, 8),
        speed: sog(ubits(w, 46, 10)),
        accuracy: ubits(w, 56, 1) === 1,
        lon: lon4(sbits(w, 57, 28)),
        lat: lat4(sbits(w, 85, 27)),
        course: cog(ubits(w, 112, 12)),
        heading: hdg(ubits(w, 124, 9)),
        second: sec(ubits(w, 133, 6)),
        regional: ubits(w, 139, 2),
        cs: ubits(w, 141, 1) === 1,
        display: ubits(w, 142, 1) === 1,
        dsc: ubits(w, 143, 1) === 1,
        band: ubits(w, 144, 1) === 1,
        msg22: ubits(w, 145, 1) === 1,
        assigned: ubits(w, 146, 1) === 1,
        raim: ubits(w, 147, 1) === 1,
        radio: ubits(w, 148, 20),
      };
    case 19:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        reserved: ubits(w, 38, 8),
        speed: sog(ubits(w, 46, 10)),
        accuracy: ubits(w, 56, 1) === 1,
        lon: lon4(sbits(w, 57, 28)),
        lat: lat4(sbits(w, 85, 27)),
        course: cog(ubits(w, 112, 12)),
        heading: hdg(ubits(w, 124, 9)),
        second: sec(ubits(w, 133, 6)),
        regional: ubits(w, 139, 4),
        shipname: textOrU(sixbitText(w, 143, 20)),
        shiptype: na(ubits(w, 263, 8), 0),
        toBow: ubits(w, 271, 9),
        toStern: ubits(w, 280, 9),
        toPort: ubits(w, 289, 6),
        toStarboard: ubits(w, 295, 6),
        epfd: epfdOrU(ubits(w, 301, 4)),
        raim: ubits(w, 305, 1) === 1,
        dte: ubits(w, 306, 1) === 1,
        assigned: ubits(w, 307, 1) === 1,
      };
    case 20: {
      const reservations: { offset: number; number: number; timeout: number; increment: number }[] = [];
      for (let k = 0; k < 4; k++) {
        const a = 40 + 30 * k;
        if (a + 30 > bitLength) break;
        const number = ubits(w, a + 12, 4);
        if (number === 0 && k > 0) break;
        reservations.push({
          offset: ubits(w, a, 12),
          number,
          timeout: ubits(w, a + 16, 3),
          increment: ubits(w, a + 19, 11),
        });
      }
      return { type, repeat, mmsi, channel, source, time, own, reservations };
    }
    case 21: {
      let name = sixbitUntrimmed(w, 43, 20);
      if (name.length === 20 && bitLength > 272) name += restText(w, bitLength, 272);
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        aidType: ubits(w, 38, 5),
        name: textOrU(trimRight(name)),
        accuracy: ubits(w, 163, 1) === 1,
        lon: lon4(sbits(w, 164, 28)),
        lat: lat4(sbits(w, 192, 27)),
        toBow: ubits(w, 219, 9),
        toStern: ubits(w, 228, 9),
        toPort: ubits(w, 237, 6),
        toStarboard: ubits(w, 243, 6),
        epfd: epfdOrU(ubits(w, 249, 4)),
        second: sec(ubits(w, 253, 6)),
        offPosition: ubits(w, 259, 1) === 1,
        regional: ubits(w, 260, 8),
        raim: ubits(w, 268, 1) === 1,
        virtualAid: ubits(w, 269, 1) === 1,
        assigned: ubits(w, 270, 1) === 1,
      };
    }
    case 22: {
      const addressed = ubits(w, 139, 1) === 1;
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        channelA: ubits(w, 40, 12),
        channelB: ubits(w, 52, 12),
        txrx: ubits(w, 64, 4),
        power: ubits(w, 68, 1) === 1,
        addressed,
        dest1: addressed ? ubits(w, 69, 30) : U,
        dest2: addressed ? ubits(w, 104, 30) : U,
        neLon: addressed ? U : lon1(sbits(w, 69, 18)),
        neLat: addressed ? U : lat1(sbits(w, 87, 17)),
        swLon: addressed ? U : lon1(sbits(w, 104, 18)),
        swLat: addressed ? U : lat1(sbits(w, 122, 17)),
        bandA: ubits(w, 140, 1) === 1,
        bandB: ubits(w, 141, 1) === 1,
        zoneSize: ubits(w, 142, 3),
      };
    }
    case 23:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        neLon: sbits(w, 40, 18) / 600,
        neLat: sbits(w, 58, 17) / 600,
        swLon: sbits(w, 75, 18) / 600,
        swLat: sbits(w, 93, 17) / 600,
        stationType: ubits(w, 110, 4),
        shiptype: na(ubits(w, 114, 8), 0),
        txrx: ubits(w, 144, 2),
        interval: ubits(w, 146, 4),
        quiet: ubits(w, 150, 4),
      };
    case 24:
      return type24(w, mmsi, meta, repeat, store);
    case 25:
    case 26: {
      const addressed = ubits(w, 38, 1);
      const structured = ubits(w, 39, 1);
      const start = 40 + 30 * addressed + 16 * structured;
      const end = type === 26 ? bitLength - 20 : bitLength;
      const bits = end - start;
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        addressed: addressed === 1,
        structured: structured === 1,
        destMmsi: addressed ? ubits(w, 40, 30) : U,
        appId: structured ? ubits(w, 40 + 30 * addressed, 16) : U,
        data: hexBits(w, start, (bits + 7) >>> 3, end),
        bits,
        radio: type === 26 ? ubits(w, bitLength - 20, 20) : U,
      };
    }
    case 27:
      return {
        type,
        repeat,
        mmsi,
        channel,
        source,
        time,
        own,
        accuracy: ubits(w, 38, 1) === 1,
        raim: ubits(w, 39, 1) === 1,
        status: na(ubits(w, 40, 4), 15),
        lon: lon1(sbits(w, 44, 18)),
        lat: lat1(sbits(w, 62, 17)),
        speed: na(ubits(w, 79, 6), 63),
        course: na(ubits(w, 85, 9), 511),
        gnss: ubits(w, 94, 1) === 1,
      };
  }
  return U;
}

/** Text running to the end of the payload. */
function restText(w: Uint32Array, bitLength: number, start: number): string {
  return bitLength <= start ? '' : sixbitText(w, start, ((bitLength - start) / 6) | 0);
}

function type24(
  w: Uint32Array,
  mmsi: number,
  meta: PayloadMeta,
  repeat: number,
  store: Type24Store,
): StaticDataReport {
  const base = {
    type: 24 as const,
    repeat,
    mmsi,
    channel: meta.channel,
    source: meta.source,
    time: meta.time,
    own: meta.own ? true : U,
  };
  if (ubits(w, 38, 2) === 0) {
    const shipname = textOrU(sixbitText(w, 40, 20));
    // Keep the latest part A per MMSI, oldest forgotten first when the store is full.
    store.names.delete(mmsi);
    if (store.names.size >= store.max) {
      const oldest = store.names.keys().next();
      if (!oldest.done) store.names.delete(oldest.value);
    }
    store.names.set(mmsi, { shipname, t: meta.time ?? 0 });
    return { ...base, part: 'A', shipname };
  }
  const a = store.names.get(mmsi);
  if (a !== undefined) store.names.delete(mmsi);
  const aux = isAuxiliaryMmsi(mmsi);
  return {
    ...base,
    part: a === undefined ? 'B' : 'AB',
    shipname: a?.shipname,
    shiptype: na(ubits(w, 40, 8), 0),
    vendorId: textOrU(sixbitText(w, 48, 7)),
    model: ubits(w, 66, 4),
    serial: ubits(w, 70, 20),
    callsign: textOrU(sixbitText(w, 90, 7)),
    toBow: aux ? U : ubits(w, 132, 9),
    toStern: aux ? U : ubits(w, 141, 9),
    toPort: aux ? U : ubits(w, 150, 6),
    toStarboard: aux ? U : ubits(w, 156, 6),
    mothershipMmsi: aux ? ubits(w, 132, 30) : U,
  };
}

/**
 * Application messages of types 6 and 8; `at` is where the application data starts (88 or 56). Layouts
 * follow IMO SN.1/Circ.236 and 289, the Inland AIS standard and the GLA AtoN monitoring message.
 */
function application(
  w: Uint32Array,
  bitLength: number,
  dac: number,
  fid: number,
  at: number,
): AisApplication | undefined {
  const bits = bitLength - at;
  if (dac === 1) {
    switch (fid) {
      case 11:
        return at === 56 && bits >= 290 ? metHydro11(w) : U;
      case 31:
        return at === 56 && bits >= 294 ? metHydro31(w) : U;
      case 22:
      case 23:
        return bits >= 55 ? areaNotice(w, bitLength, at) : U;
      case 12:
        return at === 88 && bits >= 269
          ? {
              kind: 'dangerous-cargo',
              lastPort: textOrU(sixbitText(w, 88, 5)),
              departure: {
                month: ubits(w, 118, 4),
                day: ubits(w, 122, 5),
                hour: ubits(w, 127, 5),
                minute: ubits(w, 132, 6),
              },
              nextPort: textOrU(sixbitText(w, 138, 5)),
              eta: {
                month: ubits(w, 168, 4),
                day: ubits(w, 172, 5),
                hour: ubits(w, 177, 5),
                minute: ubits(w, 182, 6),
              },
              dangerous: textOrU(sixbitText(w, 188, 20)),
              imdCategory: textOrU(sixbitText(w, 308, 4)),
              unNumber: ubits(w, 332, 13),
              amount: ubits(w, 345, 10),
              unit: ubits(w, 355, 2),
            }
          : U;
      case 14:
      case 32:
        return at === 88 ? tidalWindow(w, bitLength, fid) : U;
      case 16:
        // 13-bit count plus spare: longer payloads with this FI are something else (seen in the wild).
        return bits >= 13 && bits <= 24 ? { kind: 'persons-on-board', persons: na(ubits(w, at, 13), 0) } : U;
      case 18:
        return at === 88 && bits >= 229
          ? {
              kind: 'clearance-time',
              linkage: ubits(w, 88, 10),
              month: na(ubits(w, 98, 4), 0),
              day: na(ubits(w, 102, 5), 0),
              hour: na(ubits(w, 107, 5), 24),
              minute: na(ubits(w, 112, 6), 60),
              portname: textOrU(sixbitText(w, 118, 20)),
              destination: textOrU(sixbitText(w, 238, 5)),
              lon: lon3(sbits(w, 268, 25)),
              lat: lat3(sbits(w, 293, 24)),
            }
          : U;
      case 27:
      case 28:
        return bits >= 61 ? route(w, bitLength, at) : U;
      case 29:
      case 30:
        return bits >= 10
          ? { kind: 'text', linkage: ubits(w, at, 10), text: restText(w, bitLength, at + 10) }
          : U;
    }
  } else if ((dac === 235 || dac === 250) && fid === 10 && at === 88 && bits >= 44) {
    const v = (raw: number) => (raw === 0 ? U : raw * 0.05);
    return {
      kind: 'aton-monitoring',
      analogueInternal: v(ubits(w, 88, 10)),
      analogueExternal1: v(ubits(w, 98, 10)),
      analogueExternal2: v(ubits(w, 108, 10)),
      racon: ubits(w, 118, 2),
      light: ubits(w, 120, 2),
      alarm: ubits(w, 122, 1) === 1,
      digitalInputs: ubits(w, 123, 8),
      offPosition: ubits(w, 131, 1) === 1,
    };
  } else if (dac === 200 && fid === 10 && at === 56 && bitLength === 168) {
    const hazard = ubits(w, 141, 3);
    if (hazard > 5) return U;
    return {
      kind: 'inland-static',
      vin: textOrU(sixbitText(w, 56, 8)),
      length: scaled(ubits(w, 104, 13), 0, 10),
      beam: scaled(ubits(w, 117, 10), 0, 10),
      shiptype: na(ubits(w, 127, 14), 0),
      hazard: na(hazard, 5),
      draught: scaled(ubits(w, 144, 11), 0, 100),
      loaded: na(ubits(w, 155, 2), 0),
      speedQuality: ubits(w, 157, 1) === 1,
      courseQuality: ubits(w, 158, 1) === 1,
      headingQuality: ubits(w, 159, 1) === 1,
    };
  }
  return U;
}

function metHydro31(w: Uint32Array): MetHydroData {
  const dir = (raw: number) => (raw >= 360 ? U : raw);
  return {
    kind: 'met-hydro',
    lon: lon3(sbits(w, 56, 25)),
    lat: lat3(sbits(w, 81, 24)),
    accuracy: ubits(w, 105, 1) === 1,
    day: na(ubits(w, 106, 5), 0),
    hour: na(ubits(w, 111, 5), 24),
    minute: na(ubits(w, 116, 6), 60),
    windSpeed: na(ubits(w, 122, 7), 127),
    windGust: na(ubits(w, 129, 7), 127),
    windDirection: dir(ubits(w, 136, 9)),
    windGustDirection: dir(ubits(w, 145, 9)),
    airTemperature: scaled(sbits(w, 154, 11), -1024, 10),
    humidity: na(ubits(w, 165, 7), 101),
    dewPoint: scaled(sbits(w, 172, 10), 501, 10),
    pressure: ((raw) => (raw >= 403 ? U : raw + 799))(ubits(w, 182, 9)),
    pressureTendency: na(ubits(w, 191, 2), 3),
    visibilityGreater: ubits(w, 193, 1) === 1,
    visibility: scaled(ubits(w, 194, 7), 127, 10),
    waterLevel: scaled(ubits(w, 201, 12), 4001, 100, 1000),
    waterLevelTrend: na(ubits(w, 213, 2), 3),
    currentSpeed: scaled(ubits(w, 215, 8), 255, 10),
    currentDirection: dir(ubits(w, 223, 9)),
    current2Speed: scaled(ubits(w, 232, 8), 255, 10),
    current2Direction: dir(ubits(w, 240, 9)),
    current2Depth: scaled(ubits(w, 249, 5), 31, 1),
    current3Speed: scaled(ubits(w, 254, 8), 255, 10),
    current3Direction: dir(ubits(w, 262, 9)),
    current3Depth: scaled(ubits(w, 271, 5), 31, 1),
    waveHeight: scaled(ubits(w, 276, 8), 255, 10),
    wavePeriod: na(ubits(w, 284, 6), 63),
    waveDirection: dir(ubits(w, 290, 9)),
    swellHeight: scaled(ubits(w, 299, 8), 255, 10),
    swellPeriod: na(ubits(w, 307, 6), 63),
    swellDirection: dir(ubits(w, 313, 9)),
    seaState: ((raw) => (raw > 12 ? U : raw))(ubits(w, 322, 4)),
    waterTemperature: scaled(sbits(w, 326, 10), 501, 10),
    precipitationType: na(ubits(w, 336, 3), 7),
    salinity: ((raw) => (raw >= 510 ? U : raw / 10))(ubits(w, 339, 9)),
    ice: na(ubits(w, 348, 2), 3),
  };
}

function metHydro11(w: Uint32Array): MetHydroData {
  const dir = (raw: number) => (raw >= 360 ? U : raw);
  return {
    kind: 'met-hydro',
    lat: lat3(sbits(w, 56, 24)),
    lon: lon3(sbits(w, 80, 25)),
    accuracy: U,
    day: na(ubits(w, 105, 5), 0),
    hour: na(ubits(w, 110, 5), 24),
    minute: na(ubits(w, 115, 6), 60),
    windSpeed: na(ubits(w, 121, 7), 127),
    windGust: na(ubits(w, 128, 7), 127),
    windDirection: dir(ubits(w, 135, 9)),
    windGustDirection: dir(ubits(w, 144, 9)),
    airTemperature: scaled(ubits(w, 153, 11), 2047, 10, 600),
    humidity: ((raw) => (raw > 100 ? U : raw))(ubits(w, 164, 7)),
    dewPoint: scaled(ubits(w, 171, 10), 1023, 10, 200),
    pressure: ((raw) => (raw >= 403 ? U : raw + 800))(ubits(w, 181, 9)),
    pressureTendency: na(ubits(w, 190, 2), 3),
    visibilityGreater: U,
    visibility: scaled(ubits(w, 192, 8), 255, 10),
    waterLevel: scaled(ubits(w, 200, 9), 511, 10, 100),
    waterLevelTrend: na(ubits(w, 209, 2), 3),
    currentSpeed: scaled(ubits(w, 211, 8), 255, 10),
    currentDirection: dir(ubits(w, 219, 9)),
    current2Speed: scaled(ubits(w, 228, 8), 255, 10),
    current2Direction: dir(ubits(w, 236, 9)),
    current2Depth: na(ubits(w, 245, 5), 31),
    current3Speed: scaled(ubits(w, 250, 8), 255, 10),
    current3Direction: dir(ubits(w, 258, 9)),
    current3Depth: na(ubits(w, 267, 5), 31),
    waveHeight: scaled(ubits(w, 272, 8), 255, 10),
    wavePeriod: na(ubits(w, 280, 6), 63),
    waveDirection: dir(ubits(w, 286, 9)),
    swellHeight: scaled(ubits(w, 295, 8), 255, 10),
    swellPeriod: na(ubits(w, 303, 6), 63),
    swellDirection: dir(ubits(w, 309, 9)),
    seaState: ((raw) => (raw > 12 ? U : raw))(ubits(w, 318, 4)),
    waterTemperature: scaled(ubits(w, 322, 10), 1023, 10, 100),
    precipitationType: na(ubits(w, 332, 3), 7),
    salinity: scaled(ubits(w, 335, 9), 511, 10),
    ice: na(ubits(w, 344, 2), 3),
  };
}

/** IMO 289 area notice: 55-bit header then 87-bit sub-areas. */
function areaNotice(w: Uint32Array, bitLength: number, at: number): AreaNotice {
  const areas: AreaShape[] = [];
  for (let a = at + 55; a + 87 <= bitLength; a += 87) {
    const shape = ubits(w, a, 3);
    if (shape <= 2) {
      const scale = 10 ** ubits(w, a + 3, 2);
      const lon = lon3(sbits(w, a + 5, 25));
      const lat = lat3(sbits(w, a + 30, 24));
      const precision = ubits(w, a + 54, 3);
      if (shape === 0) {
        areas.push({ shape: 'circle', lon, lat, precision, radius: ubits(w, a + 57, 12) * scale });
      } else if (shape === 1) {
        areas.push({
          shape: 'rectangle',
          lon,
          lat,
          precision,
          east: ubits(w, a + 57, 8) * scale,
          north: ubits(w, a + 65, 8) * scale,
          orientation: ubits(w, a + 73, 9),
        });
      } else {
        areas.push({
          shape: 'sector',
          lon,
          lat,
          precision,
          radius: ubits(w, a + 57, 12) * scale,
          leftBound: ubits(w, a + 69, 9),
          rightBound: ubits(w, a + 78, 9),
        });
      }
    } else if (shape === 3 || shape === 4) {
      const scale = 10 ** ubits(w, a + 3, 2);
      const points: { angle: number; distance: number }[] = [];
      for (let k = 0; k < 4; k++) {
        const angle = ubits(w, a + 5 + 20 * k, 10);
        const distance = ubits(w, a + 15 + 20 * k, 10);
        // Angle 720 marks the end of the point list.
        if (angle === 720) break;
        points.push({ angle: angle / 2, distance: distance * scale });
      }
      areas.push({ shape: shape === 3 ? 'polyline' : 'polygon', points });
    } else if (shape === 5) {
      areas.push({ shape: 'text', text: sixbitText(w, a + 3, 14) });
    } else {
      areas.push({ shape: 'reserved', code: shape });
    }
  }
  return {
    kind: 'area-notice',
    linkage: ubits(w, at, 10),
    notice: ubits(w, at + 10, 7),
    month: na(ubits(w, at + 17, 4), 0),
    day: na(ubits(w, at + 21, 5), 0),
    hour: na(ubits(w, at + 26, 5), 24),
    minute: na(ubits(w, at + 31, 6), 60),
    duration: na(ubits(w, at + 37, 18), 262143),
    areas,
  };
}

function tidalWindow(w: Uint32Array, bitLength: number, fid: number): TidalWindow {
  const size = fid === 14 ? 93 : 88;
  const tidals: TidalWindow['tidals'] = [];
  for (let a = 97; a + size <= bitLength && tidals.length < 3; a += size) {
    const lon = fid === 14 ? sbits(w, a + 27, 28) : sbits(w, a, 25);
    const lat = fid === 14 ? sbits(w, a, 27) : sbits(w, a + 25, 24);
    const o = fid === 14 ? 55 : 49;
    const cspeed = fid === 14 ? ubits(w, a + 86, 7) : ubits(w, a + 80, 8);
    const cdir = ubits(w, a + o + 22, 9);
    tidals.push({
      lon: fid === 14 ? lon4(lon) : lon3(lon),
      lat: fid === 14 ? lat4(lat) : lat3(lat),
      fromHour: ubits(w, a + o, 5),
      fromMinute: ubits(w, a + o + 5, 6),
      toHour: ubits(w, a + o + 11, 5),
      toMinute: ubits(w, a + o + 16, 6),
      currentDirection: cdir >= 360 ? U : cdir,
      currentSpeed: cspeed >= (fid === 14 ? 127 : 251) ? U : cspeed / 10,
    });
  }
  return { kind: 'tidal-window', month: na(ubits(w, 88, 4), 0), day: na(ubits(w, 92, 5), 0), tidals };
}

function route(w: Uint32Array, bitLength: number, at: number): RouteInformation {
  const waycount = ubits(w, at + 56, 5);
  const waypoints: { lon?: number; lat?: number }[] = [];
  for (let i = 0; i < waycount && at + 61 + 55 * (i + 1) <= bitLength; i++) {
    const a = at + 61 + 55 * i;
    waypoints.push({ lon: lon4(sbits(w, a, 28)), lat: lat4(sbits(w, a + 28, 27)) });
  }
  return {
    kind: 'route',
    linkage: ubits(w, at, 10),
    sender: ubits(w, at + 10, 3),
    routeType: ubits(w, at + 13, 5),
    month: na(ubits(w, at + 18, 4), 0),
    day: na(ubits(w, at + 22, 5), 0),
    hour: na(ubits(w, at + 27, 5), 24),
    minute: na(ubits(w, at + 32, 6), 60),
    duration: na(ubits(w, at + 38, 18), 262143),
    waypoints,
  };
}
