-- Data sovereignty: plans, automatic acceptance, personal attributes, usage metering, harvested datasets.

-- A dataset's price plan: {"kind": "free"|"perCall"|"monthly"|"oneOff", "price": number, "currency": "EUR"}
-- (perCall: price per 1,000 calls). auto_agree: requests whose purpose the policy permits are agreed at once.
ALTER TABLE cat_datasets ADD COLUMN plan jsonb;
ALTER TABLE cat_datasets ADD COLUMN auto_agree boolean NOT NULL DEFAULT false;
-- Harvested datasets: the harvest source and the dataset's IRI in the remote catalog.
ALTER TABLE cat_datasets ADD COLUMN source_id uuid;
ALTER TABLE cat_datasets ADD COLUMN source_iri text;
CREATE UNIQUE INDEX cat_datasets_source ON cat_datasets (source_id, source_iri);

-- ngsi-ld distributions: attributes holding personal data (pseudonymised per agreement) and the purposes
-- for which they are shown in clear.
ALTER TABLE cat_distributions ADD COLUMN personal text[];
ALTER TABLE cat_distributions ADD COLUMN personal_clear_purposes text[];

-- The plan in force when the agreement was agreed: what the statements charge.
ALTER TABLE cat_agreements ADD COLUMN plan jsonb;

-- Usage events (CloudEvents 1.0, type eu.escale.usage.v1), appended, never updated.
CREATE TABLE cat_usage_events (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  agreement_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  provider_org_id uuid NOT NULL,
  consumer_org_id uuid NOT NULL,
  calls integer NOT NULL,
  bytes bigint NOT NULL,
  event jsonb NOT NULL
);
CREATE INDEX cat_usage_agreement ON cat_usage_events (agreement_id);
CREATE INDEX cat_usage_consumer ON cat_usage_events (consumer_org_id, at);
CREATE INDEX cat_usage_provider ON cat_usage_events (provider_org_id, at);

-- Catalog secrets generated once and shared by every node (the pseudonymisation key).
CREATE TABLE cat_secrets (
  name text PRIMARY KEY,
  value text NOT NULL
);

-- Remote DCAT-AP catalogs harvested into this one, on behalf of an organisation.
CREATE TABLE cat_harvest_sources (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  url text NOT NULL,
  title text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_run_at timestamptz,
  last_status text,
  last_error text,
  harvested integer NOT NULL DEFAULT 0
);
CREATE INDEX cat_harvest_sources_org ON cat_harvest_sources (org_id);
