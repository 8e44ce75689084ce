import type { FastifyRequest } from 'fastify';

/**
 * The `Link` header of a page of results (RFC 8288): `prev` and `next` URLs with the request's own query and
 * the given offset and limit. Without a total, a full page means there may be a next one.
 */
export function pageLinks(
  req: FastifyRequest,
  offset: number,
  limit: number,
  got: number,
  total?: number,
): string | undefined {
  const links: string[] = [];
  const base = new URL(req.url, 'http://x');
  const at = (o: number) => {
    base.searchParams.set('offset', String(o));
    base.searchParams.set('limit', String(limit));
    return `${base.pathname}${base.search}`;
  };
  if (offset > 0 && limit > 0) links.push(`<${at(Math.max(0, offset - limit))}>; rel="prev"`);
  const more = total !== undefined ? offset + got < total : got === limit && limit > 0;
  if (more) links.push(`<${at(offset + limit)}>; rel="next"`);
  return links.length ? links.join(', ') : undefined;
}
