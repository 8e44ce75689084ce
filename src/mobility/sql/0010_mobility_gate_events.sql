-- Truck gate events of the terminals (src/mobility/gates.ts). Plates are never stored: plate_hash is
-- HMAC-SHA256(ESCALE_PLATE_KEY, normalised plate) in hex, a pseudonym that pairs a gate-in with its gate-out.
CREATE TABLE mobility_gate_events (
  tenant text NOT NULL DEFAULT '',
  -- The sender's event id (scoped by terminal), or a digest of the event: re-sent events are ignored.
  event_id text NOT NULL,
  terminal text NOT NULL,
  lane text,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  plate_hash text NOT NULL,
  at timestamptz NOT NULL,
  source text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, event_id)
);

-- Pairing a truck's gate-in with its next gate-out, and hourly statistics per terminal.
CREATE INDEX mobility_gate_events_truck ON mobility_gate_events (tenant, terminal, plate_hash, at);
CREATE INDEX mobility_gate_events_time ON mobility_gate_events (tenant, terminal, at);
