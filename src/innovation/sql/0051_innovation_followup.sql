-- Calls hand their selected applications to the Observatory (src/innovation/README.md, "Observatory link"):
-- per call, the action and follow-up indicators of the projects; per application, the project it became.

ALTER TABLE inv_calls ADD COLUMN observatory jsonb NOT NULL DEFAULT '{}';
-- When the call left the draft phase (the figures count calls launched per period).
ALTER TABLE inv_calls ADD COLUMN opened_at timestamptz;
UPDATE inv_calls SET opened_at = created_at WHERE phase <> 'draft';
ALTER TABLE inv_applications ADD COLUMN observatory_project_id uuid;
