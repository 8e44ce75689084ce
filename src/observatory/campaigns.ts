import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { Transporter } from 'nodemailer';
import type { Db, Queryable } from '../db/db.js';
import { badRequest, ProblemError } from '../http/problem.js';
import { nonOverlappingTimer } from '../lib/timer.js';
import type { CampaignCreate } from './model.js';
import { type Row, recordHistory } from './store.js';

// ---- personal answer links ----

const AUDIENCE = 'escale-observatory-answer';
/** A link stays valid this long after the campaign's due date (late answers are still welcome). */
const LINK_GRACE_DAYS = 60;

export interface AnswerClaims {
  responseId: string;
  version: number;
}

export interface Links {
  sign(responseId: string, version: number, dueAt: Date): Promise<string>;
  verify(token: string): Promise<AnswerClaims>;
}

/** HS256 links signed with a key kept in the database (generated once) or given (ESCALE_OBSERVATORY_LINK_KEY). */
export async function createLinks(db: Db, given?: string): Promise<Links> {
  let secret = given;
  if (!secret) {
    await db.query(
      `INSERT INTO obs_secrets (name, value) VALUES ('link-key', $1) ON CONFLICT (name) DO NOTHING`,
      [randomBytes(32).toString('base64url')],
    );
    secret = (await db.query<{ value: string }>(`SELECT value FROM obs_secrets WHERE name = 'link-key'`))
      .rows[0].value;
  }
  const key = new TextEncoder().encode(secret);
  return {
    async sign(responseId, version, dueAt) {
      const exp = Math.floor(dueAt.getTime() / 1000) + LINK_GRACE_DAYS * 86400;
      return new SignJWT({ v: version })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(responseId)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.max(exp, Math.floor(Date.now() / 1000) + 86400))
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { audience: AUDIENCE, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.v !== 'number') throw new Error('claims');
        return { responseId: payload.sub, version: payload.v };
      } catch (err) {
        const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
        throw new ProblemError(
          'Unauthorized',
          expired ? 'this answer link has expired' : 'this answer link is not valid',
        );
      }
    },
  };
}

// ---- e-mail ----

