/** Short attribute/type name -> expanded IRI, per the request's @context. */
export type ExpandTerm = (term: string) => string;

/** Collects bind values; every literal of a query goes through here, never into the SQL text. */
export interface SqlParams {
  /** Pushes a bind value and returns its placeholder (`$n`). */
  add(value: unknown): string;
}

/**
 * A parameter list whose first placeholder is `$start` (default `$1`); pass `values.length + 1` of an
 * existing list to append to it.
 */
export function createParams(start = 1): SqlParams & { values: unknown[] } {
  if (!Number.isInteger(start) || start < 1) throw new Error(`createParams: invalid start ${start}`);
  const values: unknown[] = [];
  return {
    values,
    add(value: unknown): string {
      values.push(value);
      return `$${start + values.length - 1}`;
    },
  };
}

/** What every compiler needs: the table alias, the term expander and the parameter list. */
export interface CompileContext {
  /** Alias of `broker_entities` in the caller's query, e.g. `e`. */
  alias: string;
  expand: ExpandTerm;
  params: SqlParams;
}

/** The alias is code-provided, but it is spliced into SQL: refuse anything but a plain identifier. */
export function checkAlias(alias: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(alias))
    throw new Error(`invalid SQL alias: ${JSON.stringify(alias)}`);
  return alias;
}
