import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import { ProblemError } from '../http/problem.js';
import { conflict, notFoundP } from './service.js';

/** The programme's partners directory and the knowledge base of good practices (README.md). */

export const PARTNER_SIZES = ['micro', 'small', 'medium', 'large'] as const;
export type PartnerSize = (typeof PARTNER_SIZES)[number];
export const PARTNER_ROLES = [
  'programme-lead',
  'founding-partner',
  'project-partner',
  'icc-consortium',
  'funder',
  'expert',
  'innovation-hub',
] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

export interface PartnerContact {
  name?: string;
  email?: string;
  phone?: string;
}

/** A project of the Observatory the partner leads or takes part in (from the Observatory, when wired). */
export interface PartnerProject {
  code: string;
  name: string;
  status: string;
  role: 'lead' | 'partner';
}

export interface PartnerInput {
  slug: string;
  name: string;
  orgId?: string | null;
  sector: string;
  size?: PartnerSize | null;
  roles?: PartnerRole[];
  description?: string;
  city?: string | null;
  website?: string | null;
  contact?: PartnerContact;
  projects?: string[];
}

export interface PartnerOut {
  id: string;
  slug: string;
  name: string;
  orgId: string | null;
  sector: string;
  size: PartnerSize | null;
  roles: PartnerRole[];
  description: string;
  city: string | null;
  website: string | null;
  contact: PartnerContact;
  projects: string[];
  /** Present on a single partner when the Observatory is wired: its public projects there. */
  observatoryProjects?: PartnerProject[];
  updatedAt: string;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const unique = (e: unknown, what: string): never => {
  if ((e as { code?: string }).code === '23505') throw conflict(`a ${what} with this slug already exists`);
  throw e;
};

function partnerOut(r: Row): PartnerOut {
  return {
    id: String(r.id),
    slug: String(r.slug),
    name: String(r.name),
    orgId: (r.org_id as string | null) ?? null,
    sector: String(r.sector),
    size: (r.size as PartnerSize | null) ?? null,
    roles: (r.roles as PartnerRole[]) ?? [],
    description: String(r.description),
    city: (r.city as string | null) ?? null,
    website: (r.website as string | null) ?? null,
    contact: json<PartnerContact>(r.contact ?? {}),
    projects: (r.projects as string[]) ?? [],
    updatedAt: iso(r.updated_at),
  };
}

export async function createPartner(db: Db, p: PartnerInput): Promise<PartnerOut> {
  const id = randomUUID();
  try {
    await db.query(
      `INSERT INTO inv_partners (id, slug, name, org_id, sector, size, roles, description, city, website, contact, projects)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        p.slug,
        p.name,
        p.orgId ?? null,
        p.sector,
        p.size ?? null,
        p.roles ?? [],
        p.description ?? '',
        p.city ?? null,
        p.website ?? null,
        JSON.stringify(p.contact ?? {}),
        p.projects ?? [],
      ],
    );
  } catch (e) {
    unique(e, 'partner');
  }
  return mustPartner(db, id);
}

export async function mustPartner(db: Queryable, id: string): Promise<PartnerOut> {
  const r = await db.query<Row>('SELECT * FROM inv_partners WHERE id = $1', [id]);
  if (!r.rows[0]) throw notFoundP('partner');
  return partnerOut(r.rows[0]);
}

export async function listPartners(
  db: Queryable,
  f: { q?: string; sector?: string; role?: string; size?: string },
  limit: number,
  offset: number,
): Promise<{ items: PartnerOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_partners
      WHERE ($1::text IS NULL OR name ILIKE $1 OR description ILIKE $1 OR sector ILIKE $1 OR city ILIKE $1
             OR array_to_string(projects, ' ') ILIKE $1)
        AND ($2::text IS NULL OR sector = $2) AND ($3::text IS NULL OR $3 = ANY(roles))
        AND ($4::text IS NULL OR size = $4)
      ORDER BY name, id LIMIT $5 OFFSET $6`,
    [f.q ? like(f.q) : null, f.sector ?? null, f.role ?? null, f.size ?? null, limit, offset],
  );
  return { items: r.rows.map(partnerOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function updatePartner(db: Db, id: string, p: Partial<PartnerInput>): Promise<PartnerOut> {
  const before = await mustPartner(db, id);
  const m = { ...before, ...p };
  try {
    await db.query(
      `UPDATE inv_partners SET slug = $2, name = $3, org_id = $4, sector = $5, size = $6, roles = $7, description = $8,
         city = $9, website = $10, contact = $11, projects = $12, updated_at = now() WHERE id = $1`,
      [
        id,
        m.slug,
        m.name,
        m.orgId ?? null,
        m.sector,
        m.size ?? null,
        m.roles ?? [],
        m.description ?? '',
        m.city ?? null,
        m.website ?? null,
        JSON.stringify(m.contact ?? {}),
        m.projects ?? [],
      ],
    );
  } catch (e) {
    unique(e, 'partner');
  }
  return mustPartner(db, id);
}

export async function deletePartner(db: Db, id: string): Promise<void> {
  const r = await db.query('DELETE FROM inv_partners WHERE id = $1', [id]);
  if (r.rowCount === 0) throw notFoundP('partner');
}

/** Sectors and roles in use, with counts (the directory's facets). */
export async function partnerFacets(
  db: Queryable,
): Promise<{ sectors: { value: string; count: number }[]; roles: { value: string; count: number }[] }> {
  const s = await db.query<Row>(
    'SELECT sector AS value, count(*)::int AS n FROM inv_partners GROUP BY sector ORDER BY sector',
  );
  const r = await db.query<Row>(
    'SELECT role AS value, count(*)::int AS n FROM inv_partners, unnest(roles) AS role GROUP BY role ORDER BY role',
  );
  const f = (rows: Row[]) => rows.map((x) => ({ value: String(x.value), count: Number(x.n) }));
  return { sectors: f(s.rows), roles: f(r.rows) };
}

// ---- knowledge base ----

export const PRACTICE_KINDS = ['good-practice', 'benchmark', 'tool', 'case-study'] as const;
export type PracticeKind = (typeof PRACTICE_KINDS)[number];

export interface PracticeInput {
  slug: string;
  kind: PracticeKind;
  title: string;
  summaryFr?: string;
  summaryEn?: string;
  city?: string | null;
  country?: string | null;
  year?: number | null;
  tags?: string[];
  links?: { title: string; url: string }[];
  communityIds?: string[];
  callIds?: string[];
}

export interface PracticeOut extends Required<Omit<PracticeInput, 'city' | 'country' | 'year'>> {
  id: string;
  city: string | null;
  country: string | null;
  year: number | null;
  createdBy: string | null;
  updatedAt: string;
}

function practiceOut(r: Row): PracticeOut {
  return {
    id: String(r.id),
    slug: String(r.slug),
    kind: r.kind as PracticeKind,
    title: String(r.title),
    summaryFr: String(r.summary_fr),
    summaryEn: String(r.summary_en),
    city: (r.city as string | null) ?? null,
    country: (r.country as string | null) ?? null,
    year: r.year == null ? null : Number(r.year),
    tags: (r.tags as string[]) ?? [],
    links: json<{ title: string; url: string }[]>(r.links ?? []),
    communityIds: ((r.community_ids as string[]) ?? []).map(String),
    callIds: ((r.call_ids as string[]) ?? []).map(String),
    createdBy: (r.created_by as string | null) ?? null,
    updatedAt: iso(r.updated_at),
  };
}

/** Linked communities and calls must exist (they are this module's own). */
async function checkLinks(db: Queryable, p: Partial<PracticeInput>): Promise<void> {
  for (const [table, ids, what] of [
    ['inv_communities', p.communityIds, 'community'],
    ['inv_calls', p.callIds, 'call'],
  ] as const) {
    if (!ids?.length) continue;
    const r = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    if (Number(r.rows[0].n) !== new Set(ids).size) {
      throw new ProblemError('BadRequestData', `a linked ${what} does not exist`);
    }
  }
}

const normTags = (tags?: string[]) => [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()))];

export async function createPractice(
  db: Db,
  p: PracticeInput,
  createdBy: string | null,
): Promise<PracticeOut> {
  await checkLinks(db, p);
  const id = randomUUID();
  try {
    await db.query(
      `INSERT INTO inv_practices (id, slug, kind, title, summary_fr, summary_en, city, country, year, tags, links,
         community_ids, call_ids, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        id,
        p.slug,
        p.kind,
        p.title,
        p.summaryFr ?? '',
        p.summaryEn ?? '',
        p.city ?? null,
        p.country ?? null,
        p.year ?? null,
        normTags(p.tags),
        JSON.stringify(p.links ?? []),
        p.communityIds ?? [],
        p.callIds ?? [],
        createdBy,
      ],
    );
  } catch (e) {
    unique(e, 'practice');
  }
  return mustPractice(db, id);
}

export async function mustPractice(db: Queryable, id: string): Promise<PracticeOut> {
  const r = await db.query<Row>('SELECT * FROM inv_practices WHERE id = $1', [id]);
  if (!r.rows[0]) throw notFoundP('practice');
  return practiceOut(r.rows[0]);
}

export interface PracticeFilter {
  q?: string;
  /** Every tag given must be present. */
  tags?: string[];
  kind?: PracticeKind;
  city?: string;
  communityId?: string;
  callId?: string;
}

export async function listPractices(
  db: Queryable,
  f: PracticeFilter,
  limit: number,
  offset: number,
): Promise<{ items: PracticeOut[]; total: number }> {
  const r = await db.query<Row>(
    `SELECT *, count(*) OVER () AS total FROM inv_practices
      WHERE ($1::text IS NULL OR title ILIKE $1 OR summary_fr ILIKE $1 OR summary_en ILIKE $1 OR city ILIKE $1
             OR array_to_string(tags, ' ') ILIKE $1)
        AND tags @> $2::text[] AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR lower(city) = lower($4))
        AND ($5::uuid IS NULL OR $5 = ANY(community_ids)) AND ($6::uuid IS NULL OR $6 = ANY(call_ids))
      ORDER BY year DESC NULLS LAST, title, id LIMIT $7 OFFSET $8`,
    [
      f.q ? like(f.q) : null,
      normTags(f.tags),
      f.kind ?? null,
      f.city ?? null,
      f.communityId ?? null,
      f.callId ?? null,
      limit,
      offset,
    ],
  );
  return { items: r.rows.map(practiceOut), total: Number(r.rows[0]?.total ?? 0) };
}

export async function practiceTags(db: Queryable): Promise<{ value: string; count: number }[]> {
  const r = await db.query<Row>(
    'SELECT tag, count(*)::int AS n FROM inv_practices, unnest(tags) AS tag GROUP BY tag ORDER BY n DESC, tag',
  );
  return r.rows.map((x) => ({ value: String(x.tag), count: Number(x.n) }));
}

export async function updatePractice(db: Db, id: string, p: Partial<PracticeInput>): Promise<PracticeOut> {
  const before = await mustPractice(db, id);
  await checkLinks(db, p);
  const m = { ...before, ...p };
  try {
    await db.query(
      `UPDATE inv_practices SET slug = $2, kind = $3, title = $4, summary_fr = $5, summary_en = $6, city = $7,
         country = $8, year = $9, tags = $10, links = $11, community_ids = $12, call_ids = $13, updated_at = now()
       WHERE id = $1`,
      [
        id,
        m.slug,
        m.kind,
        m.title,
        m.summaryFr,
        m.summaryEn,
        m.city ?? null,
        m.country ?? null,
        m.year ?? null,
        normTags(m.tags),
        JSON.stringify(m.links),
        m.communityIds,
        m.callIds,
      ],
    );
  } catch (e) {
    unique(e, 'practice');
  }
  return mustPractice(db, id);
}

export async function deletePractice(db: Db, id: string): Promise<void> {
  const r = await db.query('DELETE FROM inv_practices WHERE id = $1', [id]);
  if (r.rowCount === 0) throw notFoundP('practice');
}
