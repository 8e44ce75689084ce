import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Broker } from '../broker/index.js';
import type { Db } from '../db/db.js';
import { badRequest, ProblemError } from '../http/problem.js';
import { type GateEvent, GateEventError, GateEventsBody, MAX_GATE_EVENTS } from './gates.js';
import { createMobility, type MobilityRuntime, type MobilitySettings } from './index.js';

export interface MobilityPluginOptions {
  db: Db;
  broker: Broker;
  settings: MobilitySettings;
  /** The composition root's runtime (shared with the AIS pipeline); built here when absent (tests). */
  mobility?: MobilityRuntime;
}

/** Largest gate-event request: 1000 events of ~200 bytes fit with room to spare. */
const GATE_BODY_LIMIT = 512 * 1024;

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function mobilityRoutes(app: FastifyInstance, opts: MobilityPluginOptions): Promise<void> {
  const mobility = opts.mobility ?? createMobility(opts.settings, { db: opts.db, broker: opts.broker });
  const { gateKey } = opts.settings;

  // Runs before the body is read: unauthenticated senders cost nothing.
  function authorise(req: FastifyRequest): void {
    if (!gateKey) {
      if (opts.settings.demo) return;
      throw new ProblemError(
        'Forbidden',
        'gate events are refused: ESCALE_GATE_KEY is not set on this server',
      );
    }
    const given = req.headers['x-escale-gate-key'];
    if (typeof given !== 'string' || given === '') {
      throw new ProblemError('Unauthorized', 'the X-Escale-Gate-Key header is required');
    }
    if (!sameSecret(given, gateKey)) throw new ProblemError('Forbidden', 'the gate key is not valid');
  }

  app.post(
    '/api/mobility/gate-events',
    {
      bodyLimit: GATE_BODY_LIMIT,
      onRequest: async (req) => authorise(req),
      schema: {
        tags: ['mobility'],
        summary: 'Truck gate events (gate-in, gate-out) from a terminal; plates are pseudonymised at once',
        description: `A JSON array of 1 to ${MAX_GATE_EVENTS} events, at most ${GATE_BODY_LIMIT} bytes. Requires the X-Escale-Gate-Key header (ESCALE_GATE_KEY). Events already received (same id, or same content) are counted as duplicates.`,
        headers: Type.Object({ 'x-escale-gate-key': Type.Optional(Type.String()) }),
        body: GateEventsBody,
        response: {
          200: Type.Object({
            received: Type.Integer(),
            inserted: Type.Integer(),
            duplicates: Type.Integer(),
            statistics: Type.Integer({ description: 'TruckGateStatistics entities created or changed' }),
          }),
        },
      },
    },
    async (req) => {
      try {
        return await mobility.gates.ingest(req.body as GateEvent[], 'webhook');
      } catch (err) {
        if (err instanceof GateEventError) throw badRequest(err.message, { index: err.index });
        throw err;
      }
    },
  );

  app.get(
    '/api/mobility/geofences',
    {
      schema: {
        tags: ['mobility'],
        summary: 'The geofences in use (port area, basins, terminals, berths) as a GeoJSON FeatureCollection',
      },
    },
    async (_req, reply) => reply.type('application/geo+json').send(mobility.geofences.geojson),
  );
}
