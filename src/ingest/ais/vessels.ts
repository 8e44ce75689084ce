/**
 * AIS messages to Vessel entities (Smart Data Models MarineTransport/Vessel, NGSI-LD normalized form).
 *
 * The tracker keeps the latest known state per MMSI and remembers which vessels changed since the last
 * `take()`: a writer renders only those, once per flush, however many messages came in between.
 */
import { destinationToLocode } from './destination.js';
import { NAV_STATUS, shipTypeText } from './tables.js';
import type {
  AisMessage,
  ClassBExtendedReport,
  ClassBPositionReport,
  LongRangeReport,
  PositionReport,
} from './types.js';

type PositionMessage = PositionReport | ClassBPositionReport | ClassBExtendedReport | LongRangeReport;

/** What to do with class B units (leisure craft, small fishing boats): personal data in some jurisdictions. */
export type ClassBPolicy = 'show' | 'coarsen' | 'hide';

export const CLASS_B_POLICIES: readonly ClassBPolicy[] = ['show', 'coarsen', 'hide'];

export interface VesselState {
  mmsi: number;
  /** Has sent class A messages (types 1-3, 5, 27). */
  classA: boolean;
  /** Has sent class B messages (types 18, 19, 24) and no class A one. */
  classB: boolean;
  lat?: number;
  lon?: number;
  /** Time of the position, ms since the epoch. */
  positionTime?: number;
  speed?: number;
  course?: number;
  heading?: number;
  /** Degrees per minute. */
  turn?: number;
  status?: number;
  accuracy?: boolean;
  name?: string;
  callSign?: string;
  imo?: number;
  shipType?: number;
  toBow?: number;
  toStern?: number;
  toPort?: number;
  toStarboard?: number;
  draught?: number;
  destination?: string;
  /** ISO 8601. */
  eta?: string;
  staticTime?: number;
}

/** A position as the port-call logic needs it (class B positions only when the policy is `show`). */
export interface VesselPosition {
  mmsi: number;
  lat: number;
  lon: number;
  /** Knots; undefined when not available. */
  speed?: number;
  /** ms since the epoch. */
  time: number;
  classB: boolean;
  name?: string;
  imo?: number;
  callSign?: string;
  destination?: string;
  eta?: string;
}

export type NgsiEntity = { id: string; type: string } & Record<string, unknown>;

export interface VesselTrackerOptions {
  classB?: ClassBPolicy;
  /** Receives every accepted position, after the privacy policy. */
  onPosition?: (p: VesselPosition) => void;
  /** Vessels kept in memory; the least recently updated are forgotten beyond (default 50,000). */
  maxVessels?: number;
}

export interface VesselTracker {
  /** Merges one message; `receivedAt` (ms) stamps messages without a tag-block time. Returns true if kept. */
  accept(m: AisMessage, receivedAt: number): boolean;
  /** Entities of the vessels changed since the last call (at most `max`, the rest wait). */
  take(max?: number): NgsiEntity[];
  /** Number of vessels changed and not yet taken. */
  pending(): number;
  size(): number;
  get(mmsi: number): VesselState | undefined;
}

export const vesselId = (mmsi: number): string => `urn:ngsi-ld:Vessel:${mmsi}`;

const POSITION_TYPES = new Set([1, 2, 3, 18, 19, 27]);
const isPositionMessage = (m: AisMessage): m is PositionMessage => POSITION_TYPES.has(m.type);
const CLASS_A_TYPES = new Set([1, 2, 3, 5, 27]);
const CLASS_B_TYPES = new Set([18, 19, 24]);

/** Attributes that are deleted (urn:ngsi-ld:null) when a newer position report no longer carries them. */
const DYNAMIC = [
  'speedOverGround',
  'courseOverGround',
  'heading',
  'rateOfTurn',
  'navigationStatus',
  'navigationalStatus',
] as const;

interface Entry {
  state: VesselState;
  dirtyPosition: boolean;
  dirtyStatic: boolean;
  /** Dynamic attributes written before, so that a missing value can be deleted. */
  written: Set<string>;
}

