import AjvCompiler from '@fastify/ajv-compiler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import { applicantMail, selectionToObservatory } from './bridges.js';
import { type Broker, createBroker } from './broker/index.js';
import { type ContextResolver, createContextResolver } from './broker/jsonld/contexts.js';
import { brokerRoutes } from './broker/routes.js';
import { createSubscriptions, subscriptionRoutes } from './broker/subscriptions/index.js';
import { temporalHistory, temporalRoutes } from './broker/temporal/index.js';
import { catalogRoutes, createCatalogEnforcement } from './catalog/index.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { governanceRoutes, installGovernance } from './governance/index.js';
import { installErrorHandling } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { ProblemError } from './http/problem.js';
import type { IngestRuntime } from './ingest/index.js';
import { ingestRoutes } from './ingest/routes.js';
import { innovationFigure, innovationRoutes } from './innovation/index.js';
import type { MobilityRuntime } from './mobility/index.js';
import { mobilityRoutes } from './mobility/routes.js';
import { observatoryRoutes, projectsOfOrganisation } from './observatory/index.js';
import { version } from './version.js';
import { loadOsmFile, wasteFigure, wasteRoutes } from './waste/index.js';
import { liveRoutes } from './web/live.js';
import { webPlugin } from './web/plugin.js';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Built here when not given (tests); the composition root passes its own to share it with connectors. */
  broker?: Broker;
  /** AIS feeds and mobility runtimes of the composition root (absent in tests that do not need them). */
  ingest?: IngestRuntime;
  mobility?: MobilityRuntime;
}

