import type { Queryable } from '../../../src/db/db.js';

/** Test @context: short names go to the default context, `ex:` is a prefix, a few core terms. */
export const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';
const CORE = new Set(['location', 'observedAt', 'createdAt', 'modifiedAt', 'unitCode', 'datasetId']);
export const BIG = '12345678901234567890';
/** Attribute whose IRI holds characters that must be escaped in a jsonpath key. */
export const WEIRD_IRI = 'https://example.org/we"ird\\key';

export function expand(term: string): string {
  if (term === 'weird') return WEIRD_IRI;
  if (CORE.has(term)) return `https://uri.etsi.org/ngsi-ld/${term}`;
  if (term.startsWith('ex:')) return `https://example.org/${term.slice(3)}`;
  if (term.includes(':')) return term;
  return DEFAULT + term;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Row {
  id: string;
  types: string[];
  scopes?: string[];
  /** Short attribute name -> instances (expanded on insert; sub-attribute names too). */
  attrs: Record<string, Json[]>;
}

const prop = (value: Json, extra: Record<string, Json> = {}) => ({ type: 'Property', value, ...extra });
const rel = (object: Json, extra: Record<string, Json> = {}) => ({ type: 'Relationship', object, ...extra });

/** Varied entities of the default tenant: every shape of docs/broker-storage.md appears at least once. */
export const ENTITIES: Row[] = [
  {
    id: 'urn:ngsi-ld:Vessel:1',
    types: ['Vessel'],
    scopes: ['/Le_Havre/Port/Terminal_Nord'],
    attrs: {
      name: [prop('CMA CGM Marco Polo')],
      speed: [
        prop(12.3, {
          unitCode: 'KNT',
          observedAt: '2026-11-23T08:00:00.000Z',
          createdAt: '2026-11-23T08:00:01.000Z',
          modifiedAt: '2026-11-23T08:00:01.000Z',
          sub: { accuracy: prop(0.1) },
        }),
      ],
      status: [prop('moored')],
      isDockedAt: [rel('urn:ngsi-ld:Berth:1', { objectType: `${DEFAULT}Berth` })],
      address: [
        prop({ addressLocality: 'Le Havre', postalCode: '76600', street: { name: "Quai de l'Europe" } }),
      ],
      tags: [prop(['container', 'reefer'])],
      a: [prop(1)],
      c: [prop(true)],
      location: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [0.1066, 49.4806] } }],
    },
  },
  {
    id: 'urn:ngsi-ld:Vessel:2',
    types: ['Vessel'],
    scopes: ['/Le_Havre/Port/Terminal_Sud'],
    attrs: {
      name: [prop('MSC Gulsun')],
      speed: [prop(18, { unitCode: 'KNT', observedAt: '2026-12-01T10:30:00Z' })],
      status: [prop('underway')],
      address: [prop({ addressLocality: 'Rouen' })],
      a: [prop(2)],
      b: [prop(2)],
      c: [prop(false)],
    },
  },
  {
    id: 'urn:ngsi-ld:Vessel:3',
    types: ['Vessel', 'Tanker'],
    scopes: ['/Antwerp'],
    attrs: {
      name: [prop('cma cgm Antoine de Saint Exupery')],
      // The same instant as Vessel:1's observedAt, spelled with an offset.
      speed: [prop(5, { unitCode: 'KMH', observedAt: '2026-11-23T09:00:00+01:00' })],
      status: [prop('moored')],
      isDockedAt: [rel('urn:ngsi-ld:Berth:2')],
      a: [prop(1)],
      b: [prop(3)],
    },
  },
  {
    id: 'urn:ngsi-ld:Vessel:4',
    types: ['Vessel'],
    attrs: {
      // Type mismatches: a string speed, a string a.
      speed: [prop('fast')],
      status: [prop(['moored', 'waiting'])],
      a: [prop('1')],
      departure: [prop({ '@type': 'DateTime', '@value': '2026-01-15T12:00:00Z' })],
      note: [prop("x' OR 1=1 --")],
    },
  },
  {
    id: 'urn:ngsi-ld:Vessel:5',
    types: ['Vessel'],
    scopes: ['/Le_Havre'],
    attrs: {
      name: [{ type: 'LanguageProperty', languageMap: { fr: 'Le Navire', en: 'The Ship' } }],
      // Two instances: the default one first, then a datasetId one.
      speed: [
        prop(7),
        prop(25, { datasetId: 'urn:ngsi-ld:Dataset:gps', observedAt: '2026-11-20T00:00:00Z' }),
      ],
    },
  },
  {
    id: 'urn:ngsi-ld:Berth:1',
    types: ['Berth'],
    scopes: ['/Le_Havre/Port/Terminal_Nord'],
    attrs: {
      length: [prop(350, { unitCode: 'MTR' })],
      category: [{ type: 'VocabProperty', vocab: `${DEFAULT}Container` }],
      operator: [rel(['urn:ngsi-ld:Org:1', 'urn:ngsi-ld:Org:2'])],
    },
  },
  {
    id: 'urn:ngsi-ld:Berth:2',
    types: ['Berth'],
    scopes: ['/Antwerp/Deurganck'],
    attrs: {
      length: [prop(400)],
      category: [{ type: 'VocabProperty', vocab: [`${DEFAULT}Bulk`, 'https://example.org/Liquid'] }],
      name: [{ type: 'LanguageProperty', languageMap: { nl: 'Deurganckdok', fr: ['Darse', 'Deurganck'] } }],
    },
  },
  {
    id: 'urn:ngsi-ld:Sensor:1',
    types: ['Sensor', 'Device'],
    scopes: ['/Le_Havre/Port'],
    attrs: {
      temperature: [prop(21.5, { unitCode: 'CEL', observedAt: '2026-11-23T07:59:59.999Z' })],
      humidity: [prop(40)],
      rawdata: [prop({ airquality: { particulate: 40, PM20: 85 } })],
      controlledBy: [{ type: 'ListRelationship', objectList: ['urn:ngsi-ld:Org:1'] }],
    },
  },
  {
    id: 'urn:ngsi-ld:Sensor:2',
    types: ['Sensor'],
    scopes: ['/Le_Havre/Port'],
    attrs: {
      temperature: [prop(-3, { observedAt: '2026-11-22T23:00:00-01:00' })],
      humidity: [prop(85)],
      readings: [{ type: 'ListProperty', valueList: [10, 20, 30] }],
    },
  },
  {
    id: 'urn:ngsi-ld:Camera:1',
    types: ['Device'],
    scopes: ['/Le_Havre/Port/Terminal_Nord/Gate_3'],
    attrs: {
      config: [{ type: 'JsonProperty', json: { resolution: '4k', fps: 30, value: 'Overstay 60 minutes' } }],
      nothing: [{ type: 'JsonProperty', json: null }],
    },
  },
  {
    id: 'urn:ngsi-ld:WeatherStation:1',
    types: ['WeatherStation'],
    attrs: { sensor: [rel('urn:ngsi-ld:Sensor:1', { objectType: `${DEFAULT}Device` })] },
  },
  {
    id: 'urn:ngsi-ld:WeatherStation:2',
    types: ['WeatherStation'],
    attrs: { sensor: [rel('urn:ngsi-ld:Sensor:2')], owner: [rel('urn:ngsi-ld:Org:1')] },
  },
  {
    id: 'urn:ngsi-ld:Org:1',
    types: ['Organisation'],
    scopes: ['/Le_Havre', '/Rouen', '/Le_HavreXPort/Zone-1'],
    attrs: {
      name: [prop('HAROPA Port')],
      capacity: [prop('__BIG__')],
      'ex:rating': [prop(4.5)],
    },
  },
  {
    id: 'urn:ngsi-ld:Org:2',
    types: ['Organisation', 'ex:Operator'],
    scopes: ['/Le_Havre.Port/Zone-1'],
    attrs: {
      name: [prop('Terminal de France')],
      weird: [prop(1)],
    },
  },
];

