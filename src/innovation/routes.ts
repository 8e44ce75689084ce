import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import {
  assertAuthenticated,
  assertOrgRole,
  isPlatformAdmin,
  type Principal,
  roleAtLeast,
  roleIn,
  type UserPrincipal,
} from '../governance/index.js';
import { ProblemError } from '../http/problem.js';
import { nonOverlappingTimer } from '../lib/timer.js';
import {
  addJuror,
  advancePhase,
  applicationRow,
  attachment,
  type CallOut,
  createCall,
  createDraft,
  decide,
  declareConflict,
  getApplication,
  hasConflict,
  isJuror,
  listApplications,
  listCalls,
  listJurors,
  mustCall,
  ranking,
  reviewQueue,
  type SelectionHook,
  saveReview,
  submit,
  updateCall,
  updateDraft,
  uploadAttachment,
} from './calls.js';
import { type DirectoryDeps, directoryRoutes } from './directory-routes.js';
import { attachmentHeader } from './files.js';
import { toICalendar } from './ical.js';
import * as M from './model.js';
import { listNotifications, type Notifier, notifyDecision } from './notifications.js';
import { sendEventReminders } from './reminders.js';
import {
  type CommunityOut,
  cancelRegistration,
  createCommunity,
  createEvent,
  type EventOut,
  getRegistration,
  listCommunities,
  listEvents,
  listMembers,
  listRegistrations,
  memberOf,
  mustCommunity,
  mustEvent,
  register,
  removeMember,
  requestJoin,
  setAttendance,
  setMember,
  updateCommunity,
  updateEvent,
} from './service.js';
import { workspaceRoutes } from './workspace-routes.js';

export interface InnovationPluginOptions {
  db: Db;
  /** Public base URL, for the links back to events in calendar entries. */
  publicUrl?: string;
  /**
   * Observatory hook: called once per application selected by a call's decision, after it commits; answers the
   * project created (src/app.ts wires it to the Observatory's createProjectFromSelection).
   */
  onApplicationSelected?: SelectionHook;
  /** The Observatory's public projects of a partner (src/app.ts); without it, partners list stored names only. */
  partnerProjects?: DirectoryDeps['partnerProjects'];
  /** Sends an e-mail to an applicant (src/app.ts: governance's address, the Observatory's mailer). */
  notifyApplicant?: Notifier;
  /** How often due event reminders are sent, ms (needs `notifyApplicant`); 0 or absent: never. */
  eventReminderMs?: number;
}

const P = '/api/innovation';
const TAGS = ['innovation'];
const s = <T extends object>(summary: string, extra: T) => ({ tags: TAGS, summary, ...extra });
/** Upper bound of events in one calendar document (feeds list the coming and recent ones). */
const FEED_MAX = 1000;

type Params = { id: string };
type UserParams = { id: string; userId: string };

