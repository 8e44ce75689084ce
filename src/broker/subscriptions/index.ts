import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/db.js';
import { isPlatformAdmin, type Principal } from '../../governance/index.js';
import { type BrokerAccessPolicy, filterNotificationData } from '../access.js';
import type { ContextResolver } from '../jsonld/contexts.js';
import type { BrokerStore, ChangeListener } from '../service.js';
import { SubscriptionCache } from './cache.js';
import { Cluster } from './cluster.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { createMatcher } from './matcher.js';
import { parseSubscription } from './model.js';
import { PeriodicRunner } from './periodic.js';
import { insertSubscription } from './repository.js';
import { StreamHub } from './stream.js';
import { notifyAllowlist } from './targets.js';

export { type SubscriptionRoutesOptions, subscriptionRoutes } from './routes.js';

/**
 * NGSI-LD subscriptions and notifications (GS CIM 009 v1.8, 5.8 and 5.11): the change listener that
 * queues notifications, the dispatcher that delivers them, the periodic timer and the SSE streams.
 * See README.md beside this file.
 */
export interface Subscriptions {
  readonly db: Db;
  readonly store: BrokerStore;
  readonly contexts: ContextResolver;
  readonly cache: SubscriptionCache;
  readonly hub: StreamHub;
  readonly dispatcher: Dispatcher;
  readonly options: NotifyOptions;
  /** Add to the broker store's listeners (Broker.onChange). */
  readonly listener: ChangeListener;
  /**
   * The subscriptions of `tenant` changed (`deleted`: that one was deleted): drops the cached copies, here
   * and on the other nodes, and ends the streams of a deleted subscription.
   */
  changed(tenant: string, deleted?: string): void;
  /**
   * Data sovereignty for the SSE streams: how a notification body streamed for a subscription created by
   * `owner` is cut down to what the owner may read (undefined: nothing to filter).
   */
  streamFilter(
    owner: Principal | undefined,
  ): ((notification: string) => Promise<string | undefined>) | undefined;
  /**
   * Creates a subscription of the platform itself (no owner: it sees what an anonymous reader sees) unless one
   * with its id exists; true when created. The web map's live vessels use one (src/web/live.ts).
   */
  ensure(subscription: Record<string, unknown>, tenant?: string): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface NotifyOptions extends DispatcherOptions {
  /** NATS server(s) of a multi-node deployment (NATS_URL, comma-separated); JetStream must be enabled. */
  natsUrl?: string;
  /** How long a node counts as alive after its last heartbeat in NATS (ESCALE_NODE_TTL_MS). */
  nodeTtlMs: number;
}

/**
 * Settings from the environment:
 * ESCALE_NOTIFY_ALLOW / ESCALE_OUTBOUND_ALLOW (hosts or IPs a notification may reach although private),
 * ESCALE_NOTIFY_TIMEOUT_MS (10000), ESCALE_NOTIFY_CONCURRENCY (per endpoint, 16),
 * ESCALE_NOTIFY_MAX_ATTEMPTS (10), ESCALE_NOTIFY_RETRY_BASE_MS (1000), ESCALE_NOTIFY_RETRY_MAX_MS (300000),
 * ESCALE_NOTIFY_POLL_MS (1000), NATS_URL (none), ESCALE_NODE_TTL_MS (5000).
 */
export function notifyOptions(env: NodeJS.ProcessEnv = process.env): NotifyOptions {
  const int = (name: string, d: number, min: number) => {
    const v = env[name];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  return {
    allow: notifyAllowlist(env),
    timeoutMs: int('ESCALE_NOTIFY_TIMEOUT_MS', 10_000, 100),
    concurrency: int('ESCALE_NOTIFY_CONCURRENCY', 16, 1),
    maxAttempts: int('ESCALE_NOTIFY_MAX_ATTEMPTS', 10, 1),
    retryBaseMs: int('ESCALE_NOTIFY_RETRY_BASE_MS', 1000, 1),
    retryMaxMs: int('ESCALE_NOTIFY_RETRY_MAX_MS', 300_000, 1),
    pollMs: int('ESCALE_NOTIFY_POLL_MS', 1000, 10),
    natsUrl: env.NATS_URL?.trim() || undefined,
    nodeTtlMs: int('ESCALE_NODE_TTL_MS', 5000, 500),
  };
}

export function createSubscriptions(deps: {
  store: BrokerStore;
  contexts: ContextResolver;
  log: FastifyBaseLogger;
  options?: NotifyOptions;
  /** Data sovereignty: notifications carry only what the subscription's creator may read. */
  access?: BrokerAccessPolicy;
}): Subscriptions {
  const { store, contexts, log } = deps;
  const db = store.db;
  const options = deps.options ?? notifyOptions();
  const cache = new SubscriptionCache(db, contexts);
  const hub = new StreamHub();
  const dispatcher = new Dispatcher(db, options, {
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
  });
  const access = deps.access;
  /**
   * The filter of the notification data (its `data` array as JSON) a subscription's owner may receive;
   * undefined when nothing is to be filtered: no access policy, or a platform administrator, who reads
   * everything (the data then goes out untouched, at once).
   */
  const dataFilter = (owner: Principal | undefined) =>
    !access || (owner && isPlatformAdmin(owner))
      ? undefined
      : (data: string) => filterNotificationData(access, owner, data);
  if (access) dispatcher.filter = (row) => dataFilter(row.meta.owner)?.(row.data) ?? row.data;
  const nudge = (rows: { id: string; endpoint: string }[]) => dispatcher.nudge(rows);
  const periodic = new PeriodicRunner(db, cache, hub, nudge, (err) =>
    log.error({ err }, 'periodic notifications: database error'),
  );
  const listener = createMatcher({
    cache,
    hub,
    nudge,
    onError: (err, msg) => log.error({ err }, msg),
  });
  let cluster: Cluster | undefined;
  return {
    db,
    store,
    contexts,
    cache,
    hub,
    dispatcher,
    options,
    listener,
    changed(tenant, deleted) {
      cache.invalidate(tenant);
      if (deleted !== undefined) hub.end(tenant, deleted);
      cluster?.subscriptionsChanged(tenant, deleted);
    },
    async ensure(subscription, tenant = '') {
      const body = parseSubscription(subscription, contexts.core, () => {
        throw new Error('a platform subscription needs its own id');
      });
      const created = await db.transaction((tx) =>
        insertSubscription(tx, tenant, body, null, null, new Date().toISOString(), undefined),
      );
      if (created) {
        cache.invalidate(tenant);
        cluster?.subscriptionsChanged(tenant);
      }
      return created;
    },
    streamFilter(owner) {
      const filter = dataFilter(owner);
      if (!filter) return undefined;
      return async (notification) => {
        const n = JSON.parse(notification) as { data?: unknown };
        const data = await filter(JSON.stringify(n.data ?? []));
        return data === undefined ? undefined : JSON.stringify({ ...n, data: JSON.parse(data) });
      };
    },
    async start() {
      if (options.natsUrl && db.kind === 'pglite') {
        log.warn('NATS_URL is ignored: the embedded store serves one process (set DATABASE_URL)');
      } else if (options.natsUrl) {
        // Before the dispatcher claims anything: the other nodes must see this one alive.
        cluster = await Cluster.start({
          url: options.natsUrl,
          nodeId: dispatcher.nodeId,
          db,
          cache,
          hub,
          wake: () => dispatcher.wake(),
          log: {
            info: (o, m) => log.info(o, m),
            warn: (o, m) => log.warn(o, m),
            error: (o, m) => log.error(o, m),
          },
          ttlMs: options.nodeTtlMs,
        });
        hub.peer = cluster;
      }
      await dispatcher.start();
      periodic.start();
    },
    async stop() {
      periodic.stop();
      hub.close();
      await dispatcher.stop();
      // After the dispatcher has given its rows back: removing this node's key makes the others sweep.
      await cluster?.close();
    },
  };
}
