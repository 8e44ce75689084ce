-- Contract negotiation (Dataspace Protocol states, simplified): REQUESTED -> AGREED -> FINALIZED | TERMINATED.
-- The agreed policy and its signature never change once written; only the state moves on.
CREATE TABLE cat_agreements (
  id uuid PRIMARY KEY,
  dataset_id uuid NOT NULL REFERENCES cat_datasets (id) ON DELETE RESTRICT,
  provider_org_id uuid NOT NULL,
  consumer_org_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('REQUESTED', 'AGREED', 'FINALIZED', 'TERMINATED')),
  purpose text,
  policy jsonb,                    -- the ODRL Agreement, set when AGREED
  signature text,                  -- JWS (compact, EdDSA) over the agreement, set when AGREED
  requested_at timestamptz NOT NULL DEFAULT now(),
  agreed_at timestamptz,
  finalized_at timestamptz,
  terminated_at timestamptz,
  terminated_by text,
  reason text
);
CREATE INDEX cat_agreements_provider ON cat_agreements (provider_org_id, requested_at);
CREATE INDEX cat_agreements_consumer ON cat_agreements (consumer_org_id, requested_at);
CREATE INDEX cat_agreements_dataset ON cat_agreements (dataset_id);

-- The platform's signing keys for agreements (Ed25519 JWKs); the public halves are published at /api/catalog/jwks.
CREATE TABLE cat_signing_keys (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
