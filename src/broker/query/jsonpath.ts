import { badRequest } from '../../http/problem.js';
import { findInvalidChar } from './syntax.js';

/**
 * A jsonpath string literal. JSON string syntax is a subset of jsonpath's, so JSON.stringify escapes
 * correctly; NUL and lone surrogates have no jsonpath spelling and are refused (the parsers already reject
 * them in user input; this also guards what `expand` returns).
 */
export function jpString(s: string): string {
  if (findInvalidChar(s) >= 0) throw badRequest(`unsupported character in ${JSON.stringify(s)}`);
  return JSON.stringify(s);
}

/** A member accessor: always quoted, so any key (IRI, `@value`, spaces...) is safe. */
export function jpKey(key: string): string {
  return `.${jpString(key)}`;
}
