import type { FastifyInstance } from 'fastify';
import type { IngestRuntime, IngestStatus } from './index.js';

export interface IngestPluginOptions {
  /** Absent when the application runs without connectors (tests): the lists are then empty. */
  ingest?: IngestRuntime;
}

const EMPTY: IngestStatus = {
  feeds: [],
  vessels: { tracked: 0, pending: 0, classB: 'coarsen' },
  writes: { flushes: 0, upserts: 0, entitiesWritten: 0, errors: 0, pending: 0 },
};

/** `GET /api/ingest/feeds`: state and message rates of every feed, and of the writes into the broker. */
export async function ingestRoutes(app: FastifyInstance, opts: IngestPluginOptions): Promise<void> {
  app.get(
    '/api/ingest/feeds',
    {
      schema: {
        tags: ['ingest'],
        summary: 'AIS feeds: state, reconnections, message rates; vessels tracked and batched writes',
      },
    },
    async () => opts.ingest?.status() ?? EMPTY,
  );
}
