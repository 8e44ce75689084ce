import { badRequest } from '../../http/problem.js';
import { isUri } from '../model.js';
import type { SqlParams } from './params.js';
import { compileTypeSelector, parseTypeSelector } from './types.js';

/** The entity part of a query: ids, idPattern, type selector, and the OR-ed `entities` of a Query document. */
export interface EntitySelection {
  ids?: string[];
  idPattern?: string;
  type?: string;
  /** POST .../entityOperations/query: each selector is (id AND idPattern AND type), selectors are OR-ed. */
  selectors?: { id?: string; idPattern?: string; type?: string }[];
}

function checkRegex(p: string): void {
  if (p.length > 1024) throw badRequest('idPattern longer than 1024 characters');
  try {
    new RegExp(p);
  } catch (err) {
    throw badRequest(`idPattern is not a valid regular expression: ${(err as Error).message}`);
  }
}

/**
 * SQL conditions (AND-ed) on the `id` and `types` columns of `alias` for an entity selection; used by the entity
 * query (over broker_entities) and the temporal query (over temporal_entities).
 */
export function compileEntitySelection(
  s: EntitySelection,
  c: { alias: string; expand: (term: string) => string; params: SqlParams },
): string[] {
  const { alias: a, params } = c;
  const where: string[] = [];
  if (s.ids?.length) {
    for (const id of s.ids) if (!isUri(id)) throw badRequest(`id ${JSON.stringify(id)} is not a URI`);
    where.push(`${a}.id = ANY(${params.add(s.ids)}::text[])`);
  }
  if (s.idPattern) {
    checkRegex(s.idPattern);
    where.push(`${a}.id ~ ${params.add(s.idPattern)}`);
  }
  if (s.type) where.push(compileTypeSelector(parseTypeSelector(s.type), c));
  if (s.selectors?.length) {
    const ors: string[] = [];
    for (const sel of s.selectors) {
      const ands: string[] = [];
      if (sel.id !== undefined) {
        if (!isUri(sel.id)) throw badRequest(`entities[].id ${JSON.stringify(sel.id)} is not a URI`);
        ands.push(`${a}.id = ${params.add(sel.id)}`);
      }
      if (sel.idPattern !== undefined) {
        checkRegex(sel.idPattern);
        ands.push(`${a}.id ~ ${params.add(sel.idPattern)}`);
      }
      if (sel.type !== undefined) ands.push(compileTypeSelector(parseTypeSelector(sel.type), c));
      if (ands.length === 0) throw badRequest('each entry of entities needs id, idPattern or type');
      ors.push(`(${ands.join(' AND ')})`);
    }
    where.push(`(${ors.join(' OR ')})`);
  }
  return where;
}
