import type { Db } from '../../db/db.js';
import type { RetentionRule } from './repository.js';

/**
 * Retention rules given in configuration: `ESCALE_TEMPORAL_RETENTION` (see README.md, "Retention").
 *
 * A comma-separated list of `scope=keep`:
 * - scope `*` (every tenant), `port` (tenant port), empty (the default tenant), optionally followed by
 *   `/Type` for one entity type: `*\/Vessel`, `port/Vessel`, `/Vessel`. A type without `:` is a term of the
 *   core context (expanded by `expandType`), otherwise an IRI.
 * - keep: an ISO 8601 duration (`P90D`, `P1Y`, `PT12H`).
 *
 * Example: `*=P90D,port=P1Y,port/Vessel=P2Y`.
 */

const TENANT = /^(\*|[A-Za-z0-9_-]*)$/;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

export function parseRetentionSpec(spec: string, expandType: (term: string) => string): RetentionRule[] {
  const rules = new Map<string, RetentionRule>();
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.lastIndexOf('=');
    if (eq < 0) throw new Error(`ESCALE_TEMPORAL_RETENTION: "${entry}" is not scope=duration`);
    const scope = entry.slice(0, eq).trim();
    const keep = entry
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (!DURATION.test(keep) || !/[1-9]/.test(keep)) {
      throw new Error(`ESCALE_TEMPORAL_RETENTION: "${keep}" is not a non-zero ISO 8601 duration (e.g. P90D)`);
    }
    const slash = scope.indexOf('/');
    const tenant = slash < 0 ? scope : scope.slice(0, slash);
    const type = slash < 0 ? '' : scope.slice(slash + 1).trim();
    if (!TENANT.test(tenant)) {
      throw new Error(`ESCALE_TEMPORAL_RETENTION: "${tenant}" is not *, a tenant name or empty`);
    }
    if (slash >= 0 && !type) throw new Error(`ESCALE_TEMPORAL_RETENTION: "${entry}" has no type after /`);
    const entityType = type ? (type.includes(':') ? type : expandType(type)) : '';
    const key = `${tenant}\u0000${entityType}`;
    if (rules.has(key)) throw new Error(`ESCALE_TEMPORAL_RETENTION: "${scope}" is given twice`);
    rules.set(key, { tenant, entityType, keep });
  }
  return [...rules.values()];
}

/** Makes the rule table exactly `rules` (configuration is authoritative when given), in one transaction. */
export async function replaceRetentionRules(db: Db, rules: RetentionRule[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM temporal_retention');
    if (rules.length === 0) return;
    await tx.query(
      `INSERT INTO temporal_retention (tenant, entity_type, keep)
       SELECT r.tenant, r.entity_type, r.keep::interval
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, entity_type text, keep text)`,
      [
        JSON.stringify(
          rules.map((r) => ({ tenant: r.tenant, entity_type: r.entityType ?? '', keep: r.keep })),
        ),
      ],
    );
  });
}
