/**
 * Waste containers and their fill readings: registration (WasteContainer entities in the broker, plus the
 * rows planning reads), uplink decoding, fault detection, and the history forecasting reads.
 */
import type { Broker } from '../broker/index.js';
import type { Db, Queryable } from '../db/db.js';
import { type DeviceConfig, decode, type SensorModel, type Uplink, UplinkError } from './decoders.js';
import {
  DEFAULT_FAULTS,
  type FaultSettings,
  isSilent,
  judgeReading,
  type Reading,
  type SensorStatus,
} from './faults.js';

export interface ContainerInput {
  id: string;
  /** [longitude, latitude] (WGS84). */
  location: [number, number];
  capacityLitres?: number;
  wasteKind?: string;
  device?: Omit<DeviceConfig, 'containerId'>;
}

export interface ContainerRow {
  id: string;
  location: [number, number];
  capacityLitres: number;
  wasteKind: string;
  /** Latest trusted fill level (0..1) and its time. */
  level?: number;
  levelAt?: string;
  sensorStatus: SensorStatus;
}

export interface ReadingInput {
  containerId: string;
  /** ms since the epoch */
  at: number;
  fillingLevel: number;
  batteryPercent?: number;
  temperature?: number;
}

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  /** Readings flagged by fault detection (stored, not trusted). */
  faulty: number;
  unknownContainers: number;
}

export interface WasteService {
  upsertContainers(list: ContainerInput[]): Promise<{ created: number; updated: number }>;
  listContainers(opts: { limit: number; offset: number }): Promise<{ items: ContainerRow[]; total: number }>;
  getContainer(id: string): Promise<ContainerRow | undefined>;
  /** Decodes an uplink with its device's model; `unknownDevice` when the DevEUI is not registered. */
  ingestUplink(u: Uplink, source: string): Promise<IngestResult & { unknownDevice?: boolean }>;
  ingestReadings(readings: ReadingInput[], source: string): Promise<IngestResult>;
  /** Readings of a container in [from, to) (ms), oldest first; trusted only unless `all`. */
  history(containerId: string, from: number, to: number, all?: boolean): Promise<Reading[]>;
  /** Trusted readings of every container in [from, to), grouped by container. */
  allHistory(from: number, to: number): Promise<Map<string, Reading[]>>;
  /** Flags containers silent beyond the expected period; returns how many changed to `silent`. */
  flagSilent(now: number): Promise<number>;
  readonly faults: FaultSettings;
}

export const CONTAINER_ID = '^urn:ngsi-ld:WasteContainer:[A-Za-z0-9._:-]{1,100}$';

interface Row {
  id: string;
  lon: number;
  lat: number;
  capacity_l: number;
  waste_kind: string;
  level: number | null;
  level_at: string | Date | null;
  sensor_status: SensorStatus;
}

const iso = (v: string | Date | null) =>
  v === null ? undefined : (v instanceof Date ? v : new Date(v)).toISOString();

function toRow(r: Row): ContainerRow {
  return {
    id: r.id,
    location: [r.lon, r.lat],
    capacityLitres: r.capacity_l,
    wasteKind: r.waste_kind,
    level: r.level ?? undefined,
    levelAt: iso(r.level_at),
    sensorStatus: r.sensor_status,
  };
}

const p = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });

export function containerEntity(c: ContainerInput): Record<string, unknown> {
  return {
    id: c.id,
    type: 'WasteContainer',
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: c.location } },
    binCapacity: p(c.capacityLitres ?? 660, { unitCode: 'LTR' }),
    storedWasteKind: p(c.wasteKind ?? 'inorganic'),
    status: p('ok'),
    sensorStatus: p('ok'),
  };
}