export interface MailSettings {
  /** smtp(s)://user:pass@host:port; when absent, messages are written as .eml files to outboxDir. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
}

export interface Mailer {
  send(m: {
    to: string;
    subject: string;
    text: string;
  }): Promise<{ outcome: 'sent' | 'written' | 'failed'; detail: string }>;
}

export function createMailer(s: MailSettings): Mailer {
  // Transports are made on the first mail: nodemailer is only loaded by processes that send mail.
  let transports: Promise<{ smtp?: Transporter; stream: Transporter }> | undefined;
  const load = async () => {
    const { default: nodemailer } = await import('nodemailer');
    return {
      smtp: s.smtpUrl ? nodemailer.createTransport(s.smtpUrl) : undefined,
      stream: nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    };
  };
  return {
    async send(m) {
      const mail = { from: s.from, to: m.to, subject: m.subject, text: m.text };
      try {
        transports ??= load();
        const { smtp, stream } = await transports;
        if (smtp) {
          const info = await smtp.sendMail(mail);
          return { outcome: 'sent', detail: String(info.messageId ?? '') };
        }
        const info = await stream.sendMail(mail);
        const dir = resolve(s.outboxDir);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
        writeFileSync(file, info.message as Buffer);
        return { outcome: 'written', detail: file };
      } catch (err) {
        return { outcome: 'failed', detail: (err as Error).message.slice(0, 500) };
      }
    },
  };
}

// ---- campaigns ----

export const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

export function campaignFromRow(r: Row): Row {
  return {
    id: r.id,
    programmeId: r.programme_id,
    name: r.name,
    period: r.period,
    dueAt: iso(r.due_at),
    status: r.status,
    reminderIntervalHours: r.reminder_interval_hours,
    maxReminders: r.max_reminders,
    launchedAt: iso(r.launched_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export async function getCampaign(db: Queryable, id: string): Promise<Row> {
  const r = await db.query<Row>('SELECT * FROM obs_campaigns WHERE id = $1', [id]);
  if (!r.rows[0]) throw new ProblemError('ResourceNotFound', `campaign ${id} not found`);
  return r.rows[0];
}

export async function createCampaign(
  db: Queryable,
  programmeId: string,
  c: CampaignCreate,
  actor: string | null,
): Promise<string> {
  const ids = c.projects.map((p) => p.projectId);
  if (new Set(ids).size !== ids.length) throw badRequest('a project is listed twice');
  const projects = await db.query<Row>(
    'SELECT id, code, contact_email FROM obs_projects WHERE programme_id = $1 AND id = ANY($2::uuid[])',
    [programmeId, ids],
  );
  const byId = new Map(projects.rows.map((p) => [p.id as string, p]));
  const indIds = [...new Set(c.projects.flatMap((p) => p.indicatorIds))];
  const inds = await db.query<Row>(
    'SELECT id, code, source FROM obs_indicators WHERE programme_id = $1 AND id = ANY($2::uuid[])',
    [programmeId, indIds],
  );
  const indById = new Map(inds.rows.map((i) => [i.id as string, i]));
  for (const p of c.projects) {
    const proj = byId.get(p.projectId);
    if (!proj) throw badRequest(`project ${p.projectId} is not part of this programme`);
    if (!p.email && !proj.contact_email)
      throw badRequest(`project ${proj.code} has no contact e-mail: give one`);
    for (const i of p.indicatorIds) {
      const ind = indById.get(i);
      if (!ind) throw badRequest(`indicator ${i} is not part of this programme`);
      if ((ind.source as { kind: string }).kind !== 'entered') {
        throw badRequest(`indicator ${ind.code} is computed; projects cannot be asked for it`);
      }
    }
  }
  const id = randomUUID();
  await db.query(
    `INSERT INTO obs_campaigns (id, programme_id, name, period, due_at, reminder_interval_hours, max_reminders, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, programmeId, c.name, c.period, c.dueAt, c.reminderIntervalHours ?? 168, c.maxReminders ?? 3, actor],
  );
  for (const p of c.projects) {
    await db.query(
      `INSERT INTO obs_responses (id, campaign_id, project_id, indicator_ids, email) VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), id, p.projectId, p.indicatorIds, p.email ?? byId.get(p.projectId)?.contact_email],
    );
  }
  await recordHistory(db, {
    kind: 'campaign',
    objectId: id,
    programmeId,
    op: 'create',
    actor,
    changes: { ...c },
  });
  return id;
}

export interface Messaging {
  links: Links;
  mailer: Mailer;
  /** Base URL of the answer page, e.g. https://escale.example/observatory/answer */
  answerUrl: string;
}

/** Sends (again) the invitation with a personal link. */
export const sendInvitation = (db: Queryable, m: Messaging, response: Row, campaign: Row) =>
  sendTo(db, m, response, campaign, 'invitation');

async function sendTo(
  db: Queryable,
  m: Messaging,
  response: Row,
  campaign: Row,
  kind: 'invitation' | 'reminder',
): Promise<string> {
  const token = await m.links.sign(
    response.id as string,
    Number(response.token_version),
    new Date(campaign.due_at as string),
  );
  const link = `${m.answerUrl}?token=${token}`;
  const project = (
    await db.query<Row>('SELECT code, name FROM obs_projects WHERE id = $1', [response.project_id])
  ).rows[0];
  const due = new Date(campaign.due_at as string).toISOString().slice(0, 10);
  const subject =
    kind === 'invitation'
      ? `[Observatoire] ${campaign.name} – ${project.name}`
      : `[Observatoire] Rappel : ${campaign.name} – ${project.name}`;
  const text = [
    'Bonjour,',
    '',
    kind === 'invitation'
      ? `L'Observatoire de l'innovation Le Havre Smart Port City collecte les indicateurs de la période ${campaign.period} pour le projet « ${project.name} » (${project.code}).`
      : `Nous n'avons pas encore reçu les indicateurs de la période ${campaign.period} pour le projet « ${project.name} » (${project.code}).`,
    `Merci de les renseigner avant le ${due} à l'aide de ce lien personnel (aucun compte n'est nécessaire) :`,
    '',
    link,
    '',
    'Vous pouvez enregistrer un brouillon et revenir plus tard.',
    '',
    '---',
    `The Observatory asks for the indicators of period ${campaign.period} for project "${project.name}", due ${due}. Use the personal link above; no account is needed.`,
  ].join('\n');
  const r = await m.mailer.send({ to: response.email as string, subject, text });
  await db.query(
    'INSERT INTO obs_messages (response_id, kind, recipient, outcome, detail) VALUES ($1, $2, $3, $4, $5)',
    [response.id, kind, response.email, r.outcome, r.outcome === 'failed' ? r.detail : null],
  );
  return link;
}

