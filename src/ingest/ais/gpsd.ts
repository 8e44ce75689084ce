/**
 * gpsd-compatible JSON, as `gpsdecode -j` (scaled) or `gpsdecode -u -j` (unscaled) prints it.
 *
 * This is a transliteration of gpsd's ais_binary_decode() and json_aivdm_dump() working straight from the
 * payload bits into one string, so the NDJSON path allocates nothing but its output. It deliberately keeps
 * gpsd's conventions (raw "not available" values, its field order, number formats and known quirks); the
 * differences are listed in README.md.
 */
import { hexBits, sbits, sixbitText, sixbitUntrimmed, trimRight, ubits, ubitsWide } from './bits.js';
import type { AisStats } from './sentence.js';
import {
  checkLength,
  EPFD,
  isAuxiliaryMmsi,
  LENGTH_OK,
  NAV_STATUS,
  NAVAID_TYPE,
  STATION_TYPE,
  shipTypeText,
  TYPE_UNKNOWN,
} from './tables.js';
import { ascii, type ByteWriter, bool, int, ratio, reserve, tenths, text, uint, uint2 } from './writer.js';

export interface GpsdJsonOptions {
  /** Scaled output (gpsdecode -j) or raw integers (gpsdecode -u -j); default true. */
  scaled?: boolean;
  /** Value of the "device" member; omitted when empty. gpsdecode prints "stdin". */
  device?: string;
  /** Print type 24 halves as they come (gpsdecode -s); by default only merged A+B reports are printed. */
  split24?: boolean;
}

/** Writes one payload's JSON object into `out`; returns false (writing nothing) when gpsd prints nothing. */
export type GpsdFormatter = (w: Uint32Array, bitLength: number, channel: string, out: ByteWriter) => boolean;

const LATLON_DIV = 600000;
const LATLON3_DIV = 60000;
const TENTH_MIN_DIV = 600;
const TYPE24_QUEUE = 8;

const TRENDS = ['steady', 'increasing', 'decreasing', 'N/A'];
const PRECIP = ['reserved', 'rain', 'thunderstorm', 'freezing rain', 'mixed/ice', 'snow', 'reserved', 'N/A'];
const ICE = ['no', 'yes', 'reserved', 'N/A'];
const RACON = ['No RACON installed', 'RACON not monitored', 'RACON operational', 'RACON ERROR'];
const LIGHT = ['No light or no monitoring', 'Light ON', 'Light OFF', 'Light ERROR'];
const RTA_STATUS = ['Operational', 'Limited operation', 'Out of order', 'N/A'];
const POSITION_TYPES = [
  'Not available',
  'Port-side to',
  'Starboard-side to',
  'Mediterranean (end-on) mooring',
  'Mooring buoy',
  'Anchorage',
  'Reserved for future use',
  'Reserved for future use',
];
const ROUTE_TYPE: string[] = [
  'Undefined (default)',
  'Mandatory',
  'Recommended',
  'Alternative',
  'Recommended route through ice',
  'Ship route plan',
];
while (ROUTE_TYPE.length < 31) ROUTE_TYPE.push('Reserved for future use.');
ROUTE_TYPE.push('Cancel route identified by message linkage');
const IDTYPES = ['mmsi', 'imo', 'callsign', 'other'];
const SIGNALS = [
  'N/A',
  'Serious emergency - stop or divert according to instructions.',
  'Vessels shall not proceed.',
  'Vessels may proceed. One way traffic.',
  'Vessels may proceed. Two way traffic.',
  'Vessels shall proceed on specific orders only.',
  'Vessels in main channel shall not proceed.',
  'Vessels in main channel shall proceed on specific orders only.',
  'Vessels in main channel shall proceed on specific orders only.',
  'I = "in-bound" only acceptable.',
  'O = "out-bound" only acceptable.',
  'F = both "in- and out-bound" acceptable.',
  'XI = Code will shift to "I" in due time.',
  'XO = Code will shift to "O" in due time.',
  'X = Vessels shall proceed only on direction.',
];
const INLAND_SHIPTYPES: [number, number, string][] = [
  [8000, 99, 'Vessel, type unknown'],
  [8010, 79, 'Motor freighter'],
  [8020, 89, 'Motor tanker'],
  [8021, 80, 'Motor tanker, liquid cargo, type N'],
  [8022, 80, 'Motor tanker, liquid cargo, type C'],
  [8023, 89, 'Motor tanker, dry cargo as if liquid (e.g. cement)'],
  [8030, 79, 'Container vessel'],
  [8040, 80, 'Gas tanker'],
  [8050, 79, 'Motor freighter, tug'],
  [8060, 89, 'Motor tanker, tug'],
  [8070, 79, 'Motor freighter with one or more ships alongside'],
  [8080, 89, 'Motor freighter with tanker'],
  [8090, 79, 'Motor freighter pushing one or more freighters'],
  [8100, 89, 'Motor freighter pushing at least one tank-ship'],
  [8110, 79, 'Tug, freighter'],
  [8120, 89, 'Tug, tanker'],
  [8130, 31, 'Tug freighter, coupled'],
  [8140, 31, 'Tug, freighter/tanker, coupled'],
  [8150, 99, 'Freightbarge'],
  [8160, 99, 'Tankbarge'],
  [8161, 90, 'Tankbarge, liquid cargo, type N'],
  [8162, 90, 'Tankbarge, liquid cargo, type C'],
  [8163, 99, 'Tankbarge, dry cargo as if liquid (e.g. cement)'],
  [8170, 99, 'Freightbarge with containers'],
  [8180, 90, 'Tankbarge, gas'],
  [8210, 79, 'Pushtow, one cargo barge'],
  [8220, 79, 'Pushtow, two cargo barges'],
  [8230, 79, 'Pushtow, three cargo barges'],
  [8240, 79, 'Pushtow, four cargo barges'],
  [8250, 79, 'Pushtow, five cargo barges'],
  [8260, 79, 'Pushtow, six cargo barges'],
  [8270, 79, 'Pushtow, seven cargo barges'],
  [8280, 79, 'Pushtow, eigth cargo barges'],
  [8290, 79, 'Pushtow, nine or more barges'],
  [8310, 80, 'Pushtow, one tank/gas barge'],
  [8320, 80, 'Pushtow, two barges at least one tanker or gas barge'],
  [8330, 80, 'Pushtow, three barges at least one tanker or gas barge'],
  [8340, 80, 'Pushtow, four barges at least one tanker or gas barge'],
  [8350, 80, 'Pushtow, five barges at least one tanker or gas barge'],
  [8360, 80, 'Pushtow, six barges at least one tanker or gas barge'],
  [8370, 80, 'Pushtow, seven barges at least one tanker or gas barg'],
  [0, 0, 'Illegal ship type value.'],
];
const HAZARDS = [
  '0 blue cones/lights',
  '1 blue cone/light',
  '2 blue cones/lights',
  '3 blue cones/lights',
  '4 B-Flag',
  'Unknown',
];
const LOAD_STATUS = ['N/A (default)', 'Unloaded', 'Loaded'];
const EMMA_TYPES = [
  'Not Available',
  'Wind',
  'Rain',
  'Snow and ice',
  'Thunderstorm',
  'Fog',
  'Low temperature',
  'High temperature',
  'Flood',
  'Forest Fire',
];
const EMMA_CLASSES = ['Slight', 'Medium', 'Strong'];
const EMMA_WINDS = [
  'N/A',
  'North',
  'North East',
  'East',
  'South East',
  'South',
  'South West',
  'West',
  'North West',
];
const DIRECTIONS = ['Unknown', 'Upstream', 'Downstream', 'To left bank', 'To right bank'];
const SIGNAL_STATUS = [
  'Unknown',
  'No light',
  'White',
  'Yellow',
  'Green',
  'Red',
  'White flashing',
  'Yellow flashing.',
];

