/**
 * Port calls derived from AIS positions: a small state machine per vessel.
 *
 *   outside ──enters the port area──▶ inPort ──inside a berth, < mooredSpeed for mooredMinutes──▶ atBerth
 *      ▲                                │  ▲                                                        │
 *      └──── exitFixes fixes outside ───┘  └──────────── exitFixes fixes outside the berth ─────────┘
 *
 * Arrival time (ata) is the first fix inside the port area; berthing time is the start of the slow period
 * inside the berth (reported once it has lasted mooredMinutes); departures are the first of `exitFixes`
 * consecutive fixes outside, so one GPS jump does not end a call. A vessel first seen inside the port gets a
 * call whose arrival was not observed. Everything is driven by the fixes' own times, never by a clock, so a
 * replay at any speed gives the same calls.
 */
import type { VesselPosition } from '../ingest/ais/vessels.js';
import { vesselId } from '../ingest/ais/vessels.js';
import { contains, findNear, type Geofence, type Geofences } from './geofences.js';

export interface PortCallSettings {
  /** Below this speed (knots) a vessel inside a berth counts as moored (default 0.5). */
  mooredSpeedKn?: number;
  /** How long it must stay so before the berth counts as occupied (default 5 minutes). */
  mooredMinutes?: number;
  /** Antenna positions up to this far from a berth polygon count as inside it (default 60 m). */
  berthToleranceM?: number;
  /** Consecutive fixes outside the port area (or berth) that make a departure (default 2). */
  exitFixes?: number;
  /** A vessel silent for this long is forgotten and its berth freed (default 24 h). */
  lostAfterMinutes?: number;
}

export type PortCallEventType =
  | 'port.ata.vessel'
  | 'port.atd.vessel'
  | 'berth.ata.vessel'
  | 'berth.atd.vessel'
  | 'portBasin.ata.vessel';

export type PortCallUpdate =
  /** A call starts: the vessel entered the port area (observed) or was first seen inside it (not observed). */
  | { kind: 'arrival'; observed: boolean; call: CallInfo; time: number; lat: number; lon: number }
  | { kind: 'basin'; call: CallInfo; basin: Geofence; time: number; lat: number; lon: number }
  | { kind: 'berthed'; call: CallInfo; berth: Geofence; time: number; lat: number; lon: number }
  | { kind: 'unberthed'; call: CallInfo; berth: Geofence; time: number; lat: number; lon: number }
  | { kind: 'departure'; call: CallInfo; time: number; lat: number; lon: number }
  /** Details of the vessel learnt during the call (name from a later static report). */
  | { kind: 'vessel'; call: CallInfo }
  /** Tracking lost (silent beyond lostAfterMinutes): its berth, if any, is freed. */
  | { kind: 'lost'; call: CallInfo; berth?: Geofence; time: number };

export interface CallInfo {
  id: string;
  mmsi: number;
  /** Arrival time (ms) if observed. */
  ata?: number;
  /** When the call started being tracked (ms). */
  since: number;
  name?: string;
  imo?: number;
  callSign?: string;
  eta?: string;
}

type Phase = 'outside' | 'inPort' | 'atBerth';

interface Track {
  phase: Phase;
  call?: CallInfo;
  basins: Set<string>;
  berth?: Geofence;
  /** Slow inside this berth since. */
  candidate?: { berth: Geofence; since: number };
  outside: number;
  outsideSince?: number;
  offBerth: number;
  offBerthSince?: number;
  last: number;
}

export interface PortCallTracker {
  update(p: VesselPosition): PortCallUpdate[];
  /** Forgets vessels silent for lostAfterMinutes before `now` (ms). */
  sweep(now: number): PortCallUpdate[];
  /** Vessels currently at each berth (berth id → MMSIs, most recent last). */
  occupancy(): Map<string, number[]>;
  phase(mmsi: number): Phase | undefined;
}

