/**
 * Native decoded AIS messages: scaled to usual units (degrees, knots, metres, °C), "not available" values
 * left out, text trimmed. Field names follow gpsd's, in camelCase.
 */

export interface AisBase {
  /** Message type, 1-27. */
  type: number;
  repeat: number;
  /** 30-bit MMSI (up to 1 073 741 823). */
  mmsi: number;
  /** Radio channel as sent ('A', 'B', '1', '2'), '' when the sentence left it empty. */
  channel: string;
  /** Tag-block source (`s:`). */
  source?: string;
  /** Tag-block time (`c:`), Unix seconds. */
  time?: number;
  /** Own-ship report (`!xxVDO`). */
  own?: boolean;
}

/** Types 1, 2, 3: Class A position report. */
export interface PositionReport extends AisBase {
  type: 1 | 2 | 3;
  /** Navigation status code 0-14 (15 "not defined" is left out). */
  status?: number;
  /** Raw rate-of-turn indicator: -127 / 127 turning fast with no turn indicator, 0 not turning. */
  rot?: number;
  /** Rate of turn in degrees per minute (from the indicator, |rot| <= 126 only). */
  turn?: number;
  /** Speed over ground, knots (102.2 means 102.2 or more). */
  speed?: number;
  /** Position accuracy better than 10 m. */
  accuracy: boolean;
  lon?: number;
  lat?: number;
  /** Course over ground, degrees. */
  course?: number;
  /** True heading, degrees. */
  heading?: number;
  /** UTC second of the fix (61-63: manual, dead reckoning, inoperative). */
  second?: number;
  maneuver: number;
  raim: boolean;
  radio: number;
}

/** Types 4 and 11: base station report, UTC/date response. */
export interface BaseStationReport extends AisBase {
  type: 4 | 11;
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  accuracy: boolean;
  lon?: number;
  lat?: number;
  epfd?: number;
  raim: boolean;
  radio: number;
}

/** Type 5: static and voyage related data. */
export interface StaticVoyageData extends AisBase {
  type: 5;
  aisVersion: number;
  imo?: number;
  callsign?: string;
  shipname?: string;
  shiptype?: number;
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
  epfd?: number;
  etaMonth?: number;
  etaDay?: number;
  etaHour?: number;
  etaMinute?: number;
  /** Draught, metres. */
  draught?: number;
  destination?: string;
  /** Data terminal not ready. */
  dte: boolean;
}

/** Raw application data of binary messages, as gpsd prints it: lowercase hex and bit count. */
export interface BinaryData {
  data: string;
  bits: number;
}

/** Types 6: addressed binary message. */
export interface BinaryAddressed extends AisBase, BinaryData {
  type: 6;
  seqno: number;
  destMmsi: number;
  retransmit: boolean;
  dac: number;
  fid: number;
  /** Decoded application message, when the DAC/FI is known. */
  app?: AisApplication;
}

/** Type 8: broadcast binary message. */
export interface BinaryBroadcast extends AisBase, BinaryData {
  type: 8;
  dac: number;
  fid: number;
  app?: AisApplication;
}

/** Types 7 and 13: binary / safety acknowledge. */
export interface Acknowledge extends AisBase {
  type: 7 | 13;
  acks: { mmsi: number; seqno: number }[];
}

/** Type 9: SAR aircraft position report. */
export interface SarAircraftReport extends AisBase {
  type: 9;
  /** Altitude, metres (4094 means 4094 or more). */
  alt?: number;
  /** Speed over ground, knots (1022 means 1022 or more). */
  speed?: number;
  accuracy: boolean;
  lon?: number;
  lat?: number;
  course?: number;
  second?: number;
  regional: number;
  dte: boolean;
  assigned: boolean;
  raim: boolean;
  radio: number;
}

/** Type 10: UTC/date inquiry. */
export interface UtcInquiry extends AisBase {
  type: 10;
  destMmsi: number;
}

/** Type 12: addressed safety-related message. */
export interface SafetyAddressed extends AisBase {
  type: 12;
  seqno: number;
  destMmsi: number;
  retransmit: boolean;
  text: string;
}

/** Type 14: safety-related broadcast message. */
export interface SafetyBroadcast extends AisBase {
  type: 14;
  text: string;
}

/** Type 15: interrogation. */
export interface Interrogation extends AisBase {
  type: 15;
  requests: { mmsi: number; type: number; offset: number }[];
}

/** Type 16: assigned mode command. */
export interface AssignedModeCommand extends AisBase {
  type: 16;
  assignments: { mmsi: number; offset: number; increment: number }[];
}

/** Type 17: DGNSS broadcast binary message. */
export interface DgnssBroadcast extends AisBase, BinaryData {
  type: 17;
  lon?: number;
  lat?: number;
}

