import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import { decodeFile, FILE_TYPE_NAMES, type FileType, type FileUpload } from './files.js';
import { type Criterion, type RankedApplication, rank, weightedTotal } from './scoring.js';
import { conflict, notFoundP } from './service.js';

export const CALL_KINDS = ['challenge', 'intrapreneurship', 'procurement'] as const;
export type CallKind = (typeof CALL_KINDS)[number];
export const PHASES = ['draft', 'open', 'review', 'selection', 'follow-up'] as const;
export type Phase = (typeof PHASES)[number];
export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'email',
  'url',
  'choice',
  'boolean',
  'file',
] as const;
export const ELIGIBILITY_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn'] as const;

export interface FormField {
  key: string;
  label: string;
  type: (typeof FIELD_TYPES)[number];
  required?: boolean;
  maxLength?: number;
  options?: string[];
  /** Hidden from jurors when the review is blind (names, bios, contacts). */
  identifying?: boolean;
  /** File fields: accepted content types (default: every type files.ts knows) and size cap in bytes. */
  accept?: string[];
  maxBytes?: number;
}

/** An eligibility rule, checked on the answers when the application is submitted. */
export interface EligibilityRule {
  field: string;
  operator: (typeof ELIGIBILITY_OPERATORS)[number];
  value: string | number | boolean | (string | number)[];
  /** What the applicant reads when the rule fails. */
  message: string;
}