/** Opens a campaign: every project lead receives a personal link. */
export async function launchCampaign(
  db: Db,
  m: Messaging,
  id: string,
  actor: string | null,
): Promise<{ invited: number }> {
  const c = await getCampaign(db, id);
  if (c.status !== 'draft')
    throw new ProblemError('OperationNotSupported', `the campaign is already ${c.status}`);
  await db.query(
    `UPDATE obs_campaigns SET status = 'open', launched_at = now(), updated_at = now() WHERE id = $1`,
    [id],
  );
  const rs = await db.query<Row>('SELECT * FROM obs_responses WHERE campaign_id = $1 ORDER BY id', [id]);
  for (const r of rs.rows) {
    await sendTo(db, m, r, c, 'invitation');
    await db.query('UPDATE obs_responses SET invited_at = now() WHERE id = $1', [r.id]);
  }
  await recordHistory(db, {
    kind: 'campaign',
    objectId: id,
    programmeId: c.programme_id as string,
    op: 'launch',
    actor,
    changes: { status: { from: 'draft', to: 'open' }, invited: rs.rows.length },
  });
  return { invited: rs.rows.length };
}

const WAITING = ['pending', 'draft', 'returned'];

/**
 * Reminds the leads who have not submitted. Without `force`, only those whose last message is older than the
 * campaign's reminder interval and who had fewer reminders than its maximum (LimeSurvey's rule).
 */
export async function sendReminders(
  db: Db,
  m: Messaging,
  opts: { campaignId?: string; force?: boolean; now?: Date },
): Promise<{ campaignId: string; projectId: string; email: string }[]> {
  const now = opts.now ?? new Date();
  const rs = await db.query<Row>(
    `SELECT r.*, (SELECT count(*) FROM obs_messages x WHERE x.response_id = r.id AND x.kind = 'reminder')::int AS reminders,
            (SELECT max(sent_at) FROM obs_messages x WHERE x.response_id = r.id) AS last_sent
       FROM obs_responses r JOIN obs_campaigns c ON c.id = r.campaign_id
      WHERE c.status = 'open' AND r.status = ANY($1::text[]) AND ($2::uuid IS NULL OR c.id = $2)
      ORDER BY r.campaign_id, r.id`,
    [WAITING, opts.campaignId ?? null],
  );
  const out: { campaignId: string; projectId: string; email: string }[] = [];
  const campaigns = new Map<string, Row>();
  for (const r of rs.rows) {
    const cid = r.campaign_id as string;
    if (!campaigns.has(cid)) campaigns.set(cid, await getCampaign(db, cid));
    const c = campaigns.get(cid) as Row;
    if (!opts.force) {
      if (Number(r.reminders) >= Number(c.max_reminders)) continue;
      const last = r.last_sent ? new Date(r.last_sent as string).getTime() : 0;
      if (now.getTime() - last < Number(c.reminder_interval_hours) * 3_600_000) continue;
    }
    await sendTo(db, m, r, c, 'reminder');
    out.push({ campaignId: cid, projectId: r.project_id as string, email: r.email as string });
  }
  return out;
}

/** Automatic reminders: runs sendReminders over every open campaign at the given interval. */
export function reminderTimer(
  db: Db,
  m: Messaging,
  intervalMs: number,
  onError: (err: Error) => void,
): { stop(): void } {
  return nonOverlappingTimer(() => sendReminders(db, m, {}), intervalMs, onError);
}