/** Builds the HTTP application: every capability is a Fastify plugin registered here. */
export async function buildApp({ config, db, broker, ingest, mobility }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'req.headers["x-escale-gate-key"]',
        'req.headers["x-escale-waste-key"]',
        'req.headers["x-escale-answer-token"]',
      ],
    },
    bodyLimit: config.bodyLimit,
    // NGSI-LD ids are URIs: keep them intact in paths (they are percent-encoded by clients).
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    forceCloseConnections: true,
  });
  app.setValidatorCompiler(validatorCompiler());

  // Only JSON bodies are accepted anywhere (415 otherwise); JSON-LD and merge-patch bodies are JSON.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const nul = nulIn(body as string);
    if (nul) done(nul, undefined);
    else parseJson(req, body as string, done);
  });
  app.addContentTypeParser(
    ['application/ld+json', 'application/merge-patch+json', 'application/geo+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      const nul = nulIn(body as string);
      if (nul) return done(nul, undefined);
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    },
  );

  installErrorHandling(app);
  app.addHook('onRequest', async (req) => {
    if (req.url.includes('%00')) {
      throw new ProblemError(
        'BadRequestData',
        'the URL holds the character U+0000 (%00), which cannot be stored',
      );
    }
  });

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
        { name: 'governance', description: 'Sign-in, organisations, members, users, API keys, audit log' },
        {
          name: 'catalog',
          description: 'DCAT-AP catalog: datasets, distributions, data services, ODRL policies',
        },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'JWT from /api/auth/login, or an API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }, {}],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Identity and access before any capability's routes: request.principal, authentication on every write,
  // rate limits (src/governance/README.md). Routes that check their own secret are listed here.
  await installGovernance(app, {
    db,
    settings: config,
    ownCredentialRoutes: ['POST /api/mobility/gate-events'],
  });
  await app.register(governanceRoutes, {
    loginRateLimitMax: config.loginRateLimitMax,
    rateLimitWindowMs: config.rateLimitWindowMs,
  });

  await app.register(healthRoutes, { db, version });
  const b = broker ?? createBroker(db, await contextResolverFor(config));
  // Data sovereignty: broker reads of restricted entity types follow the catalog's agreements (src/catalog/).
  const sovereignty = createCatalogEnforcement(db, { publicUrl: config.publicUrl });
  await app.register(brokerRoutes, {
    prefix: '/ngsi-ld/v1',
    db,
    contexts: b.contexts,
    store: b.store,
    access: sovereignty.policy,
  });
  b.onChange(temporalHistory(b.store.db));
  await app.register(temporalRoutes, {
    prefix: '/ngsi-ld/v1',
    db,
    contexts: b.contexts,
    store: b.store,
    retention: config.temporalRetention,
    retentionIntervalMs: config.temporalRetentionIntervalMs,
    access: sovereignty.policy,
  });
  // Subscriptions: the listener queues notifications in each write's transaction; the dispatcher runs with the app.
  const subs = createSubscriptions({
    store: b.store,
    contexts: b.contexts,
    log: app.log,
    access: sovereignty.policy,
  });
  b.onChange(subs.listener);
  await app.register(subscriptionRoutes, { prefix: '/ngsi-ld/v1', subs });
  app.addHook('onReady', () => subs.start());
  // The web map's live vessels are pushed through a subscription of the platform (src/web/live.ts).
  await app.register(liveRoutes, { subs });
  app.addHook('onClose', () => subs.stop());
  await app.register(ingestRoutes, { ingest });
  await app.register(mobilityRoutes, { db, broker: b, mobility, settings: mobility?.settings ?? config });
  await app.register(wasteRoutes, {
    db,
    broker: b,
    keys: config.wasteKeys,
    demo: config.demo,
    graph: config.wasteOsm ? loadOsmFile(config.wasteOsm) : undefined,
  });
  // The hub's and the waste service's figures are computed indicators of the Observatory; the hub's selected
  // applications become Observatory projects.
  await app.register(observatoryRoutes, {
    db,
    broker: b,
    settings: config,
    figures: [innovationFigure(db), wasteFigure(db)],
  });
  await app.register(innovationRoutes, {
    db,
    publicUrl: config.publicUrl,
    onApplicationSelected: selectionToObservatory(db, app),
    partnerProjects: (p) => projectsOfOrganisation(db, p),
    notifyApplicant: applicantMail(config, app),
    // Event reminders are considered as often as the Observatory's (hourly; off in tests).
    eventReminderMs: config.innovationReminderMs,
  });
  // DCAT-AP catalog under /api/catalog and its export at /catalog (src/catalog/).
  await app.register(catalogRoutes, { db, publicUrl: config.publicUrl, enforcement: sovereignty });
  // Last: the web application answers the non-API paths (src/web/plugin.ts).
  await app.register(webPlugin, {
    mapStyle: process.env.ESCALE_MAP_STYLE,
    distDir: process.env.ESCALE_WEB_DIST || undefined,
  });
  return app;
}

/**
 * Query strings, path parameters and headers are text: their values are coerced to the schema's types
 * (`?limit=5`, a repeated key to an array). JSON bodies are typed already and are never coerced: otherwise
 * a `null` sent for a nullable number would pass as 0, and `"12"` for a number would be taken silently.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const factory = AjvCompiler();
  const base = { removeAdditional: false, allErrors: false } as const;
  const text = factory({}, { customOptions: { ...base, coerceTypes: 'array' } });
  const json = factory({}, { customOptions: { ...base, coerceTypes: false } });
  return (route) => (route.httpPart === 'body' ? json(route) : text(route));
}

export function contextResolverFor(config: Config): Promise<ContextResolver> {
  return createContextResolver({
    contextMapFile: config.contextMap,
    fetchTimeoutMs: config.contextFetchTimeoutMs,
    maxBytes: config.contextMaxBytes,
  });
}

/** `\u0000` in JSON text, not preceded by an escaped backslash. */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

/**
 * PostgreSQL stores no U+0000, neither in text nor in jsonb: a body that holds one is refused as bad data
 * before it reaches a statement (where it would fail the whole transaction, and answer 500).
 */
function nulIn(body: string): ProblemError | undefined {
  if (!body.includes('\\u0000') || !ESCAPED_NUL.test(body)) return undefined;
  return new ProblemError('BadRequestData', 'the body holds the character U+0000, which cannot be stored');
}