/** What a file field's answer holds (the file itself is in inv_attachments). */
export interface FileAnswer {
  attachmentId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface PhaseDates {
  phase: Phase;
  startsAt?: string;
  endsAt?: string;
}

/** Where the call's selected applications go in the Observatory (README.md, "Observatory link"). */
export interface CallObservatory {
  /** The Observatory action the projects are attached to (default: the one for the call's kind). */
  actionId?: string;
  /** Codes of the programme's indicators that follow each project. */
  indicatorCodes?: string[];
}

export interface CallOut {
  id: string;
  kind: CallKind;
  title: string;
  description: string;
  orgId: string;
  phase: Phase;
  phases: PhaseDates[];
  form: FormField[];
  criteria: Criterion[];
  eligibility: EligibilityRule[];
  blind: boolean;
  observatory: CallObservatory;
  deliberation: string | null;
  createdAt: string;
}

export interface CallCreate {
  kind: CallKind;
  title: string;
  description?: string;
  orgId: string;
  phases?: PhaseDates[];
  form?: FormField[];
  criteria?: Criterion[];
  eligibility?: EligibilityRule[];
  blind?: boolean;
  observatory?: CallObservatory;
}

export interface ApplicationOut {
  id: string;
  callId: string;
  /** Absent from what a juror sees when the review is blind. */
  applicant?: { userId: string; name: string; orgId: string | null };
  title: string;
  answers: Record<string, unknown>;
  status: 'draft' | 'submitted' | 'selected' | 'rejected';
  reference: string | null;
  submittedAt: string | null;
  feedback: string | null;
  /** The Observatory project a selected application became. */
  observatoryProjectId: string | null;
  updatedAt: string;
}

export interface Receipt {
  reference: string;
  submittedAt: string;
  /** SHA-256 of the canonical JSON of the title and answers as submitted. */
  digest: string;
}

/** What the Observatory receives for each selected application (see README.md, "Observatory hook"). */
export interface SelectedApplication {
  callId: string;
  callTitle: string;
  callKind: CallKind;
  /** The call's Observatory settings (action, follow-up indicators). */
  observatory: CallObservatory;
  applicationId: string;
  reference: string | null;
  title: string;
  /** The answer to the `summary` field, else to the first long-text field. */
  summary: string | null;
  /** The answer to the first e-mail field. */
  contactEmail: string | null;
  applicantName: string;
  orgId: string | null;
  answers: Record<string, unknown>;
  /** Who took the decision (`user:<id>`), for the Observatory's history. */
  decidedBy: string | null;
}

/** What the Observatory hook answers: the project the application became, if any. */
export type SelectionHook = (s: SelectedApplication) => Promise<{ projectId: string } | undefined>;

export interface Decision {
  selected: number;
  rejected: number;
  /** Projects created in the Observatory; `error` when the hook failed (the decision stands: decide again). */
  followUp: { applicationId: string; projectId: string | null; error?: string }[];
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const unprocessable = (detail: string) => new ProblemError('OperationNotSupported', detail);
const bad = (detail: string) => new ProblemError('BadRequestData', detail);

function callOut(r: Row): CallOut {
  return {
    id: String(r.id),
    kind: r.kind as CallKind,
    title: String(r.title),
    description: String(r.description),
    orgId: String(r.org_id),
    phase: r.phase as Phase,
    phases: json<PhaseDates[]>(r.phases),
    form: json<FormField[]>(r.form),
    criteria: json<Criterion[]>(r.criteria),
    eligibility: json<EligibilityRule[]>(r.eligibility ?? []),
    blind: Boolean(r.blind),
    observatory: json<CallObservatory>(r.observatory ?? {}),
    deliberation: (r.deliberation as string | null) ?? null,
    createdAt: iso(r.created_at),
  };
}

function checkDefinition(
  c: { form?: FormField[]; criteria?: Criterion[]; phases?: PhaseDates[]; eligibility?: EligibilityRule[] },
  current?: CallOut,
): void {
  const keys = new Set<string>();
  for (const f of c.form ?? []) {
    if (keys.has(f.key)) throw bad(`form field ${f.key} appears twice`);
    keys.add(f.key);
    if (f.type === 'choice' && !f.options?.length) throw bad(`choice field ${f.key} needs options`);
    if (f.type !== 'file' && (f.accept || f.maxBytes))
      throw bad(`field ${f.key}: accept and maxBytes are for files`);
    for (const t of f.accept ?? [])
      if (!FILE_TYPE_NAMES.includes(t as FileType))
        throw bad(`field ${f.key}: files may be ${FILE_TYPE_NAMES.join(', ')}`);
  }
  const form = new Map((c.form ?? current?.form ?? []).map((f) => [f.key, f]));
  for (const r of c.eligibility ?? []) {
    const f = form.get(r.field);
    if (!f) throw bad(`eligibility rule on ${r.field}: the form has no such field`);
    const ordered = ['lt', 'lte', 'gt', 'gte'].includes(r.operator);
    if (ordered && (f.type !== 'number' || typeof r.value !== 'number'))
      throw bad(`eligibility rule on ${r.field}: ${r.operator} compares a number field with a number`);
    if ((r.operator === 'in' || r.operator === 'notIn') !== Array.isArray(r.value))
      throw bad(`eligibility rule on ${r.field}: in and notIn (only) take a list`);
    if (f.type === 'file') throw bad(`eligibility rule on ${r.field}: files are not compared`);
  }
  const ck = new Set<string>();
  for (const k of c.criteria ?? []) {
    if (ck.has(k.key)) throw bad(`criterion ${k.key} appears twice`);
    ck.add(k.key);
  }
  for (const p of c.phases ?? []) {
    if (p.startsAt && p.endsAt && Date.parse(p.endsAt) < Date.parse(p.startsAt)) {
      throw bad(`phase ${p.phase} ends before it starts`);
    }
  }
}

export async function createCall(db: Db, c: CallCreate): Promise<CallOut> {
  checkDefinition(c);
  const id = randomUUID();
  await db.query(
    `INSERT INTO inv_calls (id, kind, title, description, org_id, phases, form, criteria, blind, observatory, eligibility)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      c.kind,
      c.title,
      c.description ?? '',
      c.orgId,
      JSON.stringify(c.phases ?? []),
      JSON.stringify(c.form ?? []),
      JSON.stringify(c.criteria ?? []),
      c.blind ?? false,
      JSON.stringify(c.observatory ?? {}),
      JSON.stringify(c.eligibility ?? []),
    ],
  );
  return mustCall(db, id);
}

export async function mustCall(db: Queryable, id: string): Promise<CallOut> {
  const r = await db.query<Row>('SELECT * FROM inv_calls WHERE id = $1', [id]);
  if (!r.rows[0]) throw notFoundP('call');
  return callOut(r.rows[0]);
}

export async function listCalls(
  db: Db,
  f: { kind?: CallKind; includeDraftsOf?: string[] | 'all' },
  limit: number,
  offset: number,
): Promise<{ items: CallOut[]; total: number }> {
  const all = f.includeDraftsOf === 'all';
  const orgs = Array.isArray(f.includeDraftsOf) ? f.includeDraftsOf : [];
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_calls
      WHERE ($1::text IS NULL OR kind = $1) AND (phase <> 'draft' OR $2::boolean OR org_id = ANY($3::uuid[]))
      ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
    [f.kind ?? null, all, orgs, limit, offset],
  );
  return { items: r.rows.map(callOut), total: Number(r.rows[0]?.total ?? 0) };
}

/** Edits the definition; the form and criteria are frozen once the call is open (applicants rely on them). */
export async function updateCall(
  db: Db,
  id: string,
  patch: Partial<Omit<CallCreate, 'orgId' | 'kind'>>,
): Promise<CallOut> {
  const c = await mustCall(db, id);
  if (
    c.phase !== 'draft' &&
    (patch.form || patch.criteria || patch.eligibility || patch.blind !== undefined)
  ) {
    throw unprocessable(
      'the form, criteria, eligibility rules and blind setting are frozen once the call is open',
    );
  }
  // Rules are checked against the form they will run on (the new one when both change).
  checkDefinition(
    { ...patch, eligibility: patch.eligibility ?? (patch.form ? c.eligibility : undefined) },
    c,
  );
  await db.query(
    `UPDATE inv_calls SET title = coalesce($2, title), description = coalesce($3, description),
       phases = coalesce($4, phases), form = coalesce($5, form), criteria = coalesce($6, criteria),
       blind = coalesce($7, blind), observatory = coalesce($8, observatory),
       eligibility = coalesce($9, eligibility) WHERE id = $1`,
    [
      id,
      patch.title ?? null,
      patch.description ?? null,
      patch.phases ? JSON.stringify(patch.phases) : null,
      patch.form ? JSON.stringify(patch.form) : null,
      patch.criteria ? JSON.stringify(patch.criteria) : null,
      patch.blind ?? null,
      patch.observatory ? JSON.stringify(patch.observatory) : null,
      patch.eligibility ? JSON.stringify(patch.eligibility) : null,
    ],
  );
  return mustCall(db, id);
}

/** Moves the call to a later phase (never back). Opening needs a form; review needs criteria and jurors. */
export async function advancePhase(db: Db, id: string, to: Phase): Promise<CallOut> {
  return db.transaction(async (tx) => {
    const r = await tx.query<Row>('SELECT * FROM inv_calls WHERE id = $1 FOR UPDATE', [id]);
    if (!r.rows[0]) throw notFoundP('call');
    const c = callOut(r.rows[0]);
    if (PHASES.indexOf(to) <= PHASES.indexOf(c.phase)) {
      throw unprocessable(`the call is in phase ${c.phase}; it can only move forward`);
    }
    if (to === 'open' && c.form.length === 0) throw unprocessable('the call has no application form');
    if (PHASES.indexOf(to) >= PHASES.indexOf('review')) {
      if (c.criteria.length === 0) throw unprocessable('the call has no review criteria');
      const j = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM inv_jurors WHERE call_id = $1',
        [id],
      );
      if (Number(j.rows[0].n) === 0) throw unprocessable('the call has no jurors');
    }
    await tx.query('UPDATE inv_calls SET phase = $2, opened_at = coalesce(opened_at, now()) WHERE id = $1', [
      id,
      to,
    ]);
    return mustCall(tx, id);
  });
}

// ---- jurors and conflicts ----

export async function addJuror(db: Db, callId: string, userId: string, name: string): Promise<void> {
  await mustCall(db, callId);
  await db.query(
    `INSERT INTO inv_jurors (call_id, user_id, name) VALUES ($1, $2, $3)
     ON CONFLICT (call_id, user_id) DO UPDATE SET name = EXCLUDED.name`,
    [callId, userId, name],
  );
}

export async function listJurors(
  db: Db,
  callId: string,
): Promise<{ userId: string; name: string; reviews: number; conflicts: number }[]> {
  const r = await db.query<Row>(
    `SELECT j.user_id, j.name,
       (SELECT count(*) FROM inv_reviews v JOIN inv_applications a ON a.id = v.application_id
         WHERE a.call_id = j.call_id AND v.juror_id = j.user_id) AS reviews,
       (SELECT count(*) FROM inv_conflicts c WHERE c.call_id = j.call_id AND c.juror_id = j.user_id) AS conflicts
       FROM inv_jurors j WHERE j.call_id = $1 ORDER BY j.name, j.user_id`,
    [callId],
  );
  return r.rows.map((x) => ({
    userId: String(x.user_id),
    name: String(x.name),
    reviews: Number(x.reviews),
    conflicts: Number(x.conflicts),
  }));
}

export async function isJuror(db: Queryable, callId: string, userId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM inv_jurors WHERE call_id = $1 AND user_id = $2', [callId, userId]);
  return r.rows.length > 0;
}

/** A juror declares a conflict of interest: they no longer see, nor score, that application. */
export async function declareConflict(
  db: Db,
  callId: string,
  jurorId: string,
  applicationId: string,
  reason: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const a = await tx.query('SELECT 1 FROM inv_applications WHERE id = $1 AND call_id = $2', [
      applicationId,
      callId,
    ]);
    if (a.rows.length === 0) throw notFoundP('application');
    await tx.query(
      `INSERT INTO inv_conflicts (call_id, juror_id, application_id, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (juror_id, application_id) DO UPDATE SET reason = EXCLUDED.reason`,
      [callId, jurorId, applicationId, reason],
    );
    // A review given before the declaration no longer counts.
    await tx.query('DELETE FROM inv_reviews WHERE application_id = $1 AND juror_id = $2', [
      applicationId,
      jurorId,
    ]);
  });
}

// ---- applications ----

function applicationOut(r: Row, hideIdentity: boolean, form: FormField[]): ApplicationOut {
  let answers = json<Record<string, unknown>>(r.answers);
  if (hideIdentity) {
    const hidden = new Set(form.filter((f) => f.identifying).map((f) => f.key));
    answers = Object.fromEntries(Object.entries(answers).filter(([k]) => !hidden.has(k)));
  }
  return {
    id: String(r.id),
    callId: String(r.call_id),
    ...(hideIdentity
      ? {}
      : {
          applicant: {
            userId: String(r.applicant_id),
            name: String(r.applicant_name),
            orgId: (r.org_id as string | null) ?? null,
          },
        }),
    title: String(r.title),
    answers,
    status: r.status as ApplicationOut['status'],
    reference: (r.reference as string | null) ?? null,
    submittedAt: r.submitted_at == null ? null : iso(r.submitted_at),
    feedback: hideIdentity ? null : ((r.feedback as string | null) ?? null),
    observatoryProjectId: (r.observatory_project_id as string | null) ?? null,
    updatedAt: iso(r.updated_at),
  };
}

function checkAnswers(form: FormField[], answers: Record<string, unknown>, complete: boolean): void {
  const fields = new Map(form.map((f) => [f.key, f]));
  for (const [k, v] of Object.entries(answers)) {
    const f = fields.get(k);
    if (!f) throw bad(`the form has no field ${k}`);
    if (v === null) continue;
    const fail = (why: string) => bad(`field ${k}: ${why}`);
    switch (f.type) {
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw fail('a number is expected');
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw fail('true or false is expected');
        break;
      case 'choice':
        if (typeof v !== 'string' || !f.options?.includes(v)) throw fail(`one of ${f.options?.join(', ')}`);
        break;
      case 'file':
        if (typeof v !== 'object' || typeof (v as FileAnswer).attachmentId !== 'string')
          throw fail('files are uploaded to /applications/{id}/attachments');
        break;
      default: {
        if (typeof v !== 'string') throw fail('text is expected');
        const max = f.maxLength ?? (f.type === 'textarea' ? 10_000 : 500);
        if (v.length > max) throw fail(`at most ${max} characters`);
        if (f.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw fail('an e-mail address');
        if (f.type === 'url' && !/^https?:\/\/\S+$/.test(v)) throw fail('an http(s) URL');
      }
    }
  }
  if (complete) {
    const missing = form.filter((f) => f.required && (answers[f.key] == null || answers[f.key] === ''));
    if (missing.length) {
      throw new ProblemError(
        'BadRequestData',
        `required fields are missing: ${missing.map((f) => f.key).join(', ')}`,
        {
          missing: missing.map((f) => f.key),
        },
      );
    }
  }
}

/** The eligibility rules the answers fail (an unanswered field fails its rules). */
export function ineligibility(rules: EligibilityRule[], answers: Record<string, unknown>): EligibilityRule[] {
  return rules.filter((r) => {
    const v = answers[r.field];
    if (v === undefined || v === null || v === '') return true;
    const x = r.value;
    switch (r.operator) {
      case 'eq':
        return v !== x;
      case 'ne':
        return v === x;
      case 'lt':
        return !(typeof v === 'number' && v < (x as number));
      case 'lte':
        return !(typeof v === 'number' && v <= (x as number));
      case 'gt':
        return !(typeof v === 'number' && v > (x as number));
      case 'gte':
        return !(typeof v === 'number' && v >= (x as number));
      case 'in':
        return !(x as unknown[]).includes(v);
      case 'notIn':
        return (x as unknown[]).includes(v);
      default:
        return true;
    }
  });
}

/** File fields are answered by uploading (uploadAttachment), never through the answers. */
function refuseFileAnswers(form: FormField[], answers: Record<string, unknown> | undefined): void {
  for (const f of form) {
    if (f.type === 'file' && answers && f.key in answers)
      throw bad(`field ${f.key}: files are uploaded to /applications/{id}/attachments`);
  }
}

/** Submissions are accepted in the open phase and, when it has dates, within them. */
function assertOpen(c: CallOut, now = Date.now()): void {
  if (c.phase !== 'open') throw unprocessable(`the call is not open (phase ${c.phase})`);
  const d = c.phases.find((p) => p.phase === 'open');
  if (d?.startsAt && now < Date.parse(d.startsAt)) throw unprocessable('the call opens later');
  if (d?.endsAt && now > Date.parse(d.endsAt)) throw unprocessable('the call has closed');
}

export async function createDraft(
  db: Db,
  callId: string,
  applicant: { userId: string; name: string; orgId: string | null },
  input: { title: string; answers?: Record<string, unknown> },
): Promise<ApplicationOut> {
  const c = await mustCall(db, callId);
  assertOpen(c);
  refuseFileAnswers(c.form, input.answers);
  checkAnswers(c.form, input.answers ?? {}, false);
  const id = randomUUID();
  await db.query(
    `INSERT INTO inv_applications (id, call_id, applicant_id, applicant_name, org_id, title, answers)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      callId,
      applicant.userId,
      applicant.name,
      applicant.orgId,
      input.title,
      JSON.stringify(input.answers ?? {}),
    ],
  );
  return getApplication(db, id, false);
}

export async function applicationRow(db: Queryable, id: string): Promise<Row> {
  const r = await db.query<Row>('SELECT * FROM inv_applications WHERE id = $1', [id]);
  if (!r.rows[0]) throw notFoundP('application');
  return r.rows[0];
}

export async function getApplication(
  db: Queryable,
  id: string,
  hideIdentity: boolean,
): Promise<ApplicationOut> {
  const r = await applicationRow(db, id);
  const c = await mustCall(db, String(r.call_id));
  return applicationOut(r, hideIdentity, c.form);
}

export async function updateDraft(
  db: Db,
  id: string,
  input: { title?: string; answers?: Record<string, unknown> },
): Promise<ApplicationOut> {
  return db.transaction(async (tx) => {
    const r = (await tx.query<Row>('SELECT * FROM inv_applications WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!r) throw notFoundP('application');
    if (r.status !== 'draft') throw unprocessable('the application is submitted; it can no longer change');
    const c = await mustCall(tx, String(r.call_id));
    assertOpen(c);
    refuseFileAnswers(c.form, input.answers);
    const answers = { ...json<Record<string, unknown>>(r.answers), ...(input.answers ?? {}) };
    checkAnswers(c.form, answers, false);
    await tx.query(
      'UPDATE inv_applications SET title = coalesce($2, title), answers = $3, updated_at = now() WHERE id = $1',
      [id, input.title ?? null, JSON.stringify(answers)],
    );
    return getApplication(tx, id, false);
  });
}

const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

export async function submit(db: Db, id: string): Promise<Receipt> {
  return db.transaction(async (tx) => {
    const r = (await tx.query<Row>('SELECT * FROM inv_applications WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!r) throw notFoundP('application');
    if (r.status !== 'draft') {
      return { reference: String(r.reference), submittedAt: iso(r.submitted_at), digest: String(r.digest) };
    }
    const c = await mustCall(tx, String(r.call_id));
    assertOpen(c);
    const answers = json<Record<string, unknown>>(r.answers);
    checkAnswers(c.form, answers, true);
    const failed = ineligibility(c.eligibility, answers);
    if (failed.length) {
      throw new ProblemError(
        'OperationNotSupported',
        `not eligible: ${failed.map((f) => f.message).join('; ')}`,
        {
          ineligible: failed.map((f) => ({ field: f.field, message: f.message })),
        },
      );
    }
    const reference = `${c.kind.slice(0, 3).toUpperCase()}-${new Date().getUTCFullYear()}-${randomBytes(4)
      .toString('hex')
      .toUpperCase()}`;
    const digest = createHash('sha256')
      .update(canonical({ title: r.title, answers }))
      .digest('hex');
    const u = await tx.query<Row>(
      `UPDATE inv_applications SET status = 'submitted', reference = $2, digest = $3, submitted_at = now(),
         updated_at = now() WHERE id = $1 RETURNING submitted_at`,
      [id, reference, digest],
    );
    return { reference, submittedAt: iso(u.rows[0].submitted_at), digest };
  });
}

// ---- attachments ----

/**
 * Attaches a file to a file field of one's draft (replacing the previous one): the field's types and size cap,
 * the content checked against its type; the answer records name, type, size and SHA-256 (so the receipt's
 * digest covers the file).
 */
export async function uploadAttachment(
  db: Db,
  applicationId: string,
  field: string,
  upload: FileUpload,
): Promise<ApplicationOut> {
  return db.transaction(async (tx) => {
    const r = (
      await tx.query<Row>('SELECT * FROM inv_applications WHERE id = $1 FOR UPDATE', [applicationId])
    ).rows[0];
    if (!r) throw notFoundP('application');
    if (r.status !== 'draft') throw unprocessable('the application is submitted; it can no longer change');
    const c = await mustCall(tx, String(r.call_id));
    assertOpen(c);
    const f = c.form.find((x) => x.key === field);
    if (f?.type !== 'file') throw bad(`the form has no file field ${field}`);
    const file = decodeFile(upload, { types: f.accept, maxBytes: f.maxBytes });
    const id = randomUUID();
    await tx.query('DELETE FROM inv_attachments WHERE application_id = $1 AND field = $2', [
      applicationId,
      field,
    ]);
    await tx.query(
      `INSERT INTO inv_attachments (id, application_id, field, filename, content_type, size, sha256, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, applicationId, field, file.filename, file.contentType, file.size, file.sha256, file.bytes],
    );
    const answer: FileAnswer = {
      attachmentId: id,
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
      sha256: file.sha256,
    };
    const answers = { ...json<Record<string, unknown>>(r.answers), [field]: answer };
    await tx.query('UPDATE inv_applications SET answers = $2, updated_at = now() WHERE id = $1', [
      applicationId,
      JSON.stringify(answers),
    ]);
    return getApplication(tx, applicationId, false);
  });
}

export async function attachment(
  db: Queryable,
  applicationId: string,
  attachmentId: string,
): Promise<{ field: string; filename: string; contentType: string; content: Buffer }> {
  const r = await db.query<Row>('SELECT * FROM inv_attachments WHERE id = $1 AND application_id = $2', [
    attachmentId,
    applicationId,
  ]);
  const a = r.rows[0];
  if (!a) throw notFoundP('attachment');
  return {
    field: String(a.field),
    filename: String(a.filename),
    contentType: String(a.content_type),
    content: Buffer.from(a.content as Uint8Array),
  };
}

export async function listApplications(
  db: Db,
  callId: string,
  f: { applicantId?: string },
  limit: number,
  offset: number,
): Promise<{ items: ApplicationOut[]; total: number }> {
  const c = await mustCall(db, callId);
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_applications
      WHERE call_id = $1 AND ($2::uuid IS NULL OR applicant_id = $2)
        AND ($2::uuid IS NOT NULL OR status <> 'draft')
      ORDER BY submitted_at NULLS LAST, created_at, id LIMIT $3 OFFSET $4`,
    [callId, f.applicantId ?? null, limit, offset],
  );
  return { items: r.rows.map((x) => applicationOut(x, false, c.form)), total: Number(r.rows[0]?.total ?? 0) };
}

// ---- review ----

export interface QueueItem {
  application: ApplicationOut;
  /** The juror's own review, if given (never the others'). */
  myReview: { scores: Record<string, number>; comment: string; weightedTotal: number } | null;
}

/** What a juror has to review: submitted applications minus their conflicts; identity hidden when blind. */
export async function reviewQueue(
  db: Db,
  callId: string,
  jurorId: string,
  limit: number,
  offset: number,
): Promise<{ items: QueueItem[]; total: number; conflicts: number }> {
  const c = await mustCall(db, callId);
  const r = await db.query<Row>(
    `SELECT a.*, v.scores AS my_scores, v.comment AS my_comment, count(*) OVER () AS total
       FROM inv_applications a
       LEFT JOIN inv_reviews v ON v.application_id = a.id AND v.juror_id = $2
      WHERE a.call_id = $1 AND a.status <> 'draft'
        AND NOT EXISTS (SELECT 1 FROM inv_conflicts k WHERE k.application_id = a.id AND k.juror_id = $2)
      ORDER BY a.submitted_at, a.id LIMIT $3 OFFSET $4`,
    [callId, jurorId, limit, offset],
  );
  const k = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM inv_conflicts WHERE call_id = $1 AND juror_id = $2',
    [callId, jurorId],
  );
  return {
    items: r.rows.map((x) => {
      const scores = x.my_scores == null ? null : json<Record<string, number>>(x.my_scores);
      return {
        application: applicationOut(x, c.blind, c.form),
        myReview: scores
          ? { scores, comment: String(x.my_comment), weightedTotal: weightedTotal(c.criteria, scores) }
          : null,
      };
    }),
    total: Number(r.rows[0]?.total ?? 0),
    conflicts: Number(k.rows[0].n),
  };
}

export async function hasConflict(db: Queryable, jurorId: string, applicationId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM inv_conflicts WHERE juror_id = $1 AND application_id = $2', [
    jurorId,
    applicationId,
  ]);
  return r.rows.length > 0;
}

export async function saveReview(
  db: Db,
  applicationId: string,
  jurorId: string,
  scores: Record<string, number>,
  comment: string,
): Promise<void> {
  const a = await applicationRow(db, applicationId);
  const c = await mustCall(db, String(a.call_id));
  if (c.phase !== 'review') throw unprocessable(`reviews are given in the review phase (now ${c.phase})`);
  if (a.status === 'draft') throw notFoundP('application');
  if (await hasConflict(db, jurorId, applicationId)) {
    throw new ProblemError('Forbidden', 'you declared a conflict of interest with this application');
  }
  const keys = new Set(c.criteria.map((k) => k.key));
  for (const k of Object.keys(scores)) if (!keys.has(k)) throw bad(`the call has no criterion ${k}`);
  for (const k of c.criteria) {
    const v = scores[k.key];
    if (typeof v !== 'number') throw bad(`criterion ${k.key} is not scored`);
    if (v < 0 || v > k.max) throw bad(`criterion ${k.key} is scored from 0 to ${k.max}`);
  }
  await db.query(
    `INSERT INTO inv_reviews (application_id, juror_id, scores, comment) VALUES ($1, $2, $3, $4)
     ON CONFLICT (application_id, juror_id) DO UPDATE SET scores = EXCLUDED.scores, comment = EXCLUDED.comment,
       updated_at = now()`,
    [applicationId, jurorId, JSON.stringify(scores), comment],
  );
}

export interface RankingRow extends RankedApplication {
  title: string;
  reference: string | null;
  applicantName: string;
  status: ApplicationOut['status'];
  comments: { jurorId: string; jurorName: string; comment: string; weightedTotal: number }[];
}

/** The ranking for the call's managers: normalised scores (scoring.ts) with every review's comment. */
export async function ranking(db: Db, callId: string): Promise<{ method: string; items: RankingRow[] }> {
  const c = await mustCall(db, callId);
  const apps = await db.query<Row>(
    `SELECT * FROM inv_applications WHERE call_id = $1 AND status <> 'draft'`,
    [callId],
  );
  const reviews = await db.query<Row>(
    `SELECT v.*, j.name AS juror_name FROM inv_reviews v
       JOIN inv_applications a ON a.id = v.application_id
       LEFT JOIN inv_jurors j ON j.call_id = a.call_id AND j.user_id = v.juror_id
      WHERE a.call_id = $1 ORDER BY v.juror_id, v.application_id`,
    [callId],
  );
  const rv = reviews.rows.map((x) => ({
    applicationId: String(x.application_id),
    jurorId: String(x.juror_id),
    jurorName: String(x.juror_name ?? ''),
    scores: json<Record<string, number>>(x.scores),
    comment: String(x.comment),
  }));
  const ranked = rank(
    c.criteria,
    rv,
    apps.rows.map((a) => ({ id: String(a.id), submittedAt: new Date(a.submitted_at as string).getTime() })),
  );
  const byId = new Map(apps.rows.map((a) => [String(a.id), a]));
  return {
    method:
      'weighted total per review (Σ weight × score / max ÷ Σ weight), z-score per juror over the applications they reviewed, mean per application',
    items: ranked.map((x) => {
      const a = byId.get(x.applicationId) as Row;
      return {
        ...x,
        title: String(a.title),
        reference: (a.reference as string | null) ?? null,
        applicantName: String(a.applicant_name),
        status: a.status as ApplicationOut['status'],
        comments: rv
          .filter((r) => r.applicationId === x.applicationId)
          .map((r) => ({
            jurorId: r.jurorId,
            jurorName: r.jurorName,
            comment: r.comment,
            weightedTotal: weightedTotal(c.criteria, r.scores),
          })),
      };
    }),
  };
}

/**
 * The decision, in the selection phase: the selected applications, the others rejected, the deliberation
 * notes, and feedback each applicant reads on their application. Calls `onSelected` for each selected one.
 */
export async function decide(
  db: Db,
  callId: string,
  d: { selected: string[]; deliberation?: string; feedback?: Record<string, string> },
  onSelected?: SelectionHook,
  decidedBy: string | null = null,
): Promise<Decision> {
  const out = await db.transaction(async (tx) => {
    const locked = await tx.query<Row>('SELECT * FROM inv_calls WHERE id = $1 FOR UPDATE', [callId]);
    if (!locked.rows[0]) throw notFoundP('call');
    const c = callOut(locked.rows[0]);
    if (c.phase !== 'selection')
      throw unprocessable(`decisions are taken in the selection phase (now ${c.phase})`);
    const apps = await tx.query<Row>(
      `SELECT * FROM inv_applications WHERE call_id = $1 AND status <> 'draft'`,
      [callId],
    );
    const ids = new Set(apps.rows.map((a) => String(a.id)));
    for (const s of d.selected)
      if (!ids.has(s)) throw bad(`application ${s} is not a submitted application of this call`);
    for (const k of Object.keys(d.feedback ?? {}))
      if (!ids.has(k)) throw bad(`application ${k} is not in this call`);
    const chosen = new Set(d.selected);
    for (const a of apps.rows) {
      const id = String(a.id);
      await tx.query(
        `UPDATE inv_applications SET status = $2, feedback = coalesce($3, feedback), decided_at = now(),
           updated_at = now() WHERE id = $1`,
        [id, chosen.has(id) ? 'selected' : 'rejected', d.feedback?.[id] ?? null],
      );
    }
    await tx.query('UPDATE inv_calls SET deliberation = coalesce($2, deliberation) WHERE id = $1', [
      callId,
      d.deliberation ?? null,
    ]);
    return {
      c,
      selected: apps.rows.filter((a) => chosen.has(String(a.id))),
      rejected: apps.rows.length - chosen.size,
    };
  });
  const followUp: Decision['followUp'] = [];
  if (onSelected) {
    for (const a of out.selected) {
      const answers = json<Record<string, unknown>>(a.answers);
      const text = (f?: FormField) =>
        f && typeof answers[f.key] === 'string' ? String(answers[f.key]) : null;
      const applicationId = String(a.id);
      try {
        const r = await onSelected({
          callId,
          callTitle: out.c.title,
          callKind: out.c.kind,
          observatory: out.c.observatory,
          applicationId,
          reference: (a.reference as string | null) ?? null,
          title: String(a.title),
          summary:
            text(out.c.form.find((f) => f.key === 'summary')) ??
            text(out.c.form.find((f) => f.type === 'textarea')),
          contactEmail: text(out.c.form.find((f) => f.type === 'email')),
          applicantName: String(a.applicant_name),
          orgId: (a.org_id as string | null) ?? null,
          answers,
          decidedBy,
        });
        const projectId = r?.projectId ?? null;
        if (projectId) {
          await db.query('UPDATE inv_applications SET observatory_project_id = $2 WHERE id = $1', [
            applicationId,
            projectId,
          ]);
        }
        followUp.push({ applicationId, projectId });
      } catch (err) {
        followUp.push({ applicationId, projectId: null, error: (err as Error).message });
      }
    }
  }
  return { selected: out.selected.length, rejected: out.rejected, followUp };
}

export { conflict };
