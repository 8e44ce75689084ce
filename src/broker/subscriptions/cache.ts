import type { Db, Queryable } from '../../db/db.js';
import type { Principal } from '../../governance/index.js';
import type { ContextResolver, ResolvedContext } from '../jsonld/contexts.js';
import type { GeoQuery } from '../query/geo.js';
import { parseQ, parseScopeQ, type QExpr, type ScopeExpr, type TypeExpr } from '../query/index.js';
import type { RenderOptions } from '../render.js';
import {
  DEFAULT_TRIGGERS,
  type EndpointKind,
  endpointKind,
  type StoredEndpoint,
  type SubscriptionBody,
  type SubscriptionRecord,
  storedGeoQuery,
  type Trigger,
} from './model.js';
import * as repo from './repository.js';

/** What the outbox row carries besides the data: how to send it, as it was when it was produced. */
export interface DeliveryMeta {
  accept: 'application/json' | 'application/ld+json';
  receiverInfo?: StoredEndpoint['receiverInfo'];
  notifierInfo?: StoredEndpoint['notifierInfo'];
  /** @context value placed in application/ld+json notifications. */
  context: unknown;
  /** @context URL of the Link header of application/json notifications. */
  link: string;
  /** Who created the subscription: its notifications carry only what this caller may read. */
  owner?: Principal;
}

/** A subscription ready for matching: selectors compiled, contexts resolved. */
export interface LiveSubscription {
  tenant: string;
  id: string;
  body: SubscriptionBody;
  selectors?: { id?: string; re?: RegExp; type: TypeExpr }[];
  watched?: Set<string>;
  triggers: Set<Trigger>;
  q?: QExpr;
  scope?: ScopeExpr;
  geo?: GeoQuery;
  /** Expands q and scopeQ. */
  qCtx: ResolvedContext;
  /** Compacts the entities of the notifications. */
  nCtx: ResolvedContext;
  render: RenderOptions;
  endpoint: string;
  kind: EndpointKind;
  meta: DeliveryMeta;
  /** The meta as JSON, computed once: it goes into every outbox row. */
  metaJson: string;
  throttling?: number;
  expiresAt?: number;
  isActive: boolean;
  periodic: boolean;
}

export async function liveSubscription(
  r: SubscriptionRecord,
  contexts: ContextResolver,
): Promise<LiveSubscription> {
  const b = r.body;
  const nCtx = await contexts.resolve(r.context ?? undefined);
  const qCtx = await contexts.resolve(r.qContext ?? undefined);
  const accept = b.notification.endpoint.accept ?? 'application/json';
  const meta: DeliveryMeta = {
    accept,
    receiverInfo: b.notification.endpoint.receiverInfo,
    notifierInfo: b.notification.endpoint.notifierInfo,
    context: nCtx.value,
    link: nCtx.linkUrl,
    ...(r.owner ? { owner: r.owner } : {}),
  };
  return {
    tenant: r.tenant,
    id: b.id,
    body: b,
    selectors: b.entities?.map((s) => ({
      id: s.id,
      re: s.idPattern !== undefined ? new RegExp(s.idPattern) : undefined,
      type: s.type,
    })),
    watched: b.watchedAttributes ? new Set(b.watchedAttributes) : undefined,
    triggers: new Set(b.notificationTrigger ?? DEFAULT_TRIGGERS),
    q: b.q !== undefined ? parseQ(b.q) : undefined,
    scope: b.scopeQ !== undefined ? parseScopeQ(b.scopeQ) : undefined,
    geo: b.geoQ ? storedGeoQuery(b.geoQ) : undefined,
    qCtx,
    nCtx,
    render: {
      format: b.notification.format ?? 'normalized',
      sysAttrs: b.notification.sysAttrs === true,
      attrs: b.notification.attributes ? new Set(b.notification.attributes) : undefined,
      lang: b.lang,
    },
    endpoint: b.notification.endpoint.uri,
    kind: endpointKind(b.notification.endpoint.uri),
    meta,
    metaJson: JSON.stringify(meta),
    throttling: b.throttling,
    expiresAt: b.expiresAt ? Date.parse(b.expiresAt) : undefined,
    isActive: b.isActive !== false,
    periodic: b.timeInterval !== undefined,
  };
}

export function isLive(s: LiveSubscription, now: number): boolean {
  return s.isActive && (s.expiresAt === undefined || s.expiresAt > now);
}

interface TenantEntry {
  version: number;
  subs: LiveSubscription[];
}

/**
 * The subscriptions of each tenant, in memory, so that a write with no subscription to match costs
 * nothing. On PostgreSQL, where other nodes may change subscriptions, every lookup checks the tenant's
 * version row (one indexed read) inside the caller's transaction; PGlite has one process, whose own
 * changes invalidate the cache directly.
 */
export class SubscriptionCache {
  private readonly tenants = new Map<string, TenantEntry>();
  private readonly shared: boolean;

  constructor(
    db: Db,
    private readonly contexts: ContextResolver,
  ) {
    this.shared = db.kind === 'postgres';
  }

  /**
   * On PostgreSQL, the version read to run with a write's first statement (the broker's prefetch), so that
   * matching a write costs no round trip of its own.
   */
  get versionSql(): string | undefined {
    return this.shared ? repo.VERSION_SQL : undefined;
  }

  invalidate(tenant: string): void {
    this.tenants.delete(tenant);
  }

  /** `known`: the tenant's version as the caller read it in its transaction (`versionSql`), if it did. */
  async get(q: Queryable, tenant: string, known?: unknown): Promise<LiveSubscription[]> {
    const cached = this.tenants.get(tenant);
    if (cached && !this.shared) return cached.subs;
    const version = known === undefined ? await repo.version(q, tenant) : Number(known ?? 0);
    if (cached && cached.version === version) return cached.subs;
    const records = version === 0 ? [] : await repo.loadTenant(q, tenant);
    const subs: LiveSubscription[] = [];
    for (const r of records) subs.push(await liveSubscription(r, this.contexts));
    this.tenants.set(tenant, { version, subs });
    return subs;
  }

  async find(q: Queryable, tenant: string, id: string): Promise<LiveSubscription | undefined> {
    return (await this.get(q, tenant)).find((s) => s.id === id);
  }
}
