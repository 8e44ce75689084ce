import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Broker } from '../broker/index.js';
import type { Db } from '../db/db.js';
import {
  assertAuthenticated,
  isPlatformAdmin,
  type Principal,
  roleAtLeast,
  roleIn,
} from '../governance/index.js';
import { badRequest, ProblemError } from '../http/problem.js';
import {
  type AnswerClaims,
  campaignFromRow,
  completeness,
  createCampaign,
  createLinks,
  createMailer,
  getCampaign,
  launchCampaign,
  type Messaging,
  reminderTimer,
  sendInvitation,
  sendReminders,
} from './campaigns.js';
import { toCsv, toPdf, toSdmxCsv, toXlsx } from './exports.js';
import { parseExpr } from './expr.js';
import type { FigureProvider } from './figures.js';
import { followUpOf } from './link.js';
import {
  ActionCreate,
  ActionPatch,
  AttachmentUpload,
  CampaignCreate,
  CampaignPatch,
  HistoryEntry,
  IndicatorCreate,
  IndicatorPatch,
  Loose,
  Paging,
  PeriodCode,
  ProgrammeCreate,
  ProgrammePatch,
  ProjectCreate,
  ProjectPatch,
  page,
  ReturnBody,
  ReviewBody,
  RuleCreate,
  TopicCreate,
  TopicPatch,
  Uuid,
  ValidationIssue,
  ValuesBody,
} from './model.js';
import {
  addAttachment,
  answerForm,
  checkIndicator,
  checkResponse,
  computeIndicator,
  loadIndicators,
  loadRules,
  loadValues,
  programmeTree,
  projectIn,
  projectOut,
  projectsGeoJson,
  publicDashboard,
  type ResponseCtx,
  reportData,
  responseContext,
  review,
  saveDraft,
  sdmxObservations,
  staffDashboard,
  submitResponse,
  VIEWS,
  type View,
  viewTable,
} from './service.js';
import {
  deleteRow,
  fromRow,
  history,
  insertRow,
  KINDS,
  mustGet,
  type Row,
  recordHistory,
  updateRow,
} from './store.js';
import { type Indicator, saveValues } from './values.js';

export interface ObservatorySettings {
  dataDir: string;
  /** SMTP server (ESCALE_SMTP_URL); without it, e-mails are written to <dataDir>/outbox/ as .eml files. */
  smtpUrl?: string;
  /** Sender of the observatory's e-mails (ESCALE_MAIL_FROM). */
  mailFrom?: string;
  /** Public base URL of the platform, for the links in e-mails (ESCALE_PUBLIC_URL). */
  publicUrl?: string;
  /** HS256 key of the answer links (ESCALE_OBSERVATORY_LINK_KEY); generated into the database when absent. */
  observatoryLinkKey?: string;
  /** How often automatic reminders are considered, ms; 0 disables (ESCALE_OBSERVATORY_REMINDER_MS). */
  observatoryReminderMs?: number;
}

export interface ObservatoryPluginOptions {
  db: Db;
  broker: Broker;
  settings: ObservatorySettings;
  /** Figures other capabilities compute, for indicators with the source `{kind: 'figure'}` (figures.ts). */
  figures?: readonly FigureProvider[];
}

const P = '/api/observatory';
const TAGS = ['observatory'];
const IdParams = Type.Object({ id: Uuid });
const ANSWER_HEADER = 'x-escale-answer-token';
const AnswerHeaders = Type.Object({ [ANSWER_HEADER]: Type.Optional(Type.String({ maxLength: 4096 })) });
const ownCredential = { escaleAuth: 'own-credential' as const };

/** The actor string kept in the history: user:<id>, apikey:<id>, link:<responseId>. */
function actorOf(p: Principal): string | null {
  if (p.kind === 'user') return `user:${p.userId}`;
  if (p.kind === 'apiKey') return `apikey:${p.keyId}`;
  return null;
}

/**
 * Observatory staff: platform administrators, and the members of the organisations registered as observatory
 * staff (`/api/observatory/staff-organisations`). Reading needs any role there; writing needs editor or admin
 * (an API key acts as an editor of its organisation and needs the observatory:write scope).
 */
async function assertStaff(db: Db, req: FastifyRequest, write: boolean): Promise<string | null> {
  const p = await assertAuthenticated(req);
  if (isPlatformAdmin(p)) return actorOf(p);
  const orgs = (await db.query<{ org_id: string }>('SELECT org_id FROM obs_staff_organisations')).rows.map(
    (r) => r.org_id,
  );
  const needed = write ? 'editor' : 'member';
  for (const org of orgs) {
    const role = roleIn(p, org);
    if (role && roleAtLeast(role, needed)) return actorOf(p);
  }
  throw new ProblemError(
    'Forbidden',
    `this operation is reserved to observatory staff${write ? ' (editor role)' : ''}`,
  );
}

const s = <T extends object>(summary: string, extra: T) => ({ tags: TAGS, summary, ...extra });

