import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { ApiError, apiFetch } from './http';

export { ApiError };

/** The NGSI-LD API of the same server (GS CIM 009), read by the web application. */
const BASE = '/ngsi-ld/v1';
const PAGE = 1000; // the broker's largest page
const MAX_FEATURES = 20_000;

async function get(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
  return apiFetch(`${BASE}${path}`, { accept, signal });
}

/** How many entities of a type the hub holds (NGSILD-Results-Count, without fetching them). */
export async function countEntities(type: string, signal?: AbortSignal): Promise<number> {
  const res = await get(
    `/entities?type=${encodeURIComponent(type)}&count=true&limit=0`,
    'application/json',
    signal,
  );
  const n = Number(res.headers.get('NGSILD-Results-Count'));
  if (!Number.isFinite(n)) throw new ApiError('the count header is missing', res.status);
  return n;
}

/** The entity types in the hub, as short names. */
export async function entityTypes(signal?: AbortSignal): Promise<string[]> {
  const res = await get('/types', 'application/json', signal);
  const body = (await res.json()) as { typeList?: unknown };
  return Array.isArray(body.typeList) ? body.typeList.filter((t): t is string => typeof t === 'string') : [];
}

/** An entity as a GeoJSON feature with simplified (keyValues) properties. */
export interface EntityFeature {
  id: string;
  type: string;
  geometry: Geometry | null;
  properties: Record<string, unknown>;
}

const asEntityFeature = (f: Feature): EntityFeature | undefined => {
  const props = (f.properties ?? {}) as Record<string, unknown>;
  const type = typeof props.type === 'string' ? props.type : undefined;
  if (typeof f.id !== 'string' || !type) return undefined;
  return { id: f.id, type, geometry: f.geometry ?? null, properties: props };
};

/** [west, south, east, north] in degrees. */
export type BBox = [number, number, number, number];

const withinQuery = ([w, s, e, n]: BBox) =>
  `&georel=within&geometry=Polygon&coordinates=${encodeURIComponent(
    JSON.stringify([
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ]),
  )}`;

/**
 * Every entity of a type (inside `within` when given, a geo-query), as GeoJSON
 * (Accept: application/geo+json), page by page.
 */
export async function entityFeatures(
  type: string,
  signal?: AbortSignal,
  within?: BBox,
): Promise<EntityFeature[]> {
  const out: EntityFeature[] = [];
  const geo = within ? withinQuery(within) : '';
  for (let offset = 0; offset < MAX_FEATURES; offset += PAGE) {
    const res = await get(
      `/entities?type=${encodeURIComponent(type)}${geo}&options=keyValues&limit=${PAGE}&offset=${offset}`,
      'application/geo+json',
      signal,
    );
    const fc = (await res.json()) as FeatureCollection;
    const features = Array.isArray(fc.features) ? fc.features : [];
    for (const f of features) {
      const e = asEntityFeature(f);
      if (e) out.push(e);
    }
    if (features.length < PAGE) break;
  }
  return out;
}

/** The web application's settings, served by the server (src/web/plugin.ts). */
export interface WebConfig {
  /** URL of a MapLibre style for the base map; null when none is configured. */
  mapStyle: string | null;
  /** Whether sign-in through an OIDC identity provider is offered. */
  oidc: boolean;
}

export async function webConfig(signal?: AbortSignal): Promise<WebConfig> {
  try {
    const res = await fetch('/api/config', { headers: { Accept: 'application/json' }, signal });
    if (!res.ok) return { mapStyle: null, oidc: false };
    const body = (await res.json()) as { mapStyle?: unknown; oidc?: unknown };
    return {
      mapStyle: typeof body.mapStyle === 'string' && body.mapStyle ? body.mapStyle : null,
      oidc: body.oidc === true,
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { mapStyle: null, oidc: false };
  }
}
