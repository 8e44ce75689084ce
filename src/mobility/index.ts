/**
 * Port mobility: port calls and berth occupancy from AIS positions, truck gate events and their statistics.
 * See README.md in this folder.
 */
import type { Broker } from '../broker/index.js';
import type { Db } from '../db/db.js';
import type { VesselPosition } from '../ingest/ais/vessels.js';
import type { EntityBatcher } from '../ingest/batcher.js';
import { type IngestLog, silentLog } from '../ingest/feeds/manager.js';
import { createGateService, type GateService } from './gates.js';
import { type Geofences, loadGeofences } from './geofences.js';
import { createPlateHasher, resolvePlateKey } from './plates.js';
import { createPortCallTracker, type PortCallTracker, portCallEntities } from './portcalls.js';
import { createGateSimulator, type GateSimulator } from './simulator.js';

export interface MobilitySettings {
  dataDir: string;
  demo: boolean;
  /** GeoJSON geofences file; the shipped Le Havre file when absent. */
  geofences?: string;
  berthMooredMinutes: number;
  gateKey?: string;
  plateKey?: string;
}

export interface MobilityRuntime {
  readonly settings: MobilitySettings;
  readonly geofences: Geofences;
  readonly gates: GateService;
  readonly portCalls: PortCallTracker;
  /** Give it every vessel position (the AIS pipeline's onPosition). */
  onPosition(p: VesselPosition): void;
  /** Starts the lost-vessel sweep, and the gate simulator in demo mode. */
  start(log?: IngestLog): Promise<void>;
  stop(): Promise<void>;
}

export interface MobilityDeps {
  db: Db;
  broker: Broker;
  /** Port-call entities go through the AIS batcher (one upsert per second); straight to the broker without. */
  batcher?: EntityBatcher;
}

export function createMobility(settings: MobilitySettings, deps: MobilityDeps): MobilityRuntime {
  const geofences = loadGeofences(settings.geofences);
  const portCode = geofences.port.code;
  let log: IngestLog = silentLog;
  const gates = createGateService({
    db: deps.db,
    portCode,
    write: async (entities) => {
      await deps.broker.upsert(entities);
    },
    hasher: () => {
      const k = resolvePlateKey({ plateKey: settings.plateKey, dataDir: settings.dataDir });
      if (k.origin === 'generated' || k.origin === 'ephemeral') {
        log.warn(
          { file: k.file },
          k.origin === 'generated'
            ? 'ESCALE_PLATE_KEY is not set: a random plate key was generated and kept in the data dir; set ESCALE_PLATE_KEY when several nodes share the database'
            : 'ESCALE_PLATE_KEY is not set: plates are pseudonymised with a key that lasts as long as this process',
        );
      }
      return createPlateHasher(k.key);
    },
  });
  const portCalls = createPortCallTracker(geofences, { mooredMinutes: settings.berthMooredMinutes });
  let sweeper: NodeJS.Timeout | undefined;
  let simulator: GateSimulator | undefined;
  let starting: Promise<void> | undefined;

  function emit(entities: Record<string, unknown>[]): void {
    if (entities.length === 0) return;
    if (deps.batcher) {
      for (const e of entities) deps.batcher.put(e as { id: string; type: string });
    } else {
      deps.broker
        .upsert(entities)
        .catch((err: Error) => log.warn({ err: err.message }, 'port calls: write failed'));
    }
  }

  const context = () => ({
    portCode,
    occupancy: portCalls.occupancy(),
    recordTime: new Date().toISOString(),
  });

  return {
    settings,
    geofences,
    gates,
    portCalls,
    onPosition(p) {
      const updates = portCalls.update(p);
      if (updates.length) emit(portCallEntities(updates, context()));
    },
    async start(l = silentLog) {
      log = l;
      sweeper = setInterval(() => {
        const updates = portCalls.sweep(Date.now());
        if (updates.length) emit(portCallEntities(updates, context()));
      }, 60_000);
      sweeper.unref();
      if (settings.demo) {
        simulator = createGateSimulator({
          gates,
          terminals: geofences.terminals.map((t) => ({
            code: t.code,
            trucksPerHour: /croisi|cruise|roulier|ro-ro/i.test(t.name) ? 6 : 40,
          })),
          log,
        });
        // The back-fill takes a few seconds: the server does not wait for it.
        starting = simulator
          .start()
          .catch((err: Error) => log.warn({ err: err.message }, 'demo: gate simulator'));
      }
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await starting;
      await simulator?.stop();
    },
  };
}