export function createVesselTracker(options: VesselTrackerOptions = {}): VesselTracker {
  const policy = options.classB ?? 'coarsen';
  const maxVessels = options.maxVessels ?? 50_000;
  // Map order is insertion order: entries are re-inserted on update, so the first ones are the stalest.
  const vessels = new Map<number, Entry>();
  const dirty = new Set<number>();

  function entry(mmsi: number): Entry {
    let e = vessels.get(mmsi);
    if (e) {
      vessels.delete(mmsi);
    } else {
      e = {
        state: { mmsi, classA: false, classB: false },
        dirtyPosition: false,
        dirtyStatic: false,
        written: new Set(),
      };
      if (vessels.size >= maxVessels) {
        const oldest = vessels.keys().next().value as number;
        vessels.delete(oldest);
        dirty.delete(oldest);
      }
    }
    vessels.set(mmsi, e);
    return e;
  }

  function accept(m: AisMessage, receivedAt: number): boolean {
    const isPosition = isPositionMessage(m);
    if (!isPosition && m.type !== 5 && m.type !== 24) return false;
    if (m.mmsi <= 0) return false;
    const known = vessels.get(m.mmsi);
    const classA = CLASS_A_TYPES.has(m.type) || known?.state.classA === true;
    const classB = !classA && CLASS_B_TYPES.has(m.type);
    if (classB && policy === 'hide') return false;
    const time = m.time !== undefined ? Math.round(m.time * 1000) : receivedAt;
    const e = entry(m.mmsi);
    const s = e.state;
    if (classA && !s.classA) {
      s.classA = true;
      s.classB = false;
      e.dirtyStatic = true;
    } else if (classB && !s.classB) {
      s.classB = true;
      e.dirtyStatic = true;
    }

    if (isPositionMessage(m) && m.lat !== undefined && m.lon !== undefined) {
      // Several receivers or a replay can deliver an older report late: the latest observation wins.
      if (s.positionTime === undefined || time >= s.positionTime) {
        s.lat = m.lat;
        s.lon = m.lon;
        s.positionTime = time;
        s.speed = m.speed;
        s.course = m.course;
        s.heading = m.type === 27 ? undefined : m.heading;
        s.turn = m.type === 1 || m.type === 2 || m.type === 3 ? m.turn : undefined;
        s.status = m.type === 1 || m.type === 2 || m.type === 3 || m.type === 27 ? m.status : undefined;
        s.accuracy = m.accuracy;
        e.dirtyPosition = true;
        if (options.onPosition && (!s.classB || policy === 'show')) {
          options.onPosition({
            mmsi: s.mmsi,
            lat: s.lat,
            lon: s.lon,
            speed: s.speed,
            time,
            classB: s.classB,
            name: s.name,
            imo: s.imo,
            callSign: s.callSign,
            destination: s.destination,
            eta: s.eta,
          });
        }
      }
    }
    if (m.type === 5) {
      setStatic(e, {
        name: m.shipname,
        callSign: m.callsign,
        imo: m.imo,
        shipType: m.shiptype,
        toBow: m.toBow,
        toStern: m.toStern,
        toPort: m.toPort,
        toStarboard: m.toStarboard,
        draught: m.draught,
        destination: m.destination,
        eta: etaIso(m.etaMonth, m.etaDay, m.etaHour, m.etaMinute, time),
      });
      s.staticTime = time;
    } else if (m.type === 19) {
      setStatic(e, {
        name: m.shipname,
        shipType: m.shiptype,
        toBow: m.toBow,
        toStern: m.toStern,
        toPort: m.toPort,
        toStarboard: m.toStarboard,
      });
      s.staticTime = time;
    } else if (m.type === 24) {
      const update: Partial<VesselState> = {};
      if (m.part !== 'B') update.name = m.shipname;
      if (m.part !== 'A') {
        update.callSign = m.callsign;
        update.shipType = m.shiptype;
        if (m.mothershipMmsi === undefined) {
          update.toBow = m.toBow;
          update.toStern = m.toStern;
          update.toPort = m.toPort;
          update.toStarboard = m.toStarboard;
        }
      }
      setStatic(e, update);
      s.staticTime = time;
    }
    if (e.dirtyPosition || e.dirtyStatic) dirty.add(s.mmsi);
    return true;
  }

  function setStatic(e: Entry, update: Partial<VesselState>): void {
    const s = e.state as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(update)) {
      // A message that leaves a field out ("not available") does not erase what another message said.
      if (v === undefined || v === '') continue;
      if (s[k] !== v) {
        s[k] = v;
        e.dirtyStatic = true;
      }
    }
  }

  function take(max = Number.POSITIVE_INFINITY): NgsiEntity[] {
    const out: NgsiEntity[] = [];
    for (const mmsi of dirty) {
      if (out.length >= max) break;
      dirty.delete(mmsi);
      const e = vessels.get(mmsi);
      if (!e) continue;
      out.push(render(e, policy));
      e.dirtyPosition = false;
      e.dirtyStatic = false;
    }
    return out;
  }

  return {
    accept,
    take,
    pending: () => dirty.size,
    size: () => vessels.size,
    get: (mmsi) => vessels.get(mmsi)?.state,
  };
}

const prop = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });
const NULL = { type: 'Property', value: 'urn:ngsi-ld:null' };

