-- Two transactions needing the same new month at once: the second waited on the advisory lock in
-- temporal_ensure_partition, then re-checked with to_regclass() — but an advisory lock does not make the
-- backend read the catalog invalidations the first one sent at commit, so the re-check could miss the new
-- partition and CREATE TABLE failed with duplicate_table (seen under concurrent batch upserts). The
-- partition is now also taken as existing when CREATE TABLE says so.
CREATE OR REPLACE FUNCTION temporal_ensure_partition(t timestamptz) RETURNS boolean
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
  BEGIN
    -- CREATE + ATTACH rather than CREATE ... PARTITION OF: ATTACH does not lock out readers of the parent.
    EXECUTE format('CREATE TABLE %I (LIKE temporal_instances INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXCEPTION WHEN duplicate_table THEN
    -- Created and attached by the transaction we waited for (it held the lock until it committed).
    RETURN false;
  END;
  EXECUTE format(
    'WITH moved AS (DELETE FROM temporal_instances_default WHERE ts >= %L AND ts < %L RETURNING *) '
    'INSERT INTO %I SELECT * FROM moved', lo_z, hi_z, part);
  EXECUTE format('ALTER TABLE temporal_instances ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    part, lo_z, hi_z);
  RETURN true;
END $$;
