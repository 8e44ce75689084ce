import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, ProblemError } from '../http/problem.js';
import type { ContextResolver, ResolvedContext } from './jsonld/contexts.js';

/** Content negotiation, @context and tenant handling shared by every NGSI-LD route (GS CIM 009 6.3). */

const LINK_REL = 'http://www.w3.org/ns/json-ld#context';
const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

export type ResponseType = 'application/json' | 'application/ld+json' | 'application/geo+json';

export function tenantOf(req: FastifyRequest): string {
  const raw = req.headers['ngsild-tenant'];
  if (raw === undefined || raw === '') return '';
  const t = Array.isArray(raw) ? raw[0] : raw;
  if (!TENANT.test(t))
    throw badRequest(`invalid NGSILD-Tenant ${JSON.stringify(t)}: use letters, digits, _ and -`);
  return t;
}

/** Parses `Link: <url>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`. */
export function linkContext(req: FastifyRequest): string | undefined {
  const raw = req.headers.link;
  if (!raw) return undefined;
  const header = Array.isArray(raw) ? raw.join(',') : raw;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) throw badRequest('malformed Link header');
    if (new RegExp(`rel\\s*=\\s*"?${LINK_REL.replace(/[.#/]/g, '\\$&')}"?`).test(m[2])) {
      if (!/^https?:\/\//.test(m[1]))
        throw badRequest('the @context Link header must point to an http(s) URL');
      return m[1];
    }
  }
  return undefined;
}

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The @context of a request with a body. application/json takes it from the Link header only;
 * application/ld+json from the body only; mixing is an error, as the spec requires.
 */
export async function bodyContext(
  req: FastifyRequest,
  contexts: ContextResolver,
  body: unknown,
  opts: { mergePatch?: boolean } = {},
): Promise<ResolvedContext> {
  const type = mediaType(req);
  const link = linkContext(req);
  const objects = Array.isArray(body) ? body : [body];
  const inline = objects.map((o) =>
    o && typeof o === 'object' ? (o as Record<string, unknown>)['@context'] : undefined,
  );
  if (type === 'application/ld+json') {
    if (link)
      throw badRequest('with application/ld+json the @context goes in the body, not in a Link header');
    if (inline.some((c) => c === undefined)) {
      throw badRequest('an application/ld+json body must carry its @context (in every entity of a batch)');
    }
    const first = JSON.stringify(inline[0]);
    if (inline.some((c) => JSON.stringify(c) !== first)) {
      // Entities of one batch with different contexts: resolve each (the caller handles per-entity contexts).
      return contexts.resolve(inline[0]);
    }
    return contexts.resolve(inline[0]);
  }
  if (type === 'application/json' || (opts.mergePatch && type === 'application/merge-patch+json')) {
    if (inline.some((c) => c !== undefined)) {
      throw badRequest('an application/json body must not contain @context: send it in a Link header');
    }
    return contexts.resolve(link);
  }
  throw new ProblemError(
    'UnsupportedMediaType',
    `Content-Type must be application/json or application/ld+json, not ${type || '(none)'}`,
  );
}

/** Per-entity @context for application/ld+json batches where entities carry different contexts. */
export async function entityContext(
  req: FastifyRequest,
  contexts: ContextResolver,
  entity: unknown,
  fallback: ResolvedContext,
): Promise<ResolvedContext> {
  if (mediaType(req) !== 'application/ld+json') return fallback;
  const c =
    entity && typeof entity === 'object' ? (entity as Record<string, unknown>)['@context'] : undefined;
  return c === undefined ? fallback : contexts.resolve(c);
}

export function queryContext(req: FastifyRequest, contexts: ContextResolver): Promise<ResolvedContext> {
  return contexts.resolve(linkContext(req));
}

/** Chooses the response media type from Accept (406 if none of ours is acceptable). */
export function negotiate(req: FastifyRequest, allowGeo = false): ResponseType {
  const accept = req.headers.accept;
  if (!accept) return 'application/json';
  const offers: ResponseType[] = ['application/json', 'application/ld+json'];
  if (allowGeo) offers.push('application/geo+json');
  let best: ResponseType | undefined;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().split(';');
    const r = range.trim().toLowerCase();
    const qp = params.find((p) => p.trim().startsWith('q='));
    const q = qp ? Number(qp.trim().slice(2)) : 1;
    if (!(q > 0)) continue;
    let match: ResponseType | undefined;
    if (r === '*/*' || r === 'application/*') match = 'application/json';
    else if ((offers as string[]).includes(r)) match = r as ResponseType;
    // A specific type wins over a wildcard of the same weight.
    if (match && (q > bestQ || (q === bestQ && r !== '*/*' && r !== 'application/*'))) {
      best = match;
      bestQ = q;
    }
  }
  if (!best) {
    throw new ProblemError(
      'NotAcceptable',
      `none of the accepted types (${accept}) can be produced: use ${offers.join(', ')}`,
    );
  }
  return best;
}

/** Sends entities (or any NGSI-LD body) with the @context placed as the media type requires. */
export function sendLd(
  reply: FastifyReply,
  type: ResponseType,
  ctx: ResolvedContext,
  body: unknown,
  status = 200,
): FastifyReply {
  reply.status(status);
  if (type === 'application/ld+json') {
    const withCtx = (o: unknown) =>
      o && typeof o === 'object' && !Array.isArray(o) ? { ...(o as object), '@context': ctx.value } : o;
    return reply.type('application/ld+json').send(Array.isArray(body) ? body.map(withCtx) : withCtx(body));
  }
  const link = `<${ctx.linkUrl}>; rel="${LINK_REL}"; type="application/ld+json"`;
  const prior = reply.getHeader('Link');
  reply.header('Link', prior ? `${prior}, ${link}` : link);
  return reply.type(type).send(body);
}
