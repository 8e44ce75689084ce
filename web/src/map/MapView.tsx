import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection } from 'geojson';
import {
  type FilterSpecification,
  type GeoJSONSource,
  type LayerSpecification,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  type StyleSpecification,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import type { EntityFeature } from '../api/ngsi';
import { MAP_COLORS } from '../theme';
import { bbox, KINDS, type Kind, type PortLayers } from './features';

setWorkerUrl(workerUrl);

/** Le Havre's port, as in the issue: lon 0.13, lat 49.47, zoom 12. */
export const PORT_CENTER: [number, number] = [0.13, 49.47];
export const PORT_ZOOM = 12;

/** The base map when no style is configured or reachable: a plain background under the data layers. */
export const PLAIN_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': MAP_COLORS.background } }],
};

const SOURCE: Record<Kind, string> = {
  Terminal: 'terminals',
  Berth: 'berths',
  Round: 'rounds',
  WasteContainer: 'waste',
  Vessel: 'vessels',
};
/** Layers a click can hit, topmost first. */
const HIT_LAYERS = ['vessels', 'waste', 'rounds', 'berths-fill', 'terminals-fill'];

/** A point layer and its selection ring. */
function pointLayers(
  source: string,
  paint: NonNullable<Extract<LayerSpecification, { type: 'circle' }>['paint']>,
  selected: FilterSpecification,
): LayerSpecification[] {
  return [
    { id: source, type: 'circle', source, paint },
    {
      id: `${source}-selected`,
      type: 'circle',
      source,
      filter: selected,
      paint: {
        'circle-radius': 11,
        'circle-opacity': 0,
        'circle-stroke-color': MAP_COLORS.selected,
        'circle-stroke-width': 3,
      },
    },
  ];
}