/**
 * The same instant (2026-11-23T08:00:00Z) and its neighbours in every spelling the broker stores, in tenant
 * `time`: the DateTime/Date/Time comparisons are checked against all of them.
 */
export const CLOCKS: { id: string; when: Json }[] = [
  { id: 'Z', when: '2026-11-23T08:00:00Z' },
  { id: 'Zms', when: '2026-11-23T08:00:00.000Z' },
  { id: 'plus1', when: '2026-11-23T09:00:00+01:00' },
  { id: 'minus5nocolon', when: '2026-11-23T03:00:00-0500' },
  { id: 'plus1hour', when: '2026-11-23T09:00:00+01' },
  { id: 'noSeconds', when: '2026-11-23T08:00Z' },
  { id: 'naive', when: '2026-11-23T08:00:00' },
  { id: 'micro', when: '2026-11-23T08:00:00.000001Z' },
  { id: 'before', when: '2026-11-23T07:59:59.999Z' },
  { id: 'typed', when: { '@type': 'DateTime', '@value': '2026-11-24T00:00:00Z' } },
  { id: 'date', when: '2026-11-23' },
  { id: 'invalid', when: '2026-02-30T08:00:00Z' },
  { id: 'text', when: 'tomorrow' },
  { id: 'number', when: 20261123 },
  { id: 'time', when: '08:00:00Z' },
  { id: 'timeNaive', when: '09:30:00' },
  { id: 'timeOffset', when: '10:30:00+01:00' },
];

function expandInstance(inst: Json): Json {
  if (!inst || typeof inst !== 'object' || Array.isArray(inst) || !inst.sub) return inst;
  const sub = inst.sub as Record<string, Json>;
  return {
    ...inst,
    sub: Object.fromEntries(Object.entries(sub).map(([k, v]) => [expand(k), expandInstance(v)])),
  };
}

async function insert(db: Queryable, tenant: string, rows: Row[]): Promise<void> {
  for (const r of rows) {
    const attrs = Object.fromEntries(
      Object.entries(r.attrs).map(([k, list]) => [expand(k), list.map((i) => expandInstance(i))]),
    );
    await db.query(
      `INSERT INTO broker_entities (tenant, id, types, scopes, attrs, created_at, modified_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now(), now())`,
      // A number beyond 2^53, exactly (JSON.stringify would round it).
      [tenant, r.id, r.types.map(expand), r.scopes ?? null, JSON.stringify(attrs).replace('"__BIG__"', BIG)],
    );
  }
}

export async function insertFixtures(db: Queryable): Promise<void> {
  await insert(db, '', ENTITIES);
  await insert(
    db,
    'time',
    CLOCKS.map((c) => ({ id: c.id, types: ['Clock'], attrs: { when: [prop(c.when)] } })),
  );
}

/** `urn:ngsi-ld:Vessel:1` -> `Vessel:1`, for readable assertions. */
export const short = (id: string) => id.replace(/^urn:ngsi-ld:/, '');
