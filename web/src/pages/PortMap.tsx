import { Alert, Button, Checkbox, Group, Stack, Text, Title } from '@mantine/core';
import type { StyleSpecification } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiJson } from '../api/http';
import { type BBox, type EntityFeature, entityFeatures, webConfig } from '../api/ngsi';
import { useData } from '../api/useData';
import { PageTitle } from '../components/PageTitle';
import { FeatureDetails } from '../map/FeatureDetails';
import { FeatureTable } from '../map/FeatureTable';
import { FILL_BANDS, featureName, KINDS, type Kind, type PortLayers } from '../map/features';
import { MapView, PLAIN_STYLE } from '../map/MapView';
import { MAP_COLORS } from '../theme';

// Vessels are pushed as they move (Server-Sent Events); a full reload now and then drops the ones gone.
const VESSEL_REFRESH_MS = 60_000;
const LIVE_VESSELS = '/api/live/vessels';
const WASTE_REFRESH_MS = 60_000;
const STYLE_TIMEOUT_MS = 5_000;

interface BaseMap {
  style: string | StyleSpecification;
  /** Whether a base map style was configured, and whether it could be reached. */
  configured: boolean;
  reachable: boolean;
}

/** The configured base map (ESCALE_MAP_STYLE) if it answers, else a plain background. */
async function resolveBaseMap(signal: AbortSignal): Promise<BaseMap> {
  const { mapStyle } = await webConfig(signal);
  if (!mapStyle) return { style: PLAIN_STYLE, configured: false, reachable: false };
  try {
    const res = await fetch(mapStyle, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(STYLE_TIMEOUT_MS)]),
    });
    if (res.ok) {
      await res.json();
      return { style: mapStyle, configured: true, reachable: true };
    }
  } catch (err) {
    if (signal.aborted) throw err;
  }
  return { style: PLAIN_STYLE, configured: true, reachable: false };
}

interface TruckStats {
  refTerminal?: string;
  hour?: string;
  averageWaitingTime?: number;
  dateObserved?: string;
}

/**
 * Terminals (with their latest average truck waiting time, from the gates' TruckGateStatistics) and berths.
 * The statistics are read as keyValues; a terminal without any keeps no waiting time.
 */
async function loadStatic(signal: AbortSignal): Promise<Pick<PortLayers, 'Terminal' | 'Berth'>> {
  const [Terminal, Berth, stats] = await Promise.all([
    entityFeatures('Terminal', signal),
    entityFeatures('Berth', signal),
    apiJson<TruckStats[]>('/ngsi-ld/v1/entities?type=TruckGateStatistics&options=keyValues&limit=1000', {
      signal,
    }).catch(() => [] as TruckStats[]),
  ]);
  const latest = new Map<string, TruckStats>();
  for (const st of stats) {
    const ref = st.refTerminal;
    const at = st.dateObserved ?? st.hour ?? '';
    if (!ref || typeof st.averageWaitingTime !== 'number') continue;
    const prev = latest.get(ref);
    if (!prev || (prev.dateObserved ?? prev.hour ?? '') < at) latest.set(ref, st);
  }
  return {
    Terminal: Terminal.map((f) => {
      const wait = latest.get(f.id)?.averageWaitingTime;
      return wait === undefined ? f : { ...f, properties: { ...f.properties, truckWaitingTime: wait } };
    }),
    Berth,
  };
}

/** Waste containers with their latest filling level (WasteContainer, src/waste). */
const loadWaste = (signal: AbortSignal) => entityFeatures('WasteContainer', signal);

interface PlanSummary {
  id: string;
  date: string;
}

/** The rounds of the newest collection plan (GeoJSON from src/waste), one line per vehicle round. */
async function loadRounds(signal: AbortSignal): Promise<{ date: string | null; rounds: EntityFeature[] }> {
  const plans = await apiJson<{ items: PlanSummary[] }>('/api/waste/plans?limit=1', { signal });
  const plan = plans.items[0];
  if (!plan) return { date: null, rounds: [] };
  const fc = await apiJson<GeoJSON.FeatureCollection>(`/api/waste/plans/${plan.id}?format=geojson`, {
    signal,
    accept: 'application/geo+json',
  });
  const rounds = fc.features
    .filter((f) => f.geometry?.type === 'LineString')
    .map((f, i) => ({
      id: `urn:escale:waste-plan:${plan.id}:round:${i + 1}`,
      type: 'Round',
      geometry: f.geometry,
      properties: { ...(f.properties ?? {}), name: `${i + 1}`, type: 'Round', planDate: plan.date },
    }));
  return { date: plan.date, rounds };
}

/** The Seine estuary and its approaches: vessels outside are not drawn on the port map. */
const PORT_AREA: BBox = [-0.5, 49.2, 0.6, 49.8];

const loadVessels = (signal: AbortSignal) => entityFeatures('Vessel', signal, PORT_AREA);

const inPortArea = ([x, y]: number[]) =>
  x >= PORT_AREA[0] && x <= PORT_AREA[2] && y >= PORT_AREA[1] && y <= PORT_AREA[3];

