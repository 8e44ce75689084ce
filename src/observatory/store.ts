import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import type { HistoryEntry } from './model.js';

/**
 * Generic, versioned storage of the programme's objects: every create, update and delete writes one
 * history row (who, when, which fields went from what to what) in the same transaction.
 */

export type Row = Record<string, unknown>;

export interface Kind {
  /** Name in history and messages: programme, topic, action, project, indicator, campaign, value. */
  name: string;
  table: string;
  /** API field → column; JSON columns are marked. */
  fields: Record<string, { col: string; json?: boolean }>;
}

const f = (col: string, json = false) => ({ col, json });

export const KINDS = {
  programme: {
    name: 'programme',
    table: 'obs_programmes',
    fields: {
      code: f('code'),
      nameFr: f('name_fr'),
      nameEn: f('name_en'),
      description: f('description'),
      startYear: f('start_year'),
      endYear: f('end_year'),
      budget: f('budget'),
      deviationThreshold: f('deviation_threshold'),
    },
  },
  topic: {
    name: 'topic',
    table: 'obs_topics',
    fields: {
      programmeId: f('programme_id'),
      code: f('code'),
      nameFr: f('name_fr'),
      nameEn: f('name_en'),
      description: f('description'),
      position: f('position'),
    },
  },
  action: {
    name: 'action',
    table: 'obs_actions',
    fields: {
      programmeId: f('programme_id'),
      topicId: f('topic_id'),
      code: f('code'),
      nameFr: f('name_fr'),
      nameEn: f('name_en'),
      description: f('description'),
      leadOrganisation: f('lead_organisation'),
    },
  },
  project: {
    name: 'project',
    table: 'obs_projects',
    fields: {
      programmeId: f('programme_id'),
      actionId: f('action_id'),
      code: f('code'),
      name: f('name'),
      description: f('description'),
      leadOrganisation: f('lead_organisation'),
      leadOrgId: f('lead_org_id'),
      contactName: f('contact_name'),
      contactEmail: f('contact_email'),
      partners: f('partners', true),
      budget: f('budget'),
      funding: f('funding', true),
      status: f('status'),
      milestones: f('milestones', true),
      lon: f('lon'),
      lat: f('lat'),
      public: f('public'),
    },
  },
  indicator: {
    name: 'indicator',
    table: 'obs_indicators',
    fields: {
      programmeId: f('programme_id'),
      actionId: f('action_id'),
      code: f('code'),
      nameFr: f('name_fr'),
      nameEn: f('name_en'),
      definitionFr: f('definition_fr'),
      definitionEn: f('definition_en'),
      level: f('level'),
      unit: f('unit'),
      valueType: f('value_type'),
      aggregation: f('aggregation'),
      periodAggregation: f('period_aggregation'),
      periodicity: f('periodicity'),
      direction: f('direction'),
      baseline: f('baseline', true),
      targets: f('targets', true),
      disaggregations: f('disaggregations', true),
      source: f('source', true),
      min: f('min_value'),
      max: f('max_value'),
      required: f('required'),
      public: f('public'),
      key: f('key'),
    },
  },
} satisfies Record<string, Kind>;

export type KindName = keyof typeof KINDS;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** A database row as the API shows it (camelCase, dates as ISO strings). */
export function fromRow(kind: Kind, r: Row): Row {
  const out: Row = { id: r.id };
  for (const [k, d] of Object.entries(kind.fields)) out[k] = iso(r[d.col]) ?? null;
  out.createdAt = iso(r.created_at);
  out.updatedAt = iso(r.updated_at);
  return out;
}

export async function getRow(db: Queryable, kind: Kind, id: string): Promise<Row | undefined> {
  const r = await db.query<Row>(`SELECT * FROM ${kind.table} WHERE id = $1`, [id]);
  return r.rows[0] ? fromRow(kind, r.rows[0]) : undefined;
}

export async function mustGet(db: Queryable, kind: Kind, id: string): Promise<Row> {
  const r = await getRow(db, kind, id);
  if (!r) throw new ProblemError('ResourceNotFound', `${kind.name} ${id} not found`);
  return r;
}

export async function recordHistory(
  db: Queryable,
  e: {
    kind: string;
    objectId: string;
    programmeId: string | null;
    op: string;
    actor: string | null;
    changes: Row;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO obs_history (kind, object_id, programme_id, op, actor, changes) VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.kind, e.objectId, e.programmeId, e.op, e.actor, JSON.stringify(e.changes)],
  );
}

