/**
 * HTTP API of the waste capability, under /api/waste: sensor uplinks (The Things Stack, ChirpStack, plain
 * JSON), containers, forecasts, next-day plans and their exports (GPX, CSV, GeoJSON).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Broker } from '../broker/index.js';
import type { Db } from '../db/db.js';
import { badRequest, notFound, ProblemError } from '../http/problem.js';
import { fromChirpStack, fromTheThingsStack, SENSOR_MODELS, type Uplink, UplinkError } from './decoders.js';
import { evaluateForecast, fitFillModel, forecastLevel, timeToLevel } from './forecast.js';
import { planToCsv, planToGpx } from './plan.js';
import { getPlan, listPlans, planNextDay, planToGeoJson } from './planning.js';
import type { RoadGraph } from './roads.js';
import { CONTAINER_ID, type ContainerInput, createWasteService, type WasteService } from './service.js';
import { DEFAULT_VEHICLES, LE_HAVRE_DEPOT } from './simulate.js';
import { DAY_MS, HOUR_MS } from './time.js';

export interface WasteKeys {
  tts?: string;
  chirpstack?: string;
  http?: string;
}

export interface WastePluginOptions {
  db: Db;
  broker: Broker;
  keys: WasteKeys;
  /** Without keys, demo mode accepts unauthenticated writes (as the gate webhook does). */
  demo: boolean;
  service?: WasteService;
  graph?: RoadGraph;
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const HEADER = 'x-escale-waste-key';
const MAX_READINGS = 1000;
const MAX_CONTAINERS = 1000;

const Lon = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Point = Type.Tuple([Lon, Lat], { description: '[longitude, latitude] WGS84' });
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });

const ContainerBody = Type.Object(
  {
    id: Type.String({ pattern: CONTAINER_ID, description: 'urn:ngsi-ld:WasteContainer:<code>' }),
    location: Point,
    capacityLitres: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 })),
    wasteKind: Type.Optional(
      Type.Union(
        [
          'organic',
          'inorganic',
          'glass',
          'oil',
          'plastic',
          'metal',
          'paper',
          'batteries',
          'electronics',
          'hazardous',
          'other',
        ].map((k) => Type.Literal(k)),
      ),
    ),
    device: Type.Optional(
      Type.Object(
        {
          devEui: Type.String({ pattern: '^[0-9A-Fa-f]{16}$' }),
          model: Type.Union(SENSOR_MODELS.map((m) => Type.Literal(m))),
          emptyDistanceMm: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000 })),
          fullDistanceMm: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const ReadingBody = Type.Object(
  {
    containerId: Type.String({ pattern: CONTAINER_ID }),
    observedAt: Type.String({ format: 'date-time' }),
    fillingLevel: Type.Number({ minimum: 0, maximum: 1 }),
    batteryPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    temperature: Type.Optional(Type.Number({ minimum: -60, maximum: 150 })),
  },
  { additionalProperties: false },
);

const IngestReply = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  faulty: Type.Integer({
    description: 'readings stored but flagged (stuck, jump): not trusted for planning',
  }),
  unknownContainers: Type.Integer(),
});

const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

const VehicleBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    capacityLitres: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
    shiftStart: HHMM,
    shiftEnd: HHMM,
  },
  { additionalProperties: false },
);

const PlanBody = Type.Object(
  {
    depot: Type.Optional(Point),
    vehicles: Type.Optional(Type.Array(VehicleBody, { minItems: 1, maxItems: 50 })),
    threshold: Type.Optional(Type.Number({ minimum: 0.1, maximum: 1.2 })),
    date: Type.Optional(Type.String({ format: 'date' })),
    timeLimitMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })),
  },
  { additionalProperties: false },
);

