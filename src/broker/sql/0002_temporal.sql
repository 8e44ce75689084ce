-- Temporal representation of entities (NGSI-LD GS CIM 009 v1.8, 5.6.11-5.6.16 and 5.7.3-5.7.4).
-- Every attribute instance an entity ever had is one row of temporal_instances; see
-- src/broker/temporal/README.md for the behaviour and the choices made.

-- The temporal entities: what a temporal query selects on (types, scopes), also after the entity itself
-- was deleted from the current state, and for entities only ever written through the temporal API.
CREATE TABLE temporal_entities (
  tenant      text        NOT NULL,
  id          text        NOT NULL,
  types       text[]      NOT NULL,
  scopes      text[],
  created_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  -- set when the entity is deleted from the current state; its history stays until deleted or expired
  deleted_at  timestamptz,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX temporal_entities_types ON temporal_entities USING gin (types);

-- Attribute instances, partitioned by month of `ts` (observedAt, else the time of the change) so that
-- queries over a period touch only its months and retention drops whole months.
CREATE TABLE temporal_instances (
  tenant      text        NOT NULL,
  entity_id   text        NOT NULL,
  attr        text        NOT NULL,             -- expanded attribute IRI
  dataset_id  text        NOT NULL DEFAULT '',  -- '' for the default instance
  instance_id uuid        NOT NULL DEFAULT gen_random_uuid(),
  ts          timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,             -- when the instance entered the history
  modified_at timestamptz NOT NULL,             -- last change of the instance (PATCH of the instance)
  deleted_at  timestamptz,                      -- set on the instance recording the attribute's deletion
  inst        jsonb       NOT NULL,             -- the instance as stored in broker_entities.attrs, without system times
  num         float8                            -- the value when it is a number (Property), for aggregation
) PARTITION BY RANGE (ts);

-- Rows whose month has no partition (a partition not created yet, or dropped by retention) land here:
-- nothing is ever refused or lost.
CREATE TABLE temporal_instances_default PARTITION OF temporal_instances DEFAULT;

CREATE INDEX temporal_instances_entity ON temporal_instances (tenant, entity_id, attr, ts);
CREATE INDEX temporal_instances_attr ON temporal_instances (tenant, attr, ts);

-- Creates the monthly partition holding `t` (UTC months) unless it exists; rows of that month already in
-- the default partition are moved into it. Returns true when it created the partition.
CREATE FUNCTION temporal_ensure_partition(t timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  lo   timestamp   := date_trunc('month', t AT TIME ZONE 'UTC');
  lo_z timestamptz := lo AT TIME ZONE 'UTC';
  hi_z timestamptz := (lo + interval '1 month') AT TIME ZONE 'UTC';
  part text        := 'temporal_instances_p' || to_char(lo, 'YYYYMM');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- Two writers needing the same new month: the second waits here, then finds the partition.
  PERFORM pg_advisory_xact_lock(7253002);
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- CREATE + ATTACH rather than CREATE ... PARTITION OF: ATTACH does not lock out readers of the parent.
  EXECUTE format('CREATE TABLE %I (LIKE temporal_instances INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXECUTE format(
    'WITH moved AS (DELETE FROM temporal_instances_default WHERE ts >= %L AND ts < %L RETURNING *) '
    'INSERT INTO %I SELECT * FROM moved', lo_z, hi_z, part);
  EXECUTE format('ALTER TABLE temporal_instances ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    part, lo_z, hi_z);
  RETURN true;
END $$;

-- Start of the period of `months` months (counted from `origin`, in UTC) that holds `ts`. date_bin()
-- does the same for periods of days and less, but cannot count in months.
CREATE FUNCTION temporal_month_bin(months integer, ts timestamptz, origin timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN b > ts
    THEN ((origin AT TIME ZONE 'UTC') + make_interval(months => (k - 1) * months)) AT TIME ZONE 'UTC'
    ELSE b END
  FROM (
    SELECT k, ((origin AT TIME ZONE 'UTC') + make_interval(months => k * months)) AT TIME ZONE 'UTC' AS b
    FROM (
      SELECT floor((
        (extract(year FROM ts AT TIME ZONE 'UTC') - extract(year FROM origin AT TIME ZONE 'UTC')) * 12
        + extract(month FROM ts AT TIME ZONE 'UTC') - extract(month FROM origin AT TIME ZONE 'UTC')
      ) / months)::integer AS k
    ) a
  ) c
$$;

-- How long history is kept. tenant '*' applies to every tenant; entity_type '' (the default) to every
-- type. The most specific rule wins: (tenant, type) > ('*', type) > (tenant, '') > ('*', '').
-- Entities no rule covers keep their history forever.
CREATE TABLE temporal_retention (
  tenant      text     NOT NULL,
  entity_type text     NOT NULL DEFAULT '',  -- expanded type IRI, or '' for every type
  keep        interval NOT NULL CHECK (keep > interval '0'),
  PRIMARY KEY (tenant, entity_type)
);

-- Deletes the history older than its retention as of `now_ts`. Monthly partitions entirely older than the
-- longest retention are dropped whole when a global rule ('*', '') exists (every row in them is then
-- expired); otherwise expired rows are deleted. Returns the number of rows deleted and the partitions
-- dropped (their rows are not counted).
CREATE FUNCTION temporal_apply_retention(now_ts timestamptz DEFAULT now())
RETURNS TABLE (deleted_instances bigint, dropped_partitions text[])
LANGUAGE plpgsql AS $$
DECLARE
  global_keep interval;
  longest     interval;
  shortest    interval;
  r           record;
  dropped     text[] := '{}';
  n           bigint := 0;
BEGIN
  SELECT x.keep INTO global_keep FROM temporal_retention x WHERE x.tenant = '*' AND x.entity_type = '';
  SELECT max(x.keep), min(x.keep) INTO longest, shortest FROM temporal_retention x;
  IF shortest IS NULL THEN
    RETURN QUERY SELECT 0::bigint, dropped;
    RETURN;
  END IF;
  IF global_keep IS NOT NULL THEN
    FOR r IN
      SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'temporal_instances'::regclass AND c.relname ~ '^temporal_instances_p[0-9]{6}$'
       ORDER BY 1
    LOOP
      IF (to_date(substr(r.name, 21), 'YYYYMM') + interval '1 month') AT TIME ZONE 'UTC' <= now_ts - longest THEN
        EXECUTE format('DROP TABLE %I', r.name);
        dropped := dropped || r.name;
      END IF;
    END LOOP;
  END IF;
  -- `ts < now_ts - shortest` is a constant bound: partition pruning skips every month no rule can expire.
  WITH x AS (
    SELECT t.tenant, t.id,
           (SELECT rr.keep FROM temporal_retention rr
             WHERE rr.tenant IN (t.tenant, '*') AND (rr.entity_type = '' OR rr.entity_type = ANY (t.types))
             ORDER BY (rr.entity_type <> '') DESC, (rr.tenant <> '*') DESC, rr.keep DESC
             LIMIT 1) AS keep
      FROM temporal_entities t
  ), d AS (
    DELETE FROM temporal_instances i USING x
     WHERE x.keep IS NOT NULL AND i.tenant = x.tenant AND i.entity_id = x.id
       AND i.ts < now_ts - shortest AND i.ts < now_ts - x.keep
    RETURNING 1
  )
  SELECT count(*) INTO n FROM d;
  -- Entities gone from the current state whose whole history has expired are forgotten.
  DELETE FROM temporal_entities t
   WHERE t.deleted_at IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM temporal_instances i WHERE i.tenant = t.tenant AND i.entity_id = t.id);
  RETURN QUERY SELECT n, dropped;
END $$;