function pick(table: readonly string[], n: number, invalid: string): string {
  return n < table.length ? table[n] : invalid;
}

function b(v: number): string {
  return v !== 0 ? 'true' : 'false';
}

/** %02u */
function p2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** gpsd's json_stringify for six-bit text: only '"' and '\' can occur and need escaping. */
function q(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92) return JSON.stringify(s).slice(1, -1);
  }
  return s;
}

/**
 * printf("%.1f", raw / div). Number#toFixed and printf both round the exact value of the double, but on an
 * exact tie (x.25, x.75 are representable) printf rounds half to even and toFixed rounds up.
 */
export function printf1(raw: number, div: number): string {
  // A tie is x = k/20 with k odd, and the double is exact only when x is a multiple of 1/4 (k = 5j).
  const t = 20 * raw;
  const k = Math.abs(t / div);
  if (t % div === 0 && k % 2 === 1 && k % 5 === 0) {
    let m = Math.floor(k / 2);
    if (m % 2 === 1) m++;
    return `${raw < 0 ? '-' : ''}${Math.floor(m / 10)}.${m % 10}`;
  }
  return (raw / div).toFixed(1);
}

/** "%zd:%s" of gpsd's raw binary blobs: bit count and hex of whole bytes from `start`. */
function blob(w: Uint32Array, start: number, bitcount: number, limit: number): string {
  return `${bitcount}:${hexBits(w, start, (bitcount + 7) >>> 3, limit)}`;
}

/** endchars(): text from `start` to the end of the payload, at most `max` characters. */
function endText(w: Uint32Array, bitLength: number, start: number, max: number): string {
  if (bitLength <= start) return '';
  return sixbitText(w, start, Math.min(((bitLength - start) / 6) | 0, max));
}

interface Type24Queue {
  mmsi: number[];
  names: string[];
  index: number;
}