/** A vessel of a live notification (keyValues) as a map feature; undefined outside the port area. */
function liveVessel(e: Record<string, unknown>): EntityFeature | undefined {
  const loc = e.location as { type?: string; coordinates?: number[] } | undefined;
  if (typeof e.id !== 'string' || loc?.type !== 'Point' || !Array.isArray(loc.coordinates)) return undefined;
  if (!inPortArea(loc.coordinates)) return undefined;
  const { id, location: _location, ...rest } = e;
  return {
    id,
    type: 'Vessel',
    geometry: { type: 'Point', coordinates: loc.coordinates },
    properties: { ...rest, type: 'Vessel' },
  };
}

/**
 * Vessels as they move: the notifications of the platform's live-vessels subscription, merged over the last
 * full load (which they replace when it comes again). `at` is when the last one arrived.
 */
function useLiveVessels(loaded: EntityFeature[] | undefined): {
  vessels: EntityFeature[] | undefined;
  at?: Date;
  connected: boolean;
} {
  const [live, setLive] = useState<{ byId: Map<string, EntityFeature>; at?: Date }>({ byId: new Map() });
  const [connected, setConnected] = useState(false);
  // A new full load is the truth: forget what was pushed before it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on each new load
  useEffect(() => setLive({ byId: new Map() }), [loaded]);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(LIVE_VESSELS);
    source.addEventListener('open', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false)); // the browser reconnects by itself
    source.addEventListener('notification', (ev) => {
      let data: Record<string, unknown>[] = [];
      try {
        data =
          (JSON.parse((ev as MessageEvent<string>).data) as { data?: Record<string, unknown>[] }).data ?? [];
      } catch {
        return;
      }
      setLive((prev) => {
        const byId = new Map(prev.byId);
        for (const e of data) {
          const f = liveVessel(e);
          if (f) byId.set(f.id, f);
        }
        return { byId, at: new Date() };
      });
    });
    return () => source.close();
  }, []);
  const vessels = useMemo(() => {
    if (!loaded && live.byId.size === 0) return undefined;
    const byId = new Map((loaded ?? []).map((f) => [f.id, f]));
    for (const [id, f] of live.byId)
      byId.set(id, { ...f, properties: { ...byId.get(id)?.properties, ...f.properties } });
    return [...byId.values()];
  }, [loaded, live]);
  return { vessels, at: live.at, connected };
}

/** The legend's symbol for a kind: a shape and a line style as well as a colour. */
function Swatch({ kind }: { kind: Kind }) {
  return (
    <svg width="22" height="16" viewBox="0 0 22 16" aria-hidden="true" focusable="false" className="swatch">
      {kind === 'Terminal' && (
        <rect
          x="1"
          y="2"
          width="20"
          height="12"
          fill={MAP_COLORS.terminalFill}
          fillOpacity="0.35"
          stroke={MAP_COLORS.terminal}
          strokeWidth="2"
        />
      )}
      {kind === 'Berth' && (
        <rect
          x="2"
          y="4"
          width="18"
          height="8"
          fill={MAP_COLORS.berthFill}
          fillOpacity="0.75"
          stroke={MAP_COLORS.berth}
          strokeWidth="1.5"
          strokeDasharray="3 2"
        />
      )}
      {kind === 'WasteContainer' && (
        <>
          <circle cx="4" cy="8" r="2.5" fill={MAP_COLORS.fillLow} />
          <circle cx="10" cy="8" r="3.5" fill={MAP_COLORS.fillMid} />
          <circle cx="17.5" cy="8" r="4.5" fill={MAP_COLORS.fillHigh} />
        </>
      )}
      {kind === 'Round' && (
        <path
          d="M1 12 L8 4 L14 11 L21 3"
          fill="none"
          stroke={MAP_COLORS.round}
          strokeWidth="2.5"
          strokeDasharray="2 3"
        />
      )}
      {kind === 'Vessel' && (
        <circle cx="11" cy="8" r="5.5" fill={MAP_COLORS.vessel} stroke="#fff" strokeWidth="2" />
      )}
    </svg>
  );
}