export async function innovationRoutes(app: FastifyInstance, opts: InnovationPluginOptions): Promise<void> {
  const { db } = opts;
  const baseUrl = (opts.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const notify = opts.notifyApplicant;
  if (notify) {
    const timer = nonOverlappingTimer(
      () => sendEventReminders(db, notify, baseUrl),
      opts.eventReminderMs ?? 0,
      (err) => app.log.warn({ err: err.message }, 'innovation: event reminders failed'),
    );
    app.addHook('onClose', async () => timer.stop());
  }

  /** Joining, registering, applying and reviewing are done by people: API keys are refused. */
  const person = async (req: FastifyRequest): Promise<UserPrincipal> => {
    const p = await assertAuthenticated(req);
    if (p.kind !== 'user')
      throw new ProblemError('Forbidden', 'this operation is done by a person, not an API key');
    return p;
  };

  /** Coordinators of the community, admins of its organisation and platform administrators. */
  const canManageCommunity = async (p: Principal, c: CommunityOut): Promise<boolean> => {
    if (isPlatformAdmin(p)) return true;
    if (c.orgId) {
      const r = roleIn(p, c.orgId);
      if (r && roleAtLeast(r, 'admin')) return true;
    }
    if (p.kind !== 'user') return false;
    const m = await memberOf(db, c.id, p.userId);
    return m?.role === 'coordinator' && m.status === 'active';
  };
  const assertManageCommunity = async (req: FastifyRequest, c: CommunityOut) => {
    const p = await assertAuthenticated(req);
    if (!(await canManageCommunity(p, c))) {
      throw new ProblemError('Forbidden', 'this operation is reserved to the community coordinators');
    }
  };
  /** A community's events are managed by its coordinators; programme-wide events by platform administrators. */
  const assertManageEvent = async (req: FastifyRequest, e: EventOut) => {
    if (e.communityId) return assertManageCommunity(req, await mustCommunity(db, e.communityId));
    const p = await assertAuthenticated(req);
    if (!isPlatformAdmin(p))
      throw new ProblemError('Forbidden', 'programme events are managed by platform administrators');
  };

  await directoryRoutes(app, {
    db,
    partnerProjects: opts.partnerProjects,
    managesCommunity: async (p, id) => canManageCommunity(p, await mustCommunity(db, id)),
  });
  await workspaceRoutes(app, { db, canManageCommunity, person });

  // ---- communities ----
  app.get(
    `${P}/communities`,
    {
      schema: s('Communities of practice (public)', {
        querystring: {
          ...M.Paging,
          properties: { ...M.Paging.properties, q: { type: 'string', maxLength: 200 } },
        },
        response: { 200: M.page(M.Community) },
      }),
    },
    async (req) => {
      const { limit, offset, q } = req.query as M.PagingQuery & { q?: string };
      return { ...(await listCommunities(db, q, limit, offset)), limit, offset };
    },
  );
  app.post(
    `${P}/communities`,
    {
      schema: s('Create a community (editors of its organisation, or platform administrators without one)', {
        body: M.CommunityCreate,
        response: { 201: M.Community },
      }),
    },
    async (req, reply) => {
      const b = req.body as Static<typeof M.CommunityCreate>;
      const p = await assertAuthenticated(req);
      if (b.orgId) await assertOrgRole(req, b.orgId, 'editor');
      else if (!isPlatformAdmin(p)) {
        throw new ProblemError(
          'Forbidden',
          'a community without an organisation is created by platform administrators',
        );
      }
      const coordinator = p.kind === 'user' ? { userId: p.userId, name: p.name } : null;
      return reply.code(201).send(await createCommunity(db, b, coordinator));
    },
  );
  app.get(
    `${P}/communities/:id`,
    { schema: s('A community (public)', { params: M.IdParams, response: { 200: M.Community } }) },
    async (req) => mustCommunity(db, (req.params as Params).id),
  );
  app.patch(
    `${P}/communities/:id`,
    {
      schema: s('Edit a community (coordinators)', {
        params: M.IdParams,
        body: M.CommunityPatch,
        response: { 200: M.Community },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      await assertManageCommunity(req, c);
      return updateCommunity(db, c.id, req.body as Static<typeof M.CommunityPatch>);
    },
  );
  app.post(
    `${P}/communities/:id/join`,
    {
      schema: s('Ask to join (active at once when the community is open)', {
        params: M.IdParams,
        body: M.JoinBody,
        response: { 200: M.Member },
      }),
    },
    async (req) => {
      const p = await person(req);
      return requestJoin(
        db,
        (req.params as Params).id,
        { userId: p.userId, name: p.name },
        (req.body as { message?: string })?.message,
      );
    },
  );
  app.get(
    `${P}/communities/:id/members`,
    {
      schema: s('Members and join requests (coordinators see all; members see active members)', {
        params: M.IdParams,
        querystring: { ...M.Paging, properties: { ...M.Paging.properties, status: M.MemberStatus } },
        response: { 200: M.page(M.Member) },
      }),
    },
    async (req) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      const p = await assertAuthenticated(req);
      const { limit, offset, status } = req.query as M.PagingQuery & {
        status?: 'pending' | 'active' | 'declined';
      };
      if (await canManageCommunity(p, c))
        return { ...(await listMembers(db, c.id, status, limit, offset)), limit, offset };
      const me = p.kind === 'user' ? await memberOf(db, c.id, p.userId) : undefined;
      if (me?.status !== 'active')
        throw new ProblemError('Forbidden', 'the member list is visible to members');
      return { ...(await listMembers(db, c.id, 'active', limit, offset)), limit, offset };
    },
  );
  app.patch(
    `${P}/communities/:id/members/:userId`,
    {
      schema: s('Accept or decline a join request, change a role (coordinators)', {
        params: M.UserParams,
        body: M.MemberPatch,
        response: { 200: M.Member },
      }),
    },
    async (req) => {
      const { id, userId } = req.params as UserParams;
      await assertManageCommunity(req, await mustCommunity(db, id));
      return setMember(db, id, userId, req.body as Static<typeof M.MemberPatch>);
    },
  );
  app.delete(
    `${P}/communities/:id/members/:userId`,
    { schema: s('Remove a member (coordinators) or leave (oneself)', { params: M.UserParams }) },
    async (req, reply) => {
      const { id, userId } = req.params as UserParams;
      const c = await mustCommunity(db, id);
      const p = await assertAuthenticated(req);
      if (!(p.kind === 'user' && p.userId === userId)) await assertManageCommunity(req, c);
      await removeMember(db, id, userId);
      return reply.code(204).send();
    },
  );

  // ---- events ----
  app.get(
    `${P}/events`,
    {
      schema: s('Agenda: programme-wide and community events (public)', {
        querystring: M.EventQuery,
        response: { 200: M.page(M.Event) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof M.EventQuery>;
      return { ...(await listEvents(db, q, q.limit, q.offset)), limit: q.limit, offset: q.offset };
    },
  );
  app.post(
    `${P}/events`,
    {
      schema: s('Create a programme-wide event (platform administrators)', {
        body: M.EventCreate,
        response: { 201: M.Event },
      }),
    },
    async (req, reply) => {
      const p = await assertAuthenticated(req);
      if (!isPlatformAdmin(p))
        throw new ProblemError('Forbidden', 'programme events are managed by platform administrators');
      return reply.code(201).send(await createEvent(db, null, req.body as Static<typeof M.EventCreate>));
    },
  );
  app.post(
    `${P}/communities/:id/events`,
    {
      schema: s('Create a community event (coordinators)', {
        params: M.IdParams,
        body: M.EventCreate,
        response: { 201: M.Event },
      }),
    },
    async (req, reply) => {
      const c = await mustCommunity(db, (req.params as Params).id);
      await assertManageCommunity(req, c);
      return reply.code(201).send(await createEvent(db, c.id, req.body as Static<typeof M.EventCreate>));
    },
  );
  app.get(
    `${P}/events/:id`,
    {
      schema: s('An event with its registration figures (public)', {
        params: M.IdParams,
        response: { 200: M.Event },
      }),
    },
    async (req) => mustEvent(db, (req.params as Params).id),
  );
  app.patch(
    `${P}/events/:id`,
    {
      schema: s('Edit or cancel an event', {
        params: M.IdParams,
        body: M.EventPatch,
        response: { 200: M.Event },
      }),
    },
    async (req) => {
      const e = await mustEvent(db, (req.params as Params).id);
      await assertManageEvent(req, e);
      return updateEvent(db, e.id, req.body as Static<typeof M.EventPatch>);
    },
  );
  const sendIcs = (events: EventOut[], name: string, filename: string) => ({
    body: toICalendar(events, { name, baseUrl }),
    filename,
  });
  app.get(
    `${P}/events/:id/calendar.ics`,
    { schema: s('The event as iCalendar (RFC 5545)', { params: M.IdParams }) },
    async (req, reply) => {
      const e = await mustEvent(db, (req.params as Params).id);
      const { body } = sendIcs([e], e.title, `event-${e.id}.ics`);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="event-${e.id}.ics"`)
        .send(body);
    },
  );
  app.get(
    `${P}/calendar.ics`,
    {
      schema: s(
        'Subscribable iCalendar feed: every event, or one community, or programme-wide ones (last 90 days on)',
        {
          querystring: M.FeedQuery,
        },
      ),
    },
    async (req, reply) => {
      const q = req.query as Static<typeof M.FeedQuery>;
      const from = new Date(Date.now() - 90 * 86_400_000).toISOString();
      const { items } = await listEvents(db, { ...q, from }, FEED_MAX, 0);
      const name = q.communityId
        ? (await mustCommunity(db, q.communityId)).name
        : q.programme
          ? 'Le Havre Smart Port City — programme'
          : 'Le Havre Smart Port City — innovation hub';
      return reply.type('text/calendar; charset=utf-8').send(toICalendar(items, { name, baseUrl }));
    },
  );
  app.post(
    `${P}/events/:id/registrations`,
    {
      schema: s('Register oneself: a seat, or the waiting list when full', {
        params: M.IdParams,
        response: { 200: M.Registration },
      }),
    },
    async (req) => {
      const p = await person(req);
      return register(db, (req.params as Params).id, { userId: p.userId, name: p.name });
    },
  );
  app.get(
    `${P}/events/:id/registrations/me`,
    { schema: s('My registration', { params: M.IdParams, response: { 200: M.Registration } }) },
    async (req) => {
      const p = await person(req);
      return getRegistration(db, (req.params as Params).id, p.userId);
    },
  );
  app.delete(
    `${P}/events/:id/registrations/me`,
    {
      schema: s('Cancel my registration; the first on the waiting list takes the seat', {
        params: M.IdParams,
      }),
    },
    async (req, reply) => {
      const p = await person(req);
      await cancelRegistration(db, (req.params as Params).id, p.userId);
      return reply.code(204).send();
    },
  );
  app.get(
    `${P}/events/:id/registrations`,
    {
      schema: s('Registrations and waiting list (event managers)', {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Registration) },
      }),
    },
    async (req) => {
      const e = await mustEvent(db, (req.params as Params).id);
      await assertManageEvent(req, e);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await listRegistrations(db, e.id, limit, offset)), limit, offset };
    },
  );
  app.delete(
    `${P}/events/:id/registrations/:userId`,
    { schema: s("Cancel someone's registration (event managers)", { params: M.UserParams }) },
    async (req, reply) => {
      const { id, userId } = req.params as UserParams;
      await assertManageEvent(req, await mustEvent(db, id));
      await cancelRegistration(db, id, userId);
      return reply.code(204).send();
    },
  );
  app.post(
    `${P}/events/:id/reminders`,
    {
      schema: s(
        'Remind now every person holding a seat who has not been reminded of this version (managers)',
        {
          params: M.IdParams,
          response: { 200: M.ReminderResult },
        },
      ),
    },
    async (req) => {
      const e = await mustEvent(db, (req.params as Params).id);
      await assertManageEvent(req, e);
      if (!notify) throw new ProblemError('OperationNotSupported', 'no mailer is configured');
      if (e.status !== 'scheduled' || Date.parse(e.startsAt) <= Date.now())
        throw new ProblemError('OperationNotSupported', 'only coming events are reminded');
      return sendEventReminders(db, notify, baseUrl, { eventId: e.id });
    },
  );
  app.put(
    `${P}/events/:id/registrations/:userId/attendance`,
    {
      schema: s('Record attendance (event managers)', {
        params: M.UserParams,
        body: M.Attendance,
        response: { 200: M.Registration },
      }),
    },
    async (req) => {
      const { id, userId } = req.params as UserParams;
      await assertManageEvent(req, await mustEvent(db, id));
      return setAttendance(db, id, userId, (req.body as { attended: boolean }).attended);
    },
  );

  // ---- calls ----
  const manages = (p: Principal, c: CallOut) => {
    if (isPlatformAdmin(p)) return true;
    const r = roleIn(p, c.orgId);
    return r !== undefined && roleAtLeast(r, 'editor');
  };
  /** A call in draft exists only for its managers (404 for others). */
  const visibleCall = async (req: FastifyRequest, id: string): Promise<CallOut> => {
    const c = await mustCall(db, id);
    if (c.phase === 'draft' && !manages(req.principal, c))
      throw new ProblemError('ResourceNotFound', 'call not found');
    return c;
  };
  const managedCall = async (req: FastifyRequest, id: string): Promise<CallOut> => {
    const c = await visibleCall(req, id);
    await assertOrgRole(req, c.orgId, 'editor');
    return c;
  };
  const jurorOf = async (req: FastifyRequest, c: CallOut): Promise<UserPrincipal> => {
    const p = await person(req);
    if (!(await isJuror(db, c.id, p.userId)))
      throw new ProblemError('Forbidden', 'you are not a juror of this call');
    return p;
  };

  app.get(
    `${P}/calls`,
    {
      schema: s('Calls for projects (drafts only for their managers)', {
        querystring: M.CallQuery,
        response: { 200: M.page(M.Call) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof M.CallQuery>;
      const p = req.principal;
      const drafts: string[] | 'all' = isPlatformAdmin(p)
        ? 'all'
        : p.kind === 'user'
          ? p.memberships.filter((m) => roleAtLeast(m.role, 'editor')).map((m) => m.orgId)
          : p.kind === 'apiKey'
            ? [p.orgId]
            : [];
      return {
        ...(await listCalls(db, { kind: q.kind, includeDraftsOf: drafts }, q.limit, q.offset)),
        limit: q.limit,
        offset: q.offset,
      };
    },
  );
  app.post(
    `${P}/calls`,
    {
      schema: s('Create a call (editors of the organisation)', {
        body: M.CallCreate,
        response: { 201: M.Call },
      }),
    },
    async (req, reply) => {
      const b = req.body as Static<typeof M.CallCreate>;
      await assertOrgRole(req, b.orgId, 'editor');
      return reply.code(201).send(await createCall(db, b));
    },
  );
  app.get(
    `${P}/calls/:id`,
    { schema: s('A call', { params: M.IdParams, response: { 200: M.Call } }) },
    async (req) => visibleCall(req, (req.params as Params).id),
  );
  app.patch(
    `${P}/calls/:id`,
    {
      schema: s('Edit a call (form and criteria frozen once open)', {
        params: M.IdParams,
        body: M.CallPatch,
        response: { 200: M.Call },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      return updateCall(db, c.id, req.body as Static<typeof M.CallPatch>);
    },
  );
  app.post(
    `${P}/calls/:id/phase`,
    {
      schema: s('Move the call to a later phase', {
        params: M.IdParams,
        body: M.PhaseBody,
        response: { 200: M.Call },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      return advancePhase(db, c.id, (req.body as Static<typeof M.PhaseBody>).phase);
    },
  );
  app.put(
    `${P}/calls/:id/jurors`,
    { schema: s('Add a juror', { params: M.IdParams, body: M.JurorBody, response: { 200: M.Juror } }) },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      const b = req.body as Static<typeof M.JurorBody>;
      await addJuror(db, c.id, b.userId, b.name);
      return (await listJurors(db, c.id)).find((j) => j.userId === b.userId);
    },
  );
  app.get(
    `${P}/calls/:id/jurors`,
    {
      schema: s('Jurors with their review and conflict counts (managers)', {
        params: M.IdParams,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: M.Juror } } } },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      return { items: await listJurors(db, c.id) };
    },
  );
  app.post(
    `${P}/calls/:id/applications`,
    {
      schema: s('Start an application (a draft) while the call is open', {
        params: M.IdParams,
        body: M.ApplicationCreate,
        response: { 201: M.Application },
      }),
    },
    async (req, reply) => {
      const c = await visibleCall(req, (req.params as Params).id);
      const p = await person(req);
      const b = req.body as Static<typeof M.ApplicationCreate>;
      if (b.orgId && !roleIn(p, b.orgId))
        throw new ProblemError('Forbidden', 'you apply for an organisation you belong to');
      const a = await createDraft(db, c.id, { userId: p.userId, name: p.name, orgId: b.orgId ?? null }, b);
      return reply.code(201).send(a);
    },
  );
  app.get(
    `${P}/calls/:id/applications`,
    {
      schema: s('Submitted applications (managers); my own applications (anyone else)', {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Application) },
      }),
    },
    async (req) => {
      const c = await visibleCall(req, (req.params as Params).id);
      const p = await assertAuthenticated(req);
      const { limit, offset } = req.query as M.PagingQuery;
      const mine = manages(p, c) ? undefined : p.kind === 'user' ? p.userId : undefined;
      if (!mine && !manages(p, c))
        throw new ProblemError('Forbidden', 'applications are visible to the call managers');
      return { ...(await listApplications(db, c.id, { applicantId: mine }, limit, offset)), limit, offset };
    },
  );

  /** Applicant and managers see everything; a juror without conflict sees it, without identity when blind. */
  const readableApplication = async (req: FastifyRequest, id: string) => {
    const p = await assertAuthenticated(req);
    const row = await applicationRow(db, id);
    const c = await mustCall(db, String(row.call_id));
    if ((p.kind === 'user' && p.userId === row.applicant_id) || manages(p, c))
      return { c, row, hide: false, own: true };
    if (p.kind === 'user' && row.status !== 'draft' && (await isJuror(db, c.id, p.userId))) {
      if (await hasConflict(db, p.userId, id))
        throw new ProblemError('ResourceNotFound', 'application not found');
      return { c, row, hide: c.blind, own: false };
    }
    throw new ProblemError('ResourceNotFound', 'application not found');
  };
  app.get(
    `${P}/applications/:id`,
    { schema: s('An application', { params: M.IdParams, response: { 200: M.Application } }) },
    async (req) => {
      const id = (req.params as Params).id;
      const { hide } = await readableApplication(req, id);
      return getApplication(db, id, hide);
    },
  );
  const ownDraft = async (req: FastifyRequest, id: string) => {
    const p = await person(req);
    const row = await applicationRow(db, id);
    if (row.applicant_id !== p.userId) throw new ProblemError('ResourceNotFound', 'application not found');
  };
  app.patch(
    `${P}/applications/:id`,
    {
      schema: s('Edit my draft', {
        params: M.IdParams,
        body: M.ApplicationPatch,
        response: { 200: M.Application },
      }),
    },
    async (req) => {
      const id = (req.params as Params).id;
      await ownDraft(req, id);
      return updateDraft(db, id, req.body as Static<typeof M.ApplicationPatch>);
    },
  );
  app.post(
    `${P}/applications/:id/attachments`,
    {
      schema: s(
        "Attach a file to a file field of my draft (the field's types and size cap; replaces the previous)",
        {
          params: M.IdParams,
          body: M.AttachmentUpload,
          response: { 200: M.Application },
        },
      ),
    },
    async (req) => {
      const id = (req.params as Params).id;
      await ownDraft(req, id);
      const { field, ...file } = req.body as Static<typeof M.AttachmentUpload>;
      return uploadAttachment(db, id, field, file);
    },
  );
  app.get(
    `${P}/applications/:id/attachments/:attachmentId`,
    {
      schema: s(
        'Download an attached file (who may read the application; blind jurors not the identifying ones)',
        {
          params: M.AttachmentParams,
        },
      ),
    },
    async (req, reply) => {
      const { id, attachmentId } = req.params as { id: string; attachmentId: string };
      const { c, hide } = await readableApplication(req, id);
      const a = await attachment(db, id, attachmentId);
      if (hide && c.form.find((f) => f.key === a.field)?.identifying)
        throw new ProblemError('ResourceNotFound', 'attachment not found');
      return reply
        .type(a.contentType)
        .header('content-disposition', attachmentHeader(a.filename))
        .header('x-content-type-options', 'nosniff')
        .send(a.content);
    },
  );
  app.post(
    `${P}/applications/:id/submit`,
    {
      schema: s('Submit my application: returns the receipt', {
        params: M.IdParams,
        response: { 200: M.Receipt },
      }),
    },
    async (req) => {
      const id = (req.params as Params).id;
      await ownDraft(req, id);
      return submit(db, id);
    },
  );

  // ---- jury ----
  app.post(
    `${P}/calls/:id/conflicts`,
    { schema: s('Declare a conflict of interest (jurors)', { params: M.IdParams, body: M.ConflictBody }) },
    async (req, reply) => {
      const c = await visibleCall(req, (req.params as Params).id);
      const p = await jurorOf(req, c);
      const b = req.body as Static<typeof M.ConflictBody>;
      await declareConflict(db, c.id, p.userId, b.applicationId, b.reason);
      return reply.code(204).send();
    },
  );
  app.get(
    `${P}/calls/:id/review-queue`,
    {
      schema: s("A juror's applications to review (conflicts excluded, identity hidden when blind)", {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.Queue },
      }),
    },
    async (req) => {
      const c = await visibleCall(req, (req.params as Params).id);
      const p = await jurorOf(req, c);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await reviewQueue(db, c.id, p.userId, limit, offset)), limit, offset };
    },
  );
  app.put(
    `${P}/applications/:id/review`,
    {
      schema: s('Score an application with a comment (jurors, review phase)', {
        params: M.IdParams,
        body: M.ReviewBody,
      }),
    },
    async (req, reply) => {
      const id = (req.params as Params).id;
      const row = await applicationRow(db, id);
      const c = await mustCall(db, String(row.call_id));
      const p = await jurorOf(req, c);
      const b = req.body as Static<typeof M.ReviewBody>;
      await saveReview(db, id, p.userId, b.scores, b.comment ?? '');
      return reply.code(204).send();
    },
  );
  app.get(
    `${P}/calls/:id/ranking`,
    {
      schema: s('Ranking with normalised scores and every comment (managers)', {
        params: M.IdParams,
        response: { 200: M.Ranking },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      return ranking(db, c.id);
    },
  );
  app.post(
    `${P}/calls/:id/decision`,
    {
      schema: s('Decide: selected applications, deliberation notes, feedback (selection phase)', {
        params: M.IdParams,
        body: M.DecisionBody,
        response: { 200: M.DecisionResult },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      const p = req.principal;
      const by = p.kind === 'user' ? `user:${p.userId}` : p.kind === 'apiKey' ? `apikey:${p.keyId}` : null;
      const d = await decide(
        db,
        c.id,
        req.body as Static<typeof M.DecisionBody>,
        opts.onApplicationSelected,
        by,
      );
      const notifications = opts.notifyApplicant
        ? await notifyDecision(db, c.id, opts.notifyApplicant, baseUrl)
        : undefined;
      for (const f of d.followUp.filter((x) => x.error)) {
        req.log.error(
          { callId: c.id, applicationId: f.applicationId, err: f.error },
          'innovation: Observatory hook failed',
        );
      }
      return { ...d, notifications };
    },
  );
  app.get(
    `${P}/calls/:id/notifications`,
    {
      schema: s('E-mails sent to the applicants about the decision, with their outcome (managers)', {
        params: M.IdParams,
        querystring: M.Paging,
        response: { 200: M.page(M.Notification) },
      }),
    },
    async (req) => {
      const c = await managedCall(req, (req.params as Params).id);
      const { limit, offset } = req.query as M.PagingQuery;
      return { ...(await listNotifications(db, c.id, limit, offset)), limit, offset };
    },
  );
}