export async function wasteRoutes(app: FastifyInstance, opts: WastePluginOptions): Promise<void> {
  const svc = opts.service ?? createWasteService({ db: opts.db, broker: opts.broker });
  const { keys } = opts;
  // Silent sensors are flagged every 15 minutes.
  let silenceTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    silenceTimer = setInterval(() => {
      svc
        .flagSilent(Date.now())
        .catch((err: Error) => app.log.warn({ err: err.message }, 'waste: silence check'));
    }, 15 * 60_000);
    silenceTimer.unref();
  });
  app.addHook('onClose', async () => clearInterval(silenceTimer));

  function authorise(req: FastifyRequest, which: keyof WasteKeys): void {
    const expected = keys[which];
    if (!expected) {
      if (opts.demo) return;
      throw new ProblemError(
        'Forbidden',
        `refused: no ${which} integration key is configured on this server`,
      );
    }
    const given = req.headers[HEADER];
    if (typeof given !== 'string' || given === '') {
      throw new ProblemError('Unauthorized', 'the X-Escale-Waste-Key header is required');
    }
    if (!sameSecret(given, expected)) throw new ProblemError('Forbidden', 'the integration key is not valid');
  }

  async function uplink(u: () => Uplink, source: string) {
    let up: Uplink;
    try {
      up = u();
      const r = await svc.ingestUplink(up, source);
      if (r.unknownDevice) throw notFound(`device ${up.devEui} is not registered to a container`);
      const { unknownDevice: _u, ...rest } = r;
      return rest;
    } catch (err) {
      if (err instanceof UplinkError) throw badRequest(err.message);
      throw err;
    }
  }

  const LooseObject = Type.Object({}, { additionalProperties: true });

  app.post(
    '/api/waste/uplinks/the-things-stack',
    {
      bodyLimit: 64 * 1024,
      // The network server's own secret (X-Escale-Waste-Key), not a user's credential.
      config: { escaleAuth: 'own-credential' as const },
      onRequest: async (req) => authorise(req, 'tts'),
      schema: {
        tags: ['waste'],
        summary: 'The Things Stack v3 webhook: uplink message of a fill-level sensor',
        description:
          'Set it as the "Uplink message" path of a TTS webhook with the header X-Escale-Waste-Key (ESCALE_WASTE_TTS_KEY). The device (DevEUI) must be registered to a container.',
        body: Type.Object(
          {
            end_device_ids: Type.Object(
              { dev_eui: Type.String({ pattern: '^[0-9A-Fa-f]{16}$' }) },
              { additionalProperties: true },
            ),
            uplink_message: LooseObject,
          },
          { additionalProperties: true },
        ),
        response: { 200: IngestReply },
      },
    },
    async (req) => uplink(() => fromTheThingsStack(req.body), 'the-things-stack'),
  );

  app.post(
    '/api/waste/uplinks/chirpstack',
    {
      bodyLimit: 64 * 1024,
      // The network server's own secret (X-Escale-Waste-Key), not a user's credential.
      config: { escaleAuth: 'own-credential' as const },
      onRequest: async (req) => authorise(req, 'chirpstack'),
      schema: {
        tags: ['waste'],
        summary:
          'ChirpStack v4 HTTP integration (JSON): `up` events become readings, other events are ignored',
        querystring: Type.Object({ event: Type.Optional(Type.String({ maxLength: 32 })) }),
        body: LooseObject,
        response: { 200: IngestReply, 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const { event } = req.query as { event?: string };
      if (event !== undefined && event !== 'up') return reply.status(204).send();
      return uplink(() => fromChirpStack(req.body), 'chirpstack');
    },
  );

  app.post(
    '/api/waste/readings',
    {
      bodyLimit: 512 * 1024,
      // The network server's own secret (X-Escale-Waste-Key), not a user's credential.
      config: { escaleAuth: 'own-credential' as const },
      onRequest: async (req) => authorise(req, 'http'),
      schema: {
        tags: ['waste'],
        summary: 'Fill readings as plain JSON (already decoded), 1 to 1000 per request',
        body: Type.Array(ReadingBody, { minItems: 1, maxItems: MAX_READINGS }),
        response: { 200: IngestReply },
      },
    },
    async (req) => {
      const body = req.body as Static<typeof ReadingBody>[];
      const now = Date.now();
      const readings = body.map((r, i) => {
        const at = Date.parse(r.observedAt);
        if (Number.isNaN(at))
          throw badRequest(`reading ${i}: observedAt is not a valid date-time`, { index: i });
        if (at > now + HOUR_MS) throw badRequest(`reading ${i}: observedAt is in the future`, { index: i });
        return { ...r, at };
      });
      return svc.ingestReadings(readings, 'http');
    },
  );

  app.put(
    '/api/waste/containers',
    {
      bodyLimit: 1024 * 1024,
      // A staff member's credential (or an API key with waste:write), checked by governance.
      schema: {
        tags: ['waste'],
        summary: 'Registers or updates containers (WasteContainer entities) and their sensors, 1 to 1000',
        body: Type.Array(ContainerBody, { minItems: 1, maxItems: MAX_CONTAINERS }),
        response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }) },
      },
    },
    async (req) => {
      const list = req.body as ContainerInput[];
      for (const [i, c] of list.entries()) {
        const d = c.device;
        if (d && d.model !== 'passthrough' && (d.emptyDistanceMm ?? 0) <= (d.fullDistanceMm ?? 0)) {
          throw badRequest(`container ${i}: emptyDistanceMm must exceed fullDistanceMm for ${d.model}`, {
            index: i,
          });
        }
      }
      return svc.upsertContainers(list);
    },
  );

  const ContainerReply = Type.Object({
    id: Type.String(),
    location: Type.Array(Type.Number()),
    capacityLitres: Type.Number(),
    wasteKind: Type.String(),
    level: Type.Optional(Type.Number()),
    levelAt: Type.Optional(Type.String()),
    sensorStatus: Type.String(),
  });

  app.get(
    '/api/waste/containers',
    {
      schema: {
        tags: ['waste'],
        summary: 'Containers with their latest trusted level and sensor status, paginated',
        querystring: Page,
        response: { 200: Type.Object({ items: Type.Array(ContainerReply), total: Type.Integer() }) },
      },
    },
    async (req) => svc.listContainers(req.query as Static<typeof Page>),
  );

  app.get(
    '/api/waste/containers/:id/forecast',
    {
      schema: {
        tags: ['waste'],
        summary: 'Hourly fill forecast of a container over the next 48 h, and when it reaches 100 %',
        params: Type.Object({ id: Type.String({ pattern: CONTAINER_ID }) }),
        response: {
          200: Type.Object({
            id: Type.String(),
            from: Type.String(),
            level: Type.Number(),
            sensorStatus: Type.String(),
            meanRatePerDay: Type.Number(),
            historyHours: Type.Number(),
            fullAt: Type.Optional(Type.String()),
            hourly: Type.Array(Type.Object({ at: Type.String(), level: Type.Number() })),
          }),
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const c = await svc.getContainer(id);
      if (!c) throw notFound(`no container ${id}`);
      const now = Date.now();
      const h = await svc.history(id, now - 28 * DAY_MS, now + HOUR_MS);
      if (h.length === 0)
        throw new ProblemError('OperationNotSupported', `container ${id} has no trusted reading yet`);
      const m = fitFillModel(h);
      const last = h[h.length - 1];
      const hourly = [];
      const start = Math.ceil(last.at / HOUR_MS) * HOUR_MS;
      for (let t = start; t <= start + 48 * HOUR_MS; t += HOUR_MS) {
        hourly.push({
          at: new Date(t).toISOString(),
          level: Math.round(forecastLevel(m, last, t) * 1000) / 1000,
        });
      }
      const full = timeToLevel(m, last, 1);
      return {
        id,
        from: new Date(last.at).toISOString(),
        level: last.level,
        sensorStatus: c.sensorStatus,
        meanRatePerDay: Math.round(m.meanRate * 24 * 1000) / 1000,
        historyHours: Math.round(m.hours),
        fullAt: full === undefined ? undefined : new Date(full).toISOString(),
        hourly,
      };
    },
  );

  app.get(
    '/api/waste/forecast/evaluation',
    {
      schema: {
        tags: ['waste'],
        summary: 'Forecast error (MAE) on the last days of history held out, with two reference forecasts',
        querystring: Type.Object({ testDays: Type.Integer({ minimum: 1, maximum: 14, default: 7 }) }),
      },
    },
    async (req) => {
      const { testDays } = req.query as { testDays: number };
      const now = Date.now();
      const all = await svc.allHistory(now - 35 * DAY_MS, now + HOUR_MS);
      return evaluateForecast(all.values(), testDays);
    },
  );

  app.post(
    '/api/waste/plans',
    {
      // A staff member's credential (or an API key with waste:write), checked by governance.
      schema: {
        tags: ['waste'],
        summary: "Plans the next day's collection rounds from the forecasts (CVRP with capacity and shifts)",
        description:
          "Containers whose forecast level at the end of the following day's shift reaches the threshold (default 1: they would overflow before the next round) are emptied. Depot and vehicles default to the Le Havre demo fleet.",
        body: PlanBody,
      },
    },
    async (req, reply) => {
      const b = req.body as Static<typeof PlanBody>;
      for (const v of b.vehicles ?? []) {
        if (v.shiftEnd <= v.shiftStart)
          throw badRequest(`vehicle ${v.id}: shiftEnd must be after shiftStart`);
      }
      const plan = await planNextDay(svc, opts.db, {
        depot: (b.depot as [number, number] | undefined) ?? LE_HAVRE_DEPOT,
        vehicles: b.vehicles ?? DEFAULT_VEHICLES,
        threshold: b.threshold,
        date: b.date,
        timeLimitMs: b.timeLimitMs,
        graph: opts.graph,
      });
      return reply.status(201).header('location', `/api/waste/plans/${plan.id}`).send(plan);
    },
  );

  app.get(
    '/api/waste/plans',
    {
      schema: { tags: ['waste'], summary: 'Plans, newest first, paginated', querystring: Page },
    },
    async (req) => listPlans(opts.db, req.query as Static<typeof Page>),
  );

  const PlanParams = Type.Object({
    id: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
    format: Type.Optional(Type.Union([Type.Literal('gpx'), Type.Literal('csv'), Type.Literal('geojson')])),
  });
  const getStored = async (id: string) => {
    const p = await getPlan(opts.db, id);
    if (!p) throw notFound(`no plan ${id}`);
    return p;
  };
  app.get(
    '/api/waste/plans/:id',
    {
      schema: {
        tags: ['waste'],
        summary:
          'A plan: JSON by default; ?format=gpx (GPX 1.1 routes), csv (one line per stop) or geojson (map)',
        params: Type.Object({ id: PlanParams.properties.id }),
        querystring: Type.Object({ format: PlanParams.properties.format }),
      },
    },
    async (req, reply) => {
      const p = await getStored((req.params as { id: string }).id);
      const { format } = req.query as { format?: string };
      if (format === 'gpx') {
        return reply
          .type('application/gpx+xml')
          .header('content-disposition', `attachment; filename="rounds-${p.date}.gpx"`)
          .send(planToGpx(p, p.depot, `Escale rounds ${p.date}`));
      }
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="rounds-${p.date}.csv"`)
          .send(planToCsv(p));
      }
      if (format === 'geojson') return reply.type('application/geo+json').send(planToGeoJson(p));
      return p;
    },
  );
}
