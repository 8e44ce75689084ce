import { seededRandom } from './stats.js';

/**
 * A synthetic fleet around Le Havre, as NGSI-LD entities (normalized representation, no @context: the terms
 * expand with the core context and the default vocabulary), and the same entities in the broker's stored
 * shape (docs/broker-storage.md) for the raw-SQL reference.
 */

const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
const CORE = 'https://uri.etsi.org/ngsi-ld/';

/** Expanded IRIs of the terms used, as the core @context expands them (`status` and `location` are core terms). */
export const IRI = {
  Vessel: `${DEFAULT_VOCAB}Vessel`,
  name: `${DEFAULT_VOCAB}name`,
  mmsi: `${DEFAULT_VOCAB}mmsi`,
  speed: `${DEFAULT_VOCAB}speed`,
  course: `${DEFAULT_VOCAB}course`,
  status: `${CORE}status`,
  location: `${CORE}location`,
  isDockedAt: `${DEFAULT_VOCAB}isDockedAt`,
} as const;

export type VesselStatus = 'moored' | 'underway' | 'anchored';

export interface Property<V> {
  type: 'Property';
  value: V;
  unitCode?: string;
  observedAt?: string;
}

export interface VesselEntity {
  id: string;
  type: 'Vessel';
  name: Property<string>;
  mmsi: Property<number>;
  speed: Property<number>;
  course: Property<number>;
  status: Property<VesselStatus>;
  location: {
    type: 'GeoProperty';
    value: { type: 'Point'; coordinates: [number, number] };
    observedAt: string;
  };
  isDockedAt: { type: 'Relationship'; object: string };
}

/** The bounding box of the fleet (lon 0.05-0.30, lat 49.42-49.52: the port, the Seine estuary, the roads). */
export const AREA = { minLon: 0.05, maxLon: 0.3, minLat: 49.42, maxLat: 49.52 } as const;

const FIRST_MMSI = 227_000_000;

export function vesselId(index: number): string {
  return `urn:ngsi-ld:Vessel:${FIRST_MMSI + index}`;
}

const PREFIXES = [
  'MARIE',
  'ETRETAT',
  'CMA CGM',
  'SEINE',
  'NORMANDIE',
  'HONFLEUR',
  'PILOTE',
  'CAUX',
  'OCEANE',
  'ARMOR',
];
const SUFFIXES = ['EXPRESS', 'STAR', 'II', 'III', 'LOUISE', 'BAY', 'TRADER', 'SPIRIT', 'HAVRE', 'ATLANTIC'];
const BASE_TIME = Date.parse('2026-11-23T08:00:00.000Z');

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** Vessel number `index` of a fleet; the same index always gives the same vessel. */
export function makeVessel(index: number, seed = 42): VesselEntity {
  const rnd = seededRandom(seed * 1_000_003 + index);
  const r = rnd();
  const status: VesselStatus = r < 0.4 ? 'moored' : r < 0.55 ? 'anchored' : 'underway';
  const speed =
    status === 'moored' ? 0 : status === 'anchored' ? round(rnd() * 0.4, 1) : round(3 + rnd() * 19, 1);
  const observedAt = new Date(BASE_TIME - Math.floor(rnd() * 3_600_000)).toISOString();
  const lon = round(AREA.minLon + rnd() * (AREA.maxLon - AREA.minLon), 5);
  const lat = round(AREA.minLat + rnd() * (AREA.maxLat - AREA.minLat), 5);
  const name = `${PREFIXES[Math.floor(rnd() * PREFIXES.length)]} ${SUFFIXES[Math.floor(rnd() * SUFFIXES.length)]} ${index}`;
  return {
    id: vesselId(index),
    type: 'Vessel',
    name: { type: 'Property', value: name },
    mmsi: { type: 'Property', value: FIRST_MMSI + index },
    speed: { type: 'Property', value: speed, unitCode: 'KNT', observedAt },
    course: { type: 'Property', value: round(rnd() * 360, 1), unitCode: 'DD', observedAt },
    status: { type: 'Property', value: status },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] }, observedAt },
    isDockedAt: { type: 'Relationship', object: `urn:ngsi-ld:Berth:HAV-${1 + Math.floor(rnd() * 64)}` },
  };
}

/** Indices [from, to) as vessels. */
export function makeBatch(from: number, to: number, seed = 42): VesselEntity[] {
  const out: VesselEntity[] = [];
  for (let i = from; i < to; i++) out.push(makeVessel(i, seed));
  return out;
}

/** One attribute instance as stored (docs/broker-storage.md). */
export type StoredInstance = Record<string, unknown> & {
  type: string;
  createdAt: string;
  modifiedAt: string;
};

/** One row of broker_entities as saveEntities (src/broker/repository.ts) sends it in its jsonb payload. */
export interface StoredRow {
  id: string;
  types: string[];
  scopes: string[] | null;
  attrs: Record<string, StoredInstance[]>;
  created_at: string;
  modified_at: string;
}

/** The stored shape of a vessel, as the broker would write it at time `now` (an ISO string). */
export function toStoredRow(v: VesselEntity, now: string): StoredRow {
  const inst = (i: object): StoredInstance[] => [
    { ...(i as { type: string }), createdAt: now, modifiedAt: now },
  ];
  return {
    id: v.id,
    types: [IRI.Vessel],
    scopes: null,
    attrs: {
      [IRI.name]: inst(v.name),
      [IRI.mmsi]: inst(v.mmsi),
      [IRI.speed]: inst(v.speed),
      [IRI.course]: inst(v.course),
      [IRI.status]: inst(v.status),
      [IRI.location]: inst(v.location),
      [IRI.isDockedAt]: inst(v.isDockedAt),
    },
    created_at: now,
    modified_at: now,
  };
}
