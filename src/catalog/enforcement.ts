import { createHmac, randomBytes } from 'node:crypto';
import type { BrokerAccessPolicy, TypeGrant, TypeRule } from '../broker/index.js';
import type { Queryable } from '../db/db.js';
import { isPlatformAdmin, type Principal } from '../governance/index.js';
import { type Agreement, activeAgreements } from './agreements.js';
import type { Plan } from './model.js';
import {
  type AnyConstraint,
  type Area,
  actionCovers,
  evaluate,
  type Policy,
  parsePolicy,
  type RequestContext,
} from './odrl/index.js';
import { recordUsage } from './usage.js';

/** One restricted dataset's NGSI-LD distribution: what enforcement needs of it. */
interface Shared {
  datasetId: string;
  orgId: string;
  attrs?: string[];
  personal?: string[];
  clearPurposes?: string[];
  plan?: Plan;
}

/** What an agreement's policy lets its consumer do now, and where and when. */
export interface Allowance {
  permitted: boolean;
  area?: Area;
  window?: { start?: string; end?: string };
  reasons: string[];
}

/**
 * The spatial and time limits of a policy's permissions to `use`: the geometric areas of top-level `spatial`
 * constraints (`isPartOf`/`isAnyOf`: the data must lie there) and the bounds of `dateTime` constraints.
 * Returns the policy without the spatial constraints enforced as filters, for the evaluator.
 */
export function limitsOf(policy: Policy): {
  policy: Policy;
  area?: Area;
  window?: { start?: string; end?: string };
} {
  const polygons: number[][][][] = [];
  let start: number | undefined;
  let end: number | undefined;
  const permissions = policy.permissions.map((r) => {
    if (!actionCovers(r.action, 'use')) return r;
    const kept: AnyConstraint[] = [];
    for (const c of r.constraints) {
      if (
        c.kind === 'constraint' &&
        c.leftOperand === 'spatial' &&
        (c.operator === 'isPartOf' || c.operator === 'isAnyOf') &&
        c.rightOperand.kind === 'areas' &&
        c.rightOperand.values.every((v) => v.area)
      ) {
        for (const v of c.rightOperand.values) {
          const a = v.area as Area;
          if (a.type === 'Polygon') polygons.push(a.coordinates as number[][][]);
          else polygons.push(...(a.coordinates as number[][][][]));
        }
        continue;
      }
      if (c.kind === 'constraint' && c.leftOperand === 'dateTime' && c.rightOperand.kind === 'dateTime') {
        const v = c.rightOperand.value;
        if (c.operator === 'gt' || c.operator === 'gteq') start = Math.max(start ?? v, v);
        if (c.operator === 'lt' || c.operator === 'lteq') end = Math.min(end ?? v, v);
      }
      kept.push(c);
    }
    return { ...r, constraints: kept };
  });
  const area: Area | undefined =
    polygons.length === 0
      ? undefined
      : polygons.length === 1
        ? { type: 'Polygon', coordinates: polygons[0] }
        : { type: 'MultiPolygon', coordinates: polygons };
  const window =
    start !== undefined || end !== undefined
      ? {
          ...(start !== undefined ? { start: new Date(start).toISOString() } : {}),
          ...(end !== undefined ? { end: new Date(end).toISOString() } : {}),
        }
      : undefined;
  return { policy: { ...policy, permissions }, area, window };
}

/** What an agreement allows now, given the uses so far. */
export function allowance(a: Agreement, uses: number, now = new Date()): Allowance {
  if (!a.policy) return { permitted: false, reasons: ['no agreed policy'] };
  const parsed = parsePolicy(a.policy);
  if (!parsed.ok) return { permitted: false, reasons: ['the agreed policy is not understood'] };
  const { policy, area, window } = limitsOf(parsed.policy);
  const ctx: RequestContext = {
    action: 'use',
    target: policy.target,
    assignee: `urn:uuid:${a.consumerOrgId}`,
    purpose: a.purpose,
    now,
    since: a.finalizedAt ? new Date(a.finalizedAt) : undefined,
    count: uses,
  };
  const ev = evaluate(policy, ctx);
  return { permitted: ev.decision === 'permit', area, window, reasons: ev.reasons };
}

/** Organisations on whose behalf the principal reads. */
function orgsOf(p: Principal): string[] {
  if (p.kind === 'user') return p.memberships.map((m) => m.orgId);
  if (p.kind === 'apiKey') return [p.orgId];
  return [];
}

export interface CatalogEnforcement {
  /** The broker's access hook (src/broker/access.ts). */
  readonly policy: BrokerAccessPolicy;
  /** Forgets cached datasets and agreements (after any catalog write on this node). */
  invalidate(): void;
  /** Waits for usage events still being written. */
  flush(): Promise<void>;
}

export interface EnforcementOptions {
  /** How long the cached datasets, agreements and use counts are trusted (other nodes' writes). Default 5 s. */
  ttlMs?: number;
  /** Base of the usage events' `source` (ESCALE_PUBLIC_URL). */
  publicUrl?: string;
}

/**
 * Data sovereignty in the broker: restricted datasets' NGSI-LD distributions name the entity types and
 * attributes they share; a consumer reads them only under an active agreement whose ODRL policy permits use now
 * (purpose, dateTime, count...), within the policy's area and time window, with personal attributes
 * pseudonymised; every use is metered. Owners and platform administrators read everything.
 */
