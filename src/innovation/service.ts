import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';

export type CommunityRole = 'coordinator' | 'contributor' | 'member';
export type MemberStatus = 'pending' | 'active' | 'declined';

export interface CommunityOut {
  id: string;
  slug: string;
  name: string;
  description: string;
  orgId: string | null;
  joinPolicy: 'open' | 'approval';
  coordinators: { userId: string; name: string }[];
  members: number;
  createdAt: string;
}

export interface MemberOut {
  userId: string;
  name: string;
  role: CommunityRole;
  status: MemberStatus;
  message: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

export interface EventOut {
  id: string;
  communityId: string | null;
  communityName: string | null;
  title: string;
  description: string;
  location: string | null;
  url: string | null;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  /** Hours before the start the people registered are reminded by e-mail; null: no reminder. */
  reminderHours: number | null;
  registered: number;
  waitlisted: number;
  attended: number;
  updatedAt: string;
}

export interface RegistrationOut {
  userId: string;
  name: string;
  status: 'registered' | 'waitlisted' | 'cancelled';
  /** 1-based place in the waiting list, when waitlisted. */
  waitlistPosition: number | null;
  attended: boolean | null;
  registeredAt: string;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v == null ? null : iso(v));

export const conflict = (detail: string) => new ProblemError('AlreadyExists', detail);
export const notFoundP = (what: string) => new ProblemError('ResourceNotFound', `${what} not found`);

// ---- communities ----

export interface CommunityCreate {
  slug: string;
  name: string;
  description?: string;
  orgId?: string;
  joinPolicy?: 'open' | 'approval';
}

export async function createCommunity(
  db: Db,
  input: CommunityCreate,
  coordinator: { userId: string; name: string } | null,
): Promise<CommunityOut> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    const r = await tx.query(
      `INSERT INTO inv_communities (id, slug, name, description, org_id, join_policy)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING`,
      [
        id,
        input.slug,
        input.name,
        input.description ?? '',
        input.orgId ?? null,
        input.joinPolicy ?? 'approval',
      ],
    );
    if (r.rowCount === 0) throw conflict(`a community with slug ${input.slug} exists`);
    if (coordinator) {
      await tx.query(
        `INSERT INTO inv_community_members (community_id, user_id, name, role, status, decided_at)
         VALUES ($1, $2, $3, 'coordinator', 'active', now())`,
        [id, coordinator.userId, coordinator.name],
      );
    }
  });
  return mustCommunity(db, id);
}

const COMMUNITY_SELECT = `SELECT c.*,
  (SELECT count(*) FROM inv_community_members m WHERE m.community_id = c.id AND m.status = 'active') AS members,
  (SELECT coalesce(json_agg(json_build_object('userId', m.user_id, 'name', m.name) ORDER BY m.name), '[]'::json)
     FROM inv_community_members m
    WHERE m.community_id = c.id AND m.status = 'active' AND m.role = 'coordinator') AS coordinators
  FROM inv_communities c`;

function communityOut(r: Row): CommunityOut {
  return {
    id: String(r.id),
    slug: String(r.slug),
    name: String(r.name),
    description: String(r.description),
    orgId: (r.org_id as string | null) ?? null,
    joinPolicy: r.join_policy as 'open' | 'approval',
    coordinators: (typeof r.coordinators === 'string' ? JSON.parse(r.coordinators) : r.coordinators) as {
      userId: string;
      name: string;
    }[],
    members: Number(r.members),
    createdAt: iso(r.created_at),
  };
}

export async function mustCommunity(db: Queryable, id: string): Promise<CommunityOut> {
  const r = await db.query<Row>(`${COMMUNITY_SELECT} WHERE c.id = $1`, [id]);
  if (!r.rows[0]) throw notFoundP('community');
  return communityOut(r.rows[0]);
}

