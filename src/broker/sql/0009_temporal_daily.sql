-- Daily summaries of the numeric history, so that aggregating a month of 1,000 entities reads 30,000 rows
-- instead of 1,000,000 (see src/broker/temporal/README.md, "Aggregation"). One row per tenant, entity,
-- attribute, datasetId and UTC day holding at least one instance (deletion records are not counted).
-- Kept exact by statement-level triggers on temporal_instances, whatever writes to it (statements on the
-- parent table; moving rows between its partitions changes no day).
CREATE TABLE temporal_daily (
  tenant     text        NOT NULL,
  entity_id  text        NOT NULL,
  attr       text        NOT NULL,
  dataset_id text        NOT NULL,
  day        timestamptz NOT NULL,   -- 00:00 UTC
  n          integer     NOT NULL,   -- instances
  nnum       integer     NOT NULL,   -- instances with a numeric value
  sum        float8      NOT NULL,   -- over numeric values (0 when none)
  sumsq      float8      NOT NULL,
  min        float8,
  max        float8,
  PRIMARY KEY (tenant, entity_id, attr, dataset_id, day)
);

CREATE FUNCTION temporal_daily_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO temporal_daily AS d (tenant, entity_id, attr, dataset_id, day, n, nnum, sum, sumsq, min, max)
  SELECT r.tenant, r.entity_id, r.attr, r.dataset_id, date_trunc('day', r.ts, 'UTC'), count(*), count(r.num),
         COALESCE(sum(r.num), 0), COALESCE(sum(r.num * r.num), 0), min(r.num), max(r.num)
    FROM new_rows r
   WHERE r.deleted_at IS NULL
   GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (tenant, entity_id, attr, dataset_id, day) DO UPDATE SET
    n = d.n + EXCLUDED.n, nnum = d.nnum + EXCLUDED.nnum, sum = d.sum + EXCLUDED.sum,
    sumsq = d.sumsq + EXCLUDED.sumsq, min = LEAST(d.min, EXCLUDED.min), max = GREATEST(d.max, EXCLUDED.max);
  RETURN NULL;
END $$;

-- Updates and deletes recompute, from the instances, the days they touched (old and new times).
CREATE FUNCTION temporal_daily_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM temporal_daily d
   USING (SELECT DISTINCT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') AS day FROM old_rows) k
   WHERE d.tenant = k.tenant AND d.entity_id = k.entity_id AND d.attr = k.attr AND d.dataset_id = k.dataset_id
     AND d.day = k.day;
  INSERT INTO temporal_daily (tenant, entity_id, attr, dataset_id, day, n, nnum, sum, sumsq, min, max)
  SELECT k.tenant, k.entity_id, k.attr, k.dataset_id, k.day, count(*), count(i.num),
         COALESCE(sum(i.num), 0), COALESCE(sum(i.num * i.num), 0), min(i.num), max(i.num)
    FROM (SELECT DISTINCT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') AS day FROM old_rows) k
    JOIN temporal_instances i
      ON i.tenant = k.tenant AND i.entity_id = k.entity_id AND i.attr = k.attr AND i.dataset_id = k.dataset_id
     AND i.ts >= k.day AND i.ts < k.day + interval '24 hours'
   WHERE i.deleted_at IS NULL
   GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE FUNCTION temporal_daily_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM temporal_daily d
   USING (SELECT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') AS day FROM old_rows
          UNION SELECT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') FROM new_rows) k
   WHERE d.tenant = k.tenant AND d.entity_id = k.entity_id AND d.attr = k.attr AND d.dataset_id = k.dataset_id
     AND d.day = k.day;
  INSERT INTO temporal_daily (tenant, entity_id, attr, dataset_id, day, n, nnum, sum, sumsq, min, max)
  SELECT k.tenant, k.entity_id, k.attr, k.dataset_id, k.day, count(*), count(i.num),
         COALESCE(sum(i.num), 0), COALESCE(sum(i.num * i.num), 0), min(i.num), max(i.num)
    FROM (SELECT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') AS day FROM old_rows
          UNION SELECT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC') FROM new_rows) k
    JOIN temporal_instances i
      ON i.tenant = k.tenant AND i.entity_id = k.entity_id AND i.attr = k.attr AND i.dataset_id = k.dataset_id
     AND i.ts >= k.day AND i.ts < k.day + interval '24 hours'
   WHERE i.deleted_at IS NULL
   GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;

CREATE TRIGGER temporal_daily_insert AFTER INSERT ON temporal_instances
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION temporal_daily_add();
CREATE TRIGGER temporal_daily_delete AFTER DELETE ON temporal_instances
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION temporal_daily_deleted();
CREATE TRIGGER temporal_daily_update AFTER UPDATE ON temporal_instances
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION temporal_daily_updated();

-- History recorded before this migration.
INSERT INTO temporal_daily (tenant, entity_id, attr, dataset_id, day, n, nnum, sum, sumsq, min, max)
SELECT tenant, entity_id, attr, dataset_id, date_trunc('day', ts, 'UTC'), count(*), count(num),
       COALESCE(sum(num), 0), COALESCE(sum(num * num), 0), min(num), max(num)
  FROM temporal_instances
 WHERE deleted_at IS NULL
 GROUP BY 1, 2, 3, 4, 5;

-- Retention as in 0002_temporal.sql, also forgetting the summaries of the monthly partitions it drops.
CREATE OR REPLACE FUNCTION temporal_apply_retention(now_ts timestamptz DEFAULT now())
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
        -- The daily summaries of that month go with it (dropping a table fires no trigger).
        DELETE FROM temporal_daily d
         WHERE d.day >= to_date(substr(r.name, 21), 'YYYYMM')::timestamp AT TIME ZONE 'UTC'
           AND d.day < (to_date(substr(r.name, 21), 'YYYYMM') + interval '1 month') AT TIME ZONE 'UTC';
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
