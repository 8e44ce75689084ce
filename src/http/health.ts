import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/db.js';

/** Liveness (/health/live) and readiness with the database check (/health). */
export async function healthRoutes(app: FastifyInstance, opts: { db: Db; version: string }): Promise<void> {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get(
    '/health',
    {
      schema: {
        tags: ['platform'],
        summary: 'Readiness: the process is up and its database answers',
      },
    },
    async (_req, reply) => {
      const started = performance.now();
      try {
        await opts.db.ping();
        return {
          status: 'ok',
          version: opts.version,
          checks: {
            database: { status: 'up', kind: opts.db.kind, ms: Math.round(performance.now() - started) },
          },
        };
      } catch {
        reply.status(503);
        return { status: 'unavailable', version: opts.version, checks: { database: { status: 'down' } } };
      }
    },
  );
}
