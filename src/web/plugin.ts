import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { packageRoot } from '../paths.js';

export interface WebPluginOptions {
  /** Folder of the built web application; `web/dist` of the package by default. */
  distDir?: string;
  /** URL of a MapLibre style for the port map's base map (ESCALE_MAP_STYLE); none: a plain background. */
  mapStyle?: string;
}

/** Paths that belong to the API: never answered with the web application (their 404s stay problem+json). */
export const API_PREFIXES = ['/ngsi-ld', '/api', '/docs', '/health', '/catalog'] as const;

const pathOf = (url: string) => url.split('?')[0] ?? '/';
export const isApiPath = (url: string): boolean => {
  const p = pathOf(url);
  return API_PREFIXES.some((x) => p === x || p.startsWith(`${x}/`));
};
/** A path whose last segment has an extension names a file: a missing one is a 404, not the app. */
const isFilePath = (url: string): boolean => /\.[A-Za-z0-9]+$/.test(pathOf(url).split('/').pop() ?? '');

const IMMUTABLE = 'public, max-age=31536000, immutable';

const WebConfigSchema = Type.Object({
  mapStyle: Type.Union([Type.String(), Type.Null()], {
    description: 'MapLibre style URL of the base map; null: the map shows its data on a plain background',
  }),
  oidc: Type.Boolean({ description: 'whether sign-in through an OIDC identity provider is offered' }),
});

const missingPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Escale: web application not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}code{background:#eef2f4;padding:.1rem .3rem}</style>
</head>
<body>
<main>
<h1>The web application has not been built</h1>
<p>Build it with <code>npm run build:web</code> (or <code>npm install</code>, which builds everything), then restart <code>escale serve</code>.</p>
<p>The API works meanwhile: <a href="/ngsi-ld/v1/types">/ngsi-ld/v1</a>, documented at <a href="/docs">/docs</a>.</p>
<p lang="fr">L’application web n’a pas été construite : lancez <code>npm run build:web</code> puis redémarrez <code>escale serve</code>.</p>
</main>
</body>
</html>
`;

/**
 * Serves the web application (web/, built by Vite into web/dist) and its settings at /api/config.
 * Hashed files under /assets/ are cached for a year; everything else is revalidated. A GET of a non-API
 * path without a file extension answers index.html, so the application's own routes work on reload.
 * Register it after the API routes.
 */
export async function webPlugin(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const dist = opts.distDir ?? join(packageRoot(), 'web', 'dist');
  const mapStyle = opts.mapStyle || null;

  app.get(
    '/api/config',
    {
      schema: {
        tags: ['platform'],
        summary: 'Settings of the web application',
        response: { 200: WebConfigSchema },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-cache');
      return { mapStyle, oidc: app.hasDecorator('governance') && Boolean(app.governance.oidc) };
    },
  );

  if (!existsSync(join(dist, 'index.html'))) {
    app.log.warn({ dist }, 'web application not built (npm run build:web): / shows how to build it');
    app.get('/*', { schema: { hide: true } }, async (req: FastifyRequest, reply: FastifyReply) => {
      if (isApiPath(req.url) || isFilePath(req.url)) return reply.callNotFound();
      return reply
        .status(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(missingPage);
    });
    return;
  }

  // Files are looked up on each request (serve: false, no route per file), so a rebuild is served without a
  // restart; @fastify/send keeps every path inside dist and answers the .br/.gz sibling when the client can.
  await app.register(fastifyStatic, {
    root: dist,
    serve: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'no-cache');
    },
  });

  app.get('/*', { schema: { hide: true } }, async (req: FastifyRequest, reply: FastifyReply) => {
    if (isApiPath(req.url)) return reply.callNotFound();
    // A path naming a file is that file or a 404; any other path is a route of the application.
    return reply.sendFile(isFilePath(req.url) ? pathOf(req.url).slice(1) : 'index.html');
  });
}
