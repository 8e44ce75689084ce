-- Reminders of events to the people registered (src/innovation/README.md, "Reminders"): how long before the
-- start, and who was reminded of which version of the event (a rescheduled event is reminded again).

ALTER TABLE inv_events ADD COLUMN reminder_hours integer DEFAULT 24
  CHECK (reminder_hours IS NULL OR (reminder_hours >= 1 AND reminder_hours <= 336));

CREATE TABLE inv_event_reminders (
  event_id uuid NOT NULL REFERENCES inv_events (id) ON DELETE CASCADE,
  user_id  uuid NOT NULL,
  sequence integer NOT NULL,
  outcome  text NOT NULL DEFAULT 'pending',
  detail   text,
  sent_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id, sequence)
);
