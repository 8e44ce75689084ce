-- Catalog (DCAT-AP): datasets owned by organisations, their distributions, and data services.
-- org_id is the owner organisation's id (governance); no foreign key across capabilities.
CREATE TABLE cat_datasets (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  title jsonb NOT NULL,            -- {"fr": "...", "en": "..."}
  description jsonb NOT NULL,
  contact jsonb,                   -- {"name", "email", "url"}
  license text,
  themes text[] NOT NULL DEFAULT '{}',
  keywords text[] NOT NULL DEFAULT '{}',
  spatial jsonb,                   -- {"name"?, "geometry"?: GeoJSON}
  temporal_start timestamptz,
  temporal_end timestamptz,
  frequency text,
  access text NOT NULL CHECK (access IN ('open', 'account', 'restricted')),
  policy jsonb,                    -- ODRL 2.2 policy, validated when saved
  search text NOT NULL DEFAULT '', -- lower-cased titles, descriptions and keywords
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cat_datasets_org ON cat_datasets (org_id);
CREATE INDEX cat_datasets_access ON cat_datasets (access);
CREATE INDEX cat_datasets_themes ON cat_datasets USING gin (themes);
CREATE INDEX cat_datasets_keywords ON cat_datasets USING gin (keywords);

CREATE TABLE cat_distributions (
  id uuid PRIMARY KEY,
  dataset_id uuid NOT NULL REFERENCES cat_datasets (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('ngsi-ld', 'file', 'api')),
  title jsonb,
  entity_type text,                -- ngsi-ld: the entity type in the broker
  attributes text[],               -- ngsi-ld: the attributes shared (all when null)
  url text,                        -- file: download URL; api: endpoint URL
  media_type text,
  format text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cat_distributions_dataset ON cat_distributions (dataset_id, created_at);

CREATE TABLE cat_dataservices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  title jsonb NOT NULL,
  description jsonb,
  endpoint_url text NOT NULL,
  endpoint_description text,
  serves uuid[] NOT NULL DEFAULT '{}',
  access text NOT NULL CHECK (access IN ('open', 'account', 'restricted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cat_dataservices_org ON cat_dataservices (org_id);