/** Type 18: Class B position report. */
export interface ClassBPositionReport extends AisBase {
  type: 18;
  reserved: number;
  speed?: number;
  accuracy: boolean;
  lon?: number;
  lat?: number;
  course?: number;
  heading?: number;
  second?: number;
  regional: number;
  /** Carrier-sense unit. */
  cs: boolean;
  display: boolean;
  dsc: boolean;
  band: boolean;
  msg22: boolean;
  assigned: boolean;
  raim: boolean;
  radio: number;
}

/** Type 19: extended Class B position report. */
export interface ClassBExtendedReport extends AisBase {
  type: 19;
  reserved: number;
  speed?: number;
  accuracy: boolean;
  lon?: number;
  lat?: number;
  course?: number;
  heading?: number;
  second?: number;
  regional: number;
  shipname?: string;
  shiptype?: number;
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
  epfd?: number;
  raim: boolean;
  dte: boolean;
  assigned: boolean;
}

/** Type 20: data link management. */
export interface DataLinkManagement extends AisBase {
  type: 20;
  reservations: { offset: number; number: number; timeout: number; increment: number }[];
}

/** Type 21: aid-to-navigation report. */
export interface AidToNavigationReport extends AisBase {
  type: 21;
  aidType: number;
  /** Name with its extension. */
  name?: string;
  accuracy: boolean;
  lon?: number;
  lat?: number;
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
  epfd?: number;
  second?: number;
  offPosition: boolean;
  regional: number;
  raim: boolean;
  virtualAid: boolean;
  assigned: boolean;
}

/** Type 22: channel management. */
export interface ChannelManagement extends AisBase {
  type: 22;
  channelA: number;
  channelB: number;
  txrx: number;
  /** Low power. */
  power: boolean;
  addressed: boolean;
  dest1?: number;
  dest2?: number;
  neLon?: number;
  neLat?: number;
  swLon?: number;
  swLat?: number;
  bandA: boolean;
  bandB: boolean;
  zoneSize: number;
}

/** Type 23: group assignment command. */
export interface GroupAssignment extends AisBase {
  type: 23;
  neLon: number;
  neLat: number;
  swLon: number;
  swLat: number;
  stationType: number;
  shiptype?: number;
  txrx: number;
  interval: number;
  quiet: number;
}

/**
 * Type 24: Class B static data. A part A is reported alone; a part B is merged with the last part A of the
 * same MMSI (part 'AB') or reported alone (part 'B').
 */
export interface StaticDataReport extends AisBase {
  type: 24;
  part: 'A' | 'B' | 'AB';
  shipname?: string;
  shiptype?: number;
  vendorId?: string;
  model?: number;
  serial?: number;
  callsign?: string;
  toBow?: number;
  toStern?: number;
  toPort?: number;
  toStarboard?: number;
  /** For auxiliary craft (MMSI 98xxxxxxx), instead of dimensions. */
  mothershipMmsi?: number;
}

/** Types 25 and 26: single / multiple slot binary message. */
export interface SlotBinary extends AisBase, BinaryData {
  type: 25 | 26;
  addressed: boolean;
  structured: boolean;
  destMmsi?: number;
  /** 16-bit application identifier (DAC << 6 | FI) of structured messages. */
  appId?: number;
  /** Type 26 communication state. */
  radio?: number;
}

/** Type 27: long-range position report. */
export interface LongRangeReport extends AisBase {
  type: 27;
  accuracy: boolean;
  raim: boolean;
  status?: number;
  lon?: number;
  lat?: number;
  /** Knots. */
  speed?: number;
  /** Degrees. */
  course?: number;
  /** Position latency flag as sent (gpsd's "gnss"). */
  gnss: boolean;
}

export type AisMessage =
  | PositionReport
  | BaseStationReport
  | StaticVoyageData
  | BinaryAddressed
  | Acknowledge
  | BinaryBroadcast
  | SarAircraftReport
  | UtcInquiry
  | SafetyAddressed
  | SafetyBroadcast
  | Interrogation
  | AssignedModeCommand
  | DgnssBroadcast
  | ClassBPositionReport
  | ClassBExtendedReport
  | DataLinkManagement
  | AidToNavigationReport
  | ChannelManagement
  | GroupAssignment
  | StaticDataReport
  | SlotBinary
  | LongRangeReport;