export async function observatoryRoutes(app: FastifyInstance, opts: ObservatoryPluginOptions): Promise<void> {
  const { db, broker, settings } = opts;
  const figures = opts.figures ?? [];
  const knownFigures = new Set(figures.flatMap((f) => f.figures));
  const links = await createLinks(db, settings.observatoryLinkKey);
  const base = (settings.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const messaging: Messaging = {
    links,
    mailer: createMailer({
      smtpUrl: settings.smtpUrl,
      from: settings.mailFrom ?? 'Observatoire Le Havre Smart Port City <observatoire@escale.local>',
      outboxDir: join(settings.dataDir, 'outbox'),
    }),
    answerUrl: `${base}/observatory/answer`,
  };
  const timer = reminderTimer(db, messaging, settings.observatoryReminderMs ?? 3_600_000, (err) =>
    app.log.warn({ err: err.message }, 'observatory: reminders failed'),
  );
  app.addHook('onClose', async () => timer.stop());

  const staff = (write: boolean) => async (req: FastifyRequest) => {
    await assertStaff(db, req, write);
  };
  const actor = (req: FastifyRequest) => actorOf(req.principal);

  // ---- staff organisations ----
  app.get(
    `${P}/staff-organisations`,
    {
      preHandler: staff(false),
      schema: s('Organisations whose members are observatory staff', {
        response: { 200: Type.Object({ items: Type.Array(Uuid) }) },
      }),
    },
    async () => ({
      items: (
        await db.query<{ org_id: string }>('SELECT org_id FROM obs_staff_organisations ORDER BY org_id')
      ).rows.map((r) => r.org_id),
    }),
  );
  const platformAdmin = async (req: FastifyRequest) => {
    const p = await assertAuthenticated(req);
    if (!isPlatformAdmin(p)) throw new ProblemError('Forbidden', 'platform administrators only');
  };
  app.put(
    `${P}/staff-organisations/:orgId`,
    {
      preHandler: platformAdmin,
      schema: s('Make an organisation observatory staff (platform administrators)', {
        params: Type.Object({ orgId: Uuid }),
      }),
    },
    async (req, reply) => {
      const { orgId } = req.params as { orgId: string };
      await db.query('INSERT INTO obs_staff_organisations (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        orgId,
      ]);
      return reply.code(204).send();
    },
  );
  app.delete(
    `${P}/staff-organisations/:orgId`,
    {
      preHandler: platformAdmin,
      schema: s('Remove an organisation from the observatory staff', {
        params: Type.Object({ orgId: Uuid }),
      }),
    },
    async (req, reply) => {
      await db.query('DELETE FROM obs_staff_organisations WHERE org_id = $1', [
        (req.params as { orgId: string }).orgId,
      ]);
      return reply.code(204).send();
    },
  );

  // ---- programme model ----
  app.get(
    `${P}/programmes`,
    {
      preHandler: staff(false),
      schema: s('Programmes', { querystring: Paging, response: { 200: page(Loose) } }),
    },
    async (req) => {
      const { limit, offset } = req.query as Static<typeof Paging>;
      const r = await db.query<Row>(
        'SELECT *, count(*) OVER () AS total FROM obs_programmes ORDER BY code LIMIT $1 OFFSET $2',
        [limit, offset],
      );
      return {
        items: r.rows.map((x) => ({ ...x, total: undefined })).map((x) => fromProgramme(x)),
        total: Number(r.rows[0]?.total ?? 0),
        limit,
        offset,
      };
    },
  );
  const fromProgramme = (r: Row) => mustShape(r);
  app.post(
    `${P}/programmes`,
    {
      preHandler: staff(true),
      schema: s('Create a programme', { body: ProgrammeCreate, response: { 201: Loose } }),
    },
    async (req, reply) => {
      const b = req.body as Static<typeof ProgrammeCreate>;
      if (b.endYear < b.startYear) throw badRequest('endYear is before startYear');
      return reply
        .code(201)
        .send(await db.transaction((tx) => insertRow(tx, KINDS.programme, b, actor(req))));
    },
  );
  app.get(
    `${P}/programmes/:id`,
    {
      preHandler: staff(false),
      schema: s('A programme with its topics, actions and projects', {
        params: IdParams,
        response: { 200: Loose },
      }),
    },
    async (req) => programmeTree(db, (req.params as { id: string }).id),
  );
  app.patch(
    `${P}/programmes/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit a programme', { params: IdParams, body: ProgrammePatch, response: { 200: Loose } }),
    },
    async (req) =>
      db.transaction((tx) =>
        updateRow(tx, KINDS.programme, (req.params as { id: string }).id, req.body as Row, actor(req)),
      ),
  );
  app.get(
    `${P}/programmes/:id/history`,
    {
      preHandler: staff(false),
      schema: s('Who changed what in the programme, when', {
        params: IdParams,
        querystring: Paging,
        response: { 200: page(HistoryEntry) },
      }),
    },
    async (req) => {
      const { limit, offset } = req.query as Static<typeof Paging>;
      const id = (req.params as { id: string }).id;
      await mustGet(db, KINDS.programme, id);
      return { ...(await history(db, { programmeId: id }, limit, offset)), limit, offset };
    },
  );
  for (const kind of ['topics', 'actions', 'projects', 'indicators', 'campaigns'] as const) {
    app.get(
      `${P}/${kind}/:id/history`,
      {
        preHandler: staff(false),
        schema: s(`History of one of the ${kind}`, {
          params: IdParams,
          querystring: Paging,
          response: { 200: page(HistoryEntry) },
        }),
      },
      async (req) => {
        const { limit, offset } = req.query as Static<typeof Paging>;
        return {
          ...(await history(db, { objectId: (req.params as { id: string }).id }, limit, offset)),
          limit,
          offset,
        };
      },
    );
  }

  app.post(
    `${P}/programmes/:id/topics`,
    {
      preHandler: staff(true),
      schema: s('Add a topic (axis) to a programme', {
        params: IdParams,
        body: TopicCreate,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const programmeId = (req.params as { id: string }).id;
      await mustGet(db, KINDS.programme, programmeId);
      const row = await db.transaction((tx) =>
        insertRow(tx, KINDS.topic, { ...(req.body as Row), programmeId }, actor(req)),
      );
      return reply.code(201).send(row);
    },
  );
  app.patch(
    `${P}/topics/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit a topic', { params: IdParams, body: TopicPatch, response: { 200: Loose } }),
    },
    async (req) =>
      db.transaction((tx) =>
        updateRow(tx, KINDS.topic, (req.params as { id: string }).id, req.body as Row, actor(req)),
      ),
  );
  app.post(
    `${P}/topics/:id/actions`,
    {
      preHandler: staff(true),
      schema: s('Add an action to a topic', {
        params: IdParams,
        body: ActionCreate,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const topic = await mustGet(db, KINDS.topic, (req.params as { id: string }).id);
      const row = await db.transaction((tx) =>
        insertRow(
          tx,
          KINDS.action,
          { ...(req.body as Row), topicId: topic.id, programmeId: topic.programmeId },
          actor(req),
        ),
      );
      return reply.code(201).send(row);
    },
  );
  app.patch(
    `${P}/actions/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit an action', { params: IdParams, body: ActionPatch, response: { 200: Loose } }),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const body = req.body as Row;
      const before = await mustGet(db, KINDS.action, id);
      if (body.topicId) {
        const t = await mustGet(db, KINDS.topic, body.topicId as string);
        if (t.programmeId !== before.programmeId) throw badRequest('the topic belongs to another programme');
      }
      return db.transaction((tx) => updateRow(tx, KINDS.action, id, body, actor(req)));
    },
  );
  app.post(
    `${P}/actions/:id/projects`,
    {
      preHandler: staff(true),
      schema: s('Add a project to an action', {
        params: IdParams,
        body: ProjectCreate,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const a = await mustGet(db, KINDS.action, (req.params as { id: string }).id);
      const row = await db.transaction((tx) =>
        insertRow(
          tx,
          KINDS.project,
          { ...projectIn(req.body as Row), actionId: a.id, programmeId: a.programmeId },
          actor(req),
        ),
      );
      return reply.code(201).send(projectOut(row));
    },
  );
  const ProjectsQuery = Type.Composite([
    Paging,
    Type.Object({ status: Type.Optional(Type.String({ maxLength: 20 })), actionId: Type.Optional(Uuid) }),
  ]);
  app.get(
    `${P}/programmes/:id/projects`,
    {
      preHandler: staff(false),
      schema: s('Projects of a programme', {
        params: IdParams,
        querystring: ProjectsQuery,
        response: { 200: page(Loose) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof ProjectsQuery>;
      const r = await db.query<Row>(
        `SELECT *, count(*) OVER () AS total FROM obs_projects WHERE programme_id = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::uuid IS NULL OR action_id = $3) ORDER BY code LIMIT $4 OFFSET $5`,
        [(req.params as { id: string }).id, q.status ?? null, q.actionId ?? null, q.limit, q.offset],
      );
      return {
        items: r.rows.map((x) => projectOut(fromRow(KINDS.project, x))),
        total: Number(r.rows[0]?.total ?? 0),
        limit: q.limit,
        offset: q.offset,
      };
    },
  );
  app.get(
    `${P}/projects/:id`,
    {
      preHandler: staff(false),
      schema: s('A project, with where it came from and its follow-up indicators', {
        params: IdParams,
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      return { ...projectOut(await mustGet(db, KINDS.project, id)), followUp: await followUpOf(db, id) };
    },
  );
  app.patch(
    `${P}/projects/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit a project (status, budget, milestones, location...)', {
        params: IdParams,
        body: ProjectPatch,
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const body = projectIn(req.body as Row);
      const before = await mustGet(db, KINDS.project, id);
      if (body.actionId) {
        const a = await mustGet(db, KINDS.action, body.actionId as string);
        if (a.programmeId !== before.programmeId) throw badRequest('the action belongs to another programme');
      }
      return projectOut(await db.transaction((tx) => updateRow(tx, KINDS.project, id, body, actor(req))));
    },
  );
  app.delete(
    `${P}/projects/:id`,
    { preHandler: staff(true), schema: s('Delete a project (kept in the history)', { params: IdParams }) },
    async (req, reply) => {
      await db.transaction((tx) =>
        deleteRow(tx, KINDS.project, (req.params as { id: string }).id, actor(req)),
      );
      return reply.code(204).send();
    },
  );

  // ---- indicators and rules ----
  app.get(
    `${P}/programmes/:id/indicators`,
    {
      preHandler: staff(false),
      schema: s('Indicators of a programme', {
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Loose) }) },
      }),
    },
    async (req) => ({ items: await loadIndicators(db, (req.params as { id: string }).id) }),
  );
  app.post(
    `${P}/programmes/:id/indicators`,
    {
      preHandler: staff(true),
      schema: s('Define an indicator', { params: IdParams, body: IndicatorCreate, response: { 201: Loose } }),
    },
    async (req, reply) => {
      const programmeId = (req.params as { id: string }).id;
      await mustGet(db, KINDS.programme, programmeId);
      const b = req.body as Row;
      await checkIndicator(db, programmeId, b, b.code as string, knownFigures);
      const row = await db.transaction((tx) =>
        insertRow(tx, KINDS.indicator, { ...b, programmeId }, actor(req)),
      );
      return reply.code(201).send(row);
    },
  );
  app.get(
    `${P}/indicators/:id`,
    { preHandler: staff(false), schema: s('An indicator', { params: IdParams, response: { 200: Loose } }) },
    async (req) => mustGet(db, KINDS.indicator, (req.params as { id: string }).id),
  );
  app.patch(
    `${P}/indicators/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit an indicator', { params: IdParams, body: IndicatorPatch, response: { 200: Loose } }),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const before = await mustGet(db, KINDS.indicator, id);
      const b = req.body as Row;
      await checkIndicator(
        db,
        before.programmeId as string,
        { ...before, ...b },
        (b.code ?? before.code) as string,
        knownFigures,
      );
      return db.transaction((tx) => updateRow(tx, KINDS.indicator, id, b, actor(req)));
    },
  );
  const ComputeBody = Type.Object({ period: PeriodCode }, { additionalProperties: false });
  app.post(
    `${P}/indicators/:id/compute`,
    {
      preHandler: staff(true),
      schema: s('Compute a data hub or figure indicator (stored) or a formula indicator for a period', {
        params: IdParams,
        body: ComputeBody,
        response: {
          200: Type.Object({
            indicatorId: Uuid,
            period: Type.String(),
            value: Type.Union([Type.Number(), Type.Null()]),
            stored: Type.Boolean(),
          }),
        },
      }),
    },
    async (req) => {
      const ind = (await mustGet(
        db,
        KINDS.indicator,
        (req.params as { id: string }).id,
      )) as unknown as Indicator;
      const { period } = req.body as Static<typeof ComputeBody>;
      return {
        indicatorId: ind.id,
        period,
        ...(await computeIndicator(db, broker, ind, period, actor(req), figures)),
      };
    },
  );
  app.get(
    `${P}/programmes/:id/rules`,
    {
      preHandler: staff(false),
      schema: s('Consistency rules between indicators', {
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Loose) }) },
      }),
    },
    async (req) => ({ items: await loadRules(db, (req.params as { id: string }).id) }),
  );
  app.post(
    `${P}/programmes/:id/rules`,
    {
      preHandler: staff(true),
      schema: s('Add a consistency rule (left operator right, over indicator codes)', {
        params: IdParams,
        body: RuleCreate,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const programmeId = (req.params as { id: string }).id;
      await mustGet(db, KINDS.programme, programmeId);
      const b = req.body as Static<typeof RuleCreate>;
      for (const e of [b.left, b.right]) {
        try {
          parseExpr(e);
        } catch (err) {
          throw badRequest(`rule expression ${JSON.stringify(e)} cannot be read: ${(err as Error).message}`);
        }
      }
      const id = randomUUID();
      await db.query(
        'INSERT INTO obs_rules (id, programme_id, left_expr, operator, right_expr, message) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, programmeId, b.left, b.operator, b.right, b.message],
      );
      return reply.code(201).send({ id, ...b });
    },
  );
  app.delete(
    `${P}/rules/:id`,
    { preHandler: staff(true), schema: s('Remove a rule', { params: IdParams }) },
    async (req, reply) => {
      const r = await db.query('DELETE FROM obs_rules WHERE id = $1', [(req.params as { id: string }).id]);
      if (r.rowCount === 0) throw new ProblemError('ResourceNotFound', 'rule not found');
      return reply.code(204).send();
    },
  );

  // ---- campaigns ----
  app.get(
    `${P}/programmes/:id/campaigns`,
    {
      preHandler: staff(false),
      schema: s('Collection campaigns', {
        params: IdParams,
        querystring: Paging,
        response: { 200: page(Loose) },
      }),
    },
    async (req) => {
      const { limit, offset } = req.query as Static<typeof Paging>;
      const r = await db.query<Row>(
        'SELECT *, count(*) OVER () AS total FROM obs_campaigns WHERE programme_id = $1 ORDER BY due_at DESC LIMIT $2 OFFSET $3',
        [(req.params as { id: string }).id, limit, offset],
      );
      return { items: r.rows.map(campaignFromRow), total: Number(r.rows[0]?.total ?? 0), limit, offset };
    },
  );
  app.post(
    `${P}/programmes/:id/campaigns`,
    {
      preHandler: staff(true),
      schema: s('Prepare a campaign: a period, projects and their indicators', {
        params: IdParams,
        body: CampaignCreate,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const programmeId = (req.params as { id: string }).id;
      await mustGet(db, KINDS.programme, programmeId);
      const id = await db.transaction((tx) =>
        createCampaign(tx, programmeId, req.body as Static<typeof CampaignCreate>, actor(req)),
      );
      return reply.code(201).send(campaignFromRow(await getCampaign(db, id)));
    },
  );
  app.get(
    `${P}/campaigns/:id`,
    { preHandler: staff(false), schema: s('A campaign', { params: IdParams, response: { 200: Loose } }) },
    async (req) => campaignFromRow(await getCampaign(db, (req.params as { id: string }).id)),
  );
  app.patch(
    `${P}/campaigns/:id`,
    {
      preHandler: staff(true),
      schema: s('Edit a campaign (due date, reminders) or close it', {
        params: IdParams,
        body: CampaignPatch,
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const before = await getCampaign(db, id);
      const b = req.body as Static<typeof CampaignPatch>;
      if (b.status === 'open' && before.status !== 'closed')
        throw badRequest('use POST .../launch to open a draft campaign');
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE obs_campaigns SET name = coalesce($2, name), due_at = coalesce($3, due_at),
             reminder_interval_hours = coalesce($4, reminder_interval_hours), max_reminders = coalesce($5, max_reminders),
             status = coalesce($6, status), updated_at = now() WHERE id = $1`,
          [
            id,
            b.name ?? null,
            b.dueAt ?? null,
            b.reminderIntervalHours ?? null,
            b.maxReminders ?? null,
            b.status ?? null,
          ],
        );
        await recordHistory(tx, {
          kind: 'campaign',
          objectId: id,
          programmeId: before.programme_id as string,
          op: 'update',
          actor: actor(req),
          changes: { ...b },
        });
      });
      return campaignFromRow(await getCampaign(db, id));
    },
  );
  app.post(
    `${P}/campaigns/:id/launch`,
    {
      preHandler: staff(true),
      schema: s('Open the campaign: each project lead receives a personal link by e-mail', {
        params: IdParams,
        response: { 200: Type.Object({ invited: Type.Integer() }) },
      }),
    },
    async (req) => launchCampaign(db, messaging, (req.params as { id: string }).id, actor(req)),
  );
  const RemindBody = Type.Object(
    { force: Type.Optional(Type.Boolean({ description: 'remind now, whatever the interval' })) },
    { additionalProperties: false },
  );
  app.post(
    `${P}/campaigns/:id/reminders`,
    {
      preHandler: staff(true),
      schema: s(
        'Remind the leads who have not submitted (those due by the reminder interval, or all with force)',
        {
          params: IdParams,
          body: Type.Optional(RemindBody),
          response: {
            200: Type.Object({
              reminded: Type.Array(Type.Object({ projectId: Uuid, email: Type.String() })),
            }),
          },
        },
      ),
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const c = await getCampaign(db, id);
      if (c.status !== 'open') throw new ProblemError('OperationNotSupported', `the campaign is ${c.status}`);
      const r = await sendReminders(db, messaging, {
        campaignId: id,
        force: (req.body as Static<typeof RemindBody> | undefined)?.force,
      });
      return { reminded: r.map(({ projectId, email }) => ({ projectId, email })) };
    },
  );
  app.get(
    `${P}/campaigns/:id/completeness`,
    {
      preHandler: staff(false),
      schema: s('Completeness: indicators informed versus chosen, late projects, reminders', {
        params: IdParams,
        response: { 200: Loose },
      }),
    },
    async (req) => completeness(db, (req.params as { id: string }).id),
  );
  const RespParams = Type.Object({ id: Uuid, projectId: Uuid });
  const responseOf = async (campaignId: string, projectId: string): Promise<ResponseCtx> => {
    const r = (
      await db.query<Row>('SELECT id FROM obs_responses WHERE campaign_id = $1 AND project_id = $2', [
        campaignId,
        projectId,
      ])
    ).rows[0];
    if (!r) throw new ProblemError('ResourceNotFound', 'this project is not part of the campaign');
    return responseContext(db, r.id as string, null);
  };
  app.get(
    `${P}/campaigns/:id/responses/:projectId`,
    {
      preHandler: staff(false),
      schema: s("A project's response: values, attachments, validation issues", {
        params: RespParams,
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const { id, projectId } = req.params as Static<typeof RespParams>;
      const ctx = await responseOf(id, projectId);
      return { ...(await answerForm(db, ctx)), issues: await checkResponse(db, ctx) };
    },
  );
  app.post(
    `${P}/campaigns/:id/responses/:projectId/approve`,
    {
      preHandler: staff(true),
      schema: s('Approve a submitted response: its values are locked', {
        params: RespParams,
        body: Type.Optional(ReviewBody),
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const { id, projectId } = req.params as Static<typeof RespParams>;
      return review(
        db,
        id,
        projectId,
        'approve',
        (req.body as { comment?: string } | undefined)?.comment,
        actor(req),
      );
    },
  );
  app.post(
    `${P}/campaigns/:id/responses/:projectId/return`,
    {
      preHandler: staff(true),
      schema: s('Return a submitted response to its lead with a comment', {
        params: RespParams,
        body: ReturnBody,
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const { id, projectId } = req.params as Static<typeof RespParams>;
      return review(db, id, projectId, 'return', (req.body as { comment: string }).comment, actor(req));
    },
  );
  app.post(
    `${P}/campaigns/:id/responses/:projectId/link`,
    {
      preHandler: staff(true),
      schema: s(
        "Replace a lead's personal link (the old one stops working) and send the new one, optionally to another address",
        {
          params: RespParams,
          body: Type.Optional(
            Type.Object(
              { email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: Type.Object({ email: Type.String() }) },
        },
      ),
    },
    async (req) => {
      const { id, projectId } = req.params as Static<typeof RespParams>;
      const email = (req.body as { email?: string } | undefined)?.email;
      const c = await getCampaign(db, id);
      if (c.status !== 'open') throw new ProblemError('OperationNotSupported', `the campaign is ${c.status}`);
      const r = (
        await db.query<Row>(
          `UPDATE obs_responses SET token_version = token_version + 1, email = coalesce($3, email)
            WHERE campaign_id = $1 AND project_id = $2 RETURNING *`,
          [id, projectId, email ?? null],
        )
      ).rows[0];
      if (!r) throw new ProblemError('ResourceNotFound', 'this project is not part of the campaign');
      await sendInvitation(db, messaging, r, c);
      await recordHistory(db, {
        kind: 'response',
        objectId: r.id as string,
        programmeId: c.programme_id as string,
        op: 'new-link',
        actor: actor(req),
        changes: { email: r.email },
      });
      return { email: r.email as string };
    },
  );
  const CompletenessFile = Type.Object({
    id: Uuid,
    file: Type.String({ pattern: '^completeness\\.(csv|xlsx)$' }),
  });
  app.get(
    `${P}/campaigns/:id/export/:file`,
    {
      preHandler: staff(false),
      schema: s('Completeness of a campaign per project as CSV or XLSX: completeness.csv|xlsx', {
        params: CompletenessFile,
      }),
    },
    async (req, reply) => {
      const { id, file } = req.params as Static<typeof CompletenessFile>;
      const c = await completeness(db, id);
      const t = {
        name: 'completeness',
        columns: [
          'project',
          'name',
          'status',
          'expected',
          'informed',
          'rate',
          'late',
          'submitted_at',
          'reminders',
        ],
        rows: c.projects.map((p) => [
          p.code,
          p.name,
          p.status,
          p.expected,
          p.informed,
          p.rate,
          p.late,
          p.submittedAt,
          p.reminders.filter((x) => x.kind === 'reminder').length,
        ]),
      };
      reply.header('content-disposition', `attachment; filename="campaign-${c.period}-${file}"`);
      if (file.endsWith('.csv')) return reply.type('text/csv; charset=utf-8').send(toCsv(t));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(await toXlsx([t], 'completeness'));
    },
  );

  // ---- values pushed by partners' systems (API key of the project's lead organisation, or staff) ----
  const PushParams = Type.Object({ id: Uuid });
  const PushBody = Type.Composite([ValuesBody, Type.Object({ projectId: Uuid, period: PeriodCode })], {
    additionalProperties: false,
  });
  app.put(
    `${P}/programmes/:id/values`,
    {
      schema: s(
        "Push a project's values for a period (partners' systems): stored as submitted, for staff to approve",
        {
          description:
            "Allowed to observatory staff and to editors (or API keys with observatory:write) of the project's lead organisation. Approved values are locked (422).",
          params: PushParams,
          body: PushBody,
          response: { 200: Type.Object({ saved: Type.Integer() }) },
        },
      ),
    },
    async (req) => {
      const programmeId = (req.params as { id: string }).id;
      const b = req.body as Static<typeof PushBody>;
      const project = await mustGet(db, KINDS.project, b.projectId);
      if (project.programmeId !== programmeId) throw badRequest('the project is not part of this programme');
      const p = await assertAuthenticated(req);
      const lead = project.leadOrgId as string | null;
      const role = lead ? roleIn(p, lead) : undefined;
      const isLead = !!role && roleAtLeast(role, 'editor');
      if (!isLead) await assertStaff(db, req, true);
      const inds = await loadIndicators(db, programmeId);
      const saved = await db.transaction((tx) =>
        saveValues(tx, {
          indicators: new Map(inds.map((i) => [i.id, i])),
          projectId: b.projectId,
          period: b.period,
          campaignId: null,
          inputs: b.values,
          actor: actor(req),
          status: 'submitted',
          source: 'entered',
        }),
      );
      return { saved };
    },
  );
  const ValueDecision = Type.Object({
    id: Uuid,
    decision: Type.Union([Type.Literal('approve'), Type.Literal('return')]),
  });
  app.post(
    `${P}/values/:id/:decision`,
    {
      preHandler: staff(true),
      schema: s('Approve or return one submitted value', {
        params: ValueDecision,
        body: Type.Optional(ReviewBody),
        response: { 200: Loose },
      }),
    },
    async (req) => {
      const { id, decision } = req.params as Static<typeof ValueDecision>;
      const v = (
        await db.query<Row>(
          'SELECT v.*, i.programme_id FROM obs_values v JOIN obs_indicators i ON i.id = v.indicator_id WHERE v.id = $1',
          [id],
        )
      ).rows[0];
      if (!v) throw new ProblemError('ResourceNotFound', 'value not found');
      if (v.status !== 'submitted')
        throw new ProblemError(
          'OperationNotSupported',
          `only a submitted value can be reviewed; this one is ${v.status}`,
        );
      const status = decision === 'approve' ? 'approved' : 'returned';
      const comment = (req.body as { comment?: string } | undefined)?.comment ?? null;
      await db.transaction(async (tx) => {
        await tx.query(
          'UPDATE obs_values SET status = $2, updated_by = $3, updated_at = now() WHERE id = $1',
          [id, status, actor(req)],
        );
        await recordHistory(tx, {
          kind: 'value',
          objectId: id,
          programmeId: v.programme_id as string,
          op: decision,
          actor: actor(req),
          changes: { status: { from: 'submitted', to: status }, comment },
        });
      });
      return { id, status, comment };
    },
  );

  app.get(
    `${P}/attachments/:id`,
    { preHandler: staff(false), schema: s('Download an attachment (evidence)', { params: IdParams }) },
    async (req, reply) => {
      const r = (
        await db.query<Row>('SELECT filename, content_type, content FROM obs_attachments WHERE id = $1', [
          (req.params as { id: string }).id,
        ])
      ).rows[0];
      if (!r) throw new ProblemError('ResourceNotFound', 'attachment not found');
      return reply
        .type(r.content_type as string)
        .header(
          'content-disposition',
          `attachment; filename="${(r.filename as string).replace(/["\\]/g, '_')}"`,
        )
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(r.content as Uint8Array));
    },
  );

  // ---- the answer form, through a personal link (no account) ----
  const answerCtx = async (req: FastifyRequest): Promise<{ ctx: ResponseCtx; who: string }> => {
    const token = req.headers[ANSWER_HEADER];
    if (typeof token !== 'string' || token === '')
      throw new ProblemError('Unauthorized', `the ${ANSWER_HEADER} header is required`);
    const claims: AnswerClaims = await links.verify(token);
    return {
      ctx: await responseContext(db, claims.responseId, claims.version),
      who: `link:${claims.responseId}`,
    };
  };
  const answerDoc = `Authenticated by the personal link's token in the ${ANSWER_HEADER} header (no account).`;
  app.get(
    `${P}/answer`,
    {
      config: ownCredential,
      schema: s('The answer form of a personal link', {
        description: answerDoc,
        headers: AnswerHeaders,
        response: { 200: Loose },
      }),
    },
    async (req) => answerForm(db, (await answerCtx(req)).ctx),
  );
  app.put(
    `${P}/answer/values`,
    {
      config: ownCredential,
      schema: s('Save values as a draft', {
        description: answerDoc,
        headers: AnswerHeaders,
        body: ValuesBody,
        response: { 200: Type.Object({ saved: Type.Integer(), issues: Type.Array(ValidationIssue) }) },
      }),
    },
    async (req) => {
      const { ctx, who } = await answerCtx(req);
      const saved = await saveDraft(db, ctx, (req.body as Static<typeof ValuesBody>).values, who);
      const fresh = await responseContext(db, ctx.response.id as string, Number(ctx.response.token_version));
      return { saved, issues: await checkResponse(db, fresh) };
    },
  );
  app.post(
    `${P}/answer/submit`,
    {
      config: ownCredential,
      schema: s('Submit the response for review (422 with the issues when a rule fails)', {
        description: answerDoc,
        headers: AnswerHeaders,
        response: { 200: Type.Object({ status: Type.String() }) },
      }),
    },
    async (req) => {
      const { ctx, who } = await answerCtx(req);
      await submitResponse(db, ctx, who);
      return { status: 'submitted' };
    },
  );
  app.post(
    `${P}/answer/attachments`,
    {
      config: ownCredential,
      bodyLimit: 3_200_000,
      schema: s('Attach evidence (PDF, PNG, JPEG, CSV, XLSX, ODS; 2 MiB at most)', {
        description: answerDoc,
        headers: AnswerHeaders,
        body: AttachmentUpload,
        response: { 201: Loose },
      }),
    },
    async (req, reply) => {
      const { ctx } = await answerCtx(req);
      return reply.code(201).send(await addAttachment(db, ctx, req.body as Static<typeof AttachmentUpload>));
    },
  );

  // ---- results ----
  app.get(
    `${P}/programmes/:id/dashboard`,
    {
      preHandler: staff(false),
      schema: s('Staff dashboard: indicators against baselines and targets, completeness, projects at risk', {
        params: IdParams,
        response: { 200: Loose },
      }),
    },
    async (req) => staffDashboard(db, (req.params as { id: string }).id),
  );
  const ValuesQuery = Type.Composite([
    Paging,
    Type.Object({ period: Type.Optional(PeriodCode), projectId: Type.Optional(Uuid) }),
  ]);
  app.get(
    `${P}/programmes/:id/values`,
    {
      preHandler: staff(false),
      schema: s('Values (every status)', {
        params: IdParams,
        querystring: ValuesQuery,
        response: { 200: page(Loose) },
      }),
    },
    async (req) => {
      const q = req.query as Static<typeof ValuesQuery>;
      const inds = await loadIndicators(db, (req.params as { id: string }).id);
      const all = await loadValues(db, inds, {
        statuses: ['draft', 'submitted', 'approved', 'returned'],
        period: q.period,
        projectId: q.projectId,
      });
      return {
        items: all.slice(q.offset, q.offset + q.limit),
        total: all.length,
        limit: q.limit,
        offset: q.offset,
      };
    },
  );

  const byCode = async (code: string): Promise<string> => {
    const r = await db.query<{ id: string }>('SELECT id FROM obs_programmes WHERE code = $1', [code]);
    if (!r.rows[0]) throw new ProblemError('ResourceNotFound', `programme ${code} not found`);
    return r.rows[0].id;
  };
  const CodeParams = Type.Object({ code: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }) });
  app.get(
    `${P}/public/programmes`,
    { schema: s('Programmes (public)', { response: { 200: Type.Object({ items: Type.Array(Loose) }) } }) },
    async () => ({
      items: (
        await db.query<Row>(
          'SELECT code, name_fr, name_en, start_year, end_year FROM obs_programmes ORDER BY code',
        )
      ).rows.map((r) => ({
        code: r.code,
        nameFr: r.name_fr,
        nameEn: r.name_en,
        startYear: r.start_year,
        endYear: r.end_year,
      })),
    }),
  );
  app.get(
    `${P}/public/programmes/:code`,
    {
      schema: s('Public dashboard: programme progress and key indicators (approved values only)', {
        params: CodeParams,
        response: { 200: Loose },
      }),
    },
    async (req) => publicDashboard(db, await byCode((req.params as { code: string }).code)),
  );
  app.get(
    `${P}/public/programmes/:code/projects.geojson`,
    { schema: s('Map of the projects (GeoJSON)', { params: CodeParams }) },
    async (req, reply) =>
      reply
        .type('application/geo+json')
        .send(await projectsGeoJson(db, await byCode((req.params as { code: string }).code), true)),
  );
  app.get(
    `${P}/programmes/:id/projects.geojson`,
    { preHandler: staff(false), schema: s('Map of all projects (GeoJSON)', { params: IdParams }) },
    async (req, reply) =>
      reply
        .type('application/geo+json')
        .send(await projectsGeoJson(db, (req.params as { id: string }).id, false)),
  );

  // ---- exports ----
  const FILE = `^(${VIEWS.join('|')})\\.(csv|xlsx)$`;
  const ExportParams = Type.Object({ id: Uuid, file: Type.String({ pattern: FILE }) });
  const PublicExportParams = Type.Object({
    code: CodeParams.properties.code,
    file: Type.String({ pattern: FILE }),
  });
  const sendView = async (reply: FastifyReply, programmeId: string, file: string, publicOnly: boolean) => {
    const [view, ext] = file.split('.') as [View, 'csv' | 'xlsx'];
    const code = (await mustGet(db, KINDS.programme, programmeId)).code as string;
    const t = await viewTable(db, programmeId, view, publicOnly);
    const name = `${code}-${view}.${ext}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(t));
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await toXlsx([t], `${code} ${view}`));
  };
  app.get(
    `${P}/programmes/:id/export/:file`,
    {
      preHandler: staff(false),
      schema: s(`Export a view (${VIEWS.join(', ')}) as CSV or XLSX: values/<view>.csv|xlsx`, {
        params: ExportParams,
      }),
    },
    async (req, reply) => {
      const { id, file } = req.params as Static<typeof ExportParams>;
      return sendView(reply, id, file, false);
    },
  );
  app.get(
    `${P}/public/programmes/:code/export/:file`,
    {
      schema: s('Open data: a view of approved, public figures as CSV or XLSX', {
        params: PublicExportParams,
      }),
    },
    async (req, reply) => {
      const { code, file } = req.params as Static<typeof PublicExportParams>;
      return sendView(reply, await byCode(code), file, true);
    },
  );
  const sendSdmx = async (reply: FastifyReply, programmeId: string, publicOnly: boolean) => {
    const code = (await mustGet(db, KINDS.programme, programmeId)).code as string;
    const body = toSdmxCsv('ESCALE', code, await sdmxObservations(db, programmeId, publicOnly));
    return reply
      .type('application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8')
      .header('content-disposition', `attachment; filename="${code}-sdmx.csv"`)
      .send(body);
  };
  app.get(
    `${P}/programmes/:id/sdmx.csv`,
    { preHandler: staff(false), schema: s('Approved values as SDMX-CSV', { params: IdParams }) },
    async (req, reply) => sendSdmx(reply, (req.params as { id: string }).id, false),
  );
  app.get(
    `${P}/public/programmes/:code/sdmx.csv`,
    { schema: s('Public approved values as SDMX-CSV', { params: CodeParams }) },
    async (req, reply) => sendSdmx(reply, await byCode((req.params as { code: string }).code), true),
  );
  const ReportParams = Type.Object({
    code: CodeParams.properties.code,
    file: Type.String({ pattern: '^\\d{4}\\.pdf$' }),
  });
  app.get(
    `${P}/public/programmes/:code/report/:file`,
    {
      schema: s('Yearly PDF report of the programme (approved values): report/2026.pdf', {
        params: ReportParams,
      }),
    },
    async (req, reply) => {
      const { code, file } = req.params as Static<typeof ReportParams>;
      const year = Number(file.slice(0, 4));
      const pdf = await toPdf(await reportData(db, await byCode(code), year));
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${code}-${year}.pdf"`)
        .send(pdf);
    },
  );
}

/** Shapes a programme row (snake_case from SQL) for the list endpoint. */
function mustShape(r: Row): Row {
  const { total: _t, ...rest } = r;
  return {
    id: rest.id,
    code: rest.code,
    nameFr: rest.name_fr,
    nameEn: rest.name_en,
    description: rest.description ?? null,
    startYear: rest.start_year,
    endYear: rest.end_year,
    budget: rest.budget ?? null,
    deviationThreshold: rest.deviation_threshold,
  };
}