// ---- completeness ----

export interface Completeness {
  campaignId: string;
  period: string;
  dueAt: string;
  status: string;
  expected: number;
  informed: number;
  approved: number;
  rate: number;
  approvedRate: number;
  projects: {
    projectId: string;
    code: string;
    name: string;
    status: string;
    expected: number;
    informed: number;
    rate: number;
    late: boolean;
    submittedAt: string | null;
    reminders: { kind: string; sentAt: string; outcome: string }[];
  }[];
  indicators: { indicatorId: string; code: string; expected: number; informed: number; rate: number }[];
  lateProjects: string[];
}

const rate = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 10000) / 10000);

/**
 * Indicators informed versus indicators chosen, live: a value counts as informed once it is submitted or
 * approved with a value; per project, per indicator and overall. A project is late when the due date has passed
 * and it has not submitted.
 */
export async function completeness(
  db: Queryable,
  campaignId: string,
  now = new Date(),
): Promise<Completeness> {
  const c = await getCampaign(db, campaignId);
  const rs = await db.query<Row>(
    `SELECT r.*, p.code, p.name FROM obs_responses r JOIN obs_projects p ON p.id = r.project_id
      WHERE r.campaign_id = $1 ORDER BY p.code`,
    [campaignId],
  );
  const vals = await db.query<Row>(
    `SELECT indicator_id, project_id, status FROM obs_values
      WHERE period = $1 AND project_id = ANY($2::uuid[]) AND (num_value IS NOT NULL OR text_value IS NOT NULL)`,
    [c.period, rs.rows.map((r) => r.project_id)],
  );
  const msgs = await db.query<Row>(
    `SELECT response_id, kind, sent_at, outcome FROM obs_messages WHERE response_id = ANY($1::uuid[]) ORDER BY sent_at, id`,
    [rs.rows.map((r) => r.id)],
  );
  const inds = await db.query<Row>('SELECT id, code FROM obs_indicators WHERE programme_id = $1', [
    c.programme_id,
  ]);
  const codeOf = new Map(inds.rows.map((i) => [i.id as string, i.code as string]));
  const state = new Map(vals.rows.map((v) => [`${v.project_id}/${v.indicator_id}`, v.status as string]));
  const due = new Date(c.due_at as string);
  const perInd = new Map<string, { expected: number; informed: number }>();
  let expected = 0;
  let informed = 0;
  let approved = 0;
  const projects: Completeness['projects'] = [];
  for (const r of rs.rows) {
    const chosen = r.indicator_ids as string[];
    let n = 0;
    for (const i of chosen) {
      const s = state.get(`${r.project_id}/${i}`);
      const ok = s === 'submitted' || s === 'approved';
      const e = perInd.get(i) ?? { expected: 0, informed: 0 };
      e.expected++;
      if (ok) {
        e.informed++;
        n++;
      }
      if (s === 'approved') approved++;
      perInd.set(i, e);
    }
    expected += chosen.length;
    informed += n;
    const submitted = r.status === 'submitted' || r.status === 'approved';
    projects.push({
      projectId: r.project_id as string,
      code: r.code as string,
      name: r.name as string,
      status: r.status as string,
      expected: chosen.length,
      informed: n,
      rate: rate(n, chosen.length),
      late: !submitted && now > due,
      submittedAt: iso(r.submitted_at),
      reminders: msgs.rows
        .filter((x) => x.response_id === r.id)
        .map((x) => ({
          kind: x.kind as string,
          sentAt: iso(x.sent_at) as string,
          outcome: x.outcome as string,
        })),
    });
  }
  return {
    campaignId,
    period: c.period as string,
    dueAt: iso(c.due_at) as string,
    status: c.status as string,
    expected,
    informed,
    approved,
    rate: rate(informed, expected),
    approvedRate: rate(approved, expected),
    projects,
    indicators: [...perInd].map(([id, e]) => ({
      indicatorId: id,
      code: codeOf.get(id) ?? '',
      ...e,
      rate: rate(e.informed, e.expected),
    })),
    lateProjects: projects.filter((p) => p.late).map((p) => p.code),
  };
}