function conflict(err: unknown, kind: Kind): never {
  if ((err as { code?: string }).code === '23505') {
    throw new ProblemError('AlreadyExists', `a ${kind.name} with this code already exists in the programme`);
  }
  if ((err as { code?: string }).code === '23503') {
    throw new ProblemError('BadRequestData', `the ${kind.name} refers to an object that does not exist`);
  }
  throw err;
}

export async function insertRow(db: Queryable, kind: Kind, data: Row, actor: string | null): Promise<Row> {
  const id = randomUUID();
  const cols = ['id'];
  const vals: unknown[] = [id];
  for (const [k, d] of Object.entries(kind.fields)) {
    if (data[k] === undefined) continue;
    cols.push(d.col);
    vals.push(d.json ? JSON.stringify(data[k]) : data[k]);
  }
  try {
    await db.query(
      `INSERT INTO ${kind.table} (${cols.join(', ')}) VALUES (${vals.map((_, i) => `$${i + 1}`).join(', ')})`,
      vals,
    );
  } catch (err) {
    conflict(err, kind);
  }
  const row = await mustGet(db, kind, id);
  const programmeId = kind.name === 'programme' ? id : ((row.programmeId as string | undefined) ?? null);
  const { createdAt: _c, updatedAt: _u, ...snapshot } = row;
  await recordHistory(db, {
    kind: kind.name,
    objectId: id,
    programmeId,
    op: 'create',
    actor,
    changes: snapshot,
  });
  return row;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Updates the given fields; records only those that changed. */
export async function updateRow(
  db: Queryable,
  kind: Kind,
  id: string,
  patch: Row,
  actor: string | null,
): Promise<Row> {
  const before = await mustGet(db, kind, id);
  const sets: string[] = [];
  const vals: unknown[] = [];
  const changes: Row = {};
  for (const [k, d] of Object.entries(kind.fields)) {
    if (patch[k] === undefined || same(patch[k], before[k])) continue;
    vals.push(d.json ? JSON.stringify(patch[k]) : patch[k]);
    sets.push(`${d.col} = $${vals.length}`);
    changes[k] = { from: before[k], to: patch[k] };
  }
  if (sets.length === 0) return before;
  vals.push(id);
  try {
    await db.query(
      `UPDATE ${kind.table} SET ${sets.join(', ')}, updated_at = now() WHERE id = $${vals.length}`,
      vals,
    );
  } catch (err) {
    conflict(err, kind);
  }
  const programmeId = kind.name === 'programme' ? id : ((before.programmeId as string | undefined) ?? null);
  await recordHistory(db, { kind: kind.name, objectId: id, programmeId, op: 'update', actor, changes });
  return mustGet(db, kind, id);
}

export async function deleteRow(db: Queryable, kind: Kind, id: string, actor: string | null): Promise<void> {
  const before = await mustGet(db, kind, id);
  await db.query(`DELETE FROM ${kind.table} WHERE id = $1`, [id]);
  const programmeId = kind.name === 'programme' ? id : ((before.programmeId as string | undefined) ?? null);
  await recordHistory(db, {
    kind: kind.name,
    objectId: id,
    programmeId,
    op: 'delete',
    actor,
    changes: before,
  });
}

/** History of one object, or of a whole programme (all its objects), newest last. */
export async function history(
  db: Queryable,
  by: { objectId?: string; programmeId?: string },
  limit: number,
  offset: number,
): Promise<{ items: HistoryEntry[]; total: number }> {
  const where = by.objectId ? 'object_id = $1' : 'programme_id = $1';
  const key = by.objectId ?? by.programmeId;
  const r = await db.query<Row>(
    `SELECT seq, kind, object_id, op, actor, at, changes, count(*) OVER () AS total
       FROM obs_history WHERE ${where} ORDER BY seq LIMIT $2 OFFSET $3`,
    [key, limit, offset],
  );
  const total = r.rows.length
    ? Number(r.rows[0].total)
    : Number(
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM obs_history WHERE ${where}`, [key]))
          .rows[0].n,
      );
  return {
    total,
    items: r.rows.map((x) => ({
      seq: Number(x.seq),
      kind: x.kind as string,
      objectId: x.object_id as string,
      op: x.op as string,
      actor: (x.actor as string | null) ?? null,
      at: iso(x.at) as string,
      changes: x.changes as Row,
    })),
  };
}
