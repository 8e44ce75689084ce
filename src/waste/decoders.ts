/**
 * LoRaWAN uplinks → fill readings. Two network-server formats (The Things Stack v3 uplink webhooks,
 * ChirpStack v4 `up` events) and one decoder per sensor model: byte layouts of common ultrasonic fill
 * sensors, or the network server's own decoded payload (`decoded_payload` / `object`) passed through.
 */

export interface DeviceConfig {
  devEui: string;
  containerId: string;
  model: SensorModel;
  /** Distance sensor → waste surface when the container is empty (mm). */
  emptyDistanceMm?: number;
  /** ... and when it is full (mm). */
  fullDistanceMm?: number;
}

export const SENSOR_MODELS = ['passthrough', 'milesight-em310-udl', 'distance-u16be'] as const;
export type SensorModel = (typeof SENSOR_MODELS)[number];

/** A network-server message reduced to what decoding needs. */
export interface Uplink {
  devEui: string;
  /** ms since the epoch. */
  at: number;
  fPort?: number;
  bytes?: Uint8Array;
  /** The network server's decoded payload, if any. */
  decoded?: Record<string, unknown>;
}

export interface Measurement {
  /** 0..1 */
  fillingLevel: number;
  batteryPercent?: number;
  temperature?: number;
  /** The sensor reports it is tilted or fell (container knocked over). */
  tilted?: boolean;
}

export class UplinkError extends Error {}

const HEX16 = /^[0-9A-Fa-f]{16}$/;

export function normaliseDevEui(s: unknown): string {
  if (typeof s !== 'string' || !HEX16.test(s)) throw new UplinkError('dev_eui must be 16 hexadecimal digits');
  return s.toUpperCase();
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function time(v: unknown, fallback: number): number {
  if (typeof v !== 'string') return fallback;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UplinkError(`not a date-time: ${v.slice(0, 40)}`);
  return t;
}

function base64(v: unknown): Uint8Array | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new UplinkError('the payload is not base64');
  return new Uint8Array(Buffer.from(v, 'base64'));
}

/** The Things Stack v3 uplink message (webhook "uplink message"). */
export function fromTheThingsStack(body: unknown, now = Date.now()): Uplink {
  const b = obj(body);
  const ids = obj(b?.end_device_ids);
  const up = obj(b?.uplink_message);
  if (!ids || !up)
    throw new UplinkError('not a The Things Stack uplink: end_device_ids and uplink_message expected');
  return {
    devEui: normaliseDevEui(ids.dev_eui),
    at: time(up.received_at ?? b?.received_at, now),
    fPort: typeof up.f_port === 'number' ? up.f_port : undefined,
    bytes: base64(up.frm_payload),
    decoded: obj(up.decoded_payload),
  };
}

/** ChirpStack v4 `up` event (HTTP integration, JSON marshaler). */
export function fromChirpStack(body: unknown, now = Date.now()): Uplink {
  const b = obj(body);
  const info = obj(b?.deviceInfo);
  if (!b || !info) throw new UplinkError('not a ChirpStack v4 uplink event: deviceInfo expected');
  return {
    devEui: normaliseDevEui(info.devEui),
    at: time(b.time, now),
    fPort: typeof b.fPort === 'number' ? b.fPort : undefined,
    bytes: base64(b.data),
    decoded: obj(b.object),
  };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function levelFromDistance(mm: number, d: DeviceConfig): number {
  const empty = d.emptyDistanceMm;
  const full = d.fullDistanceMm ?? 0;
  if (empty === undefined || empty <= full) {
    throw new UplinkError(
      `device ${d.devEui}: emptyDistanceMm (greater than fullDistanceMm) is required for ${d.model}`,
    );
  }
  return clamp01((empty - mm) / (empty - full));
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Decodes one uplink with the device's model. */
export function decode(u: Uplink, d: DeviceConfig): Measurement {
  switch (d.model) {
    case 'passthrough': {
      const o = u.decoded;
      if (!o) throw new UplinkError('no decoded payload (decoded_payload / object) in the uplink');
      const battery = num(o.battery) ?? num(o.batteryPercent);
      const temperature = num(o.temperature);
      const tilted = o.tilt === true || o.position === 'tilt' || o.tilted === true ? true : undefined;
      const level01 = num(o.fillingLevel);
      const percent = num(o.fillLevel) ?? num(o.fill_level) ?? num(o.level);
      const distance = num(o.distance) ?? num(o.distance_mm);
      let fillingLevel: number;
      if (level01 !== undefined) fillingLevel = clamp01(level01);
      else if (percent !== undefined) fillingLevel = clamp01(percent / 100);
      else if (distance !== undefined) fillingLevel = levelFromDistance(distance, d);
      else throw new UplinkError('the decoded payload has no fillingLevel, fillLevel (%) or distance (mm)');
      return { fillingLevel, batteryPercent: battery, temperature, tilted };
    }
    case 'milesight-em310-udl': {
      // Milesight EM310-UDL: channel/type TLV. 01 75 battery(%) · 03 82 distance(mm, uint16 LE) · 04 00 position(0 normal, 1 tilt)
      const b = u.bytes;
      if (!b) throw new UplinkError('no payload bytes');
      let distance: number | undefined;
      let battery: number | undefined;
      let tilted: boolean | undefined;
      for (let i = 0; i + 1 < b.length; ) {
        const ch = b[i];
        const ty = b[i + 1];
        if (ch === 0x01 && ty === 0x75 && i + 2 < b.length) {
          battery = b[i + 2];
          i += 3;
        } else if (ch === 0x03 && ty === 0x82 && i + 3 < b.length) {
          distance = b[i + 2] | (b[i + 3] << 8);
          i += 4;
        } else if (ch === 0x04 && ty === 0x00 && i + 2 < b.length) {
          tilted = b[i + 2] === 1;
          i += 3;
        } else throw new UplinkError(`unknown channel 0x${ch.toString(16)} type 0x${ty.toString(16)}`);
      }
      if (distance === undefined) throw new UplinkError('no distance channel in the payload');
      return { fillingLevel: levelFromDistance(distance, d), batteryPercent: battery, tilted };
    }
    case 'distance-u16be': {
      // Generic layout: distance (mm, uint16 BE), then optional battery (%) and temperature (°C, int8).
      const b = u.bytes;
      if (!b || b.length < 2) throw new UplinkError('payload shorter than 2 bytes');
      const distance = (b[0] << 8) | b[1];
      return {
        fillingLevel: levelFromDistance(distance, d),
        batteryPercent: b.length > 2 ? b[2] : undefined,
        temperature: b.length > 3 ? (b[3] << 24) >> 24 : undefined,
      };
    }
  }
}
