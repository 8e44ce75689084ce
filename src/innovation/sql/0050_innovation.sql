-- Innovation hub (src/innovation/README.md): communities of practice, events, calls for projects with jury review.
-- Users and organisations are referenced by id only (governance owns them); display names are copied at the time
-- of the action so that no capability reads the governance tables.

CREATE TABLE inv_communities (
  id           uuid PRIMARY KEY,
  slug         text NOT NULL UNIQUE,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  org_id       uuid,
  join_policy  text NOT NULL DEFAULT 'approval' CHECK (join_policy IN ('open', 'approval')),
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inv_community_members (
  community_id uuid NOT NULL REFERENCES inv_communities (id) ON DELETE CASCADE,
  user_id      uuid NOT NULL,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('coordinator', 'contributor', 'member')),
  status       text NOT NULL CHECK (status IN ('pending', 'active', 'declined')),
  message      text,
  requested_at timestamptz NOT NULL DEFAULT now(),
  decided_at   timestamptz,
  PRIMARY KEY (community_id, user_id)
);
CREATE INDEX inv_community_members_user ON inv_community_members (user_id);

CREATE TABLE inv_events (
  id           uuid PRIMARY KEY,
  community_id uuid REFERENCES inv_communities (id) ON DELETE CASCADE,
  title        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  location     text,
  url          text,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  capacity     integer CHECK (capacity IS NULL OR capacity >= 0),
  status       text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  sequence     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at >= starts_at)
);
CREATE INDEX inv_events_start ON inv_events (starts_at, id);
CREATE INDEX inv_events_community ON inv_events (community_id, starts_at);

CREATE TABLE inv_registrations (
  event_id      uuid NOT NULL REFERENCES inv_events (id) ON DELETE CASCADE,
  user_id       uuid NOT NULL,
  name          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
  seq           bigint NOT NULL,
  attended      boolean,
  registered_at timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id)
);
CREATE SEQUENCE inv_registration_seq;

CREATE TABLE inv_calls (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('challenge', 'intrapreneurship', 'procurement')),
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  org_id      uuid NOT NULL,
  phase       text NOT NULL DEFAULT 'draft'
              CHECK (phase IN ('draft', 'open', 'review', 'selection', 'follow-up')),
  phases      jsonb NOT NULL DEFAULT '[]',
  form        jsonb NOT NULL DEFAULT '[]',
  criteria    jsonb NOT NULL DEFAULT '[]',
  blind       boolean NOT NULL DEFAULT false,
  deliberation text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inv_jurors (
  call_id uuid NOT NULL REFERENCES inv_calls (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  name    text NOT NULL,
  PRIMARY KEY (call_id, user_id)
);

CREATE TABLE inv_applications (
  id             uuid PRIMARY KEY,
  call_id        uuid NOT NULL REFERENCES inv_calls (id) ON DELETE CASCADE,
  applicant_id   uuid NOT NULL,
  applicant_name text NOT NULL,
  org_id         uuid,
  title          text NOT NULL,
  answers        jsonb NOT NULL DEFAULT '{}',
  status         text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'submitted', 'selected', 'rejected')),
  reference      text UNIQUE,
  digest         text,
  submitted_at   timestamptz,
  feedback       text,
  decided_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_applications_call ON inv_applications (call_id, status);
CREATE INDEX inv_applications_applicant ON inv_applications (applicant_id);

CREATE TABLE inv_conflicts (
  call_id        uuid NOT NULL REFERENCES inv_calls (id) ON DELETE CASCADE,
  juror_id       uuid NOT NULL,
  application_id uuid NOT NULL REFERENCES inv_applications (id) ON DELETE CASCADE,
  reason         text NOT NULL,
  declared_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (juror_id, application_id)
);

CREATE TABLE inv_reviews (
  application_id uuid NOT NULL REFERENCES inv_applications (id) ON DELETE CASCADE,
  juror_id       uuid NOT NULL,
  scores         jsonb NOT NULL,
  comment        text NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, juror_id)
);
