-- The programme's partners directory and the knowledge base of good practices and benchmarks
-- (src/innovation/README.md, "Partners" and "Knowledge base").

CREATE TABLE inv_partners (
  id            uuid PRIMARY KEY,
  slug          text NOT NULL UNIQUE,
  name          text NOT NULL,
  -- The partner's platform organisation (governance), when it has one: its editors maintain the entry.
  org_id        uuid,
  sector        text NOT NULL,
  size          text CHECK (size IN ('micro', 'small', 'medium', 'large')),
  roles         text[] NOT NULL DEFAULT '{}',
  description   text NOT NULL DEFAULT '',
  city          text,
  website       text,
  -- Public contact only (a generic address or desk), shown to anyone.
  contact       jsonb NOT NULL DEFAULT '{}',
  -- Project names as the partner lists them; the Observatory's projects are added when read.
  projects      text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_partners_sector ON inv_partners (sector, name);

CREATE TABLE inv_practices (
  id            uuid PRIMARY KEY,
  slug          text NOT NULL UNIQUE,
  kind          text NOT NULL CHECK (kind IN ('good-practice', 'benchmark', 'tool', 'case-study')),
  title         text NOT NULL,
  summary_fr    text NOT NULL DEFAULT '',
  summary_en    text NOT NULL DEFAULT '',
  city          text,
  country       text,
  year          integer,
  tags          text[] NOT NULL DEFAULT '{}',
  links         jsonb NOT NULL DEFAULT '[]',
  community_ids uuid[] NOT NULL DEFAULT '{}',
  call_ids      uuid[] NOT NULL DEFAULT '{}',
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_practices_tags ON inv_practices USING gin (tags);
