-- Urban waste (src/waste): containers, their sensors and the fill readings they send.
-- The NGSI-LD WasteContainer entities live in the broker; these tables hold what planning and fault
-- detection need to read fast.
CREATE TABLE waste_containers (
  tenant text NOT NULL DEFAULT '',
  id text NOT NULL,                -- the WasteContainer entity id
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  capacity_l double precision NOT NULL DEFAULT 660,
  waste_kind text NOT NULL DEFAULT 'inorganic',
  -- latest trusted reading
  level double precision,
  level_at timestamptz,
  -- ok | stuck | jump | silent (set by fault detection)
  sensor_status text NOT NULL DEFAULT 'ok',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, id)
);

CREATE TABLE waste_devices (
  tenant text NOT NULL DEFAULT '',
  dev_eui text NOT NULL,           -- 16 hex digits, upper case
  container_id text NOT NULL,
  model text NOT NULL,             -- a decoder of src/waste/decoders.ts
  empty_distance_mm double precision,
  full_distance_mm double precision,
  PRIMARY KEY (tenant, dev_eui),
  FOREIGN KEY (tenant, container_id) REFERENCES waste_containers (tenant, id) ON DELETE CASCADE
);

CREATE TABLE waste_readings (
  tenant text NOT NULL DEFAULT '',
  container_id text NOT NULL,
  at timestamptz NOT NULL,
  level double precision NOT NULL,
  -- null when trusted; else why not (stuck | jump)
  fault text,
  source text NOT NULL,
  PRIMARY KEY (tenant, container_id, at),
  FOREIGN KEY (tenant, container_id) REFERENCES waste_containers (tenant, id) ON DELETE CASCADE
);

-- Collection plans (src/waste/planning.ts): the rounds as computed, for the drivers' exports.
CREATE TABLE waste_plans (
  tenant text NOT NULL DEFAULT '',
  id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  service_date date NOT NULL,
  plan jsonb NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX waste_plans_recent ON waste_plans (tenant, created_at DESC);
CREATE INDEX waste_readings_time ON waste_readings (tenant, at);