export function createCatalogEnforcement(db: Queryable, opts: EnforcementOptions = {}): CatalogEnforcement {
  const ttl = opts.ttlMs ?? 5000;
  let shared: { at: number; byType: Map<string, Shared[]> } | undefined;
  let loadingShared: Promise<Map<string, Shared[]>> | undefined;
  const agreements = new Map<string, { at: number; list: Agreement[] }>();
  const uses = new Map<string, { at: number; n: number }>();
  let key: Promise<Buffer> | undefined;
  const pending = new Set<Promise<void>>();

  async function byType(): Promise<Map<string, Shared[]>> {
    if (shared && Date.now() - shared.at < ttl) return shared.byType;
    loadingShared ??= (async () => {
      const r = await db.query<{
        dataset_id: string;
        org_id: string;
        plan: Plan | null;
        entity_type: string;
        attributes: string[] | null;
        personal: string[] | null;
        personal_clear_purposes: string[] | null;
      }>(
        `SELECT x.dataset_id, d.org_id, d.plan, x.entity_type, x.attributes, x.personal, x.personal_clear_purposes
           FROM cat_distributions x JOIN cat_datasets d ON d.id = x.dataset_id
          WHERE d.access = 'restricted' AND x.kind = 'ngsi-ld' AND x.entity_type IS NOT NULL`,
      );
      const map = new Map<string, Shared[]>();
      for (const row of r.rows) {
        const list = map.get(row.entity_type) ?? [];
        list.push({
          datasetId: row.dataset_id,
          orgId: row.org_id,
          attrs: row.attributes ?? undefined,
          personal: row.personal ?? undefined,
          clearPurposes: row.personal_clear_purposes ?? undefined,
          plan: row.plan ?? undefined,
        });
        map.set(row.entity_type, list);
      }
      shared = { at: Date.now(), byType: map };
      return map;
    })().finally(() => {
      loadingShared = undefined;
    });
    return loadingShared;
  }

  async function agreementsOf(orgId: string): Promise<Agreement[]> {
    const c = agreements.get(orgId);
    if (c && Date.now() - c.at < ttl) return c.list;
    const list = await activeAgreements(db, orgId);
    agreements.set(orgId, { at: Date.now(), list });
    return list;
  }

  async function usesOf(agreementId: string): Promise<number> {
    const c = uses.get(agreementId);
    if (c && Date.now() - c.at < ttl) return c.n;
    const r = await db.query<{ n: number }>(
      'SELECT coalesce(sum(calls), 0)::int AS n FROM cat_usage_events WHERE agreement_id = $1',
      [agreementId],
    );
    uses.set(agreementId, { at: Date.now(), n: r.rows[0].n });
    return r.rows[0].n;
  }

  /** The platform's pseudonymisation secret, generated once into the database (every node shares it). */
  function platformKey(): Promise<Buffer> {
    key ??= (async () => {
      await db.query(
        `INSERT INTO cat_secrets (name, value) VALUES ('pseudonym-hmac', $1) ON CONFLICT (name) DO NOTHING`,
        [randomBytes(32).toString('base64url')],
      );
      const r = await db.query<{ value: string }>(
        `SELECT value FROM cat_secrets WHERE name = 'pseudonym-hmac'`,
      );
      return Buffer.from(r.rows[0].value, 'base64url');
    })();
    key.catch(() => {
      key = undefined;
    });
    return key;
  }

  async function grantFor(a: Agreement, s: Shared, al: Allowance): Promise<TypeGrant> {
    const clear = a.purpose !== undefined && (s.clearPurposes ?? []).includes(a.purpose);
    const personal = clear ? undefined : s.personal;
    let pseudonym: ((v: unknown) => string) | undefined;
    if (personal?.length) {
      // A key per agreement: the same value gets the same pseudonym within an agreement, another across them.
      const k = createHmac('sha256', await platformKey())
        .update(`escale-pseudonym:${a.id}`)
        .digest();
      pseudonym = (v) =>
        `pseud:${createHmac('sha256', k).update(JSON.stringify(v)).digest('base64url').slice(0, 22)}`;
    }
    return {
      ...(s.attrs ? { attrs: s.attrs } : {}),
      ...(personal?.length ? { personal, pseudonym } : {}),
      ...(al.area ? { area: al.area } : {}),
      ...(al.window ? { window: al.window } : {}),
      record: async (use) => {
        const c = uses.get(a.id);
        if (c) c.n += 1;
        const p = recordUsage(db, {
          agreement: a.id,
          dataset: a.datasetId,
          provider: a.providerOrgId,
          consumer: a.consumerOrgId,
          calls: 1,
          bytes: use.bytes,
          source: `${(opts.publicUrl ?? 'urn:escale').replace(/\/+$/, '')}/ngsi-ld/v1`,
        }).then(() => undefined);
        pending.add(p);
        try {
          await p;
        } finally {
          pending.delete(p);
        }
      },
    };
  }

  const policy: BrokerAccessPolicy = {
    async rulesFor(principal) {
      if (isPlatformAdmin(principal)) return undefined;
      const types = await byType();
      if (types.size === 0) return undefined;
      const orgs = orgsOf(principal);
      const mine: Agreement[] = [];
      for (const o of orgs) mine.push(...(await agreementsOf(o)));
      const rules: TypeRule[] = [];
      const now = new Date();
      for (const [type, list] of types) {
        // The owner of a dataset sharing this type sees it all.
        if (list.some((s) => orgs.includes(s.orgId))) continue;
        let grant: TypeGrant | undefined;
        for (const a of mine) {
          const s = list.find((x) => x.datasetId === a.datasetId);
          if (!s) continue;
          const al = allowance(a, await usesOf(a.id), now);
          if (!al.permitted) continue;
          grant = await grantFor(a, s, al);
          break;
        }
        rules.push(grant ? { type, grant } : { type });
      }
      return rules;
    },
  };

  return {
    policy,
    invalidate() {
      shared = undefined;
      agreements.clear();
      uses.clear();
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
