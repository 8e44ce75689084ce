import { createHash, randomUUID } from 'node:crypto';
import type { Broker } from '../broker/index.js';
import type { Db, Queryable } from '../db/db.js';
import { badRequest, ProblemError } from '../http/problem.js';
import { completeness, getCampaign, iso } from './campaigns.js';
import { computeFromDataHub } from './datahub.js';
import type { ReportData, SdmxObservation, Table } from './exports.js';
import { type FigureProvider, findProvider } from './figures.js';
import type { ValidationIssue, Value, ValueInput, ValueStatus } from './model.js';
import { comparePeriods, parsePeriod } from './periods.js';
import { fromRow, KINDS, mustGet, type Row, recordHistory } from './store.js';
import {
  checkFormula,
  computeSeries,
  type Indicator,
  type Rule,
  saveValues,
  setValueStatus,
  validate,
  valueFromRow,
} from './values.js';

// ---- projects: GeoJSON location in the API, lon/lat columns in the table ----

export function projectIn(body: Row): Row {
  const { location, ...rest } = body;
  if (location === undefined) return rest;
  const p = location as { coordinates: [number, number] } | null;
  return { ...rest, lon: p ? p.coordinates[0] : null, lat: p ? p.coordinates[1] : null };
}

export function projectOut(r: Row): Row {
  const { lon, lat, ...rest } = r;
  return {
    ...rest,
    location: lon === null || lat === null ? null : { type: 'Point', coordinates: [lon, lat] },
  };
}

// ---- loading ----

export async function loadIndicators(db: Queryable, programmeId: string): Promise<Indicator[]> {
  const r = await db.query<Row>('SELECT * FROM obs_indicators WHERE programme_id = $1 ORDER BY code', [
    programmeId,
  ]);
  return r.rows.map((x) => fromRow(KINDS.indicator, x) as unknown as Indicator);
}

export async function loadValues(
  db: Queryable,
  indicators: Indicator[],
  opts: { statuses: ValueStatus[]; publicOnly?: boolean; projectId?: string; period?: string },
): Promise<Value[]> {
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const ids = indicators.filter((i) => !opts.publicOnly || i.public).map((i) => i.id);
  const r = await db.query<Row>(
    `SELECT v.* FROM obs_values v LEFT JOIN obs_projects p ON p.id = v.project_id
      WHERE v.indicator_id = ANY($1::uuid[]) AND v.status = ANY($2::text[])
        AND ($3::boolean IS NOT TRUE OR v.project_id IS NULL OR p.public)
        AND ($4::uuid IS NULL OR v.project_id = $4) AND ($5::text IS NULL OR v.period = $5)
      ORDER BY v.period, v.project_id NULLS FIRST, v.indicator_id`,
    [ids, opts.statuses, opts.publicOnly ?? false, opts.projectId ?? null, opts.period ?? null],
  );
  return r.rows.map((x) => valueFromRow(x, byId));
}

export async function loadRules(db: Queryable, programmeId: string): Promise<Rule[]> {
  const r = await db.query<Row>('SELECT * FROM obs_rules WHERE programme_id = $1 ORDER BY created_at, id', [
    programmeId,
  ]);
  return r.rows.map((x) => ({
    id: x.id as string,
    left: x.left_expr as string,
    operator: x.operator as Rule['operator'],
    right: x.right_expr as string,
    message: x.message as string,
  }));
}

/** The programme with its topics, actions and projects, nested. */
export async function programmeTree(db: Queryable, programmeId: string, publicOnly = false): Promise<Row> {
  const programme = await mustGet(db, KINDS.programme, programmeId);
  const topics = (
    await db.query<Row>('SELECT * FROM obs_topics WHERE programme_id = $1 ORDER BY position, code', [
      programmeId,
    ])
  ).rows.map((r) => fromRow(KINDS.topic, r));
  const actions = (
    await db.query<Row>('SELECT * FROM obs_actions WHERE programme_id = $1 ORDER BY code', [programmeId])
  ).rows.map((r) => fromRow(KINDS.action, r));
  const projects = (
    await db.query<Row>(
      `SELECT * FROM obs_projects WHERE programme_id = $1 AND ($2::boolean IS NOT TRUE OR public) ORDER BY code`,
      [programmeId, publicOnly],
    )
  ).rows.map((r) => {
    const p = projectOut(fromRow(KINDS.project, r));
    if (publicOnly) {
      delete p.contactName;
      delete p.contactEmail;
      delete p.leadOrgId;
    }
    return p;
  });
  return {
    ...programme,
    topics: topics.map((t) => ({
      ...t,
      actions: actions
        .filter((a) => a.topicId === t.id)
        .map((a) => ({ ...a, projects: projects.filter((p) => p.actionId === a.id) })),
    })),
  };
}

