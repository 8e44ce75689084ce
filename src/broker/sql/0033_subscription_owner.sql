-- Who created a subscription (a snapshot of the caller: user with memberships, or API key), so that
-- notifications on restricted entity types carry only what that caller may read (src/broker/access.ts).
ALTER TABLE broker_subscriptions ADD COLUMN owner jsonb;