function render(e: Entry, policy: ClassBPolicy): NgsiEntity {
  const s = e.state;
  const coarse = s.classB && policy === 'coarsen';
  const out: NgsiEntity = { id: vesselId(s.mmsi), type: 'Vessel', mmsi: prop(s.mmsi) };
  if (e.dirtyPosition && s.lat !== undefined && s.lon !== undefined && s.positionTime !== undefined) {
    const observedAt = new Date(s.positionTime).toISOString();
    const [lon, lat] = coarse ? coarsen(s.lon, s.lat) : [s.lon, s.lat];
    out.location = {
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [lon, lat] },
      observedAt,
    };
    const dynamic: Record<(typeof DYNAMIC)[number], unknown> = {
      speedOverGround: s.speed !== undefined ? prop(s.speed, { unitCode: 'KNT', observedAt }) : undefined,
      courseOverGround: s.course !== undefined ? prop(s.course, { unitCode: 'DD', observedAt }) : undefined,
      heading: s.heading !== undefined ? prop(s.heading, { unitCode: 'DD', observedAt }) : undefined,
      // Degrees per minute: UN/CEFACT has no code for it, hence no unitCode.
      rateOfTurn: s.turn !== undefined ? prop(s.turn, { observedAt }) : undefined,
      navigationStatus: s.status !== undefined ? prop(s.status, { observedAt }) : undefined,
      navigationalStatus: s.status !== undefined ? prop(NAV_STATUS[s.status], { observedAt }) : undefined,
    };
    for (const name of DYNAMIC) {
      const v = dynamic[name];
      if (v !== undefined) {
        out[name] = v;
        e.written.add(name);
      } else if (e.written.has(name)) {
        out[name] = NULL;
        e.written.delete(name);
      }
    }
    if (s.accuracy !== undefined) out.positionAccuracy = prop(s.accuracy ? 1 : 0);
  }
  if (e.dirtyStatic) {
    out.aisClass = prop(s.classB ? 'B' : 'A');
    out.dataProvider = prop('AIS');
    // Coarsened class B units lose what names the person aboard.
    if (s.name !== undefined && !coarse) out.name = prop(s.name);
    if (s.callSign !== undefined && !coarse) out.callSign = prop(s.callSign);
    if (s.imo !== undefined && s.imo > 0) out.imo = prop(s.imo);
    if (s.shipType !== undefined && s.shipType > 0 && s.shipType < 100) {
      out.vesselType = prop(s.shipType < 20 ? 1 : Math.floor(s.shipType / 10));
      out.vesselSubType = prop(s.shipType);
      out.vesselTypeName = prop(shipTypeText(s.shipType));
    }
    if (s.toBow && s.toStern) out.length = prop(s.toBow + s.toStern, { unitCode: 'MTR' });
    if (s.toPort && s.toStarboard) out.beam = prop(s.toPort + s.toStarboard, { unitCode: 'MTR' });
    if (s.draught) out.draught = prop(s.draught, { unitCode: 'MTR' });
    if (s.destination) {
      out.destination = prop(s.destination);
      const locode = destinationToLocode(s.destination);
      out.destinationPort = locode ? prop(locode) : NULL;
    }
    if (s.eta) out.estimatedTimeOfArrival = prop(s.eta);
  }
  return out;
}

/** Snaps a position to the centre of a ~1 km cell (1/111 degree of latitude, as many metres of longitude). */
export function coarsen(lon: number, lat: number): [number, number] {
  const step = 1 / 111.32;
  const cLat = (Math.floor(lat / step) + 0.5) * step;
  const lonStep = step / Math.max(0.01, Math.cos((cLat * Math.PI) / 180));
  const cLon = (Math.floor(lon / lonStep) + 0.5) * lonStep;
  const r = (x: number) => Math.round(x * 1e5) / 1e5;
  return [r(Math.max(-180, Math.min(180, cLon))), r(Math.max(-90, Math.min(90, cLat)))];
}

/**
 * AIS ETAs have no year: the one that puts the date closest after `ref` (less than a month in the past is
 * still this year: ships report late). Undefined unless month and day are given; a missing time is 00:00.
 */
export function etaIso(
  month: number | undefined,
  day: number | undefined,
  hour: number | undefined,
  minute: number | undefined,
  ref: number,
): string | undefined {
  if (month === undefined || day === undefined || month < 1 || month > 12 || day < 1 || day > 31) {
    return undefined;
  }
  const year = new Date(ref).getUTCFullYear();
  let t = Date.UTC(year, month - 1, day, hour ?? 0, minute ?? 0);
  if (t < ref - 31 * 86_400_000) t = Date.UTC(year + 1, month - 1, day, hour ?? 0, minute ?? 0);
  const d = new Date(t);
  // 31 February and the like roll over into the next month: refuse them.
  if (d.getUTCDate() !== day) return undefined;
  return d.toISOString().replace('.000Z', 'Z');
}