// ---- indicators ----

/** Checks what TypeBox cannot: a formula's references, a data hub query's attribute, bounds. */
export async function checkIndicator(
  db: Queryable,
  programmeId: string,
  body: Row,
  code: string,
  knownFigures?: ReadonlySet<string>,
): Promise<void> {
  const source = body.source as Indicator['source'] | undefined;
  if (source?.kind === 'formula') {
    const known = new Set((await loadIndicators(db, programmeId)).map((i) => i.code));
    checkFormula(source.expression, code, known);
  }
  if (source?.kind === 'figure' && knownFigures && !knownFigures.has(source.figure)) {
    throw badRequest(
      `no capability provides the figure ${source.figure}; known: ${[...knownFigures].sort().join(', ') || 'none'}`,
    );
  }
  if (source?.kind === 'datahub' && source.method !== 'count' && !source.attribute) {
    throw badRequest(`a data hub ${source.method} needs an attribute`);
  }
  if (typeof body.min === 'number' && typeof body.max === 'number' && body.min > body.max) {
    throw badRequest('min is above max');
  }
  for (const t of (body.targets as { period: string }[] | undefined) ?? []) {
    if (!parsePeriod(t.period)) throw badRequest(`target period ${t.period} is not valid`);
  }
}

/**
 * Computes a data hub or figure indicator for a period and stores it as the programme-level value (approved:
 * it comes from the platform's own data); a formula indicator is computed from the values (not stored).
 */
export async function computeIndicator(
  db: Db,
  broker: Broker,
  ind: Indicator,
  period: string,
  actor: string | null,
  figures: readonly FigureProvider[] = [],
): Promise<{ value: number | null; stored: boolean }> {
  const p = parsePeriod(period);
  if (!p) throw badRequest(`period ${period} is not valid`);
  if (ind.source.kind === 'datahub' || ind.source.kind === 'figure') {
    let value: number | null;
    if (ind.source.kind === 'figure') {
      const provider = findProvider(figures, ind.source.figure);
      if (!provider) {
        throw new ProblemError(
          'OperationNotSupported',
          `no capability provides the figure ${ind.source.figure}`,
        );
      }
      value = await provider.compute(ind.source.figure, { code: p.code, start: p.start, end: p.end });
    } else {
      value = await computeFromDataHub(broker, ind.source, p);
    }
    await db.transaction((tx) =>
      saveValues(tx, {
        indicators: new Map([[ind.id, ind]]),
        projectId: null,
        period,
        campaignId: null,
        inputs: [{ indicatorId: ind.id, value }],
        actor,
        status: 'approved',
        source: ind.source.kind,
      }),
    );
    return { value, stored: true };
  }
  if (ind.source.kind === 'formula') {
    const inds = await loadIndicators(db, ind.programmeId);
    const series = computeSeries(inds, await loadValues(db, inds, { statuses: ['approved'] }));
    return { value: series.get(ind.id)?.get(period) ?? null, stored: false };
  }
  throw badRequest(`indicator ${ind.code} is entered by projects; there is nothing to compute`);
}

// ---- answers (the personal link's form) ----

export interface ResponseCtx {
  response: Row;
  campaign: Row;
  programme: Row;
  project: Row;
  indicators: Indicator[];
}

