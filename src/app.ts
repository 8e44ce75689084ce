import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Broker, createBroker } from './broker/index.js';
import { type ContextResolver, createContextResolver } from './broker/jsonld/contexts.js';
import { brokerRoutes } from './broker/routes.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { installErrorHandling } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { version } from './version.js';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Built here when not given (tests); the composition root passes its own to share it with connectors. */
  broker?: Broker;
}

/** Builds the HTTP application: every capability is a Fastify plugin registered here. */
export async function buildApp({ config, db, broker }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    },
    bodyLimit: config.bodyLimit,
    // NGSI-LD ids are URIs: keep them intact in paths (they are percent-encoded by clients).
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    forceCloseConnections: true,
  });

  // Only JSON bodies are accepted anywhere (415 otherwise); JSON-LD and merge-patch bodies are JSON.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['application/ld+json', 'application/merge-patch+json', 'application/geo+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    },
  );

  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Escale API',
        version,
        description:
          'Escale: NGSI-LD context broker (ETSI GS CIM 009) and the services of a port-city innovation programme.',
      },
      tags: [
        { name: 'platform', description: 'Health and documentation' },
        { name: 'ngsi-ld', description: 'NGSI-LD context information (ETSI GS CIM 009 v1.8)' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { db, version });
  const b = broker ?? createBroker(db, await contextResolverFor(config));
  await app.register(brokerRoutes, { prefix: '/ngsi-ld/v1', db, contexts: b.contexts, store: b.store });
  return app;
}

export function contextResolverFor(config: Config): Promise<ContextResolver> {
  return createContextResolver({
    contextMapFile: config.contextMap,
    fetchTimeoutMs: config.contextFetchTimeoutMs,
    maxBytes: config.contextMaxBytes,
  });
}
