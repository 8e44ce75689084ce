import type { Queryable } from '../db/db.js';
import { badRequest } from '../http/problem.js';
import type { ResolvedContext } from './jsonld/contexts.js';
import { isUri, type StoredEntity } from './model.js';
import { compileGeoQuery, orderByDistance, parseGeoQuery } from './query/geo.js';
import {
  compileQ,
  compileScopeQ,
  compileTypeSelector,
  createParams,
  parseQ,
  parseScopeQ,
  parseTypeSelector,
} from './query/index.js';
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
}

const MAX_LIMIT = 1000;

function checkRegex(p: string): void {
  if (p.length > 1024) throw badRequest('idPattern longer than 1024 characters');
  try {
    new RegExp(p);
  } catch (err) {
    throw badRequest(`idPattern is not a valid regular expression: ${(err as Error).message}`);
  }
}

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

  if (input.ids?.length) {
    for (const id of input.ids) if (!isUri(id)) throw badRequest(`id ${JSON.stringify(id)} is not a URI`);
    where.push(`e.id = ANY(${params.add(input.ids)}::text[])`);
  }
  if (input.idPattern) {
    checkRegex(input.idPattern);
    where.push(`e.id ~ ${params.add(input.idPattern)}`);
  }
  if (input.type) where.push(compileTypeSelector(parseTypeSelector(input.type), c));
  if (input.selectors?.length) {
    const ors: string[] = [];
    for (const s of input.selectors) {
      const ands: string[] = [];
      if (s.id !== undefined) {
        if (!isUri(s.id)) throw badRequest(`entities[].id ${JSON.stringify(s.id)} is not a URI`);
        ands.push(`e.id = ${params.add(s.id)}`);
      }
      if (s.idPattern !== undefined) {
        checkRegex(s.idPattern);
        ands.push(`e.id ~ ${params.add(s.idPattern)}`);
      }
      if (s.type !== undefined) ands.push(compileTypeSelector(parseTypeSelector(s.type), c));
      if (ands.length === 0) throw badRequest('each entry of entities needs id, idPattern or type');
      ors.push(`(${ands.join(' AND ')})`);
    }
    where.push(`(${ors.join(' OR ')})`);
  }
  if (input.attrs?.length) {
    // Entities that have at least one of the attributes asked for.
    where.push(`e.attrs ?| ${params.add(input.attrs.map(expand))}::text[]`);
  }
  if (input.q) where.push(compileQ(parseQ(input.q), c));
  if (input.scopeQ) where.push(compileScopeQ(parseScopeQ(input.scopeQ), c));
  let orderBy: string | undefined;
  if (input.geo) {
    const g = parseGeoQuery(input.geo);
    if (g) {
      where.push(compileGeoQuery(g, c));
      if (input.geo.georel?.startsWith('near')) orderBy = orderByDistance(g, c);
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
    });
  } catch (err) {
    // Data exceptions raised by PostgreSQL on user input (an invalid regex, say) are the client's error.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('22')) throw badRequest(`the query cannot be evaluated: ${(err as Error).message}`);
    throw err;
  }
}
