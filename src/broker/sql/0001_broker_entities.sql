-- NGSI-LD entities. One row per entity and tenant; attributes in one jsonb document keyed by expanded
-- attribute IRI, each holding an array of instances (the default instance, without datasetId, first).
-- See docs/broker-storage.md for the layout the query compiler relies on.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE broker_entities (
  tenant      text        NOT NULL DEFAULT '',
  id          text        NOT NULL,
  types       text[]      NOT NULL,
  scopes      text[],
  attrs       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, id)
);

CREATE INDEX broker_entities_types ON broker_entities USING gin (types);
CREATE INDEX broker_entities_attrs ON broker_entities USING gin (attrs jsonb_path_ops);
CREATE INDEX broker_entities_scopes ON broker_entities USING gin (scopes);

-- Geo-queries on the core `location` attribute use this index (first instance of the attribute).
CREATE INDEX broker_entities_location ON broker_entities USING gist (
  ST_GeomFromGeoJSON(attrs -> 'https://uri.etsi.org/ngsi-ld/location' -> 0 ->> 'value')
);

-- Tenants come into existence with their first entity (NGSI-LD 4.14); reads on an unknown tenant are 404.
CREATE TABLE broker_tenants (
  name       text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
