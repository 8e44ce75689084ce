-- The Innovation and Smart Port City Observatory: programme model (programme → topics → actions → projects),
-- indicators, values, collection campaigns with personal links, reminders, attachments, and the change history.

CREATE TABLE obs_programmes (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name_fr text NOT NULL,
  name_en text NOT NULL,
  description text,
  start_year integer NOT NULL,
  end_year integer NOT NULL,
  budget numeric,
  -- A value departing from its target by more than this share needs a comment (0.25 = 25 %).
  deviation_threshold double precision NOT NULL DEFAULT 0.25,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE obs_topics (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  code text NOT NULL,
  name_fr text NOT NULL,
  name_en text NOT NULL,
  description text,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, code)
);

CREATE TABLE obs_actions (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  topic_id uuid NOT NULL REFERENCES obs_topics (id) ON DELETE CASCADE,
  code text NOT NULL,
  name_fr text NOT NULL,
  name_en text NOT NULL,
  description text,
  lead_organisation text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, code)
);

CREATE TABLE obs_projects (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  action_id uuid NOT NULL REFERENCES obs_actions (id) ON DELETE CASCADE,
  code text NOT NULL,
  name text NOT NULL,
  description text,
  lead_organisation text NOT NULL,
  -- The governance organisation of the lead, when it has one on the platform.
  lead_org_id uuid,
  contact_name text,
  contact_email text,
  partners jsonb NOT NULL DEFAULT '[]',
  budget numeric,
  funding jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'planned',
  milestones jsonb NOT NULL DEFAULT '[]',
  lon double precision,
  lat double precision,
  public boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, code)
);
CREATE INDEX obs_projects_action ON obs_projects (action_id);

CREATE TABLE obs_indicators (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  action_id uuid REFERENCES obs_actions (id) ON DELETE SET NULL,
  code text NOT NULL,
  name_fr text NOT NULL,
  name_en text NOT NULL,
  definition_fr text,
  definition_en text,
  level text NOT NULL,
  unit text,
  value_type text NOT NULL,
  aggregation text NOT NULL DEFAULT 'sum',
  period_aggregation text NOT NULL DEFAULT 'sum',
  periodicity text NOT NULL DEFAULT 'yearly',
  direction text NOT NULL DEFAULT 'increase',
  baseline jsonb,
  targets jsonb NOT NULL DEFAULT '[]',
  disaggregations jsonb NOT NULL DEFAULT '[]',
  source jsonb NOT NULL DEFAULT '{"kind":"entered"}',
  min_value double precision,
  max_value double precision,
  required boolean NOT NULL DEFAULT true,
  public boolean NOT NULL DEFAULT true,
  key boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, code)
);

-- Consistency rules between indicators of one project and period, DHIS2-style: left operator right.
CREATE TABLE obs_rules (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  left_expr text NOT NULL,
  operator text NOT NULL,
  right_expr text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE obs_campaigns (
  id uuid PRIMARY KEY,
  programme_id uuid NOT NULL REFERENCES obs_programmes (id) ON DELETE CASCADE,
  name text NOT NULL,
  period text NOT NULL,
  opens_at timestamptz,
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  reminder_interval_hours integer NOT NULL DEFAULT 168,
  max_reminders integer NOT NULL DEFAULT 3,
  created_by text,
  launched_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One expected report: a project of a campaign with its chosen indicators.
CREATE TABLE obs_responses (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES obs_campaigns (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES obs_projects (id) ON DELETE CASCADE,
  indicator_ids uuid[] NOT NULL,
  email text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  -- Incremented to revoke the links sent so far.
  token_version integer NOT NULL DEFAULT 1,
  invited_at timestamptz,
  submitted_at timestamptz,
  reviewed_at timestamptz,
  reviewed_by text,
  review_comment text,
  UNIQUE (campaign_id, project_id)
);

CREATE TABLE obs_messages (
  id bigserial PRIMARY KEY,
  response_id uuid NOT NULL REFERENCES obs_responses (id) ON DELETE CASCADE,
  kind text NOT NULL,
  recipient text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL,
  detail text
);
CREATE INDEX obs_messages_response ON obs_messages (response_id, sent_at);

-- Values: per indicator, project (NULL for programme-level values: formulas, data hub) and period.
CREATE TABLE obs_values (
  id uuid PRIMARY KEY,
  indicator_id uuid NOT NULL REFERENCES obs_indicators (id) ON DELETE CASCADE,
  project_id uuid REFERENCES obs_projects (id) ON DELETE CASCADE,
  period text NOT NULL,
  campaign_id uuid REFERENCES obs_campaigns (id) ON DELETE SET NULL,
  num_value double precision,
  numerator double precision,
  denominator double precision,
  text_value text,
  disaggregations jsonb NOT NULL DEFAULT '{}',
  comment text,
  status text NOT NULL DEFAULT 'draft',
  source text NOT NULL DEFAULT 'entered',
  updated_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX obs_values_key
  ON obs_values (indicator_id, coalesce(project_id, '00000000-0000-0000-0000-000000000000'::uuid), period);

CREATE TABLE obs_attachments (
  id uuid PRIMARY KEY,
  response_id uuid NOT NULL REFERENCES obs_responses (id) ON DELETE CASCADE,
  indicator_id uuid REFERENCES obs_indicators (id) ON DELETE SET NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Organisations whose members are observatory staff (besides platform administrators).
CREATE TABLE obs_staff_organisations (
  org_id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Who changed what, when: every create, update and delete of the objects above.
CREATE TABLE obs_history (
  seq bigserial PRIMARY KEY,
  kind text NOT NULL,
  object_id uuid NOT NULL,
  programme_id uuid,
  op text NOT NULL,
  actor text,
  at timestamptz NOT NULL DEFAULT now(),
  changes jsonb NOT NULL
);
CREATE INDEX obs_history_object ON obs_history (object_id, seq);
CREATE INDEX obs_history_programme ON obs_history (programme_id, seq);

-- The HS256 key of the personal answer links, generated once.
CREATE TABLE obs_secrets (
  name text PRIMARY KEY,
  value text NOT NULL
);
