-- A community's workspace (src/innovation/README.md, "Community workspace"): roadmap milestones, shared
-- resources (links and files), discussion threads with posts.

CREATE TABLE inv_milestones (
  id           uuid PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES inv_communities (id) ON DELETE CASCADE,
  title        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  due_date     date,
  status       text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in-progress', 'done', 'dropped')),
  position     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_milestones_community ON inv_milestones (community_id, position, due_date);

CREATE TABLE inv_resources (
  id           uuid PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES inv_communities (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('link', 'file')),
  title        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  visibility   text NOT NULL DEFAULT 'members' CHECK (visibility IN ('public', 'members')),
  url          text,
  filename     text,
  content_type text,
  size         integer,
  sha256       text,
  content      bytea,
  created_by   uuid NOT NULL,
  author_name  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'link' AND url IS NOT NULL) OR (kind = 'file' AND content IS NOT NULL))
);
CREATE INDEX inv_resources_community ON inv_resources (community_id, created_at);

CREATE TABLE inv_threads (
  id           uuid PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES inv_communities (id) ON DELETE CASCADE,
  title        text NOT NULL,
  created_by   uuid NOT NULL,
  author_name  text NOT NULL,
  locked       boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_post_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_threads_community ON inv_threads (community_id, last_post_at DESC);

CREATE TABLE inv_posts (
  id          uuid PRIMARY KEY,
  thread_id   uuid NOT NULL REFERENCES inv_threads (id) ON DELETE CASCADE,
  author_id   uuid NOT NULL,
  author_name text NOT NULL,
  body        text NOT NULL,
  seq         bigserial,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inv_posts_thread ON inv_posts (thread_id, seq);