export function createGpsdFormatter(options: GpsdJsonOptions = {}, stats?: AisStats): GpsdFormatter {
  const scaled = options.scaled ?? true;
  const split24 = options.split24 ?? false;
  const device = options.device ?? '';
  const head = `{"class":"AIS"${device !== '' ? `,"device":"${q(device)}"` : ''},"type":`;
  const tail = scaled ? ',"scaled":true' : ',"scaled":false';
  const queues = new Map<string, Type24Queue>();

  function queueFor(channel: string): Type24Queue {
    // gpsd keeps one type 24 queue per radio channel, folding ''/'1' into A and '2' into B.
    const c = channel === '' || channel === '1' ? 'A' : channel === '2' ? 'B' : channel;
    let queue = queues.get(c);
    if (queue === undefined) {
      queue = { mmsi: new Array(TYPE24_QUEUE).fill(0), names: new Array(TYPE24_QUEUE).fill(''), index: 0 };
      queues.set(c, queue);
    }
    return queue;
  }

  function latlon(lon: number, lat: number, div: number, digits: number): string {
    return scaled
      ? `"lon":${(lon / div).toFixed(digits)},"lat":${(lat / div).toFixed(digits)}`
      : `"lon":${lon},"lat":${lat}`;
  }

  function type6(w: Uint32Array, bitLength: number): string {
    const dac = ubits(w, 72, 10);
    const fid = ubits(w, 82, 6);
    let out = `,"seqno":${ubits(w, 38, 2)},"dest_mmsi":${ubits(w, 40, 30)},"retransmit":${b(ubits(w, 70, 1))},"dac":${dac},"fid":${fid}`;
    const bitcount = bitLength - 88;
    if (dac === 200) {
      if (fid === 21 && bitLength === 248) {
        return `${out},"country":"${q(sixbitText(w, 88, 2))}","locode":"${q(sixbitText(w, 100, 3))}","section":"${q(sixbitText(w, 118, 5))}","terminal":"${q(sixbitText(w, 148, 5))}","hectometre":"${q(sixbitText(w, 178, 5))}","eta":"${ubits(w, 208, 4)}-${ubits(w, 212, 5)}T${ubits(w, 217, 5)}:${ubits(w, 222, 6)}","tugs":${ubits(w, 228, 3)},"airdraught":${ubits(w, 231, 12)}}`;
      }
      if (fid === 22 && bitLength === 232) {
        const status = ubits(w, 228, 2);
        return `${out},"country":"${q(sixbitText(w, 88, 2))}","locode":"${q(sixbitText(w, 100, 3))}","section":"${q(sixbitText(w, 118, 5))}","terminal":"${q(sixbitText(w, 148, 5))}","hectometre":"${q(sixbitText(w, 178, 5))}","eta":"${ubits(w, 208, 4)}-${ubits(w, 212, 5)}T${ubits(w, 217, 5)}:${ubits(w, 222, 6)}","status":${status},"status_text":"${RTA_STATUS[status]}"}`;
      }
      if (fid === 55 && bitLength === 168) {
        return `${out},"crew":${ubits(w, 88, 8)},"passengers":${ubits(w, 96, 13)},"personnel":${ubits(w, 109, 8)}}`;
      }
    } else if (dac === 235 || dac === 250) {
      if (fid === 10 && bitLength === 136) {
        out += `,"off_pos":${b(ubits(w, 131, 1))},"alarm":${b(ubits(w, 122, 1))},"stat_ext":${ubits(w, 123, 8)}`;
        for (const [name, at] of [
          ['ana_int', 88],
          ['ana_ext1', 98],
          ['ana_ext2', 108],
        ] as const) {
          const v = ubits(w, at, 10);
          out += scaled && v !== 0 ? `,"${name}":${(v * 0.05).toFixed(2)}` : `,"${name}":${v}`;
        }
        const racon = ubits(w, 118, 2);
        const light = ubits(w, 120, 2);
        return `${out},"racon":${racon},"racon_text":"${RACON[racon]}","light":${light},"light_text":"${LIGHT[light]}"}`;
      }
    } else if (dac === 1) {
      switch (fid) {
        case 12:
          return `${out},"lastport":"${q(sixbitText(w, 88, 5))}","departure":"${p2(ubits(w, 118, 4))}-${p2(ubits(w, 122, 5))}T${p2(ubits(w, 127, 5))}:${p2(ubits(w, 132, 6))}Z","nextport":"${q(sixbitText(w, 138, 5))}","eta":"${p2(ubits(w, 168, 4))}-${p2(ubits(w, 172, 5))}T${p2(ubits(w, 177, 5))}:${p2(ubits(w, 182, 6))}Z","dangerous":"${q(sixbitText(w, 188, 20))}","imdcat":"${q(sixbitText(w, 308, 4))}","unid":${ubits(w, 332, 13)},"amount":${ubits(w, 345, 10)},"unit":${ubits(w, 355, 2)}}`;
        case 14:
        case 32: {
          out += `,"month":${ubits(w, 88, 4)},"day":${ubits(w, 92, 5)},"tidals":[`;
          const size = fid === 14 ? 93 : 88;
          for (let u = 0; u < 3 && 97 + size * u <= bitLength; u++) {
            const a = 97 + size * u;
            // IMO236 (FID 14) puts latitude first and uses 27/28-bit fields; both scale by 1/1000 minute.
            const lon = fid === 14 ? sbits(w, a + 27, 28) : sbits(w, a, 25);
            const lat = fid === 14 ? sbits(w, a, 27) : sbits(w, a + 25, 24);
            const o = fid === 14 ? 55 : 49;
            const cspeed = fid === 14 ? ubits(w, a + 86, 7) : ubits(w, a + 80, 8);
            out += `${u > 0 ? ',' : ''}{${latlon(lon, lat, LATLON3_DIV, 6)},"from_hour":${ubits(w, a + o, 5)},"from_min":${ubits(w, a + o + 5, 6)},"to_hour":${ubits(w, a + o + 11, 5)},"to_min":${ubits(w, a + o + 16, 6)},"cdir":${ubits(w, a + o + 22, 9)},"cspeed":${scaled ? (cspeed / 10).toFixed(1) : cspeed}}`;
          }
          return `${out}]}`;
        }
        case 15:
          // gpsd reads the air draught at bit 56 (inside the header): kept for compatibility.
          return `${out},"airdraught":${ubits(w, 56, 11)}}`;
        case 16:
          return `${out},"persons":${bitcount === 136 ? ubits(w, 88, 13) : ubits(w, 55, 13)}}`;
        case 18:
          return `${out},"linkage":${ubits(w, 88, 10)},"arrival":"${p2(ubits(w, 98, 4))}-${p2(ubits(w, 102, 5))}T${p2(ubits(w, 107, 5))}:${p2(ubits(w, 112, 6))}Z","portname":"${q(sixbitText(w, 118, 20))}","destination":"${q(sixbitText(w, 238, 5))}",${latlon(sbits(w, 268, 25), sbits(w, 293, 24), LATLON3_DIV, 6)}}`;
        case 20: {
          const position = ubits(w, 115, 3);
          out += `,"linkage":${ubits(w, 88, 10)},"berth_length":${ubits(w, 98, 9)},"position":${position},"position_text":"${POSITION_TYPES[position]}","arrival":"${ubits(w, 118, 4)}-${ubits(w, 122, 5)}T${ubits(w, 127, 5)}:${ubits(w, 132, 6)}","availability":${ubits(w, 138, 1)}`;
          const names = [
            'agent',
            'fuel',
            'chandler',
            'stevedore',
            'electrical',
            'water',
            'customs',
            'cartage',
            'crane',
            'lift',
            'medical',
            'navrepair',
            'provisions',
            'shiprepair',
            'surveyor',
            'steam',
            'tugs',
            'solidwaste',
            'liquidwaste',
            'hazardouswaste',
            'ballast',
            'additional',
            'regional1',
            'regional2',
            'future1',
            'future2',
          ];
          for (let k = 0; k < names.length; k++) out += `,"${names[k]}":${ubits(w, 139 + 2 * k, 2)}`;
          out += `,"berth_name":"${q(sixbitText(w, 191, 20))}"`;
          const lon = sbits(w, 311, 25);
          const lat = sbits(w, 336, 24);
          const depth = ubits(w, 107, 8);
          return scaled
            ? `${out},"berth_lon":${(lon / LATLON3_DIV).toFixed(6)},"berth_lat":${(lat / LATLON3_DIV).toFixed(6)},"berth_depth":${(depth * 0.1).toFixed(1)}}`
            : `${out},"berth_lon":${lon},"berth_lat":${lat},"berth_depth":${depth}}`;
        }
        case 25: {
          out += `,"unit":${ubits(w, 88, 2)},"amount":${ubits(w, 90, 10)},"cargos":[`;
          for (let u = 0; u < 28 && 100 + u * 17 < bitLength; u++) {
            out += `${u > 0 ? ',' : ''}{"code":${ubits(w, 100 + u * 17, 4)},"subtype":${ubits(w, 104 + u * 17, 13)}}`;
          }
          return `${out}]}`;
        }
        case 28:
          return route(w, out, 88);
        case 30:
          return `${out},"linkage":${ubits(w, 88, 10)},"text":"${q(endText(w, bitLength, 98, 153))}"}`;
      }
    }
    // Unstructured: gpsd copies whole bytes, pad bits included.
    return `${out},"data":"${blob(w, 88, bitcount, 88 + (((bitcount + 7) >>> 3) << 3))}"}`;
  }

  /** Route information (type 6 FID 28 at 88, type 8 FID 27 at 56). */
  function route(w: Uint32Array, out: string, at: number): string {
    const rtype = ubits(w, at + 13, 5);
    const waycount = ubits(w, at + 56, 5);
    out += `,"linkage":${ubits(w, at, 10)},"sender":${ubits(w, at + 10, 3)},"rtype":${rtype},"rtype_text":"${ROUTE_TYPE[rtype]}","start":"${p2(ubits(w, at + 18, 4))}-${p2(ubits(w, at + 22, 5))}T${p2(ubits(w, at + 27, 5))}:${p2(ubits(w, at + 32, 6))}Z","duration":${ubits(w, at + 38, 18)},"waypoints":[`;
    for (let i = 0; i < waycount; i++) {
      const a = at + 61 + 55 * i;
      out += `${i > 0 ? ',' : ''}{${latlon(sbits(w, a, 28), sbits(w, a + 28, 27), LATLON_DIV, 7)}}`;
    }
    return `${out}]}`;
  }

  function type8(w: Uint32Array, bitLength: number): string {
    const dac = ubits(w, 40, 10);
    const fid = ubits(w, 50, 6);
    const out = `,"dac":${dac},"fid":${fid}`;
    const bitcount = bitLength - 56;
    if (dac === 1) {
      switch (fid) {
        case 11:
          return out + metHydro11(w);
        case 13:
          return `${out},"reason":"${q(sixbitText(w, 56, 20))}","closefrom":"${q(sixbitText(w, 176, 20))}","closeto":"${q(sixbitText(w, 296, 20))}","radius":${ubits(w, 416, 10)},"extunit":${ubits(w, 426, 2)},"from":"${p2(ubits(w, 433, 4))}-${p2(ubits(w, 428, 5))}T${p2(ubits(w, 437, 5))}:${p2(ubits(w, 442, 6))}","to":"${p2(ubits(w, 453, 4))}-${p2(ubits(w, 448, 5))}T${p2(ubits(w, 457, 5))}:${p2(ubits(w, 462, 6))}"}`;
        case 15:
          return `${out},"airdraught":${ubits(w, 56, 11)}}`;
        case 16:
          if (bitcount === 136) return `${out},"persons":${ubits(w, 88, 13)}}`;
          if (bitcount === 72) return `${out},"persons":${ubits(w, 55, 13)}}`;
          break;
        case 17: {
          let s = `${out},"targets":[`;
          for (let u = 0; 56 + 122 * u <= bitLength && u < 4; u++) {
            const a = 56 + 122 * u;
            const idtype = ubits(w, a, 2);
            s += `${u > 0 ? ',' : ''}{"idtype":${idtype},"idtype_text":"${IDTYPES[idtype]}"`;
            if (idtype < 2) {
              // gpsd stores the 42-bit identifier in 32 bits.
              s += `,"${IDTYPES[idtype]}":"${ubitsWide(w, a + 2, 42) % 4294967296}"`;
            } else {
              s += `,"${IDTYPES[idtype]}":"${q(sixbitText(w, a + 2, 7))}"`;
            }
            const lat = sbits(w, a + 48, 24);
            const lon = sbits(w, a + 72, 25);
            s += scaled
              ? `,"lat":${(lat / LATLON3_DIV).toFixed(6)},"lon":${(lon / LATLON3_DIV).toFixed(6)}`
              : `,"lat":${lat},"lon":${lon}`;
            s += `,"course":${ubits(w, a + 97, 9)},"second":${ubits(w, a + 106, 6)},"speed":${ubits(w, a + 112, 10)}}`;
          }
          return `${s}]}`;
        }
        case 19: {
          const signal = ubits(w, 237, 5);
          const next = ubits(w, 253, 5);
          return `${out},"linkage":${ubits(w, 56, 10)},"station":"${q(sixbitText(w, 66, 20))}","lon":${(sbits(w, 186, 25) / LATLON3_DIV).toFixed(6)},"lat":${(sbits(w, 211, 24) / LATLON3_DIV).toFixed(6)},"status":${ubits(w, 235, 2)},"signal":${signal},"signal_text":"${pick(SIGNALS, signal, 'INVALID SIGNAL TYPE')}","hour":${ubits(w, 242, 5)},"minute":${ubits(w, 247, 6)},"nextsignal":${next},"nextsignal_text":"${pick(SIGNALS, next, 'INVALID SIGNAL TYPE')}"}`;
        }
        case 27:
          return route(w, out, 56);
        case 29:
          return `${out},"linkage":${ubits(w, 56, 10)},"text":"${q(endText(w, bitLength, 66, 161))}"}`;
        case 31:
          return out + metHydro31(w);
      }
    } else if (dac === 200) {
      if (fid === 10 && bitLength === 168) {
        const hazard = ubits(w, 141, 3);
        // gpsd's sanity check against false matches: an impossible hazard code means "not this message".
        if (hazard <= 5) {
          const shiptype = ubits(w, 127, 14);
          let legend = '';
          for (const [code, ais, text] of INLAND_SHIPTYPES) {
            if (code === shiptype || ais === shiptype || code === 0) {
              legend = text;
              break;
            }
          }
          const loaded = ubits(w, 155, 2);
          return `${out},"vin":"${q(sixbitText(w, 56, 8))}","length":${ubits(w, 104, 13)},"beam":${ubits(w, 117, 10)},"shiptype":${shiptype},"shiptype_text":"${legend}","hazard":${hazard},"hazard_text":"${HAZARDS[hazard]}","draught":${ubits(w, 144, 11)},"loaded":${loaded},"loaded_text":"${pick(LOAD_STATUS, loaded, 'INVALID LOAD STATUS')}","speed_q":${b(ubits(w, 157, 1))},"course_q":${b(ubits(w, 158, 1))},"heading_q":${b(ubits(w, 159, 1))}}`;
        }
      } else if (fid === 23 && bitLength === 256) {
        // gpsd prints the start date with hour and minute in the day's place: kept for compatibility.
        let s = `${out},"start":"${ubits(w, 56, 8) + 2000}-${p2(ubits(w, 64, 4))}-${p2(ubits(w, 90, 5))}T${p2(ubits(w, 95, 6))}:${p2(ubits(w, 68, 5))}","end":"${ubits(w, 73, 8) + 2000}-${p2(ubits(w, 81, 4))}-${p2(ubits(w, 85, 5))}T${p2(ubits(w, 101, 5))}:${p2(ubits(w, 106, 6))}"`;
        const sl = sbits(w, 112, 28);
        const sa = sbits(w, 140, 27);
        const el = sbits(w, 167, 28);
        const ea = sbits(w, 195, 27);
        s += scaled
          ? `,"start_lon":${(sl / LATLON_DIV).toFixed(7)},"start_lat":${(sa / LATLON_DIV).toFixed(7)},"end_lon":${(el / LATLON_DIV).toFixed(7)},"end_lat":${(ea / LATLON_DIV).toFixed(7)}`
          : `,"start_lon":${sl},"start_lat":${sa},"end_lon":${el},"end_lat":${ea}`;
        const type = ubits(w, 222, 4);
        const intensity = ubits(w, 244, 2);
        const wind = ubits(w, 246, 4);
        return `${s},"type":${type},"type_text":"${pick(EMMA_TYPES, type, 'INVALID EMMA TYPE')}","min":${sbits(w, 226, 9)},"max":${sbits(w, 235, 9)},"class":${intensity},"class_text":"${pick(EMMA_CLASSES, intensity, 'INVALID EMMA TYPE')}","wind":${wind},"wind_text":"${pick(EMMA_WINDS, wind, 'INVALID EMMA WIND DIRECTION')}"}`;
      } else if (fid === 24 && bitLength === 168) {
        let s = `${out},"country":"${q(sixbitText(w, 56, 2))}","gauges":[`;
        for (let i = 0; 68 + 25 * i < bitLength; i++) {
          s += `${i > 0 ? ',' : ''}{"id":${ubits(w, 68 + 25 * i, 11)},"level":${sbits(w, 79 + 25 * i, 14)}}`;
        }
        return `${s}]}`;
      } else if (fid === 40 && bitLength === 168) {
        const direction = ubits(w, 124, 3);
        const status = ubits(w, 127, 30);
        return `${out},${latlon(sbits(w, 56, 28), sbits(w, 84, 27), LATLON_DIV, 7)},"form":${ubits(w, 111, 4)},"facing":${ubits(w, 115, 9)},"direction":${direction},"direction_text":"${pick(DIRECTIONS, direction, 'INVALID DIRECTION')}","status":${status},"status_text":"${pick(SIGNAL_STATUS, status, 'INVALID STATUS')}"}`;
      }
    }
    // Unstructured: gpsd masks the unused bits of the last byte for type 8 only.
    return `${out},"data":"${blob(w, 56, bitcount, 56 + bitcount)}"}`;
  }

  function metHydro11(w: Uint32Array): string {
    const lat = sbits(w, 56, 24);
    const lon = sbits(w, 80, 25);
    let s = scaled
      ? `,"lat":${(lat / LATLON3_DIV).toFixed(6)},"lon":${(lon / LATLON3_DIV).toFixed(6)}`
      : `,"lat":${lat},"lon":${lon}`;
    s += `,"timestamp":"${p2(ubits(w, 105, 5))}T${p2(ubits(w, 110, 5))}:${p2(ubits(w, 115, 6))}Z","wspeed":${ubits(w, 121, 7)},"wgust":${ubits(w, 128, 7)},"wdir":${ubits(w, 135, 9)},"wgustdir":${ubits(w, 144, 9)},"humidity":${ubits(w, 164, 7)}`;
    const airtemp = ubits(w, 153, 11);
    const dewpoint = ubits(w, 171, 10);
    const pressure = ubits(w, 181, 9);
    const ptend = ubits(w, 190, 2);
    const visibility = ubits(w, 192, 8);
    const waterlevel = ubits(w, 200, 9);
    const ltrend = ubits(w, 209, 2);
    const watertemp = ubits(w, 322, 10);
    const precip = ubits(w, 332, 3);
    const salinity = ubits(w, 335, 9);
    const ice = ubits(w, 344, 2);
    const f1 = (v: number) => (scaled ? (v / 10).toFixed(1) : `${v}`);
    if (scaled) {
      s += `,"airtemp":${((airtemp - 600) / 10).toFixed(1)},"dewpoint":${((dewpoint - 200) / 10).toFixed(1)},"pressure":${pressure + 800},"pressuretend":"${TRENDS[ptend]}","visibility":${(visibility / 10).toFixed(1)},"waterlevel":${((waterlevel - 100) / 10).toFixed(1)},"leveltrend":"${TRENDS[ltrend]}"`;
    } else {
      s += `,"airtemp":${airtemp},"dewpoint":${dewpoint},"pressure":${pressure},"pressuretend":${ptend},"visibility":${visibility},"waterlevel":${waterlevel},"leveltrend":${ltrend}`;
    }
    s += `,"cspeed":${f1(ubits(w, 211, 8))},"cdir":${ubits(w, 219, 9)},"cspeed2":${f1(ubits(w, 228, 8))},"cdir2":${ubits(w, 236, 9)},"cdepth2":${ubits(w, 245, 5)},"cspeed3":${f1(ubits(w, 250, 8))},"cdir3":${ubits(w, 258, 9)},"cdepth3":${ubits(w, 267, 5)},"waveheight":${f1(ubits(w, 272, 8))},"waveperiod":${ubits(w, 280, 6)},"wavedir":${ubits(w, 286, 9)},"swellheight":${f1(ubits(w, 295, 8))},"swellperiod":${ubits(w, 303, 6)},"swelldir":${ubits(w, 309, 9)},"seastate":${ubits(w, 318, 4)}`;
    s += scaled ? `,"watertemp":${((watertemp - 100) / 10).toFixed(1)}` : `,"watertemp":${watertemp}`;
    s += `,"preciptype":${precip},"preciptype_text":"${PRECIP[precip]}","salinity":${f1(salinity)},"ice":${ice},"ice_text":"${ICE[ice]}"}`;
    return s;
  }

  function metHydro31(w: Uint32Array): string {
    const lon = sbits(w, 56, 25);
    const lat = sbits(w, 81, 24);
    let s = scaled
      ? `,"lat":${(lat / LATLON3_DIV).toFixed(6)},"lon":${(lon / LATLON3_DIV).toFixed(6)}`
      : `,"lat":${lat},"lon":${lon}`;
    s += `,"accuracy":${b(ubits(w, 105, 1))},"timestamp":"${p2(ubits(w, 106, 5))}T${p2(ubits(w, 111, 5))}:${p2(ubits(w, 116, 6))}Z","wspeed":${ubits(w, 122, 7)},"wgust":${ubits(w, 129, 7)},"wdir":${ubits(w, 136, 9)},"wgustdir":${ubits(w, 145, 9)},"humidity":${ubits(w, 165, 7)}`;
    const airtemp = sbits(w, 154, 11);
    const dewpoint = sbits(w, 172, 10);
    const pressure = ubits(w, 182, 9);
    const ptend = ubits(w, 191, 2);
    const visgreater = ubits(w, 193, 1);
    const visibility = ubits(w, 194, 7);
    const waterlevel = ubits(w, 201, 12);
    const ltrend = ubits(w, 213, 2);
    const watertemp = sbits(w, 326, 10);
    const precip = ubits(w, 336, 3);
    const salinity = ubits(w, 339, 9);
    const ice = ubits(w, 348, 2);
    const f1 = (v: number) => (scaled ? (v / 10).toFixed(1) : `${v}`);
    if (scaled) {
      // gpsd subtracts the water level offset as unsigned int: negative levels wrap around.
      const level = printf1((waterlevel - 1000) >>> 0, 100);
      s += `,"airtemp":${(airtemp / 10).toFixed(1)},"dewpoint":${(dewpoint / 10).toFixed(1)},"pressure":${pressure + 799},"pressuretend":"${TRENDS[ptend]}","visgreater":${b(visgreater)},"visibility":${(visibility / 10).toFixed(1)},"waterlevel":${level},"leveltrend":"${TRENDS[ltrend]}"`;
    } else {
      s += `,"airtemp":${airtemp},"dewpoint":${dewpoint},"pressure":${pressure},"pressuretend":${ptend},"visgreater":${b(visgreater)},"visibility":${visibility},"waterlevel":${waterlevel},"leveltrend":${ltrend}`;
    }
    s += `,"cspeed":${f1(ubits(w, 215, 8))},"cdir":${ubits(w, 223, 9)},"cspeed2":${f1(ubits(w, 232, 8))},"cdir2":${ubits(w, 240, 9)},"cdepth2":${ubits(w, 249, 5)},"cspeed3":${f1(ubits(w, 254, 8))},"cdir3":${ubits(w, 262, 9)},"cdepth3":${ubits(w, 271, 5)},"waveheight":${f1(ubits(w, 276, 8))},"waveperiod":${ubits(w, 284, 6)},"wavedir":${ubits(w, 290, 9)},"swellheight":${f1(ubits(w, 299, 8))},"swellperiod":${ubits(w, 307, 6)},"swelldir":${ubits(w, 313, 9)},"seastate":${ubits(w, 322, 4)}`;
    s += scaled
      ? `,"watertemp":${(watertemp / 10).toFixed(1)},"preciptype":"${PRECIP[precip]}","salinity":${(salinity / 10).toFixed(1)},"ice":"${ICE[ice]}"}`
      : `,"watertemp":${watertemp},"preciptype":${precip},"salinity":${salinity},"ice":${ice}}`;
    return s;
  }

  function type24(w: Uint32Array, mmsi: number, channel: string): string {
    const queue = queueFor(channel);
    if (ubits(w, 38, 2) === 0) {
      const name = sixbitText(w, 40, 20);
      queue.mmsi[queue.index] = mmsi;
      queue.names[queue.index] = name;
      queue.index = (queue.index + 1) % TYPE24_QUEUE;
      return split24 ? `,"part":"A","shipname":"${q(name)}"}` : '';
    }
    let part = 'B';
    let name = '';
    for (let i = 0; i < TYPE24_QUEUE; i++) {
      if (queue.mmsi[i] === mmsi) {
        name = queue.names[i];
        // Forget the A part so a repeated B does not match it again.
        queue.mmsi[i] = 0;
        part = 'AB';
        break;
      }
    }
    if (part === 'B' && !split24) return '';
    const shiptype = ubits(w, 40, 8);
    let s = part === 'AB' ? `,"shipname":"${q(name)}"` : ',"part":"B"';
    s += `,"shiptype":${shiptype},"shiptype_text":"${shipTypeText(shiptype)}","vendorid":"${q(sixbitText(w, 48, 7))}","model":${ubits(w, 66, 4)},"serial":${ubits(w, 70, 20)},"callsign":"${q(sixbitText(w, 90, 7))}"`;
    s += isAuxiliaryMmsi(mmsi)
      ? `,"mothership_mmsi":${ubits(w, 132, 30)}}`
      : `,"to_bow":${ubits(w, 132, 9)},"to_stern":${ubits(w, 141, 9)},"to_port":${ubits(w, 150, 6)},"to_starboard":${ubits(w, 156, 6)}}`;
    return s;
  }

  /** lon/lat pair of a 1/10000-minute field. */
  function pos4(out: ByteWriter, lon: number, lat: number): void {
    if (scaled) {
      ascii(out, '"lon":');
      ratio(out, lon, LATLON_DIV, 7);
      ascii(out, ',"lat":');
      ratio(out, lat, LATLON_DIV, 7);
    } else {
      ascii(out, '"lon":');
      int(out, lon);
      ascii(out, ',"lat":');
      int(out, lat);
    }
  }

  function tenthsOrRaw(out: ByteWriter, raw: number): void {
    if (scaled) tenths(out, raw);
    else uint(out, raw);
  }

  return function format(w: Uint32Array, bitLength: number, channel: string, out: ByteWriter): boolean {
    const check = checkLength(w, bitLength);
    if (check !== LENGTH_OK) {
      if (stats !== undefined) {
        if (check === TYPE_UNKNOWN) stats.unknownType++;
        else stats.badLength++;
      }
      return false;
    }
    const type = ubits(w, 0, 6);
    const mmsi = ubits(w, 8, 30);
    const start = out.pos;
    // Text fields are at most a few hundred characters, escaped at most twice that.
    reserve(out, 4096);
    ascii(out, head);
    uint(out, type);
    ascii(out, ',"repeat":');
    uint(out, ubits(w, 6, 2));
    ascii(out, ',"mmsi":');
    uint(out, mmsi);
    ascii(out, tail);
    switch (type) {
      case 1:
      case 2:
      case 3: {
        const status = ubits(w, 38, 4);
        const turn = sbits(w, 42, 8);
        const speed = ubits(w, 50, 10);
        ascii(out, ',"status":');
        uint(out, status);
        ascii(out, ',"status_text":"');
        ascii(out, NAV_STATUS[status]);
        ascii(out, '","turn":');
        if (!scaled) int(out, turn);
        else if (turn === -128) ascii(out, '"n/a"');
        else if (turn === -127) ascii(out, '"fastleft"');
        else if (turn === 127) ascii(out, '"fastright"');
        else {
          let rot = turn / 4.733;
          rot *= rot;
          if (turn < 0) rot = -rot;
          ascii(out, `"${rot.toFixed(2)}"`);
        }
        ascii(out, ',"speed":');
        if (!scaled) uint(out, speed);
        else if (speed === 1023) ascii(out, '"n/a"');
        else if (speed === 1022) ascii(out, '"fast"');
        else tenths(out, speed);
        ascii(out, ',"accuracy":');
        bool(out, ubits(w, 60, 1));
        out.buf[out.pos++] = 44;
        pos4(out, sbits(w, 61, 28), sbits(w, 89, 27));
        ascii(out, ',"course":');
        tenthsOrRaw(out, ubits(w, 116, 12));
        ascii(out, ',"heading":');
        uint(out, ubits(w, 128, 9));
        ascii(out, ',"second":');
        uint(out, ubits(w, 137, 6));
        ascii(out, ',"maneuver":');
        uint(out, ubits(w, 143, 2));
        ascii(out, ',"raim":');
        bool(out, ubits(w, 148, 1));
        ascii(out, ',"radio":');
        uint(out, bitLength >= 168 ? ubits(w, 149, 19) : ubits(w, 149, bitLength - 149));
        out.buf[out.pos++] = 125;
        return true;
      }
      case 4:
      case 11: {
        const epfd = ubits(w, 134, 4);
        ascii(out, ',"timestamp":"');
        const year = ubits(w, 38, 14);
        if (year < 1000) ascii(out, year < 10 ? '000' : year < 100 ? '00' : '0');
        uint(out, year);
        out.buf[out.pos++] = 45;
        uint2(out, ubits(w, 52, 4));
        out.buf[out.pos++] = 45;
        uint2(out, ubits(w, 56, 5));
        out.buf[out.pos++] = 84;
        uint2(out, ubits(w, 61, 5));
        out.buf[out.pos++] = 58;
        uint2(out, ubits(w, 66, 6));
        out.buf[out.pos++] = 58;
        uint2(out, ubits(w, 72, 6));
        ascii(out, 'Z","accuracy":');
        bool(out, ubits(w, 78, 1));
        out.buf[out.pos++] = 44;
        pos4(out, sbits(w, 79, 28), sbits(w, 107, 27));
        ascii(out, ',"epfd":');
        uint(out, epfd);
        ascii(out, ',"epfd_text":"');
        ascii(out, EPFD[epfd]);
        ascii(out, '","raim":');
        bool(out, ubits(w, 148, 1));
        ascii(out, ',"radio":');
        uint(out, ubits(w, 149, 19));
        out.buf[out.pos++] = 125;
        return true;
      }
      case 5: {
        const shiptype = ubits(w, 232, 8);
        const epfd = ubits(w, 270, 4);
        ascii(out, ',"imo":');
        uint(out, ubits(w, 40, 30));
        ascii(out, ',"ais_version":');
        uint(out, ubits(w, 38, 2));
        ascii(out, ',"callsign":"');
        text(out, sixbitText(w, 70, 7));
        ascii(out, '","shipname":"');
        text(out, sixbitText(w, 112, 20));
        ascii(out, '","shiptype":');
        uint(out, shiptype);
        ascii(out, ',"shiptype_text":"');
        ascii(out, shipTypeText(shiptype));
        ascii(out, '","to_bow":');
        uint(out, ubits(w, 240, 9));
        ascii(out, ',"to_stern":');
        uint(out, ubits(w, 249, 9));
        ascii(out, ',"to_port":');
        uint(out, ubits(w, 258, 6));
        ascii(out, ',"to_starboard":');
        uint(out, ubits(w, 264, 6));
        ascii(out, ',"epfd":');
        uint(out, epfd);
        ascii(out, ',"epfd_text":"');
        ascii(out, EPFD[epfd]);
        ascii(out, '","eta":"');
        uint2(out, ubits(w, 274, 4));
        out.buf[out.pos++] = 45;
        uint2(out, ubits(w, 278, 5));
        out.buf[out.pos++] = 84;
        uint2(out, ubits(w, 283, 5));
        out.buf[out.pos++] = 58;
        uint2(out, ubits(w, 288, 6));
        ascii(out, 'Z","draught":');
        tenthsOrRaw(out, ubits(w, 294, 8));
        ascii(out, ',"destination":"');
        text(out, sixbitText(w, 302, 20));
        ascii(out, '","dte":');
        uint(out, bitLength >= 423 ? ubits(w, 422, 1) : 0);
        out.buf[out.pos++] = 125;
        return true;
      }
      case 18: {
        ascii(out, ',"reserved":');
        uint(out, ubits(w, 38, 8));
        ascii(out, ',"speed":');
        tenthsOrRaw(out, ubits(w, 46, 10));
        ascii(out, ',"accuracy":');
        bool(out, ubits(w, 56, 1));
        out.buf[out.pos++] = 44;
        pos4(out, sbits(w, 57, 28), sbits(w, 85, 27));
        ascii(out, ',"course":');
        tenthsOrRaw(out, ubits(w, 112, 12));
        ascii(out, ',"heading":');
        uint(out, ubits(w, 124, 9));
        ascii(out, ',"second":');
        uint(out, ubits(w, 133, 6));
        ascii(out, ',"regional":');
        uint(out, ubits(w, 139, 2));
        ascii(out, ',"cs":');
        bool(out, ubits(w, 141, 1));
        ascii(out, ',"display":');
        bool(out, ubits(w, 142, 1));
        ascii(out, ',"dsc":');
        bool(out, ubits(w, 143, 1));
        ascii(out, ',"band":');
        bool(out, ubits(w, 144, 1));
        ascii(out, ',"msg22":');
        bool(out, ubits(w, 145, 1));
        ascii(out, ',"raim":');
        bool(out, ubits(w, 147, 1));
        ascii(out, ',"radio":');
        uint(out, ubits(w, 148, 20));
        out.buf[out.pos++] = 125;
        return true;
      }
    }
    // Less frequent types: built as strings.
    const body = rest(w, bitLength, type, mmsi, channel);
    if (body === '') {
      out.pos = start;
      return false;
    }
    reserve(out, body.length);
    ascii(out, body);
    return true;
  };

  function rest(w: Uint32Array, bitLength: number, type: number, mmsi: number, channel: string): string {
    switch (type) {
      case 6:
        return type6(w, bitLength);
      case 7:
      case 13: {
        let s = '';
        for (let u = 0; u < 4; u++)
          s += `,"mmsi${u + 1}":${40 + 32 * u < bitLength ? ubits(w, 40 + 32 * u, 30) : 0}`;
        return `${s}}`;
      }
      case 8:
        return type8(w, bitLength);
      case 9: {
        const alt = ubits(w, 38, 12);
        const speed = ubits(w, 50, 10);
        const course = ubits(w, 116, 12);
        const altText = scaled ? (alt === 4095 ? '"nan"' : alt === 4094 ? '"high"' : `${alt}`) : `${alt}`;
        const speedText = scaled
          ? speed === 1023
            ? '"nan"'
            : speed === 1022
              ? '"fast"'
              : `${speed}`
          : `${speed}`;
        return `,"alt":${altText},"speed":${speedText},"accuracy":${b(ubits(w, 60, 1))},${latlon(sbits(w, 61, 28), sbits(w, 89, 27), LATLON_DIV, 7)},"course":${scaled ? (course / 10).toFixed(1) : course},"second":${ubits(w, 128, 6)},"regional":${ubits(w, 134, 8)},"dte":${ubits(w, 142, 1)},"raim":${b(ubits(w, 147, 1))},"radio":${ubits(w, 148, 20)}}`;
      }
      case 10:
        return `,"dest_mmsi":${ubits(w, 40, 30)}}`;
      case 12:
        return `,"seqno":${ubits(w, 38, 2)},"dest_mmsi":${ubits(w, 40, 30)},"retransmit":${b(ubits(w, 70, 1))},"text":"${q(endText(w, bitLength, 72, 156))}"}`;
      case 14:
        return `,"text":"${q(endText(w, bitLength, 40, 160))}"}`;
      case 15: {
        const t12 = bitLength > 90 ? ubits(w, 90, 6) : 0;
        const o12 = bitLength > 90 ? ubits(w, 96, 12) : 0;
        const more = bitLength > 110;
        return `,"mmsi1":${ubits(w, 40, 30)},"type1_1":${ubits(w, 70, 6)},"offset1_1":${ubits(w, 76, 12)},"type1_2":${t12},"offset1_2":${o12},"mmsi2":${more ? ubits(w, 110, 30) : 0},"type2_1":${more ? ubits(w, 140, 6) : 0},"offset2_1":${more ? ubits(w, 146, 12) : 0}}`;
      }
      case 16: {
        const two = bitLength >= 144;
        return `,"mmsi1":${ubits(w, 40, 30)},"offset1":${ubits(w, 70, 12)},"increment1":${ubits(w, 82, 10)},"mmsi2":${two ? ubits(w, 92, 30) : 0},"offset2":${two ? ubits(w, 122, 12) : 0},"increment2":${two ? ubits(w, 134, 10) : 0}}`;
      }
      case 17: {
        const lon = sbits(w, 40, 18);
        const lat = sbits(w, 58, 17);
        const bitcount = bitLength - 80;
        const pos = scaled
          ? `"lon":${printf1(lon, TENTH_MIN_DIV)},"lat":${printf1(lat, TENTH_MIN_DIV)}`
          : `"lon":${lon},"lat":${lat}`;
        return `,${pos},"data":"${blob(w, 80, bitcount, 80 + (((bitcount + 7) >>> 3) << 3))}"}`;
      }
      case 19: {
        const speed = ubits(w, 46, 10);
        const course = ubits(w, 112, 12);
        const shiptype = ubits(w, 263, 8);
        const epfd = ubits(w, 301, 4);
        return `,"reserved":${ubits(w, 38, 8)},"speed":${scaled ? (speed / 10).toFixed(1) : speed},"accuracy":${b(ubits(w, 56, 1))},${latlon(sbits(w, 57, 28), sbits(w, 85, 27), LATLON_DIV, 7)},"course":${scaled ? (course / 10).toFixed(1) : course},"heading":${ubits(w, 124, 9)},"second":${ubits(w, 133, 6)},"regional":${ubits(w, 139, 4)},"shipname":"${q(sixbitText(w, 143, 20))}","shiptype":${shiptype},"shiptype_text":"${shipTypeText(shiptype)}","to_bow":${ubits(w, 271, 9)},"to_stern":${ubits(w, 280, 9)},"to_port":${ubits(w, 289, 6)},"to_starboard":${ubits(w, 295, 6)},"epfd":${epfd},"epfd_text":"${EPFD[epfd]}","raim":${b(ubits(w, 305, 1))},"dte":${ubits(w, 306, 1)},"assigned":${b(ubits(w, 307, 1))}}`;
      }
      case 20: {
        let s = '';
        for (let k = 0; k < 4; k++) {
          const a = 40 + 30 * k;
          s += `,"offset${k + 1}":${ubits(w, a, 12)},"number${k + 1}":${ubits(w, a + 12, 4)},"timeout${k + 1}":${ubits(w, a + 16, 3)},"increment${k + 1}":${ubits(w, a + 19, 11)}`;
        }
        return `${s}}`;
      }
      case 21: {
        const aid = ubits(w, 38, 5);
        let name = sixbitUntrimmed(w, 43, 20);
        if (name.length === 20 && bitLength > 272) name += endText(w, bitLength, 272, 14);
        name = trimRight(name);
        const epfd = ubits(w, 249, 4);
        const lon = sbits(w, 164, 28);
        const lat = sbits(w, 192, 27);
        const acc = `"accuracy":${b(ubits(w, 163, 1))}`;
        const pos = scaled
          ? `${latlon(lon, lat, LATLON_DIV, 7)},${acc}`
          : `${acc},${latlon(lon, lat, LATLON_DIV, 7)}`;
        return `,"aid_type":${aid},"aid_type_text":"${NAVAID_TYPE[aid]}","name":"${q(name)}",${pos},"to_bow":${ubits(w, 219, 9)},"to_stern":${ubits(w, 228, 9)},"to_port":${ubits(w, 237, 6)},"to_starboard":${ubits(w, 243, 6)},"epfd":${epfd},"epfd_text":"${EPFD[epfd]}","second":${ubits(w, 253, 6)},"regional":${ubits(w, 260, 8)},"off_position":${b(ubits(w, 259, 1))},"raim":${b(ubits(w, 268, 1))},"virtual_aid":${b(ubits(w, 269, 1))}}`;
      }
      case 22: {
        const addressed = ubits(w, 139, 1);
        let s = `,"channel_a":${ubits(w, 40, 12)},"channel_b":${ubits(w, 52, 12)},"txrx":${ubits(w, 64, 4)},"power":${b(ubits(w, 68, 1))}`;
        if (addressed) s += `,"dest1":${ubits(w, 69, 30)},"dest2":${ubits(w, 104, 30)}`;
        else s += corners(w, 69, 87, 104, 122);
        return `${s},"addressed":${b(addressed)},"band_a":${b(ubits(w, 140, 1))},"band_b":${b(ubits(w, 141, 1))},"zonesize":${ubits(w, 142, 3)}}`;
      }
      case 23: {
        const st = ubits(w, 110, 4);
        const shiptype = ubits(w, 114, 8);
        // gpsd reads the interval at bit 146, overlapping its own tx/rx field: kept for compatibility.
        return `${corners(w, 40, 58, 75, 93)},"stationtype":${st},"stationtype_text":"${STATION_TYPE[st]}","shiptype":${shiptype},"shiptype_text":"${shipTypeText(shiptype)}","interval":${ubits(w, 146, 4)},"quiet":${ubits(w, 150, 4)}}`;
      }
      case 24:
        return type24(w, mmsi, channel);
      case 25:
      case 26: {
        const addressed = ubits(w, 38, 1);
        const structured = ubits(w, 39, 1);
        const start = 40 + 16 * structured;
        let bitcount = bitLength - (type === 25 ? 40 : 60) - 16 * structured;
        const limit = start + (((bitcount + 7) >>> 3) << 3);
        let from = start;
        if (addressed) {
          from += 30;
          bitcount -= 30;
        }
        const s = `,"addressed":${b(addressed)},"structured":${b(structured)},"dest_mmsi":${addressed ? ubits(w, 40, 30) : 0},"app_id":${structured ? ubits(w, 40 + 30 * addressed, 16) : 0},"data":"${blob(w, from, bitcount, limit)}"`;
        // gpsd never decodes the type 26 radio status and always prints 0.
        return type === 25 ? `${s}}` : `${s},"radio":0}`;
      }
      case 27: {
        const status = ubits(w, 40, 4);
        const lon = sbits(w, 44, 18);
        const lat = sbits(w, 62, 17);
        const pos = scaled
          ? `"lon":${(lon / TENTH_MIN_DIV).toFixed(4)},"lat":${(lat / TENTH_MIN_DIV).toFixed(4)}`
          : `"lon":${lon},"lat":${lat}`;
        return `,"status":${status}${scaled ? `,"status_text":"${NAV_STATUS[status]}"` : ''},"accuracy":${b(ubits(w, 38, 1))},${pos},"speed":${ubits(w, 79, 6)},"course":${ubits(w, 85, 9)},"raim":${b(ubits(w, 39, 1))},"gnss":${b(ubits(w, 94, 1))}}`;
      }
    }
    return '';
  }

  function corners(w: Uint32Array, a: number, b2: number, c: number, d: number): string {
    const neLon = sbits(w, a, 18);
    const neLat = sbits(w, b2, 17);
    const swLon = sbits(w, c, 18);
    const swLat = sbits(w, d, 17);
    return scaled
      ? `,"ne_lon":"${(neLon / TENTH_MIN_DIV).toFixed(6)}","ne_lat":"${(neLat / TENTH_MIN_DIV).toFixed(6)}","sw_lon":"${(swLon / TENTH_MIN_DIV).toFixed(6)}","sw_lat":"${(swLat / TENTH_MIN_DIV).toFixed(6)}"`
      : `,"ne_lon":${neLon},"ne_lat":${neLat},"sw_lon":${swLon},"sw_lat":${swLat}`;
  }
}