function layersFor(kind: Kind): LayerSpecification[] {
  const source = SOURCE[kind];
  const selected: FilterSpecification = ['==', ['get', '_id'], ''];
  if (kind === 'Vessel') {
    return pointLayers(
      source,
      {
        'circle-radius': 6,
        'circle-color': MAP_COLORS.vessel,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
      selected,
    );
  }
  if (kind === 'WasteContainer') {
    // Colour and size both say the band (colour is never alone): fuller containers are bigger dots.
    const band = (low: number | string, mid: number | string, high: number | string) =>
      ['step', ['coalesce', ['get', '_level'], -1], low, 0.5, mid, 0.8, high] as unknown as number;
    return pointLayers(
      source,
      {
        'circle-radius': band(3.5, 5, 7),
        'circle-color': band(
          MAP_COLORS.fillLow,
          MAP_COLORS.fillMid,
          MAP_COLORS.fillHigh,
        ) as unknown as string,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
      },
      selected,
    );
  }
  if (kind === 'Round') {
    return [
      {
        id: source,
        type: 'line',
        source,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': MAP_COLORS.round, 'line-width': 2.5, 'line-dasharray': [1, 1.5] },
      },
      {
        id: `${source}-selected`,
        type: 'line',
        source,
        filter: selected,
        paint: { 'line-color': MAP_COLORS.selected, 'line-width': 4 },
      },
    ];
  }
  const terminal = kind === 'Terminal';
  return [
    {
      id: `${source}-fill`,
      type: 'fill',
      source,
      paint: {
        'fill-color': terminal ? MAP_COLORS.terminalFill : MAP_COLORS.berthFill,
        'fill-opacity': terminal ? 0.35 : 0.75,
      },
    },
    {
      id: `${source}-line`,
      type: 'line',
      source,
      paint: terminal
        ? { 'line-color': MAP_COLORS.terminal, 'line-width': 2 }
        : { 'line-color': MAP_COLORS.berth, 'line-width': 1.5, 'line-dasharray': [2, 1.5] },
    },
    {
      id: `${source}-selected`,
      type: 'line',
      source,
      filter: selected,
      paint: { 'line-color': MAP_COLORS.selected, 'line-width': 4 },
    },
  ];
}

const toCollection = (features: EntityFeature[]): FeatureCollection => ({
  type: 'FeatureCollection',
  features: features
    .filter((f) => f.geometry)
    .map((f) => ({
      type: 'Feature',
      geometry: f.geometry!,
      properties: {
        _id: f.id,
        ...(typeof f.properties.fillingLevel === 'number' ? { _level: f.properties.fillingLevel } : {}),
      },
    })),
});

export interface MapViewProps {
  /** A MapLibre style URL, or the plain style. */
  style: string | StyleSpecification;
  layers: PortLayers;
  visible: Record<Kind, boolean>;
  selectedId: string | null;
  /** Changes when the view should move to the selected feature (a selection made outside the map). */
  focusRequest: number;
  onSelect: (id: string) => void;
  label: string;
  locale: Record<string, string>;
  onUnsupported: () => void;
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/** The MapLibre map of the port: terminals and berths as polygons, vessels as points. */
export function MapView(props: MapViewProps) {
  const { style, layers, visible, selectedId, focusRequest, onSelect, label, locale, onUnsupported } = props;
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [ready, setReady] = useState(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onUnsupportedRef = useRef(onUnsupported);
  onUnsupportedRef.current = onUnsupported;
  const initial = useRef({ locale, label });

  // The map is created once per style.
  useEffect(() => {
    if (!container.current) return;
    let map: MapLibreMap;
    try {
      map = new MapLibreMap({
        container: container.current,
        style,
        center: PORT_CENTER,
        zoom: PORT_ZOOM,
        attributionControl: { compact: true },
        locale: initial.current.locale,
        cooperativeGestures: false,
        fadeDuration: 0,
      });
    } catch {
      onUnsupportedRef.current();
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: true }), 'top-right');
    map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.getCanvas().setAttribute('aria-label', initial.current.label);
    map.on('error', (e: { error?: { message?: string } }) => {
      if (/webgl/i.test(e.error?.message ?? '')) onUnsupportedRef.current();
    });
    map.on('load', () => {
      for (const kind of KINDS) {
        map.addSource(SOURCE[kind], { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        for (const layer of layersFor(kind)) map.addLayer(layer);
      }
      map.on('click', (e) => {
        const hits = map.queryRenderedFeatures(e.point, {
          layers: HIT_LAYERS.filter((l) => map.getLayer(l)),
        });
        const id = hits[0]?.properties?._id;
        if (typeof id === 'string') onSelectRef.current(id);
      });
      for (const l of HIT_LAYERS) {
        map.on('mouseenter', l, () => {
          map.getCanvas().style.cursor = 'pointer';
        });
        map.on('mouseleave', l, () => {
          map.getCanvas().style.cursor = '';
        });
      }
      setReady(true);
    });
    return () => {
      setReady(false);
      mapRef.current = null;
      map.remove();
    };
  }, [style]);

  // Data.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    for (const kind of KINDS) {
      map.getSource<GeoJSONSource>(SOURCE[kind])?.setData(toCollection(layers[kind]));
    }
  }, [ready, layers]);

  // Visibility of each kind.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    for (const kind of KINDS) {
      for (const layer of layersFor(kind)) {
        map.setLayoutProperty(layer.id, 'visibility', visible[kind] ? 'visible' : 'none');
      }
    }
  }, [ready, visible]);

  // Selection outline.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    for (const id of KINDS.map((k) => `${SOURCE[k]}-selected`)) {
      map.setFilter(id, ['==', ['get', '_id'], selectedId ?? '']);
    }
  }, [ready, selectedId]);

  // Move to the selected feature when asked (selection from the list).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new focus request moves the view
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !focusRequest || !selectedId) return;
    const f = KINDS.flatMap((k) => layers[k]).find((x) => x.id === selectedId);
    const b = f?.geometry ? bbox(f.geometry) : undefined;
    if (!b) return;
    map.fitBounds(b, { padding: 80, maxZoom: 15, duration: reducedMotion() ? 0 : 600 });
  }, [ready, focusRequest]);

  // Labels follow the language.
  useEffect(() => {
    mapRef.current?.getCanvas().setAttribute('aria-label', label);
    const ctrl = container.current;
    if (!ctrl) return;
    const set = (sel: string, text: string | undefined) => {
      const el = ctrl.querySelector(sel);
      if (el && text) {
        el.setAttribute('aria-label', text);
        el.setAttribute('title', text);
      }
    };
    set('.maplibregl-ctrl-zoom-in', locale['NavigationControl.ZoomIn']);
    set('.maplibregl-ctrl-zoom-out', locale['NavigationControl.ZoomOut']);
    set('.maplibregl-ctrl-compass', locale['NavigationControl.ResetBearing']);
  }, [label, locale]);

  return <div ref={container} className="port-map" data-testid="port-map" />;
}