/** IMO 236 (FI 11) and IMO 289 (FI 31) meteorological and hydrographic data. */
export interface MetHydroData {
  kind: 'met-hydro';
  lon?: number;
  lat?: number;
  /** FI 31 only. */
  accuracy?: boolean;
  day?: number;
  hour?: number;
  minute?: number;
  /** Knots. */
  windSpeed?: number;
  windGust?: number;
  /** Degrees. */
  windDirection?: number;
  windGustDirection?: number;
  /** °C. */
  airTemperature?: number;
  /** %. */
  humidity?: number;
  dewPoint?: number;
  /** hPa. */
  pressure?: number;
  /** 0 steady, 1 decreasing, 2 increasing. */
  pressureTendency?: number;
  /** FI 31: visibility is greater than the value given. */
  visibilityGreater?: boolean;
  /** Nautical miles. */
  visibility?: number;
  /** Metres. */
  waterLevel?: number;
  waterLevelTrend?: number;
  currentSpeed?: number;
  currentDirection?: number;
  current2Speed?: number;
  current2Direction?: number;
  /** Metres. */
  current2Depth?: number;
  current3Speed?: number;
  current3Direction?: number;
  current3Depth?: number;
  /** Metres. */
  waveHeight?: number;
  /** Seconds. */
  wavePeriod?: number;
  waveDirection?: number;
  swellHeight?: number;
  swellPeriod?: number;
  swellDirection?: number;
  /** Beaufort. */
  seaState?: number;
  waterTemperature?: number;
  precipitationType?: number;
  /** ‰. */
  salinity?: number;
  /** 0 no, 1 yes. */
  ice?: number;
}

/** One sub-area of an IMO 289 area notice. */
export type AreaShape =
  | { shape: 'circle'; lon?: number; lat?: number; precision: number; radius: number }
  | {
      shape: 'rectangle';
      lon?: number;
      lat?: number;
      precision: number;
      east: number;
      north: number;
      orientation: number;
    }
  | {
      shape: 'sector';
      lon?: number;
      lat?: number;
      precision: number;
      radius: number;
      leftBound: number;
      rightBound: number;
    }
  | { shape: 'polyline' | 'polygon'; points: { angle: number; distance: number }[] }
  | { shape: 'text'; text: string }
  | { shape: 'reserved'; code: number };

/** IMO 289 area notice (FI 22 broadcast, FI 23 addressed). Distances in metres, angles in degrees. */
export interface AreaNotice {
  kind: 'area-notice';
  linkage: number;
  notice: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  /** Minutes; absent when not available (262143). */
  duration?: number;
  areas: AreaShape[];
}

export interface TidalWindow {
  kind: 'tidal-window';
  month?: number;
  day?: number;
  tidals: {
    lon?: number;
    lat?: number;
    fromHour: number;
    fromMinute: number;
    toHour: number;
    toMinute: number;
    currentDirection?: number;
    currentSpeed?: number;
  }[];
}

export interface ClearanceTime {
  kind: 'clearance-time';
  linkage: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  portname?: string;
  destination?: string;
  lon?: number;
  lat?: number;
}

export interface TextDescription {
  kind: 'text';
  linkage: number;
  text: string;
}

export interface DangerousCargo {
  kind: 'dangerous-cargo';
  lastPort?: string;
  departure: { month: number; day: number; hour: number; minute: number };
  nextPort?: string;
  eta: { month: number; day: number; hour: number; minute: number };
  dangerous?: string;
  imdCategory?: string;
  unNumber: number;
  amount: number;
  unit: number;
}

export interface PersonsOnBoard {
  kind: 'persons-on-board';
  persons?: number;
}

export interface RouteInformation {
  kind: 'route';
  linkage: number;
  sender: number;
  routeType: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  /** Minutes. */
  duration?: number;
  waypoints: { lon?: number; lat?: number }[];
}

/** GLA AtoN monitoring (DAC 235/250 FI 10). Voltages in volts. */
export interface AtonMonitoring {
  kind: 'aton-monitoring';
  analogueInternal?: number;
  analogueExternal1?: number;
  analogueExternal2?: number;
  racon: number;
  light: number;
  alarm: boolean;
  digitalInputs: number;
  offPosition: boolean;
}

/** Inland AIS ship static and voyage data (DAC 200 FI 10). */
export interface InlandStaticData {
  kind: 'inland-static';
  vin?: string;
  /** Metres. */
  length?: number;
  beam?: number;
  /** ERI ship type. */
  shiptype?: number;
  hazard?: number;
  /** Metres. */
  draught?: number;
  loaded?: number;
  speedQuality: boolean;
  courseQuality: boolean;
  headingQuality: boolean;
}

export type AisApplication =
  | MetHydroData
  | AreaNotice
  | TidalWindow
  | ClearanceTime
  | TextDescription
  | DangerousCargo
  | PersonsOnBoard
  | RouteInformation
  | AtonMonitoring
  | InlandStaticData;
