import type { FastifyInstance } from 'fastify';
import type { Subscriptions } from '../broker/subscriptions/index.js';

/**
 * The web map's live vessels: a subscription of the platform itself whose notifications only feed its
 * Server-Sent Events stream (`urn:escale:sse`), read by the port map at
 * `/ngsi-ld/v1/subscriptions/{id}/events`. Being a subscription, it reaches a browser connected to any node of
 * a cluster (the streams are relayed over NATS) and carries only what an anonymous reader may see.
 */
export const LIVE_VESSELS_ID = 'urn:ngsi-ld:Subscription:escale-web-live-vessels';

export const liveVesselsSubscription: Record<string, unknown> = {
  id: LIVE_VESSELS_ID,
  type: 'Subscription',
  description: 'Live vessels of the web port map (Server-Sent Events); created by the platform',
  entities: [{ type: 'Vessel' }],
  notification: {
    endpoint: { uri: 'urn:escale:sse' },
    format: 'keyValues',
    attributes: [
      'location',
      'name',
      'mmsi',
      'imo',
      'callSign',
      'vesselTypeName',
      'speedOverGround',
      'courseOverGround',
      'heading',
      'destination',
      'navigationalStatus',
    ],
  },
};

/**
 * `GET /api/live/vessels` redirects to the stream of the live-vessels subscription, created on the first request
 * (so a platform whose map is never opened has none).
 */
export async function liveRoutes(
  app: FastifyInstance,
  opts: { subs: Pick<Subscriptions, 'ensure'> },
): Promise<void> {
  let ready: Promise<unknown> | undefined;
  app.get(
    '/api/live/vessels',
    {
      config: { escaleAuth: 'public' },
      schema: {
        tags: ['platform'],
        summary: "The web map's live vessels: redirects to the Server-Sent Events stream that carries them",
      },
    },
    async (_req, reply) => {
      ready ??= opts.subs.ensure(liveVesselsSubscription).catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      return reply
        .header('cache-control', 'no-store')
        .redirect(`/ngsi-ld/v1/subscriptions/${encodeURIComponent(LIVE_VESSELS_ID)}/events`, 307);
    },
  );
}
