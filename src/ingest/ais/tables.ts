/** Code tables and payload length rules shared by the native decoder and the gpsd-compatible output. */
import { ubits } from './bits.js';

/** Navigation status (types 1-3, 27), as gpsd words them. */
export const NAV_STATUS: readonly string[] = [
  'Under way using engine',
  'At anchor',
  'Not under command',
  'Restricted maneuverability',
  'Constrained by her draught',
  'Moored',
  'Aground',
  'Engaged in fishing',
  'Under way sailing',
  'Reserved for HSC',
  'Reserved for WIG',
  'Power-driven vessel towing astern',
  'Power-driven vessel pushing ahead or towing alongside',
  'Reserved',
  'AIS-SART is active',
  'Not defined',
];

/** Electronic position-fixing device. */
export const EPFD: readonly string[] = [
  'Undefined',
  'GPS',
  'GLONASS',
  'Combined GPS/GLONASS',
  'Loran-C',
  'Chayka',
  'Integrated navigation system',
  'Surveyed',
  'Galileo',
  'Reserved (9)',
  'Reserved (10)',
  'Reserved (11)',
  'Reserved (12)',
  'Reserved (13)',
  'Reserved (14)',
  'Internal GNSS',
];

function shipTypes(): string[] {
  const t: string[] = ['Not available'];
  for (let i = 1; i < 20; i++) t.push('Reserved for future use');
  const block = (name: string, last: string) => {
    t.push(`${name} - all ships of this type`);
    for (const c of ['A', 'B', 'C', 'D']) t.push(`${name} - Hazardous category ${c}`);
    for (let i = 0; i < 4; i++) t.push(`${name} - Reserved for future use`);
    t.push(last);
  };
  block('Wing in ground (WIG)', 'Wing in ground (WIG) - Reserved for future use');
  t.push(
    'Fishing',
    'Towing',
    'Towing: length exceeds 200m or breadth exceeds 25m',
    'Dredging or underwater ops',
    'Diving ops',
    'Military ops',
    'Sailing',
    'Pleasure Craft',
    'Reserved',
    'Reserved',
  );
  block('High speed craft (HSC)', 'High speed craft (HSC) - No additional information');
  t.push(
    'Pilot Vessel',
    'Search and Rescue vessel',
    'Tug',
    'Port Tender',
    'Anti-pollution equipment',
    'Law Enforcement',
    'Spare - Local Vessel',
    'Spare - Local Vessel',
    'Medical Transport',
    'Ship according to RR Resolution No. 18',
  );
  block('Passenger', 'Passenger - No additional information');
  block('Cargo', 'Cargo - No additional information');
  block('Tanker', 'Tanker - No additional information');
  block('Other Type', 'Other Type - no additional information');
  return t;
}

/** Ship and cargo type 0-99; values above have no legend. */
export const SHIP_TYPE: readonly string[] = shipTypes();

export function shipTypeText(n: number): string {
  return n < 100 ? SHIP_TYPE[n] : 'INVALID SHIP TYPE';
}

export const STATION_TYPE: readonly string[] = [
  'All types of mobiles',
  'Reserved for future use',
  'All types of Class B mobile stations',
  'SAR airborne mobile station',
  'Aid to Navigation station',
  'Class B shipborne mobile station',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
];

export const NAVAID_TYPE: readonly string[] = [
  'Unspecified',
  'Reference point',
  'RACON',
  'Fixed offshore structure',
  'Spare, Reserved for future use.',
  'Light, without sectors',
  'Light, with sectors',
  'Leading Light Front',
  'Leading Light Rear',
  'Beacon, Cardinal N',
  'Beacon, Cardinal E',
  'Beacon, Cardinal S',
  'Beacon, Cardinal W',
  'Beacon, Port hand',
  'Beacon, Starboard hand',
  'Beacon, Preferred Channel port hand',
  'Beacon, Preferred Channel starboard hand',
  'Beacon, Isolated danger',
  'Beacon, Safe water',
  'Beacon, Special mark',
  'Cardinal Mark N',
  'Cardinal Mark E',
  'Cardinal Mark S',
  'Cardinal Mark W',
  'Port hand Mark',
  'Starboard hand Mark',
  'Preferred Channel Port hand',
  'Preferred Channel Starboard hand',
  'Isolated danger',
  'Safe Water',
  'Special Mark',
  'Light Vessel / LANBY / Rigs',
];

