import type { Geometry, Position } from 'geojson';
import type { TFunction } from 'i18next';
import type { EntityFeature } from '../api/ngsi';

/**
 * The kinds of feature the port map shows, drawn in this order (later ones on top): the hub's entities, and
 * `Round`, the collection rounds of the newest waste plan (src/waste).
 */
export const KINDS = ['Terminal', 'Berth', 'Round', 'WasteContainer', 'Vessel'] as const;
export type Kind = (typeof KINDS)[number];

export type PortLayers = Record<Kind, EntityFeature[]>;

export const featureName = (f: EntityFeature): string => {
  const n = f.properties.name;
  if (typeof n === 'string' && n) return n;
  if (n && typeof n === 'object') {
    const first = Object.values(n as Record<string, unknown>).find((v) => typeof v === 'string');
    if (typeof first === 'string') return first;
  }
  return f.id.replace(/^urn:ngsi-ld:[^:]+:/, '');
};

const typeLabel = (t: TFunction, type: string): string =>
  (KINDS as readonly string[]).includes(type) ? t(`types.${type as Kind}`) : type;

export { typeLabel };

const TERMINAL_TYPES = ['container', 'cruise', 'roro'] as const;
const BERTH_STATUSES = ['free', 'occupied', 'reserved'] as const;
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

/** An attribute's value in words, for the values the interface knows (terminal kinds, berth states). */
export function valueLabel(t: TFunction, key: string, value: unknown): string | undefined {
  if (key === 'terminalType' && isOneOf(TERMINAL_TYPES, value)) return t(`terminalType.${value}`);
  if (key === 'status' && isOneOf(BERTH_STATUSES, value)) return t(`berthStatus.${value}`);
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return undefined;
}

/** A container's filling level (0–1), when it has one. */
export const fillingLevel = (f: EntityFeature): number | undefined =>
  typeof f.properties.fillingLevel === 'number' ? f.properties.fillingLevel : undefined;

/** Filling bands of the legend: the threshold of the collection plan is 80 %. */
export const FILL_BANDS = ['low', 'mid', 'high'] as const;
export type FillBand = (typeof FILL_BANDS)[number];
export const fillBand = (level: number): FillBand => (level >= 0.8 ? 'high' : level >= 0.5 ? 'mid' : 'low');

const percent = (x: number) => `${Math.round(x * 100)} %`;

/**
 * A short line for the table: the terminal's kind, operator and truck waiting time, the berth's code and state,
 * the container's level, the round's stops and length, the vessel's MMSI.
 */
export function featureInfo(t: TFunction, f: EntityFeature): string {
  const p = f.properties;
  const v = (key: string) => valueLabel(t, key, p[key]);
  const level = fillingLevel(f);
  const parts =
    f.type === 'Terminal'
      ? [
          v('terminalType'),
          v('operator'),
          typeof p.truckWaitingTime === 'number'
            ? t('map.truckWait', { minutes: Math.round(p.truckWaitingTime) })
            : undefined,
        ]
      : f.type === 'Berth'
        ? [v('berthCode'), v('status')]
        : f.type === 'WasteContainer'
          ? [
              level !== undefined ? t('map.fill', { level: percent(level) }) : t('map.fillUnknown'),
              level !== undefined ? t(`map.fillBand.${fillBand(level)}`) : undefined,
            ]
          : f.type === 'Round'
            ? [t('map.roundStops', { count: Number(p.stops) || 0 }), `${Number(p.distanceKm).toFixed(1)} km`]
            : [p.mmsi !== undefined ? `MMSI ${v('mmsi')}` : undefined, v('destination')];
  return parts.filter(Boolean).join(' · ');
}

const eachPosition = (g: Geometry, fn: (p: Position) => void): void => {
  switch (g.type) {
    case 'Point':
      fn(g.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      g.coordinates.forEach(fn);
      break;
    case 'MultiLineString':
    case 'Polygon':
      for (const r of g.coordinates) r.forEach(fn);
      break;
    case 'MultiPolygon':
      for (const p of g.coordinates) for (const r of p) r.forEach(fn);
      break;
    case 'GeometryCollection':
      for (const c of g.geometries) eachPosition(c, fn);
      break;
  }
};

/** [west, south, east, north] of a geometry. */
export function bbox(g: Geometry): [number, number, number, number] | undefined {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  eachPosition(g, ([x, y]) => {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  });
  return Number.isFinite(w) ? [w, s, e, n] : undefined;
}