/** A response and what goes with it; `version` is the link's (null for staff, who may read closed campaigns). */
export async function responseContext(
  db: Queryable,
  responseId: string,
  version: number | null,
): Promise<ResponseCtx> {
  const r = (await db.query<Row>('SELECT * FROM obs_responses WHERE id = $1', [responseId])).rows[0];
  if (!r || (version !== null && Number(r.token_version) !== version)) {
    throw new ProblemError('Unauthorized', 'this answer link has been replaced or withdrawn');
  }
  const campaign = await getCampaign(db, r.campaign_id as string);
  if (version !== null && campaign.status !== 'open')
    throw new ProblemError('Forbidden', `the campaign is ${campaign.status}`);
  const programme = await mustGet(db, KINDS.programme, campaign.programme_id as string);
  const project = projectOut(await mustGet(db, KINDS.project, r.project_id as string));
  const chosen = new Set(r.indicator_ids as string[]);
  const indicators = (await loadIndicators(db, programme.id as string)).filter((i) => chosen.has(i.id));
  return { response: r, campaign, programme, project, indicators };
}

export async function answerForm(db: Queryable, c: ResponseCtx): Promise<Row> {
  const values = await loadValues(db, c.indicators, {
    statuses: ['draft', 'submitted', 'approved', 'returned'],
    projectId: c.project.id as string,
    period: c.campaign.period as string,
  });
  const byInd = new Map(values.map((v) => [v.indicatorId, v]));
  const attachments = await db.query<Row>(
    'SELECT id, indicator_id, filename, content_type, size, created_at FROM obs_attachments WHERE response_id = $1 ORDER BY created_at',
    [c.response.id],
  );
  return {
    campaign: {
      id: c.campaign.id,
      name: c.campaign.name,
      period: c.campaign.period,
      dueAt: iso(c.campaign.due_at),
    },
    programme: { code: c.programme.code, nameFr: c.programme.nameFr, nameEn: c.programme.nameEn },
    project: {
      id: c.project.id,
      code: c.project.code,
      name: c.project.name,
      leadOrganisation: c.project.leadOrganisation,
    },
    status: c.response.status,
    reviewComment: c.response.review_comment ?? null,
    locked: c.response.status === 'approved',
    indicators: c.indicators.map((i) => ({
      id: i.id,
      code: i.code,
      nameFr: i.nameFr,
      nameEn: i.nameEn,
      unit: i.unit,
      valueType: i.valueType,
      required: i.required,
      min: i.min,
      max: i.max,
      disaggregations: i.disaggregations,
      target:
        i.targets.find((t) => t.period === c.campaign.period && (t.projectId ?? null) === c.project.id)
          ?.value ?? null,
      value: byInd.get(i.id) ?? null,
    })),
    attachments: attachments.rows.map((a) => ({
      id: a.id,
      indicatorId: a.indicator_id ?? null,
      filename: a.filename,
      contentType: a.content_type,
      size: a.size,
      createdAt: iso(a.created_at),
    })),
  };
}

function assertEditable(c: ResponseCtx): void {
  if (c.response.status === 'approved')
    throw new ProblemError('OperationNotSupported', 'this response is approved and locked');
  if (c.response.status === 'submitted') {
    throw new ProblemError(
      'OperationNotSupported',
      'this response is submitted and awaits review; it can no longer be changed',
    );
  }
}

export async function saveDraft(
  db: Db,
  c: ResponseCtx,
  inputs: ValueInput[],
  actor: string,
): Promise<number> {
  assertEditable(c);
  return db.transaction(async (tx) => {
    const n = await saveValues(tx, {
      indicators: new Map(c.indicators.map((i) => [i.id, i])),
      projectId: c.project.id as string,
      period: c.campaign.period as string,
      campaignId: c.campaign.id as string,
      inputs,
      actor,
      status: 'draft',
      source: 'entered',
    });
    await tx.query(
      `UPDATE obs_responses SET status = 'draft' WHERE id = $1 AND status IN ('pending', 'returned')`,
      [c.response.id],
    );
    return n;
  });
}

export async function checkResponse(db: Queryable, c: ResponseCtx): Promise<ValidationIssue[]> {
  const values = await loadValues(db, c.indicators, {
    statuses: ['draft', 'submitted', 'approved', 'returned'],
    projectId: c.project.id as string,
    period: c.campaign.period as string,
  });
  return validate({
    indicators: c.indicators,
    values,
    rules: await loadRules(db, c.programme.id as string),
    period: c.campaign.period as string,
    projectId: c.project.id as string,
    deviationThreshold: Number(c.programme.deviationThreshold),
  });
}