/** True when an MMSI is an auxiliary craft's (98MIDXXXX): type 24 part B then carries the mothership. */
export function isAuxiliaryMmsi(mmsi: number): boolean {
  return Math.floor(mmsi / 10_000_000) === 98;
}

export const LENGTH_OK = 0;
export const LENGTH_BAD = 1;
export const TYPE_UNKNOWN = 2;

/**
 * gpsd's acceptance rules for a payload's bit length (driver_ais.c); both outputs use them so they accept
 * exactly the same messages.
 */
export function checkLength(w: Uint32Array, bitLength: number): number {
  if (bitLength < 6) return LENGTH_BAD;
  const type = ubits(w, 0, 6);
  if (type === 0 || type > 27) return TYPE_UNKNOWN;
  if (bitLength < 38) return LENGTH_BAD;
  switch (type) {
    case 1:
    case 2:
    case 3:
      return bitLength >= 163 && bitLength <= 204 ? LENGTH_OK : LENGTH_BAD;
    case 4:
    case 11:
    case 9:
    case 18:
    case 22:
      return bitLength >= 168 ? LENGTH_OK : LENGTH_BAD;
    case 5:
      return bitLength >= 420 ? LENGTH_OK : LENGTH_BAD;
    case 6:
      return bitLength >= 88 && bitLength <= 1008 ? LENGTH_OK : LENGTH_BAD;
    case 7:
    case 13:
      return bitLength >= 72 && bitLength <= 168 ? LENGTH_OK : LENGTH_BAD;
    case 8:
      return bitLength >= 56 && bitLength <= 1008 ? LENGTH_OK : LENGTH_BAD;
    case 10:
      return bitLength >= 72 ? LENGTH_OK : LENGTH_BAD;
    case 12:
      return bitLength >= 72 && bitLength <= 1008 ? LENGTH_OK : LENGTH_BAD;
    case 14:
      return bitLength >= 40 && bitLength <= 960 ? LENGTH_OK : LENGTH_BAD;
    case 15:
      return bitLength >= 88 && bitLength <= 168 ? LENGTH_OK : LENGTH_BAD;
    case 16:
      return bitLength >= 96 && bitLength <= 168 ? LENGTH_OK : LENGTH_BAD;
    case 17:
      return bitLength >= 80 && bitLength <= 816 ? LENGTH_OK : LENGTH_BAD;
    case 19:
      return bitLength >= 312 ? LENGTH_OK : LENGTH_BAD;
    case 20:
      return bitLength >= 72 && bitLength <= 186 ? LENGTH_OK : LENGTH_BAD;
    case 21:
      return bitLength >= 272 && bitLength <= 368 ? LENGTH_OK : LENGTH_BAD;
    case 23:
      return bitLength >= 160 ? LENGTH_OK : LENGTH_BAD;
    case 24: {
      const part = ubits(w, 38, 2);
      if (part === 0) return bitLength >= 160 && bitLength <= 168 ? LENGTH_OK : LENGTH_BAD;
      if (part === 1) return bitLength >= 168 ? LENGTH_OK : LENGTH_BAD;
      return LENGTH_BAD;
    }
    case 25: {
      if (bitLength < 40 || bitLength > 168) return LENGTH_BAD;
      const need = 40 + 16 * ubits(w, 39, 1) + 30 * ubits(w, 38, 1);
      return bitLength >= need ? LENGTH_OK : LENGTH_BAD;
    }
    case 26: {
      if (bitLength < 60 || bitLength > 1004) return LENGTH_BAD;
      const need = 40 + 16 * ubits(w, 39, 1) + 30 * ubits(w, 38, 1) + 20;
      return bitLength >= need ? LENGTH_OK : LENGTH_BAD;
    }
    case 27:
      return bitLength === 96 || bitLength === 168 ? LENGTH_OK : LENGTH_BAD;
    default:
      return TYPE_UNKNOWN;
  }
}
