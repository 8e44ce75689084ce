import type { FeatureCollection } from 'geojson';
import { type GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import type { ProjectFeature } from '../../api/observatory';
import { PLAIN_STYLE, PORT_CENTER } from '../../map/MapView';
import { MAP_COLORS } from '../../theme';

const toCollection = (projects: ProjectFeature[]): FeatureCollection => ({
  type: 'FeatureCollection',
  features: projects.map((p) => ({ type: 'Feature', geometry: p.geometry, properties: { id: p.id } })),
});

/**
 * The public projects on a map (MapLibre, plain background: no tiles are fetched). The list beside it shows the
 * same projects with their coordinates: the map is a picture of where they are, named as such for screen readers.
 */
export default function ProjectsMap({ projects, label }: { projects: ProjectFeature[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (!container.current) return;
    let map: MapLibreMap;
    try {
      map = new MapLibreMap({
        container: container.current,
        style: PLAIN_STYLE,
        center: PORT_CENTER,
        zoom: 10,
        attributionControl: false,
        interactive: false,
      });
    } catch {
      return; // no WebGL: the list says it all
    }
    map.on('load', () => {
      map.addSource('projects', { type: 'geojson', data: toCollection([]) });
      map.addLayer({
        id: 'projects',
        type: 'circle',
        source: 'projects',
        paint: {
          'circle-radius': 6,
          'circle-color': MAP_COLORS.terminal,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      });
      setReady(true);
    });
    mapRef.current = map;
    return () => {
      mapRef.current = null;
      map.remove();
    };
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    map.getSource<GeoJSONSource>('projects')?.setData(toCollection(projects));
    if (projects.length === 0) return;
    let [w, s, e, n] = [180, 90, -180, -90];
    for (const p of projects) {
      const [x, y] = p.geometry.coordinates;
      [w, s, e, n] = [Math.min(w, x), Math.min(s, y), Math.max(e, x), Math.max(n, y)];
    }
    map.fitBounds([w, s, e, n], { padding: 40, maxZoom: 13, duration: 0 });
  }, [ready, projects]);

  return (
    <div
      ref={container}
      className="obs-projects-map"
      role="img"
      aria-label={label}
      data-testid="obs-projects-map"
    />
  );
}