export function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export function createPortCallTracker(
  geofences: Geofences,
  settings: PortCallSettings = {},
): PortCallTracker {
  const mooredSpeed = settings.mooredSpeedKn ?? 0.5;
  const mooredMs = (settings.mooredMinutes ?? 5) * 60_000;
  const tolerance = settings.berthToleranceM ?? 60;
  const exitFixes = Math.max(1, settings.exitFixes ?? 2);
  const lostMs = (settings.lostAfterMinutes ?? 24 * 60) * 60_000;
  const portCode = geofences.port.code;
  const tracks = new Map<number, Track>();
  const atBerth = new Map<string, number[]>();

  function openCall(p: VesselPosition, observed: boolean): CallInfo {
    return {
      id: `urn:ngsi-ld:PortCall:${portCode}-${p.mmsi}-${compactTime(p.time)}`,
      mmsi: p.mmsi,
      ata: observed ? p.time : undefined,
      since: p.time,
      name: p.name,
      imo: p.imo,
      callSign: p.callSign,
      eta: p.eta,
    };
  }

  function occupy(berth: Geofence, mmsi: number): void {
    const list = (atBerth.get(berth.id) ?? []).filter((m) => m !== mmsi);
    list.push(mmsi);
    atBerth.set(berth.id, list);
  }

  function release(berth: Geofence, mmsi: number): void {
    const list = (atBerth.get(berth.id) ?? []).filter((m) => m !== mmsi);
    if (list.length) atBerth.set(berth.id, list);
    else atBerth.delete(berth.id);
  }

  function update(p: VesselPosition): PortCallUpdate[] {
    const out: PortCallUpdate[] = [];
    const { lat, lon, time } = p;
    const inside = contains(geofences.port, lon, lat);
    let t = tracks.get(p.mmsi);
    if (!t) {
      t = { phase: 'outside', basins: new Set(), outside: 0, offBerth: 0, last: time };
      tracks.set(p.mmsi, t);
      if (inside) {
        t.phase = 'inPort';
        t.call = openCall(p, false);
        out.push({ kind: 'arrival', observed: false, call: t.call, time, lat, lon });
      }
    } else {
      if (time < t.last) return out; // late, out-of-order fix
      if (t.phase === 'outside' && inside) {
        t.phase = 'inPort';
        t.basins.clear();
        t.call = openCall(p, true);
        out.push({ kind: 'arrival', observed: true, call: t.call, time, lat, lon });
      }
    }
    t.last = time;
    const call = t.call;
    if (t.phase === 'outside' || !call) return out;

    if (p.name !== undefined && call.name === undefined) {
      call.name = p.name;
      call.imo ??= p.imo;
      call.callSign ??= p.callSign;
      out.push({ kind: 'vessel', call });
    }

    // Berth: leaving it (hysteresis), or settling in one.
    if (t.phase === 'atBerth' && t.berth) {
      const near = findNear([t.berth], lon, lat, tolerance);
      if (near) {
        t.offBerth = 0;
        t.offBerthSince = undefined;
      } else {
        t.offBerth++;
        t.offBerthSince ??= time;
        if (t.offBerth >= exitFixes) {
          out.push({ kind: 'unberthed', call, berth: t.berth, time: t.offBerthSince, lat, lon });
          release(t.berth, p.mmsi);
          t.phase = 'inPort';
          t.berth = undefined;
          t.candidate = undefined;
          t.offBerth = 0;
          t.offBerthSince = undefined;
        }
      }
    }
    if (t.phase === 'inPort' && inside) {
      const berth = findNear(geofences.berths, lon, lat, tolerance);
      const slow = p.speed !== undefined && p.speed < mooredSpeed;
      if (berth && slow) {
        if (t.candidate?.berth.id !== berth.id) t.candidate = { berth, since: time };
        else if (time - t.candidate.since >= mooredMs) {
          t.phase = 'atBerth';
          t.berth = berth;
          occupy(berth, p.mmsi);
          out.push({ kind: 'berthed', call, berth, time: t.candidate.since, lat, lon });
          t.candidate = undefined;
        }
      } else t.candidate = undefined;
    }

    if (inside) {
      t.outside = 0;
      t.outsideSince = undefined;
      const basin = geofences.basins.find((b) => contains(b, lon, lat));
      if (basin && !t.basins.has(basin.id)) {
        t.basins.add(basin.id);
        out.push({ kind: 'basin', call, basin, time, lat, lon });
      }
    } else {
      t.outside++;
      t.outsideSince ??= time;
      if (t.outside >= exitFixes) {
        if (t.phase === 'atBerth' && t.berth) {
          out.push({
            kind: 'unberthed',
            call,
            berth: t.berth,
            time: t.offBerthSince ?? t.outsideSince,
            lat,
            lon,
          });
          release(t.berth, p.mmsi);
        }
        out.push({ kind: 'departure', call, time: t.outsideSince, lat, lon });
        t.phase = 'outside';
        t.call = undefined;
        t.berth = undefined;
        t.candidate = undefined;
        t.outside = 0;
        t.outsideSince = undefined;
        t.offBerth = 0;
        t.offBerthSince = undefined;
      }
    }
    return out;
  }

  function sweep(now: number): PortCallUpdate[] {
    const out: PortCallUpdate[] = [];
    for (const [mmsi, t] of tracks) {
      if (now - t.last < lostMs) continue;
      tracks.delete(mmsi);
      if (t.call) out.push({ kind: 'lost', call: t.call, berth: t.berth, time: t.last });
      if (t.berth) release(t.berth, mmsi);
    }
    return out;
  }

  return {
    update,
    sweep,
    occupancy: () => new Map(atBerth),
    phase: (mmsi) => tracks.get(mmsi)?.phase,
  };
}

