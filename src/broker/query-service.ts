import type { Queryable } from '../db/db.js';
import { badRequest } from '../http/problem.js';
import { compileAccess, type TypeRule } from './access.js';
import type { ResolvedContext } from './jsonld/contexts.js';
import type { StoredEntity } from './model.js';
import { compileGeoQuery, nearestFirst, orderByDistance, parseGeoQuery } from './query/geo.js';
import { compileQ, compileScopeQ, createParams, parseQ, parseScopeQ } from './query/index.js';
import { compileEntitySelection } from './query/selection.js';
import * as repo from './repository.js';

export interface EntitySelector {
  id?: string;
  idPattern?: string;
  type?: string;
}

export interface EntityQueryInput {
  ids?: string[];
  idPattern?: string;
  type?: string;
  /** POST /entityOperations/query: each selector is (id AND idPattern AND type), selectors are OR-ed. */
  selectors?: EntitySelector[];
  attrs?: string[];
  q?: string;
  scopeQ?: string;
  geo?: { georel?: string; geometry?: string; coordinates?: string; geoproperty?: string };
  limit: number;
  offset: number;
  count: boolean;
  /** Access rules of the caller (src/broker/access.ts): denied types and areas are filtered in SQL. */
  restrict?: TypeRule[];
}

const MAX_LIMIT = 1000;

/** Compiles an NGSI-LD entity query to one SQL statement and runs it. */
export async function runEntityQuery(
  db: Queryable,
  tenant: string,
  ctx: ResolvedContext,
  input: EntityQueryInput,
): Promise<{ entities: StoredEntity[]; total?: number }> {
  if (input.limit > MAX_LIMIT) throw badRequest(`limit must be at most ${MAX_LIMIT}`);
  if (input.limit === 0 && !input.count) throw badRequest('limit=0 is only meaningful with count=true');
  const hasFilter =
    input.ids?.length ||
    input.idPattern ||
    input.type ||
    input.selectors?.length ||
    input.attrs?.length ||
    input.q ||
    input.scopeQ ||
    input.geo;
  if (!hasFilter) {
    throw badRequest('a query needs at least one of type, id, idPattern, attrs, q, scopeQ or a geo-query');
  }
  const params = createParams(1);
  params.add(tenant);
  const alias = 'e';
  const where: string[] = [`e.tenant = $1`];
  const expand = (t: string) => ctx.expand(t);
  const c = { alias, expand, params };

  where.push(...compileEntitySelection(input, c));
  if (input.attrs?.length) {
    // Entities that have at least one of the attributes asked for.
    where.push(`e.attrs ?| ${params.add(input.attrs.map(expand))}::text[]`);
  }
  if (input.q) where.push(compileQ(parseQ(input.q), c));
  if (input.restrict?.length) where.push(...compileAccess(input.restrict, c));
  if (input.scopeQ) where.push(compileScopeQ(parseScopeQ(input.scopeQ), c));
  let orderBy: string | undefined;
  let nearest: repo.EntityQuerySql['nearest'];
  if (input.geo) {
    const g = parseGeoQuery(input.geo);
    if (g) {
      const condition = compileGeoQuery(g, c);
      where.push(condition);
      if (g.georel === 'near') {
        const plan = nearestFirst(g, c);
        orderBy = plan?.distance ?? orderByDistance(g, c);
        if (plan) nearest = { plan, condition };
      }
    }
  }
  try {
    return await repo.queryEntities(db, {
      where,
      params: params.values,
      orderBy,
      limit: input.limit,
      offset: input.offset,
      count: input.count,
      nearest,
    });
  } catch (err) {
    // Data exceptions raised by PostgreSQL on user input (an invalid regex, say) are the client's error.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('22')) throw badRequest(`the query cannot be evaluated: ${(err as Error).message}`);
    throw err;
  }
}
