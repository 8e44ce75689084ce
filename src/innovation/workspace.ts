import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import { decodeFile, type FileUpload, type StoredFile } from './files.js';
import { notFoundP } from './service.js';

/** A community's workspace: roadmap milestones, shared resources, discussion threads, attendance over time. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const day = (v: unknown): string | null =>
  v == null ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

// ---- roadmap ----

export const MILESTONE_STATUSES = ['planned', 'in-progress', 'done', 'dropped'] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

export interface MilestoneInput {
  title: string;
  description?: string;
  dueDate?: string | null;
  status?: MilestoneStatus;
  position?: number;
}
export interface MilestoneOut {
  id: string;
  communityId: string;
  title: string;
  description: string;
  dueDate: string | null;
  status: MilestoneStatus;
  position: number;
  updatedAt: string;
}

const milestoneOut = (r: Row): MilestoneOut => ({
  id: String(r.id),
  communityId: String(r.community_id),
  title: String(r.title),
  description: String(r.description),
  dueDate: day(r.due_date),
  status: r.status as MilestoneStatus,
  position: Number(r.position),
  updatedAt: iso(r.updated_at),
});

/** At most this many milestones per community (a roadmap, not a task tracker). */
export const MAX_MILESTONES = 200;

export async function addMilestone(db: Db, communityId: string, m: MilestoneInput): Promise<MilestoneOut> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM inv_communities WHERE id = $1 FOR UPDATE', [communityId]);
    const n = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inv_milestones WHERE community_id = $1',
      [communityId],
    );
    if (Number(n.rows[0].n) >= MAX_MILESTONES)
      throw new ProblemError('BadRequestData', `a roadmap has at most ${MAX_MILESTONES} milestones`);
    const id = randomUUID();
    await tx.query(
      `INSERT INTO inv_milestones (id, community_id, title, description, due_date, status, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        communityId,
        m.title,
        m.description ?? '',
        m.dueDate ?? null,
        m.status ?? 'planned',
        m.position ?? 0,
      ],
    );
    return mustMilestone(tx, id);
  });
}

export async function mustMilestone(db: Queryable, id: string): Promise<MilestoneOut> {
  const r = await db.query<Row>('SELECT * FROM inv_milestones WHERE id = $1', [id]);
  if (!r.rows[0]) throw notFoundP('milestone');
  return milestoneOut(r.rows[0]);
}

export async function roadmap(db: Queryable, communityId: string): Promise<MilestoneOut[]> {
  const r = await db.query<Row>(
    'SELECT * FROM inv_milestones WHERE community_id = $1 ORDER BY position, due_date NULLS LAST, created_at, id',
    [communityId],
  );
  return r.rows.map(milestoneOut);
}

export async function updateMilestone(db: Db, id: string, m: Partial<MilestoneInput>): Promise<MilestoneOut> {
  const before = await mustMilestone(db, id);
  const x = { ...before, ...m };
  await db.query(
    `UPDATE inv_milestones SET title = $2, description = $3, due_date = $4, status = $5, position = $6,
       updated_at = now() WHERE id = $1`,
    [id, x.title, x.description, x.dueDate ?? null, x.status, x.position],
  );
  return mustMilestone(db, id);
}

export async function deleteMilestone(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM inv_milestones WHERE id = $1', [id]);
}

// ---- resources ----

export interface ResourceOut {
  id: string;
  communityId: string;
  kind: 'link' | 'file';
  title: string;
  description: string;
  visibility: 'public' | 'members';
  url: string | null;
  file: { filename: string; contentType: string; size: number; sha256: string } | null;
  author: { userId: string; name: string };
  createdAt: string;
}

const resourceOut = (r: Row): ResourceOut => ({
  id: String(r.id),
  communityId: String(r.community_id),
  kind: r.kind as ResourceOut['kind'],
  title: String(r.title),
  description: String(r.description),
  visibility: r.visibility as ResourceOut['visibility'],
  url: (r.url as string | null) ?? null,
  file:
    r.kind === 'file'
      ? {
          filename: String(r.filename),
          contentType: String(r.content_type),
          size: Number(r.size),
          sha256: String(r.sha256),
        }
      : null,
  author: { userId: String(r.created_by), name: String(r.author_name) },
  createdAt: iso(r.created_at),
});
const RESOURCE_COLS =
  'id, community_id, kind, title, description, visibility, url, filename, content_type, size, sha256, created_by, author_name, created_at';

/** Files per community, and their total size (the database is not a file server). */
export const MAX_COMMUNITY_FILES = 200;
export const MAX_COMMUNITY_BYTES = 100 * 1024 * 1024;

export interface ResourceInput {
  title: string;
  description?: string;
  visibility?: 'public' | 'members';
  url?: string;
  file?: FileUpload;
}

export async function addResource(
  db: Db,
  communityId: string,
  author: { userId: string; name: string },
  input: ResourceInput,
): Promise<ResourceOut> {
  if (!input.url === !input.file) throw new ProblemError('BadRequestData', 'give either a url or a file');
  const file: StoredFile | undefined = input.file ? decodeFile(input.file) : undefined;
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM inv_communities WHERE id = $1 FOR UPDATE', [communityId]);
    if (file) {
      const u = await tx.query<{ n: number; bytes: number }>(
        `SELECT count(*)::int AS n, coalesce(sum(size), 0)::bigint AS bytes FROM inv_resources
          WHERE community_id = $1 AND kind = 'file'`,
        [communityId],
      );
      if (Number(u.rows[0].n) >= MAX_COMMUNITY_FILES)
        throw new ProblemError('BadRequestData', `a community keeps at most ${MAX_COMMUNITY_FILES} files`);
      if (Number(u.rows[0].bytes) + file.size > MAX_COMMUNITY_BYTES)
        throw new ProblemError(
          'PayloadTooLarge',
          `a community keeps at most ${MAX_COMMUNITY_BYTES} bytes of files`,
        );
    }
    const id = randomUUID();
    await tx.query(
      `INSERT INTO inv_resources (id, community_id, kind, title, description, visibility, url, filename, content_type,
         size, sha256, content, created_by, author_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        id,
        communityId,
        file ? 'file' : 'link',
        input.title,
        input.description ?? '',
        input.visibility ?? 'members',
        input.url ?? null,
        file?.filename ?? null,
        file?.contentType ?? null,
        file?.size ?? null,
        file?.sha256 ?? null,
        file?.bytes ?? null,
        author.userId,
        author.name,
      ],
    );
    return mustResource(tx, id);
  });
}