/** NGSI-LD entities (Smart Data Models PortCall, PortCallEvent, Berth) for the updates of the tracker. */
export function portCallEntities(
  updates: PortCallUpdate[],
  ctx: { portCode: string; occupancy: Map<string, number[]>; recordTime: string },
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const p = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });
  const rel = (object: string) => ({ type: 'Relationship', object });
  const iso = (ms: number) => new Date(ms).toISOString();
  const point = (lon: number, lat: number) => ({
    type: 'GeoProperty',
    value: { type: 'Point', coordinates: [lon, lat] },
  });
  const vesselAttrs = (c: CallInfo) => ({
    ...(c.name ? { vesselName: p(c.name) } : {}),
    ...(c.imo ? { imo: p(c.imo) } : {}),
    ...(c.callSign ? { callSign: p(c.callSign) } : {}),
  });
  const event = (
    u: { call: CallInfo; time: number; lat: number; lon: number },
    eventType: PortCallEventType,
    locationType: string,
    extra: Record<string, unknown> = {},
  ) => ({
    id: `urn:ngsi-ld:PortCallEvent:${u.call.id.split(':').pop()}-${eventType}-${compactTime(u.time)}`,
    type: 'PortCallEvent',
    eventType: p(eventType),
    eventTime: p(iso(u.time)),
    recordTime: p(ctx.recordTime),
    locationType: p(locationType),
    port: p(ctx.portCode),
    source: p('escale-ais'),
    location: point(u.lon, u.lat),
    refPortCall: rel(u.call.id),
    shipRef: rel(vesselId(u.call.mmsi)),
    mmsi: p(u.call.mmsi),
    ...extra,
  });
  const berthState = (berth: Geofence, time: number) => {
    const vessels = ctx.occupancy.get(berth.id) ?? [];
    const current = vessels[vessels.length - 1];
    return {
      id: berth.id,
      type: 'Berth',
      name: p(berth.name),
      berthCode: p(berth.code),
      location: { type: 'GeoProperty', value: berth.geometry },
      ...(berth.terminal ? { refTerminal: rel(berth.terminal) } : {}),
      status: p(current === undefined ? 'free' : 'occupied', { observedAt: iso(time) }),
      // urn:ngsi-ld:null deletes the relationship when the berth becomes free.
      refVessel: rel(current === undefined ? 'urn:ngsi-ld:null' : vesselId(current)),
    };
  };
  for (const u of updates) {
    switch (u.kind) {
      case 'arrival':
        out.push({
          id: u.call.id,
          type: 'PortCall',
          status: p('OPERATIONAL'),
          portCode: p(ctx.portCode),
          mmsi: p(u.call.mmsi),
          vesselRef: rel(vesselId(u.call.mmsi)),
          ...vesselAttrs(u.call),
          ...(u.call.eta ? { eta: p(u.call.eta) } : {}),
          ...(u.observed
            ? { ata: p(iso(u.time)) }
            : {
                remarks: p('arrival not observed: the vessel was in the port area when tracking started'),
                firstSeenAt: p(iso(u.time)),
              }),
        });
        if (u.observed) out.push(event(u, 'port.ata.vessel', 'port'));
        break;
      case 'basin':
        out.push(
          event(u, 'portBasin.ata.vessel', 'portBasin', {
            locationName: p(u.basin.name),
            refPortBasin: rel(u.basin.id),
          }),
        );
        break;
      case 'berthed':
        out.push({
          id: u.call.id,
          type: 'PortCall',
          refBerth: rel(u.berth.id),
          berthCode: p(u.berth.code),
          ...(u.berth.terminal ? { refTerminal: rel(u.berth.terminal) } : {}),
        });
        out.push(
          event(u, 'berth.ata.vessel', 'berth', { locationName: p(u.berth.name), refBerth: rel(u.berth.id) }),
        );
        out.push(berthState(u.berth, u.time));
        break;
      case 'unberthed':
        out.push(
          event(u, 'berth.atd.vessel', 'berth', { locationName: p(u.berth.name), refBerth: rel(u.berth.id) }),
        );
        out.push(berthState(u.berth, u.time));
        break;
      case 'departure':
        out.push({ id: u.call.id, type: 'PortCall', status: p('COMPLETED'), atd: p(iso(u.time)) });
        out.push(event(u, 'port.atd.vessel', 'port'));
        break;
      case 'vessel':
        out.push({ id: u.call.id, type: 'PortCall', ...vesselAttrs(u.call) });
        break;
      case 'lost':
        if (u.berth) out.push(berthState(u.berth, u.time));
        break;
    }
  }
  return out;
}