export function createWasteService(opts: {
  db: Db;
  broker: Broker;
  tenant?: string;
  faults?: Partial<FaultSettings>;
}): WasteService {
  const { db, broker } = opts;
  const tenant = opts.tenant ?? '';
  const faults: FaultSettings = { ...DEFAULT_FAULTS, ...opts.faults };

  async function recent(q: Queryable, containerId: string, before: number, n: number): Promise<Reading[]> {
    const r = await q.query<{ at: string | Date; level: number }>(
      `SELECT at, level FROM waste_readings WHERE tenant = $1 AND container_id = $2 AND at < $3
       ORDER BY at DESC LIMIT $4`,
      [tenant, containerId, new Date(before).toISOString(), n],
    );
    return r.rows.map((x) => ({ at: new Date(x.at).getTime(), level: x.level })).reverse();
  }

  async function ingestReadings(readings: ReadingInput[], source: string): Promise<IngestResult> {
    const out: IngestResult = {
      received: readings.length,
      stored: 0,
      duplicates: 0,
      faulty: 0,
      unknownContainers: 0,
    };
    const sorted = readings.slice().sort((a, b) => a.at - b.at);
    const ids = [...new Set(sorted.map((r) => r.containerId))];
    const known = new Set(
      (
        await db.query<{ id: string }>(
          'SELECT id FROM waste_containers WHERE tenant = $1 AND id = ANY($2::text[])',
          [tenant, ids],
        )
      ).rows.map((r) => r.id),
    );
    // Entity fragments, in batches where each container appears once (so that every reading reaches history).
    const batches: Map<string, Record<string, unknown>>[] = [];
    for (const r of sorted) {
      if (!known.has(r.containerId)) {
        out.unknownContainers++;
        continue;
      }
      const level = Math.min(1, Math.max(0, r.fillingLevel));
      const history = await recent(db, r.containerId, r.at, faults.stuckReadings - 1);
      const status = judgeReading(history, { at: r.at, level }, faults);
      const fault = status === 'ok' ? null : status;
      const ins = await db.query(
        `INSERT INTO waste_readings (tenant, container_id, at, level, fault, source) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [tenant, r.containerId, new Date(r.at).toISOString(), level, fault, source],
      );
      if (ins.rowCount === 0) {
        out.duplicates++;
        continue;
      }
      out.stored++;
      if (fault) out.faulty++;
      // The container's latest state: a trusted reading newer than the one kept moves the level.
      await db.query(
        `UPDATE waste_containers SET
           level = CASE WHEN $3::text IS NULL AND (level_at IS NULL OR level_at <= $4) THEN $5 ELSE level END,
           level_at = CASE WHEN $3::text IS NULL AND (level_at IS NULL OR level_at <= $4) THEN $4 ELSE level_at END,
           sensor_status = CASE WHEN level_at IS NULL OR level_at <= $4 THEN coalesce($3, 'ok') ELSE sensor_status END
         WHERE tenant = $1 AND id = $2`,
        [tenant, r.containerId, fault, new Date(r.at).toISOString(), level],
      );
      const observedAt = new Date(r.at).toISOString();
      const frag: Record<string, unknown> = {
        id: r.containerId,
        type: 'WasteContainer',
        fillingLevel: p(level, { observedAt }),
        sensorStatus: p(status, { observedAt }),
        status: p(fault ? 'unknown' : 'ok'),
      };
      if (r.temperature !== undefined) frag.temperature = p(r.temperature, { observedAt, unitCode: 'CEL' });
      if (r.batteryPercent !== undefined) frag.batteryLevel = p(r.batteryPercent / 100, { observedAt });
      let batch = batches.find((b) => !b.has(r.containerId));
      if (!batch) {
        batch = new Map();
        batches.push(batch);
      }
      batch.set(r.containerId, frag);
    }
    for (const b of batches) await broker.upsert([...b.values()], { tenant });
    return out;
  }

  return {
    faults,
    async upsertContainers(list) {
      let created = 0;
      await db.transaction(async (tx) => {
        for (const c of list) {
          const r = await tx.query<{ inserted: boolean }>(
            `INSERT INTO waste_containers (tenant, id, lon, lat, capacity_l, waste_kind) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat,
               capacity_l = excluded.capacity_l, waste_kind = excluded.waste_kind
             RETURNING (xmax = 0) AS inserted`,
            [tenant, c.id, c.location[0], c.location[1], c.capacityLitres ?? 660, c.wasteKind ?? 'inorganic'],
          );
          if (r.rows[0]?.inserted) created++;
          if (c.device) {
            await tx.query(
              `INSERT INTO waste_devices (tenant, dev_eui, container_id, model, empty_distance_mm, full_distance_mm)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (tenant, dev_eui) DO UPDATE SET container_id = excluded.container_id, model = excluded.model,
                 empty_distance_mm = excluded.empty_distance_mm, full_distance_mm = excluded.full_distance_mm`,
              [
                tenant,
                c.device.devEui.toUpperCase(),
                c.id,
                c.device.model,
                c.device.emptyDistanceMm ?? null,
                c.device.fullDistanceMm ?? null,
              ],
            );
          }
        }
      });
      // Entities are created once; later registrations only move or resize them.
      for (let i = 0; i < list.length; i += 500) {
        await broker.upsert(
          list.slice(i, i + 500).map((c) => {
            const { status: _s, sensorStatus: _ss, ...e } = containerEntity(c);
            return e;
          }),
          { tenant },
        );
      }
      return { created, updated: list.length - created };
    },
    async listContainers({ limit, offset }) {
      const total = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM waste_containers WHERE tenant = $1',
        [tenant],
      );
      const r = await db.query<Row>(
        `SELECT id, lon, lat, capacity_l, waste_kind, level, level_at, sensor_status FROM waste_containers
         WHERE tenant = $1 ORDER BY id LIMIT $2 OFFSET $3`,
        [tenant, limit, offset],
      );
      return { items: r.rows.map(toRow), total: total.rows[0].n };
    },
    async getContainer(id) {
      const r = await db.query<Row>(
        `SELECT id, lon, lat, capacity_l, waste_kind, level, level_at, sensor_status FROM waste_containers
         WHERE tenant = $1 AND id = $2`,
        [tenant, id],
      );
      return r.rows[0] ? toRow(r.rows[0]) : undefined;
    },
    async ingestUplink(u, source) {
      const r = await db.query<{
        container_id: string;
        model: SensorModel;
        empty_distance_mm: number | null;
        full_distance_mm: number | null;
      }>(
        'SELECT container_id, model, empty_distance_mm, full_distance_mm FROM waste_devices WHERE tenant = $1 AND dev_eui = $2',
        [tenant, u.devEui],
      );
      const d = r.rows[0];
      if (!d)
        return {
          received: 1,
          stored: 0,
          duplicates: 0,
          faulty: 0,
          unknownContainers: 0,
          unknownDevice: true,
        };
      const m = decode(u, {
        devEui: u.devEui,
        containerId: d.container_id,
        model: d.model,
        emptyDistanceMm: d.empty_distance_mm ?? undefined,
        fullDistanceMm: d.full_distance_mm ?? undefined,
      });
      return ingestReadings(
        [
          {
            containerId: d.container_id,
            at: u.at,
            fillingLevel: m.fillingLevel,
            batteryPercent: m.batteryPercent,
            temperature: m.temperature,
          },
        ],
        source,
      );
    },
    ingestReadings,
    async history(containerId, from, to, all = false) {
      const r = await db.query<{ at: string | Date; level: number }>(
        `SELECT at, level FROM waste_readings WHERE tenant = $1 AND container_id = $2 AND at >= $3 AND at < $4
         ${all ? '' : 'AND fault IS NULL'} ORDER BY at`,
        [tenant, containerId, new Date(from).toISOString(), new Date(to).toISOString()],
      );
      return r.rows.map((x) => ({ at: new Date(x.at).getTime(), level: x.level }));
    },
    async allHistory(from, to) {
      const r = await db.query<{ container_id: string; at: string | Date; level: number }>(
        `SELECT container_id, at, level FROM waste_readings WHERE tenant = $1 AND at >= $2 AND at < $3
         AND fault IS NULL ORDER BY container_id, at`,
        [tenant, new Date(from).toISOString(), new Date(to).toISOString()],
      );
      const out = new Map<string, Reading[]>();
      for (const x of r.rows) {
        let a = out.get(x.container_id);
        if (!a) {
          a = [];
          out.set(x.container_id, a);
        }
        a.push({ at: new Date(x.at).getTime(), level: x.level });
      }
      return out;
    },
    async flagSilent(now) {
      const r = await db.query<{ id: string; last: string | Date | null }>(
        `SELECT c.id, max(r.at) AS last FROM waste_containers c
         LEFT JOIN waste_readings r ON r.tenant = c.tenant AND r.container_id = c.id
         WHERE c.tenant = $1 AND c.sensor_status <> 'silent' AND EXISTS (SELECT 1 FROM waste_devices d WHERE d.tenant = c.tenant AND d.container_id = c.id)
         GROUP BY c.id`,
        [tenant],
      );
      const silent = r.rows
        .filter((x) => isSilent(x.last === null ? undefined : new Date(x.last).getTime(), now, faults))
        .map((x) => x.id);
      if (!silent.length) return 0;
      await db.query(
        `UPDATE waste_containers SET sensor_status = 'silent' WHERE tenant = $1 AND id = ANY($2::text[])`,
        [tenant, silent],
      );
      await broker.upsert(
        silent.map((id) => ({ id, type: 'WasteContainer', sensorStatus: p('silent'), status: p('unknown') })),
        { tenant },
      );
      return silent.length;
    },
  };
}

export { UplinkError };