export async function listCommunities(
  db: Db,
  q: string | undefined,
  limit: number,
  offset: number,
): Promise<{ items: CommunityOut[]; total: number }> {
  const where = q ? `WHERE c.name ILIKE $3 OR c.description ILIKE $3` : '';
  const params: unknown[] = [limit, offset];
  if (q) params.push(`%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM (${COMMUNITY_SELECT} ${where}) x ORDER BY name, id LIMIT $1 OFFSET $2`,
    params,
  );
  return { items: r.rows.map(communityOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function updateCommunity(
  db: Db,
  id: string,
  patch: { name?: string; description?: string; joinPolicy?: 'open' | 'approval' },
): Promise<CommunityOut> {
  await db.query(
    `UPDATE inv_communities SET name = coalesce($2, name), description = coalesce($3, description),
       join_policy = coalesce($4, join_policy) WHERE id = $1`,
    [id, patch.name ?? null, patch.description ?? null, patch.joinPolicy ?? null],
  );
  return mustCommunity(db, id);
}

export async function memberOf(
  db: Queryable,
  communityId: string,
  userId: string,
): Promise<MemberOut | undefined> {
  const r = await db.query<Row>(
    'SELECT * FROM inv_community_members WHERE community_id = $1 AND user_id = $2',
    [communityId, userId],
  );
  return r.rows[0] ? memberOut(r.rows[0]) : undefined;
}

function memberOut(r: Row): MemberOut {
  return {
    userId: String(r.user_id),
    name: String(r.name),
    role: r.role as CommunityRole,
    status: r.status as MemberStatus,
    message: (r.message as string | null) ?? null,
    requestedAt: iso(r.requested_at),
    decidedAt: isoOrNull(r.decided_at),
  };
}

/** A join request: active at once when the community is open, pending otherwise. Idempotent. */
export async function requestJoin(
  db: Db,
  communityId: string,
  user: { userId: string; name: string },
  message: string | undefined,
): Promise<MemberOut> {
  const c = await mustCommunity(db, communityId);
  const status: MemberStatus = c.joinPolicy === 'open' ? 'active' : 'pending';
  await db.query(
    `INSERT INTO inv_community_members (community_id, user_id, name, role, status, message, decided_at)
     VALUES ($1, $2, $3, 'member', $4::text, $5, CASE WHEN $4::text = 'active' THEN now() END)
     ON CONFLICT (community_id, user_id) DO UPDATE SET
       status = CASE WHEN inv_community_members.status = 'declined' THEN EXCLUDED.status
                     ELSE inv_community_members.status END,
       message = coalesce(EXCLUDED.message, inv_community_members.message),
       requested_at = CASE WHEN inv_community_members.status = 'declined' THEN now()
                     ELSE inv_community_members.requested_at END`,
    [communityId, user.userId, user.name, status, message ?? null],
  );
  return (await memberOf(db, communityId, user.userId)) as MemberOut;
}

export async function listMembers(
  db: Db,
  communityId: string,
  status: MemberStatus | undefined,
  limit: number,
  offset: number,
): Promise<{ items: MemberOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_community_members
      WHERE community_id = $1 AND ($2::text IS NULL OR status = $2)
      ORDER BY requested_at, user_id LIMIT $3 OFFSET $4`,
    [communityId, status ?? null, limit, offset],
  );
  return { items: r.rows.map(memberOut), total: Number(r.rows[0]?.total ?? 0) };
}

/** A coordinator's decision on a member: accept/decline a request, change a role. Keeps one coordinator. */
export async function setMember(
  db: Db,
  communityId: string,
  userId: string,
  change: { status?: MemberStatus; role?: CommunityRole },
): Promise<MemberOut> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM inv_communities WHERE id = $1 FOR UPDATE', [communityId]);
    const n = await coordinators(tx, communityId);
    if (!(await memberOf(tx, communityId, userId))) throw notFoundP('member');
    await tx.query(
      `UPDATE inv_community_members SET status = coalesce($3, status), role = coalesce($4, role),
         decided_at = CASE WHEN $3::text IS NULL THEN decided_at ELSE now() END
       WHERE community_id = $1 AND user_id = $2`,
      [communityId, userId, change.status ?? null, change.role ?? null],
    );
    await keepACoordinator(tx, communityId, n);
    return (await memberOf(tx, communityId, userId)) as MemberOut;
  });
}

export async function removeMember(db: Db, communityId: string, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT id FROM inv_communities WHERE id = $1 FOR UPDATE', [communityId]);
    const n = await coordinators(tx, communityId);
    const r = await tx.query('DELETE FROM inv_community_members WHERE community_id = $1 AND user_id = $2', [
      communityId,
      userId,
    ]);
    if (r.rowCount === 0) throw notFoundP('member');
    await keepACoordinator(tx, communityId, n);
  });
}

async function coordinators(tx: Queryable, communityId: string): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inv_community_members
      WHERE community_id = $1 AND role = 'coordinator' AND status = 'active'`,
    [communityId],
  );
  return Number(r.rows[0].n);
}

/** Refuses a change that removed the last active coordinator (seeded communities may start without one). */
async function keepACoordinator(tx: Queryable, communityId: string, before: number): Promise<void> {
  if (before > 0 && (await coordinators(tx, communityId)) === 0) {
    throw conflict('a community keeps at least one active coordinator');
  }
}

// ---- events ----

export interface EventCreate {
  title: string;
  description?: string;
  location?: string;
  url?: string;
  startsAt: string;
  endsAt: string;
  capacity?: number | null;
  reminderHours?: number | null;
}

const EVENT_SELECT = `SELECT e.*, c.name AS community_name,
  (SELECT count(*) FROM inv_registrations r WHERE r.event_id = e.id AND r.status = 'registered') AS registered,
  (SELECT count(*) FROM inv_registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted,
  (SELECT count(*) FROM inv_registrations r WHERE r.event_id = e.id AND r.attended) AS attended
  FROM inv_events e LEFT JOIN inv_communities c ON c.id = e.community_id`;

function eventOut(r: Row): EventOut {
  return {
    id: String(r.id),
    communityId: (r.community_id as string | null) ?? null,
    communityName: (r.community_name as string | null) ?? null,
    title: String(r.title),
    description: String(r.description),
    location: (r.location as string | null) ?? null,
    url: (r.url as string | null) ?? null,
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    capacity: r.capacity == null ? null : Number(r.capacity),
    status: r.status as 'scheduled' | 'cancelled',
    sequence: Number(r.sequence),
    reminderHours: r.reminder_hours == null ? null : Number(r.reminder_hours),
    registered: Number(r.registered),
    waitlisted: Number(r.waitlisted),
    attended: Number(r.attended),
    updatedAt: iso(r.updated_at),
  };
}

export async function createEvent(db: Db, communityId: string | null, e: EventCreate): Promise<EventOut> {
  if (Date.parse(e.endsAt) < Date.parse(e.startsAt)) {
    throw new ProblemError('BadRequestData', 'endsAt is before startsAt');
  }
  const id = randomUUID();
  await db.query(
    `INSERT INTO inv_events (id, community_id, title, description, location, url, starts_at, ends_at, capacity,
       reminder_hours)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      communityId,
      e.title,
      e.description ?? '',
      e.location ?? null,
      e.url ?? null,
      e.startsAt,
      e.endsAt,
      e.capacity ?? null,
      e.reminderHours === undefined ? 24 : e.reminderHours,
    ],
  );
  return mustEvent(db, id);
}

export async function mustEvent(db: Queryable, id: string): Promise<EventOut> {
  const r = await db.query<Row>(`${EVENT_SELECT} WHERE e.id = $1`, [id]);
  if (!r.rows[0]) throw notFoundP('event');
  return eventOut(r.rows[0]);
}

export interface EventFilter {
  communityId?: string;
  /** Only programme-wide events (no community). */
  programme?: boolean;
  from?: string;
  to?: string;
}

export async function listEvents(
  db: Db,
  f: EventFilter,
  limit: number,
  offset: number,
): Promise<{ items: EventOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM (${EVENT_SELECT}
      WHERE ($1::uuid IS NULL OR e.community_id = $1)
        AND (NOT $2::boolean OR e.community_id IS NULL)
        AND ($3::timestamptz IS NULL OR e.ends_at >= $3)
        AND ($4::timestamptz IS NULL OR e.starts_at < $4)) x
      ORDER BY starts_at, id LIMIT $5 OFFSET $6`,
    [f.communityId ?? null, f.programme ?? false, f.from ?? null, f.to ?? null, limit, offset],
  );
  return { items: r.rows.map(eventOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function updateEvent(
  db: Db,
  id: string,
  patch: Partial<EventCreate> & { status?: 'scheduled' | 'cancelled' },
): Promise<EventOut> {
  return db.transaction(async (tx) => {
    const before = await tx.query<Row>('SELECT * FROM inv_events WHERE id = $1 FOR UPDATE', [id]);
    if (!before.rows[0]) throw notFoundP('event');
    const b = before.rows[0];
    const startsAt = patch.startsAt ?? iso(b.starts_at);
    const endsAt = patch.endsAt ?? iso(b.ends_at);
    if (Date.parse(endsAt) < Date.parse(startsAt)) {
      throw new ProblemError('BadRequestData', 'endsAt is before startsAt');
    }
    await tx.query(
      `UPDATE inv_events SET title = coalesce($2, title), description = coalesce($3, description),
         location = coalesce($4, location), url = coalesce($5, url), starts_at = $6, ends_at = $7,
         capacity = CASE WHEN $8::boolean THEN $9::int ELSE capacity END, status = coalesce($10, status),
         reminder_hours = CASE WHEN $11::boolean THEN $12::int ELSE reminder_hours END,
         sequence = sequence + 1, updated_at = now()
       WHERE id = $1`,
      [
        id,
        patch.title ?? null,
        patch.description ?? null,
        patch.location ?? null,
        patch.url ?? null,
        startsAt,
        endsAt,
        patch.capacity !== undefined,
        patch.capacity ?? null,
        patch.status ?? null,
        patch.reminderHours !== undefined,
        patch.reminderHours ?? null,
      ],
    );
    // A larger capacity lets people in from the waiting list.
    await promote(tx, id);
    return mustEvent(tx, id);
  });
}

async function registrationOf(tx: Queryable, eventId: string, userId: string): Promise<RegistrationOut> {
  const r = await tx.query<Row>(
    `SELECT r.*, CASE WHEN r.status = 'waitlisted' THEN
        (SELECT count(*) FROM inv_registrations w
          WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.seq <= r.seq) END AS position
       FROM inv_registrations r WHERE r.event_id = $1 AND r.user_id = $2`,
    [eventId, userId],
  );
  if (!r.rows[0]) throw notFoundP('registration');
  return registrationOut(r.rows[0]);
}

function registrationOut(r: Row): RegistrationOut {
  return {
    userId: String(r.user_id),
    name: String(r.name),
    status: r.status as RegistrationOut['status'],
    waitlistPosition: r.position == null ? null : Number(r.position),
    attended: (r.attended as boolean | null) ?? null,
    registeredAt: iso(r.registered_at),
  };
}

/**
 * Registers a user: a seat while the capacity allows, the end of the waiting list otherwise. The event row is
 * locked, so concurrent registrations never overbook. Registering again is idempotent; after a cancellation
 * the user goes through the same rule again.
 */
export async function register(
  db: Db,
  eventId: string,
  user: { userId: string; name: string },
): Promise<RegistrationOut> {
  return db.transaction(async (tx) => {
    const e = await tx.query<Row>('SELECT * FROM inv_events WHERE id = $1 FOR UPDATE', [eventId]);
    const ev = e.rows[0];
    if (!ev) throw notFoundP('event');
    if (ev.status === 'cancelled') throw new ProblemError('OperationNotSupported', 'the event is cancelled');
    if (new Date(ev.ends_at as string).getTime() < Date.now()) {
      throw new ProblemError('OperationNotSupported', 'the event is over');
    }
    const existing = await tx.query<Row>(
      'SELECT status FROM inv_registrations WHERE event_id = $1 AND user_id = $2',
      [eventId, user.userId],
    );
    if (existing.rows[0] && existing.rows[0].status !== 'cancelled') {
      return registrationOf(tx, eventId, user.userId);
    }
    const taken = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inv_registrations WHERE event_id = $1 AND status = 'registered'`,
      [eventId],
    );
    const waiting = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inv_registrations WHERE event_id = $1 AND status = 'waitlisted'`,
      [eventId],
    );
    const cap = ev.capacity == null ? null : Number(ev.capacity);
    const status =
      cap === null || (Number(taken.rows[0].n) < cap && Number(waiting.rows[0].n) === 0)
        ? 'registered'
        : 'waitlisted';
    await tx.query(
      `INSERT INTO inv_registrations (event_id, user_id, name, status, seq)
       VALUES ($1, $2, $3, $4, nextval('inv_registration_seq'))
       ON CONFLICT (event_id, user_id) DO UPDATE SET status = EXCLUDED.status, seq = EXCLUDED.seq,
         name = EXCLUDED.name, attended = NULL, registered_at = now(), updated_at = now()`,
      [eventId, user.userId, user.name, status],
    );
    return registrationOf(tx, eventId, user.userId);
  });
}

/** Cancels a registration; the first of the waiting list takes the freed seat. Returns who was promoted. */
export async function cancelRegistration(db: Db, eventId: string, userId: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM inv_events WHERE id = $1 FOR UPDATE', [eventId]);
    const r = await tx.query(
      `UPDATE inv_registrations SET status = 'cancelled', updated_at = now()
        WHERE event_id = $1 AND user_id = $2 AND status <> 'cancelled'`,
      [eventId, userId],
    );
    if (r.rowCount === 0) throw notFoundP('registration');
    return promote(tx, eventId);
  });
}

/** Fills free seats from the waiting list, first come first served. The caller holds the event's lock. */
async function promote(tx: Queryable, eventId: string): Promise<string[]> {
  const r = await tx.query<{ user_id: string }>(
    `WITH cap AS (
       SELECT e.capacity - (SELECT count(*) FROM inv_registrations r
                              WHERE r.event_id = e.id AND r.status = 'registered') AS free
         FROM inv_events e WHERE e.id = $1 AND e.status = 'scheduled'),
     lucky AS (
       SELECT user_id FROM inv_registrations WHERE event_id = $1 AND status = 'waitlisted'
        ORDER BY seq
        LIMIT (SELECT CASE WHEN free IS NULL THEN NULL ELSE greatest(free, 0) END FROM cap))
     UPDATE inv_registrations r SET status = 'registered', updated_at = now()
       FROM lucky WHERE r.event_id = $1 AND r.user_id = lucky.user_id
       AND EXISTS (SELECT 1 FROM cap)
     RETURNING r.user_id`,
    [eventId],
  );
  return r.rows.map((x) => x.user_id);
}

export async function listRegistrations(
  db: Db,
  eventId: string,
  limit: number,
  offset: number,
): Promise<{ items: RegistrationOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT r.*, CASE WHEN r.status = 'waitlisted' THEN
        (SELECT count(*) FROM inv_registrations w
          WHERE w.event_id = r.event_id AND w.status = 'waitlisted' AND w.seq <= r.seq) END AS position,
        count(*) OVER () AS total
       FROM inv_registrations r WHERE r.event_id = $1
      ORDER BY CASE r.status WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.seq
      LIMIT $2 OFFSET $3`,
    [eventId, limit, offset],
  );
  return { items: r.rows.map(registrationOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function getRegistration(db: Db, eventId: string, userId: string): Promise<RegistrationOut> {
  return registrationOf(db, eventId, userId);
}

export async function setAttendance(
  db: Db,
  eventId: string,
  userId: string,
  attended: boolean,
): Promise<RegistrationOut> {
  const r = await db.query(
    `UPDATE inv_registrations SET attended = $3, updated_at = now()
      WHERE event_id = $1 AND user_id = $2 AND status = 'registered'`,
    [eventId, userId, attended],
  );
  if (r.rowCount === 0) throw notFoundP('registration with a seat');
  return registrationOf(db, eventId, userId);
}

export interface InnovationFigures {
  communities: number;
  /** Active members, counted once per community. */
  members: number;
  events: number;
  /** Seats taken by people marked as having attended. */
  attendance: number;
  /** Calls past their draft phase. */
  callsLaunched: number;
  /** Submitted applications (any outcome). */
  applications: number;
  selected: number;
}

/**
 * The hub's figures for the Observatory's computed indicators. Without a period: everything so far. With one:
 * communities and active members as at its end; events, attendance, calls launched, applications submitted
 * and selections within it.
 */
export async function innovationFigures(
  db: Queryable,
  period?: { start: Date; end: Date },
): Promise<InnovationFigures> {
  const from = period?.start ?? new Date(0);
  const to = period?.end ?? new Date('9999-01-01T00:00:00Z');
  const within = (col: string) => `${col} >= $1 AND ${col} < $2`;
  const events = period ? within('starts_at') : 'true';
  const r = await db.query<Record<string, unknown>>(
    `SELECT
    (SELECT count(*) FROM inv_communities WHERE created_at < $2) AS communities,
    (SELECT count(*) FROM inv_community_members
      WHERE status = 'active' AND coalesce(decided_at, requested_at) < $2) AS members,
    (SELECT count(*) FROM inv_events WHERE status = 'scheduled' AND ${events}) AS events,
    (SELECT count(*) FROM inv_registrations g JOIN inv_events e ON e.id = g.event_id
      WHERE g.attended AND ${events}) AS attendance,
    (SELECT count(*) FROM inv_calls
      WHERE phase <> 'draft' AND ${within('coalesce(opened_at, created_at)')}) AS calls_launched,
    (SELECT count(*) FROM inv_applications WHERE status <> 'draft' AND ${within('submitted_at')}) AS applications,
    (SELECT count(*) FROM inv_applications WHERE status = 'selected' AND ${within('decided_at')}) AS selected`,
    [from, to],
  );
  const x = r.rows[0];
  return {
    communities: Number(x.communities),
    members: Number(x.members),
    events: Number(x.events),
    attendance: Number(x.attendance),
    callsLaunched: Number(x.calls_launched),
    applications: Number(x.applications),
    selected: Number(x.selected),
  };
}

/** The figure names the hub provides to the Observatory, and what each counts. */
export const INNOVATION_FIGURES = {
  'innovation.communities': 'communities',
  'innovation.members': 'members',
  'innovation.events': 'events',
  'innovation.attendance': 'attendance',
  'innovation.calls': 'callsLaunched',
  'innovation.applications': 'applications',
  'innovation.selected': 'selected',
} as const satisfies Record<string, keyof InnovationFigures>;

/**
 * The hub as a figure provider of the Observatory (its `FigureProvider` shape: `figures` and `compute`), for
 * indicators with the source `{"kind":"figure","figure":"innovation.members"}`.
 */
export function innovationFigure(db: Queryable): {
  figures: readonly string[];
  compute(figure: string, period: { start: Date; end: Date }): Promise<number | null>;
} {
  return {
    figures: Object.keys(INNOVATION_FIGURES),
    async compute(figure, period) {
      const key = (INNOVATION_FIGURES as Record<string, keyof InnovationFigures>)[figure];
      if (!key) return null;
      return (await innovationFigures(db, period))[key];
    },
  };
}