/** Submits the response when it passes the validation rules; otherwise 422 with the issues. */
export async function submitResponse(db: Db, c: ResponseCtx, actor: string): Promise<void> {
  assertEditable(c);
  const issues = await checkResponse(db, c);
  if (issues.length) {
    throw new ProblemError(
      'OperationNotSupported',
      `the response does not pass ${issues.length} validation rule(s)`,
      { issues },
    );
  }
  await db.transaction(async (tx) => {
    await setValueStatus(
      tx,
      {
        campaignId: c.campaign.id as string,
        projectId: c.project.id as string,
        indicatorIds: c.indicators.map((i) => i.id),
      },
      'submitted',
      actor,
      c.programme.id as string,
    );
    await tx.query(`UPDATE obs_responses SET status = 'submitted', submitted_at = now() WHERE id = $1`, [
      c.response.id,
    ]);
    await recordHistory(tx, {
      kind: 'response',
      objectId: c.response.id as string,
      programmeId: c.programme.id as string,
      op: 'submit',
      actor,
      changes: { status: { from: c.response.status, to: 'submitted' } },
    });
  });
}

export const ATTACHMENT_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
]);
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;

export async function addAttachment(
  db: Queryable,
  c: ResponseCtx,
  a: { indicatorId?: string; filename: string; contentType: string; data: string },
): Promise<Row> {
  assertEditable(c);
  if (!ATTACHMENT_TYPES.has(a.contentType)) {
    throw new ProblemError('UnsupportedMediaType', `attachments may be ${[...ATTACHMENT_TYPES].join(', ')}`);
  }
  if (a.indicatorId && !c.indicators.some((i) => i.id === a.indicatorId))
    throw badRequest('the indicator is not asked for here');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(a.data)) throw badRequest('data must be base64');
  const bytes = Buffer.from(a.data, 'base64');
  if (bytes.length === 0) throw badRequest('the attachment is empty');
  const magic: Record<string, number[]> = {
    'application/pdf': [0x25, 0x50, 0x44, 0x46],
    'image/png': [0x89, 0x50, 0x4e, 0x47],
    'image/jpeg': [0xff, 0xd8, 0xff],
  };
  const expected = magic[a.contentType];
  if (expected && !expected.every((b, i) => bytes[i] === b)) {
    throw badRequest(`the file does not look like ${a.contentType}`);
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new ProblemError('PayloadTooLarge', `attachments are limited to ${MAX_ATTACHMENT_BYTES} bytes`);
  }
  const count = (
    await db.query<{ n: number }>('SELECT count(*)::int AS n FROM obs_attachments WHERE response_id = $1', [
      c.response.id,
    ])
  ).rows[0].n;
  if (count >= MAX_ATTACHMENTS) throw badRequest(`at most ${MAX_ATTACHMENTS} attachments per response`);
  const id = randomUUID();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await db.query(
    `INSERT INTO obs_attachments (id, response_id, indicator_id, filename, content_type, size, sha256, content)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, c.response.id, a.indicatorId ?? null, a.filename, a.contentType, bytes.length, sha256, bytes],
  );
  return { id, filename: a.filename, contentType: a.contentType, size: bytes.length, sha256 };
}

// ---- review ----

export async function review(
  db: Db,
  campaignId: string,
  projectId: string,
  decision: 'approve' | 'return',
  comment: string | undefined,
  actor: string | null,
): Promise<Row> {
  const campaign = await getCampaign(db, campaignId);
  const r = (
    await db.query<Row>('SELECT * FROM obs_responses WHERE campaign_id = $1 AND project_id = $2', [
      campaignId,
      projectId,
    ])
  ).rows[0];
  if (!r) throw new ProblemError('ResourceNotFound', 'this project is not part of the campaign');
  if (r.status !== 'submitted') {
    throw new ProblemError(
      'OperationNotSupported',
      `only a submitted response can be reviewed; this one is ${r.status}`,
    );
  }
  const status = decision === 'approve' ? 'approved' : 'returned';
  await db.transaction(async (tx) => {
    await setValueStatus(
      tx,
      { campaignId, projectId, indicatorIds: r.indicator_ids as string[] },
      status,
      actor,
      campaign.programme_id as string,
    );
    await tx.query(
      'UPDATE obs_responses SET status = $2, reviewed_at = now(), reviewed_by = $3, review_comment = $4 WHERE id = $1',
      [r.id, status, actor, comment ?? null],
    );
    await recordHistory(tx, {
      kind: 'response',
      objectId: r.id as string,
      programmeId: campaign.programme_id as string,
      op: decision,
      actor,
      changes: { status: { from: 'submitted', to: status }, comment: comment ?? null },
    });
  });
  return { projectId, status, comment: comment ?? null };
}

// ---- results ----

function seriesOut(ind: Indicator, s: Map<string, number | null> | undefined) {
  const periods = [
    ...new Set([...(s?.keys() ?? []), ...ind.targets.filter((t) => !t.projectId).map((t) => t.period)]),
  ].sort(comparePeriods);
  return periods.map((p) => ({
    period: p,
    value: s?.get(p) ?? null,
    target: ind.targets.find((t) => t.period === p && !t.projectId)?.value ?? null,
  }));
}

function indicatorSummary(ind: Indicator, s: Map<string, number | null> | undefined) {
  const series = seriesOut(ind, s);
  const latest = [...series].reverse().find((x) => x.value !== null);
  const target = latest
    ? (ind.targets.find((t) => t.period === latest.period && !t.projectId)?.value ?? null)
    : null;
  const base = ind.baseline?.value ?? null;
  let progress: number | null = null;
  if (latest && target !== null && base !== null && target !== base) {
    progress = Math.round((((latest.value as number) - base) / (target - base)) * 1000) / 1000;
  }
  return {
    id: ind.id,
    code: ind.code,
    nameFr: ind.nameFr,
    nameEn: ind.nameEn,
    level: ind.level,
    unit: ind.unit,
    valueType: ind.valueType,
    source: ind.source.kind,
    key: ind.key,
    baseline: ind.baseline,
    latest: latest ? { period: latest.period, value: latest.value, target } : null,
    progress,
    series,
  };
}

/** Projects at risk: delayed, a milestone overdue, late in an open campaign, or an approved value off target. */
export async function projectsAtRisk(
  db: Queryable,
  programmeId: string,
  inds: Indicator[],
  values: Value[],
  now = new Date(),
) {
  const projects = (
    await db.query<Row>('SELECT * FROM obs_projects WHERE programme_id = $1 ORDER BY code', [programmeId])
  ).rows.map((r) => fromRow(KINDS.project, r));
  const threshold = Number((await mustGet(db, KINDS.programme, programmeId)).deviationThreshold);
  const late = await db.query<Row>(
    `SELECT r.project_id, c.name FROM obs_responses r JOIN obs_campaigns c ON c.id = r.campaign_id
      WHERE c.programme_id = $1 AND c.status = 'open' AND c.due_at < $2 AND r.status IN ('pending', 'draft', 'returned')`,
    [programmeId, now],
  );
  const today = now.toISOString().slice(0, 10);
  const byId = new Map(inds.map((i) => [i.id, i]));
  const out = [];
  for (const p of projects) {
    if (p.status === 'completed' || p.status === 'cancelled') continue;
    const reasons: string[] = [];
    if (p.status === 'delayed') reasons.push('status: delayed');
    for (const m of (p.milestones as { name: string; date: string; done?: boolean }[]) ?? []) {
      if (!m.done && m.date < today) reasons.push(`milestone overdue: ${m.name} (${m.date})`);
    }
    for (const l of late.rows.filter((x) => x.project_id === p.id))
      reasons.push(`late in campaign ${l.name}`);
    for (const v of values.filter((x) => x.projectId === p.id && typeof x.value === 'number')) {
      const ind = byId.get(v.indicatorId);
      const t = ind?.targets.find((x) => x.period === v.period && x.projectId === p.id)?.value;
      if (!ind || t === undefined || t === 0) continue;
      const behind =
        ind.direction === 'increase'
          ? (t - (v.value as number)) / Math.abs(t)
          : ((v.value as number) - t) / Math.abs(t);
      if (behind > threshold) reasons.push(`${ind.code} ${v.period}: ${v.value} against a target of ${t}`);
    }
    if (reasons.length) out.push({ id: p.id, code: p.code, name: p.name, status: p.status, reasons });
  }
  return out;
}

/** Staff dashboard: every indicator (submitted and approved values), completeness, projects at risk. */
export async function staffDashboard(db: Queryable, programmeId: string) {
  const programme = await mustGet(db, KINDS.programme, programmeId);
  const inds = await loadIndicators(db, programmeId);
  const values = await loadValues(db, inds, { statuses: ['submitted', 'approved'] });
  const series = computeSeries(inds, values);
  const campaigns = await db.query<{ id: string }>(
    `SELECT id FROM obs_campaigns WHERE programme_id = $1 AND status <> 'draft' ORDER BY due_at DESC LIMIT 5`,
    [programmeId],
  );
  const comp = [];
  for (const c of campaigns.rows) comp.push(await completeness(db, c.id));
  return {
    programme: { id: programme.id, code: programme.code, nameFr: programme.nameFr, nameEn: programme.nameEn },
    indicators: inds.map((i) => indicatorSummary(i, series.get(i.id))),
    campaigns: comp.map(({ projects: _p, indicators: _i, ...rest }) => rest),
    projectsAtRisk: await projectsAtRisk(db, programmeId, inds, values),
  };
}

/** Public dashboard: only approved values of public indicators and projects. */
export async function publicDashboard(db: Queryable, programmeId: string) {
  const tree = await programmeTree(db, programmeId, true);
  const inds = (await loadIndicators(db, programmeId)).filter((i) => i.public);
  const values = await loadValues(db, inds, { statuses: ['approved'], publicOnly: true });
  const series = computeSeries(inds, values);
  const projects = (tree.topics as Row[]).flatMap((t) =>
    (t.actions as Row[]).flatMap((a) => a.projects as Row[]),
  );
  const byStatus: Record<string, number> = {};
  for (const p of projects) byStatus[p.status as string] = (byStatus[p.status as string] ?? 0) + 1;
  return {
    programme: {
      id: tree.id,
      code: tree.code,
      nameFr: tree.nameFr,
      nameEn: tree.nameEn,
      description: tree.description,
      startYear: tree.startYear,
      endYear: tree.endYear,
      budget: tree.budget,
    },
    progress: {
      projects: projects.length,
      byStatus,
      completed: byStatus.completed ?? 0,
      share: projects.length ? Math.round(((byStatus.completed ?? 0) / projects.length) * 1000) / 1000 : 0,
    },
    indicators: inds
      .map((i) => indicatorSummary(i, series.get(i.id)))
      .sort((a, b) => Number(b.key) - Number(a.key) || a.code.localeCompare(b.code)),
    topics: (tree.topics as Row[]).map((t) => ({
      code: t.code,
      nameFr: t.nameFr,
      nameEn: t.nameEn,
      actions: (t.actions as Row[]).map((a) => ({
        code: a.code,
        nameFr: a.nameFr,
        nameEn: a.nameEn,
        projects: (a.projects as Row[]).length,
      })),
    })),
  };
}

/** Projects as a GeoJSON FeatureCollection (public projects with a location). */
export async function projectsGeoJson(db: Queryable, programmeId: string, publicOnly: boolean) {
  const r = await db.query<Row>(
    `SELECT p.*, a.code AS action_code, t.code AS topic_code FROM obs_projects p
       JOIN obs_actions a ON a.id = p.action_id JOIN obs_topics t ON t.id = a.topic_id
      WHERE p.programme_id = $1 AND p.lon IS NOT NULL AND ($2::boolean IS NOT TRUE OR p.public) ORDER BY p.code`,
    [programmeId, publicOnly],
  );
  return {
    type: 'FeatureCollection',
    features: r.rows.map((p) => ({
      type: 'Feature',
      id: p.id,
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: {
        code: p.code,
        name: p.name,
        status: p.status,
        leadOrganisation: p.lead_organisation,
        budget: p.budget,
        action: p.action_code,
        topic: p.topic_code,
      },
    })),
  };
}

// ---- export views ----

export const VIEWS = ['values', 'indicators', 'projects', 'series'] as const;
export type View = (typeof VIEWS)[number];

export async function viewTable(
  db: Queryable,
  programmeId: string,
  view: View,
  publicOnly: boolean,
): Promise<Table> {
  const inds = (await loadIndicators(db, programmeId)).filter((i) => !publicOnly || i.public);
  const statuses: ValueStatus[] = publicOnly ? ['approved'] : ['draft', 'submitted', 'approved', 'returned'];
  if (view === 'indicators') {
    return {
      name: 'indicators',
      columns: [
        'code',
        'name_fr',
        'name_en',
        'level',
        'unit',
        'value_type',
        'aggregation',
        'periodicity',
        'source',
        'baseline_period',
        'baseline',
      ],
      rows: inds.map((i) => [
        i.code,
        i.nameFr,
        i.nameEn,
        i.level,
        i.unit,
        i.valueType,
        i.aggregation,
        i.periodicity,
        i.source.kind,
        i.baseline?.period ?? null,
        i.baseline?.value ?? null,
      ]),
    };
  }
  if (view === 'projects') {
    const tree = await programmeTree(db, programmeId, publicOnly);
    const rows: Table['rows'] = [];
    for (const t of tree.topics as Row[]) {
      for (const a of t.actions as Row[]) {
        for (const p of a.projects as Row[]) {
          const loc = p.location as { coordinates: [number, number] } | null;
          rows.push([
            p.code as string,
            p.name as string,
            t.code as string,
            a.code as string,
            p.leadOrganisation as string,
            p.status as string,
            (p.budget as number | null) ?? null,
            loc?.coordinates[0] ?? null,
            loc?.coordinates[1] ?? null,
          ]);
        }
      }
    }
    return {
      name: 'projects',
      columns: ['code', 'name', 'topic', 'action', 'lead_organisation', 'status', 'budget_eur', 'lon', 'lat'],
      rows,
    };
  }
  const values = await loadValues(db, inds, { statuses, publicOnly });
  if (view === 'series') {
    const s = computeSeries(inds, values);
    const rows: Table['rows'] = [];
    for (const i of inds) {
      for (const x of seriesOut(i, s.get(i.id)))
        rows.push([i.code, i.nameEn, x.period, x.value, x.target, i.baseline?.value ?? null, i.unit]);
    }
    return {
      name: 'series',
      columns: ['indicator', 'name', 'period', 'value', 'target', 'baseline', 'unit'],
      rows,
    };
  }
  const projects = new Map(
    (
      await db.query<Row>('SELECT id, code FROM obs_projects WHERE programme_id = $1', [programmeId])
    ).rows.map((p) => [p.id, p.code]),
  );
  return {
    name: 'values',
    columns: [
      'indicator',
      'project',
      'period',
      'value',
      'numerator',
      'denominator',
      'status',
      'source',
      'comment',
      'updated_at',
    ],
    rows: values.map((v) => [
      v.indicatorCode,
      v.projectId ? ((projects.get(v.projectId) as string) ?? v.projectId) : null,
      v.period,
      v.value,
      v.numerator,
      v.denominator,
      v.status,
      v.source,
      publicOnly ? null : v.comment,
      v.updatedAt,
    ]),
  };
}

/** SDMX observations: approved values per project and the programme totals (`_T`). */
export async function sdmxObservations(
  db: Queryable,
  programmeId: string,
  publicOnly: boolean,
): Promise<SdmxObservation[]> {
  const inds = (await loadIndicators(db, programmeId)).filter((i) => !publicOnly || i.public);
  const values = await loadValues(db, inds, { statuses: ['approved'], publicOnly });
  const s = computeSeries(inds, values);
  const projects = new Map(
    (
      await db.query<Row>('SELECT id, code FROM obs_projects WHERE programme_id = $1', [programmeId])
    ).rows.map((p) => [p.id, p.code as string]),
  );
  const out: SdmxObservation[] = [];
  for (const i of inds) {
    for (const v of values.filter(
      (x) => x.indicatorId === i.id && x.projectId && typeof x.value === 'number',
    )) {
      out.push({
        indicator: i.code,
        project: projects.get(v.projectId as string) ?? '',
        period: v.period,
        value: v.value as number,
        unit: i.unit,
        status: 'A',
      });
    }
    for (const [period, value] of s.get(i.id) ?? []) {
      if (value !== null)
        out.push({ indicator: i.code, project: '_T', period, value, unit: i.unit, status: 'A' });
    }
  }
  return out;
}

const fmt = (v: number | null | undefined, unit: string | null) =>
  v === null || v === undefined ? '–' : `${Math.round(v * 100) / 100}${unit === '%' ? ' %' : ''}`;

export async function reportData(db: Queryable, programmeId: string, year: number): Promise<ReportData> {
  const tree = await programmeTree(db, programmeId, false);
  const inds = await loadIndicators(db, programmeId);
  const values = await loadValues(db, inds, { statuses: ['approved'] });
  const s = computeSeries(inds, values);
  const projects = (tree.topics as Row[]).flatMap((t) =>
    (t.actions as Row[]).flatMap((a) => a.projects as Row[]),
  );
  const yearly = (i: Indicator) => {
    const within = [...(s.get(i.id) ?? [])]
      .filter(([p, v]) => parsePeriod(p)?.year === year && v !== null)
      .sort((a, b) => comparePeriods(a[0], b[0]));
    const exact = within.find(([p]) => p === String(year));
    if (exact) return exact[1];
    if (within.length === 0) return null;
    const xs = within.map(([, v]) => v as number);
    if (i.periodAggregation === 'last') return xs[xs.length - 1];
    if (i.periodAggregation === 'avg') return xs.reduce((a, b) => a + b, 0) / xs.length;
    if (i.periodAggregation === 'max') return Math.max(...xs);
    if (i.periodAggregation === 'min') return Math.min(...xs);
    return xs.reduce((a, b) => a + b, 0);
  };
  const prev = (i: Indicator) =>
    [...(s.get(i.id) ?? [])]
      .filter(([p, v]) => (parsePeriod(p)?.year ?? 0) < year && v !== null)
      .sort((a, b) => comparePeriods(a[0], b[0]))
      .pop()?.[1] ?? null;
  const campaigns = await db.query<{ id: string; name: string; period: string }>(
    `SELECT id, name, period FROM obs_campaigns WHERE programme_id = $1 AND status <> 'draft' AND period LIKE $2 ORDER BY period`,
    [programmeId, `${year}%`],
  );
  const comp = [];
  for (const c of campaigns.rows) {
    const x = await completeness(db, c.id);
    comp.push({ name: c.name, period: c.period, rate: `${Math.round(x.rate * 100)} %` });
  }
  const budget = projects.reduce((a, p) => a + (Number(p.budget) || 0), 0);
  return {
    title: `${tree.nameEn as string} – Observatory report ${year}`,
    subtitle: tree.nameFr as string,
    year,
    generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
    summary: [
      ['Projects', String(projects.length)],
      ['Projects completed', String(projects.filter((p) => p.status === 'completed').length)],
      ['Projects ongoing', String(projects.filter((p) => p.status === 'ongoing').length)],
      ['Budget of the projects', `${Math.round(budget / 1e5) / 10} M EUR`],
      ['Indicators', String(inds.length)],
    ],
    indicators: inds.map((i) => {
      const v = yearly(i);
      const p = prev(i);
      return {
        code: i.code,
        name: i.nameEn,
        unit: i.unit ?? '',
        baseline: fmt(i.baseline?.value, i.unit),
        target: fmt(i.targets.find((t) => t.period === String(year) && !t.projectId)?.value, i.unit),
        value: fmt(v, i.unit),
        trend: v === null || p === null ? '' : v > p ? 'up' : v < p ? 'down' : 'stable',
      };
    }),
    topics: (tree.topics as Row[]).map((t) => ({
      name: `${t.code as string} – ${t.nameEn as string}`,
      actions: (t.actions as Row[]).map((a) => ({
        name: `${a.code as string} – ${a.nameEn as string}`,
        projects: (a.projects as Row[]).map((p) => ({
          code: p.code as string,
          name: p.name as string,
          status: p.status as string,
          lead: p.leadOrganisation as string,
        })),
      })),
    })),
    campaigns: comp,
  };
}