export default function PortMap() {
  const { t, i18n } = useTranslation();
  const baseMap = useData(resolveBaseMap);
  const statics = useData(loadStatic);
  const vessels = useData(loadVessels, VESSEL_REFRESH_MS);
  const live = useLiveVessels(vessels.state.data);
  const waste = useData(loadWaste, WASTE_REFRESH_MS);
  const rounds = useData(loadRounds, WASTE_REFRESH_MS);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const [visible, setVisible] = useState<Record<Kind, boolean>>(
    () => Object.fromEntries(KINDS.map((k) => [k, true])) as Record<Kind, boolean>,
  );
  const [unsupported, setUnsupported] = useState(false);

  const layers: PortLayers = useMemo(
    () => ({
      Terminal: statics.state.data?.Terminal ?? [],
      Berth: statics.state.data?.Berth ?? [],
      Round: rounds.state.data?.rounds ?? [],
      WasteContainer: waste.state.data ?? [],
      Vessel: live.vessels ?? [],
    }),
    [statics.state.data, live.vessels, waste.state.data, rounds.state.data],
  );
  const listed: EntityFeature[] = useMemo(
    () => KINDS.flatMap((k) => (visible[k] ? layers[k] : [])),
    [layers, visible],
  );
  const selected = useMemo(
    () => (selectedId ? KINDS.flatMap((k) => layers[k]).find((f) => f.id === selectedId) : undefined),
    [layers, selectedId],
  );

  const nameOf = useCallback(
    (id: string) => {
      const f = KINDS.flatMap((k) => layers[k]).find((x) => x.id === id);
      return f ? featureName(f) : undefined;
    },
    [layers],
  );
  const selectOnMap = useCallback((id: string) => setSelectedId(id), []);
  const selectInList = useCallback((id: string) => {
    setSelectedId(id);
    setFocusRequest((n) => n + 1);
  }, []);
  const onUnsupported = useCallback(() => setUnsupported(true), []);

  const locale = useMemo(
    () => ({
      'NavigationControl.ZoomIn': t('map.zoomIn'),
      'NavigationControl.ZoomOut': t('map.zoomOut'),
      'NavigationControl.ResetBearing': t('map.resetBearing'),
      'Map.Title': t('map.mapLabel'),
    }),
    [t],
  );

  const error = statics.state.error ?? vessels.state.error;
  const vesselCount = live.vessels?.length;
  const updatedAt = live.at ?? (vessels.state.status === 'ok' ? vessels.state.at : undefined);

  return (
    <Stack gap="md">
      <div>
        <PageTitle>{t('map.title')}</PageTitle>
        <Text maw={820}>{t('map.intro')}</Text>
      </div>
      {error && (
        <Alert color="red" variant="light" role="alert">
          <Group justify="space-between">
            <span>{t('map.error', { message: error.message })}</span>
            <Button
              size="xs"
              variant="outline"
              color="red"
              onClick={() => {
                statics.reload();
                vessels.reload();
              }}
            >
              {t('home.retry')}
            </Button>
          </Group>
        </Alert>
      )}
      <div className="map-layout">
        <div className="map-layout__map">
          {unsupported ? (
            <Alert variant="light" color="gray" data-testid="map-unsupported">
              {t('map.noWebgl')}
            </Alert>
          ) : baseMap.state.data ? (
            <MapView
              style={baseMap.state.data.style}
              layers={layers}
              visible={visible}
              selectedId={selectedId}
              focusRequest={focusRequest}
              onSelect={selectOnMap}
              label={t('map.mapLabel')}
              locale={locale}
              onUnsupported={onUnsupported}
            />
          ) : (
            <div className="port-map port-map--loading" />
          )}
          {baseMap.state.data && !baseMap.state.data.reachable && (
            <Text size="sm" c="dimmed" mt={6}>
              {t('map.noBaseMap')}
            </Text>
          )}
        </div>
        <Stack gap="md" className="map-layout__side">
          <Checkbox.Group
            label={t('map.legend')}
            value={KINDS.filter((k) => visible[k])}
            onChange={(v) =>
              setVisible(Object.fromEntries(KINDS.map((k) => [k, v.includes(k)])) as Record<Kind, boolean>)
            }
          >
            <Group gap="lg" mt={6}>
              {KINDS.map((k) => (
                <Checkbox
                  key={k}
                  value={k}
                  label={
                    <span className="legend-item">
                      <Swatch kind={k} />
                      {t(`types.${k}`)} ({layers[k].length})
                    </span>
                  }
                />
              ))}
            </Group>
          </Checkbox.Group>
          <Text size="sm" data-testid="waste-status">
            {t('map.fillLegend', {
              bands: FILL_BANDS.map((b) => t(`map.fillBand.${b}`)).join(', '),
            })}{' '}
            {rounds.state.data?.date
              ? t('map.roundsOf', { date: rounds.state.data.date, count: rounds.state.data.rounds.length })
              : t('map.noRounds')}
          </Text>
          <Text size="sm" data-testid="vessel-status" data-live={live.connected ? 'on' : 'off'}>
            {vesselCount === undefined
              ? t('app.loading')
              : vesselCount === 0
                ? t('map.noVessels')
                : t('map.vessels', { count: vesselCount })}{' '}
            {updatedAt && t('map.updatedAt', { time: updatedAt.toLocaleTimeString(i18n.resolvedLanguage) })}
          </Text>
          {selected && (
            <FeatureDetails
              key={selected.id}
              feature={selected}
              nameOf={nameOf}
              onClose={() => setSelectedId(null)}
            />
          )}
          <section aria-labelledby="list-title">
            <Title order={2} size="h3" id="list-title" mb="xs">
              {t('map.listTitle')}
            </Title>
            <FeatureTable features={listed} selectedId={selectedId} onSelect={selectInList} />
          </section>
        </Stack>
      </div>
    </Stack>
  );
}
