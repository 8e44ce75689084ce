import type { Db, Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import { insertRow, KINDS, mustGet, type Row, recordHistory } from './store.js';

/**
 * Projects created by other capabilities through `createProjectFromSelection` (src/observatory/index.ts): an
 * application selected by an innovation call becomes a project of the programme, with its follow-up indicators.
 */

/** Where a project came from; the same source always gives the same project. */
export interface ProjectSourceRef {
  kind: 'innovation-application';
  callId: string;
  applicationId: string;
}

export interface ProjectFromSelection {
  /** The programme; default: the one with `programmeCode`, else the first programme by code. */
  programmeId?: string;
  programmeCode?: string;
  /** The action the project is attached to: `actionId`, else `actionCode` in the programme, else its first action. */
  actionId?: string;
  actionCode?: string;
  title: string;
  summary?: string;
  leadOrganisation: string;
  /** The lead's platform organisation (governance), when it has one. */
  leadOrgId?: string | null;
  contactName?: string;
  contactEmail?: string;
  source: ProjectSourceRef;
  /** Codes of the programme's indicators that follow the project (unknown codes are reported, not attached). */
  indicatorCodes?: string[];
  /** Kept in the history (`user:<id>`...); default `innovation`. */
  actor?: string | null;
}

export interface ProjectLink {
  projectId: string;
  programmeId: string;
  actionId: string;
  code: string;
  /** False when the source already had its project (nothing changed). */
  created: boolean;
  indicators: string[];
  unknownIndicators: string[];
}

export interface FollowUp {
  source: { kind: string; ref: string; detail: Record<string, unknown> } | null;
  indicators: { id: string; code: string; nameFr: string; nameEn: string }[];
}

const refOf = (s: ProjectSourceRef) => `${s.callId}/${s.applicationId}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function existing(db: Queryable, s: ProjectSourceRef): Promise<ProjectLink | undefined> {
  const r = await db.query<Row>(
    `SELECT p.id, p.programme_id, p.action_id, p.code FROM obs_project_sources s JOIN obs_projects p ON p.id = s.project_id
      WHERE s.source_kind = $1 AND s.source_ref = $2`,
    [s.kind, refOf(s)],
  );
  const p = r.rows[0];
  if (!p) return undefined;
  const inds = await db.query<{ code: string }>(
    `SELECT i.code FROM obs_project_indicators x JOIN obs_indicators i ON i.id = x.indicator_id
      WHERE x.project_id = $1 ORDER BY i.code`,
    [p.id],
  );
  return {
    projectId: String(p.id),
    programmeId: String(p.programme_id),
    actionId: String(p.action_id),
    code: String(p.code),
    created: false,
    indicators: inds.rows.map((x) => x.code),
    unknownIndicators: [],
  };
}

async function programmeOf(db: Queryable, input: ProjectFromSelection): Promise<string> {
  if (input.programmeId) return String((await mustGet(db, KINDS.programme, input.programmeId)).id);
  const r = await db.query<{ id: string }>(
    `SELECT id FROM obs_programmes ORDER BY (code = $1) DESC, code LIMIT 1`,
    [input.programmeCode ?? ''],
  );
  if (!r.rows[0]) throw new ProblemError('ResourceNotFound', 'the Observatory has no programme');
  return r.rows[0].id;
}

async function actionOf(db: Queryable, programmeId: string, input: ProjectFromSelection): Promise<string> {
  if (input.actionId && UUID.test(input.actionId)) {
    const a = await db.query<{ id: string }>(
      'SELECT id FROM obs_actions WHERE id = $1 AND programme_id = $2',
      [input.actionId, programmeId],
    );
    if (a.rows[0]) return a.rows[0].id;
  }
  const r = await db.query<{ id: string }>(
    `SELECT a.id FROM obs_actions a JOIN obs_topics t ON t.id = a.topic_id WHERE a.programme_id = $1
      ORDER BY (a.code = $2) DESC, t.position, t.code, a.code LIMIT 1`,
    [programmeId, input.actionCode ?? ''],
  );
  if (!r.rows[0])
    throw new ProblemError('ResourceNotFound', 'the programme has no action to attach a project to');
  return r.rows[0].id;
}

/** A free project code from the source: INV_<first 8 hex digits of the application id>[_n]. */
async function freeCode(db: Queryable, programmeId: string, s: ProjectSourceRef): Promise<string> {
  const base = `INV_${s.applicationId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
  for (let n = 1; ; n++) {
    const code = n === 1 ? base : `${base}_${n}`;
    const r = await db.query('SELECT 1 FROM obs_projects WHERE programme_id = $1 AND code = $2', [
      programmeId,
      code,
    ]);
    if (r.rows.length === 0) return code;
  }
}

/**
 * Creates the Observatory project of a selected application, attached to the chosen action, with its follow-up
 * indicators; idempotent on the source (the second call returns the first project, `created: false`). Written
 * to obs_history in one transaction like every other write.
 */
export async function createProjectFromSelection(db: Db, input: ProjectFromSelection): Promise<ProjectLink> {
  const run = () =>
    db.transaction(async (tx) => {
      const prior = await existing(tx, input.source);
      if (prior) return prior;
      const programmeId = await programmeOf(tx, input);
      const actionId = await actionOf(tx, programmeId, input);
      const actor = input.actor === undefined ? 'innovation' : input.actor;
      const project = await insertRow(
        tx,
        KINDS.project,
        {
          programmeId,
          actionId,
          code: await freeCode(tx, programmeId, input.source),
          name: input.title.slice(0, 300),
          description: input.summary?.slice(0, 8000),
          leadOrganisation: input.leadOrganisation.slice(0, 300) || 'Unknown',
          leadOrgId: input.leadOrgId ?? undefined,
          contactName: input.contactName?.slice(0, 200),
          contactEmail: input.contactEmail?.slice(0, 254),
          status: 'planned',
          public: true,
        },
        actor,
      );
      const projectId = String(project.id);
      await tx.query(
        'INSERT INTO obs_project_sources (project_id, source_kind, source_ref, detail) VALUES ($1, $2, $3, $4)',
        [projectId, input.source.kind, refOf(input.source), JSON.stringify(input.source)],
      );
      const wanted = [...new Set(input.indicatorCodes ?? [])];
      const found = await tx.query<{ id: string; code: string }>(
        'SELECT id, code FROM obs_indicators WHERE programme_id = $1 AND code = ANY($2::text[]) ORDER BY code',
        [programmeId, wanted],
      );
      for (const i of found.rows) {
        await tx.query('INSERT INTO obs_project_indicators (project_id, indicator_id) VALUES ($1, $2)', [
          projectId,
          i.id,
        ]);
      }
      const indicators = found.rows.map((i) => i.code);
      await recordHistory(tx, {
        kind: 'project',
        objectId: projectId,
        programmeId,
        op: 'link',
        actor,
        changes: {
          source: { from: null, to: input.source },
          followUpIndicators: { from: [], to: indicators },
        },
      });
      return {
        projectId,
        programmeId,
        actionId,
        code: String(project.code),
        created: true,
        indicators,
        unknownIndicators: wanted.filter((c) => !indicators.includes(c)),
      };
    });
  try {
    return await run();
  } catch (err) {
    // Two decisions at once: the loser's insert hits the unique source; the winner's project is the answer.
    if ((err as { code?: string }).code === '23505') {
      const p = await existing(db, input.source);
      if (p) return p;
    }
    throw err;
  }
}

/** Where a project came from and its follow-up indicators (shown with the project). */
export async function followUpOf(db: Queryable, projectId: string): Promise<FollowUp> {
  const s = await db.query<Row>('SELECT * FROM obs_project_sources WHERE project_id = $1', [projectId]);
  const i = await db.query<Row>(
    `SELECT i.id, i.code, i.name_fr, i.name_en FROM obs_project_indicators x JOIN obs_indicators i ON i.id = x.indicator_id
      WHERE x.project_id = $1 ORDER BY i.code`,
    [projectId],
  );
  const src = s.rows[0];
  return {
    source: src
      ? {
          kind: String(src.source_kind),
          ref: String(src.source_ref),
          detail: (typeof src.detail === 'string' ? JSON.parse(src.detail) : src.detail) as Record<
            string,
            unknown
          >,
        }
      : null,
    indicators: i.rows.map((x) => ({
      id: String(x.id),
      code: String(x.code),
      nameFr: String(x.name_fr),
      nameEn: String(x.name_en),
    })),
  };
}

export interface OrganisationProject {
  code: string;
  name: string;
  status: string;
  role: 'lead' | 'partner';
}

/**
 * The public projects an organisation leads (by its platform organisation or its name) or takes part in (its
 * name among the partners), for the innovation hub's partners directory.
 */
export async function projectsOfOrganisation(
  db: Queryable,
  org: { name: string; orgId?: string | null },
): Promise<OrganisationProject[]> {
  const r = await db.query<Row>(
    `SELECT code, name, status,
            (lower(lead_organisation) = lower($1) OR lead_org_id IS NOT DISTINCT FROM $2::uuid AND $2::uuid IS NOT NULL) AS leads
       FROM obs_projects
      WHERE public AND (lower(lead_organisation) = lower($1) OR (lead_org_id = $2::uuid)
            OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(partners) x WHERE lower(x) = lower($1)))
      ORDER BY leads DESC, code LIMIT 200`,
    [org.name, org.orgId ?? null],
  );
  return r.rows.map((x) => ({
    code: String(x.code),
    name: String(x.name),
    status: String(x.status),
    role: x.leads ? 'lead' : 'partner',
  }));
}
