-- NGSI-LD subscriptions and their notification outbox (GS CIM 009 v1.8, 5.8 and 5.11).
-- See src/broker/subscriptions/README.md for the behaviour and the delivery guarantees.

-- One row per subscription and tenant. `body` holds the subscription as given, with entity types,
-- attribute names and the geoproperty expanded to IRIs; `q` and `scopeQ` are kept as written and are
-- compiled with `q_context`. The notification status members live in their own columns: the dispatcher
-- updates them without touching `body`.
CREATE TABLE broker_subscriptions (
  tenant            text        NOT NULL,
  id                text        NOT NULL,
  body              jsonb       NOT NULL,
  -- @context of the notifications (jsonldContext, else the one the subscription was created with); NULL: core
  context           jsonb,
  -- @context that expands the names in q and scopeQ (the one of the request that set them); NULL: core
  q_context         jsonb,
  is_active         boolean     NOT NULL DEFAULT true,
  expires_at        timestamptz,
  throttling        float8,
  time_interval     float8,
  -- periodic subscriptions: when the timer fires next
  next_fire_at      timestamptz,
  -- throttled subscriptions: when a notification was last queued
  last_queued_at    timestamptz,
  times_sent        bigint      NOT NULL DEFAULT 0,
  times_failed      bigint      NOT NULL DEFAULT 0,
  last_notification timestamptz,
  last_success      timestamptz,
  last_failure      timestamptz,
  -- 'ok' or 'failed' after the last delivery attempt; NULL before the first
  delivery_status   text,
  created_at        timestamptz NOT NULL,
  modified_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);

CREATE INDEX broker_subscriptions_periodic ON broker_subscriptions (next_fire_at)
  WHERE time_interval IS NOT NULL;

-- Bumped by every change to a tenant's subscriptions, so that each node knows when its cache is stale.
CREATE TABLE broker_subscription_versions (
  tenant  text   PRIMARY KEY,
  version bigint NOT NULL
);

-- The outbox: one row per notification still to be delivered, written in the transaction of the change
-- that produced it. A row is deleted after a 2xx (or a QoS acknowledgement), or after the last attempt.
-- `next_attempt_at` is both the retry time and the lease: a dispatcher that claims a row moves it past the
-- delivery timeout, so a row claimed by a node that died is claimed again when the lease runs out.
CREATE TABLE broker_notifications (
  seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              uuid        NOT NULL,
  tenant          text        NOT NULL,
  subscription_id text        NOT NULL,
  -- where it goes (http, https, mqtt or mqtts URI): the dispatcher queues by endpoint
  endpoint        text        NOT NULL,
  -- accept, receiverInfo, notifierInfo and @context, as they were when the notification was produced
  meta            jsonb       NOT NULL,
  -- the `data` member of the notification (a JSON array of entities), rendered when it was produced
  data            text        NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_by      text,
  last_error      text,
  created_at      timestamptz NOT NULL
  -- No foreign key to broker_subscriptions: its check would share-lock the subscription row in every write
  -- that notifies (a hot row under load). Deleting a subscription deletes its rows (repository.ts).
);

-- The dispatcher walks the endpoints with pending rows (a loose index scan on the first column), then
-- takes the due rows of each in order.
CREATE INDEX broker_notifications_due ON broker_notifications (endpoint, next_attempt_at);
CREATE INDEX broker_notifications_subscription ON broker_notifications (tenant, subscription_id);
