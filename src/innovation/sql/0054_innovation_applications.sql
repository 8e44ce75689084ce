-- Calls for projects: eligibility rules checked at submission, files attached to applications, and the
-- e-mails sent to applicants about the decision (src/innovation/README.md).

ALTER TABLE inv_calls ADD COLUMN eligibility jsonb NOT NULL DEFAULT '[]';

CREATE TABLE inv_attachments (
  id             uuid PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES inv_applications (id) ON DELETE CASCADE,
  -- The form field (of type file) it answers.
  field          text NOT NULL,
  filename       text NOT NULL,
  content_type   text NOT NULL,
  size           integer NOT NULL,
  sha256         text NOT NULL,
  content        bytea NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_id, field)
);

CREATE TABLE inv_notifications (
  id             bigserial PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES inv_applications (id) ON DELETE CASCADE,
  kind           text NOT NULL,
  -- SHA-256 of what was said (status and feedback): the same decision is not sent twice.
  digest         text NOT NULL,
  recipient      text,
  outcome        text NOT NULL CHECK (outcome IN ('sent', 'written', 'failed', 'no-address')),
  detail         text,
  sent_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_notifications_application ON inv_notifications (application_id, sent_at);
