-- Projects created from other capabilities (an application selected by an innovation call...): where each came
-- from, so that creating it again returns the same project, and the indicators chosen to follow it.

CREATE TABLE obs_project_sources (
  project_id  uuid PRIMARY KEY REFERENCES obs_projects (id) ON DELETE CASCADE,
  source_kind text NOT NULL,
  -- The source's own reference, e.g. '<callId>/<applicationId>' for an innovation application.
  source_ref  text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_kind, source_ref)
);

-- Follow-up indicators of a project: those its lead is expected to report on.
CREATE TABLE obs_project_indicators (
  project_id   uuid NOT NULL REFERENCES obs_projects (id) ON DELETE CASCADE,
  indicator_id uuid NOT NULL REFERENCES obs_indicators (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, indicator_id)
);
CREATE INDEX obs_project_indicators_indicator ON obs_project_indicators (indicator_id);