export async function mustResource(db: Queryable, id: string): Promise<ResourceOut> {
  const r = await db.query<Row>(`SELECT ${RESOURCE_COLS} FROM inv_resources WHERE id = $1`, [id]);
  if (!r.rows[0]) throw notFoundP('resource');
  return resourceOut(r.rows[0]);
}

export async function resourceContent(db: Queryable, id: string): Promise<Buffer> {
  const r = await db.query<{ content: Uint8Array }>('SELECT content FROM inv_resources WHERE id = $1', [id]);
  if (!r.rows[0]?.content) throw notFoundP('file');
  return Buffer.from(r.rows[0].content);
}

export async function listResources(
  db: Queryable,
  communityId: string,
  membersToo: boolean,
  limit: number,
  offset: number,
): Promise<{ items: ResourceOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT ${RESOURCE_COLS}, count(*) OVER () AS total FROM inv_resources
      WHERE community_id = $1 AND (visibility = 'public' OR $2::boolean)
      ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
    [communityId, membersToo, limit, offset],
  );
  return { items: r.rows.map(resourceOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function deleteResource(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM inv_resources WHERE id = $1', [id]);
}

// ---- discussion ----

export interface ThreadOut {
  id: string;
  communityId: string;
  title: string;
  author: { userId: string; name: string };
  locked: boolean;
  posts: number;
  createdAt: string;
  lastPostAt: string;
}
export interface PostOut {
  id: string;
  threadId: string;
  author: { userId: string; name: string };
  body: string;
  createdAt: string;
}

const threadOut = (r: Row): ThreadOut => ({
  id: String(r.id),
  communityId: String(r.community_id),
  title: String(r.title),
  author: { userId: String(r.created_by), name: String(r.author_name) },
  locked: Boolean(r.locked),
  posts: Number(r.posts ?? 0),
  createdAt: iso(r.created_at),
  lastPostAt: iso(r.last_post_at),
});
const postOut = (r: Row): PostOut => ({
  id: String(r.id),
  threadId: String(r.thread_id),
  author: { userId: String(r.author_id), name: String(r.author_name) },
  body: String(r.body),
  createdAt: iso(r.created_at),
});
const THREAD_SELECT = `SELECT t.*, (SELECT count(*) FROM inv_posts p WHERE p.thread_id = t.id) AS posts FROM inv_threads t`;

/** A thread starts with its first post. */
export async function startThread(
  db: Db,
  communityId: string,
  author: { userId: string; name: string },
  title: string,
  body: string,
): Promise<ThreadOut> {
  return db.transaction(async (tx) => {
    const id = randomUUID();
    await tx.query(
      'INSERT INTO inv_threads (id, community_id, title, created_by, author_name) VALUES ($1, $2, $3, $4, $5)',
      [id, communityId, title, author.userId, author.name],
    );
    await tx.query(
      'INSERT INTO inv_posts (id, thread_id, author_id, author_name, body) VALUES ($1, $2, $3, $4, $5)',
      [randomUUID(), id, author.userId, author.name, body],
    );
    return mustThread(tx, id);
  });
}

export async function mustThread(db: Queryable, id: string): Promise<ThreadOut> {
  const r = await db.query<Row>(`${THREAD_SELECT} WHERE t.id = $1`, [id]);
  if (!r.rows[0]) throw notFoundP('thread');
  return threadOut(r.rows[0]);
}

export async function listThreads(
  db: Queryable,
  communityId: string,
  limit: number,
  offset: number,
): Promise<{ items: ThreadOut[]; total: number }> {
  const r = await db.query<Row>(
    `${THREAD_SELECT.replace('FROM inv_threads t', ', count(*) OVER () AS total FROM inv_threads t')}
      WHERE t.community_id = $1 ORDER BY t.last_post_at DESC, t.id LIMIT $2 OFFSET $3`,
    [communityId, limit, offset],
  );
  return { items: r.rows.map(threadOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function setThreadLocked(db: Db, id: string, locked: boolean): Promise<ThreadOut> {
  await db.query('UPDATE inv_threads SET locked = $2 WHERE id = $1', [id, locked]);
  return mustThread(db, id);
}

export async function addPost(
  db: Db,
  threadId: string,
  author: { userId: string; name: string },
  body: string,
): Promise<PostOut> {
  return db.transaction(async (tx) => {
    const t = await tx.query<Row>('SELECT locked FROM inv_threads WHERE id = $1 FOR UPDATE', [threadId]);
    if (!t.rows[0]) throw notFoundP('thread');
    if (t.rows[0].locked) throw new ProblemError('OperationNotSupported', 'the thread is locked');
    const id = randomUUID();
    await tx.query(
      'INSERT INTO inv_posts (id, thread_id, author_id, author_name, body) VALUES ($1, $2, $3, $4, $5)',
      [id, threadId, author.userId, author.name, body],
    );
    await tx.query('UPDATE inv_threads SET last_post_at = now() WHERE id = $1', [threadId]);
    const r = await tx.query<Row>('SELECT * FROM inv_posts WHERE id = $1', [id]);
    return postOut(r.rows[0]);
  });
}

export async function listPosts(
  db: Queryable,
  threadId: string,
  limit: number,
  offset: number,
): Promise<{ items: PostOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_posts WHERE thread_id = $1 ORDER BY seq LIMIT $2 OFFSET $3`,
    [threadId, limit, offset],
  );
  return { items: r.rows.map(postOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function mustPost(db: Queryable, id: string): Promise<PostOut & { communityId: string }> {
  const r = await db.query<Row>(
    'SELECT p.*, t.community_id FROM inv_posts p JOIN inv_threads t ON t.id = p.thread_id WHERE p.id = $1',
    [id],
  );
  if (!r.rows[0]) throw notFoundP('post');
  return { ...postOut(r.rows[0]), communityId: String(r.rows[0].community_id) };
}

export async function deletePost(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM inv_posts WHERE id = $1', [id]);
}

// ---- attendance over time ----

export interface AttendancePoint {
  /** YYYY-MM (UTC). */
  month: string;
  events: number;
  registered: number;
  attended: number;
}

/**
 * Monthly attendance of a community's events (by the month they start), cancelled events left out; months
 * without events appear with zeros between the first and the last.
 */
export async function attendanceSeries(
  db: Queryable,
  communityId: string,
  range: { from?: string; to?: string } = {},
): Promise<AttendancePoint[]> {
  const r = await db.query<Row>(
    `SELECT to_char(date_trunc('month', e.starts_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
            count(DISTINCT e.id) AS events,
            count(g.user_id) FILTER (WHERE g.status = 'registered') AS registered,
            count(g.user_id) FILTER (WHERE g.attended) AS attended
       FROM inv_events e LEFT JOIN inv_registrations g ON g.event_id = e.id
      WHERE e.community_id = $1 AND e.status = 'scheduled'
        AND ($2::timestamptz IS NULL OR e.starts_at >= $2) AND ($3::timestamptz IS NULL OR e.starts_at < $3)
      GROUP BY 1 ORDER BY 1`,
    [communityId, range.from ?? null, range.to ?? null],
  );
  const got = new Map(
    r.rows.map((x) => [
      String(x.month),
      {
        month: String(x.month),
        events: Number(x.events),
        registered: Number(x.registered),
        attended: Number(x.attended),
      },
    ]),
  );
  if (got.size === 0) return [];
  const months = [...got.keys()];
  const out: AttendancePoint[] = [];
  let [y, m] = months[0].split('-').map(Number);
  const last = months[months.length - 1];
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(got.get(key) ?? { month: key, events: 0, registered: 0, attended: 0 });
    if (key === last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
