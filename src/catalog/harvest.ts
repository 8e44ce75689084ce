import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import jsonld from 'jsonld';
import { Parser, type Quad } from 'n3';
import type { Db } from '../db/db.js';
import { assertAuthenticated, assertOrgRole, isPlatformAdmin, type Principal } from '../governance/index.js';
import { assertOutboundAllowed, fetchCapped, OutboundRefused } from '../http/outbound.js';
import { pageLinks } from '../http/paging.js';
import { badRequest, notFound, ProblemError } from '../http/problem.js';
import { PREFIXES } from './dcat.js';
import {
  type AccessType,
  type DatasetCreate,
  type DistributionCreate,
  type LangText,
  Paging,
  THEMES,
  Uuid,
} from './model.js';
import { catalogRepository } from './repository.js';

/** Caps of one harvest: bytes fetched, time, datasets kept, distributions per dataset. */
export const HARVEST_LIMITS = {
  maxBytes: 5_000_000,
  timeoutMs: 15_000,
  datasets: 1000,
  distributions: 50,
} as const;

export interface HarvestSource {
  id: string;
  orgId: string;
  url: string;
  title?: string;
  created: string;
  lastRunAt?: string;
  lastStatus?: 'ok' | 'failed';
  lastError?: string;
  harvested: number;
}

export interface HarvestReport {
  source: string;
  status: 'ok';
  harvested: number;
  created: number;
  updated: number;
  removed: number;
  /** Datasets gone from the source but kept because agreements refer to them. */
  kept: number;
}

/** A dataset read from a remote DCAT-AP catalog. */
export interface HarvestedDataset {
  iri: string;
  title: LangText;
  description: LangText;
  keywords: string[];
  themes: string[];
  license?: string;
  access: AccessType;
  distributions: DistributionCreate[];
}

interface SourceRow {
  id: string;
  org_id: string;
  url: string;
  title: string | null;
  created_at: Date | string;
  last_run_at: Date | string | null;
  last_status: 'ok' | 'failed' | null;
  last_error: string | null;
  harvested: number;
}

const sourceOut = (r: SourceRow): HarvestSource => ({
  id: r.id,
  orgId: r.org_id,
  url: r.url,
  ...(r.title ? { title: r.title } : {}),
  created: new Date(r.created_at).toISOString(),
  ...(r.last_run_at ? { lastRunAt: new Date(r.last_run_at).toISOString() } : {}),
  ...(r.last_status ? { lastStatus: r.last_status } : {}),
  ...(r.last_error ? { lastError: r.last_error } : {}),
  harvested: r.harvested,
});

const RDF_TYPE = `${PREFIXES.rdf}type`;
const DCAT = PREFIXES.dcat;
const DCT = PREFIXES.dct;
const THEME = 'http://publications.europa.eu/resource/authority/data-theme/';
const ACCESS_RIGHT = 'http://publications.europa.eu/resource/authority/access-right/';
const FROM_ACCESS_RIGHT: Record<string, AccessType> = {
  PUBLIC: 'open',
  RESTRICTED: 'account',
  NON_PUBLIC: 'restricted',
};
const isHttp = (s: string) => /^https?:\/\/[^\s]+$/.test(s) && s.length <= 2048;
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/** Parses a DCAT-AP catalog (JSON-LD or Turtle) into RDF quads; remote @contexts go through `load`. */
export async function catalogQuads(
  text: string,
  opts: { baseIri: string; load: (url: string) => Promise<string> },
): Promise<Quad[]> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`not valid JSON: ${(err as Error).message}`);
    }
    const documentLoader = async (url: string) => ({
      contextUrl: undefined,
      documentUrl: url,
      document: JSON.parse(await opts.load(url)),
    });
    const nquads = (await jsonld.toRDF(
      doc as jsonld.JsonLdDocument,
      {
        format: 'application/n-quads',
        base: opts.baseIri,
        documentLoader,
      } as jsonld.Options.ToRdf,
    )) as unknown as string;
    return new Parser({ format: 'N-Quads' }).parse(nquads);
  }
  return new Parser({ baseIRI: opts.baseIri }).parse(text);
}

/** The datasets of a DCAT-AP catalog given as quads (at most `limit`). */
export function harvestedDatasets(
  quads: Quad[],
  limit: number = HARVEST_LIMITS.datasets,
): HarvestedDataset[] {
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const list = bySubject.get(q.subject.value);
    if (list) list.push(q);
    else bySubject.set(q.subject.value, [q]);
  }
  const values = (s: string, p: string) => (bySubject.get(s) ?? []).filter((q) => q.predicate.value === p);
  const langText = (s: string, p: string, max: number): LangText | undefined => {
    const out: LangText = {};
    for (const q of values(s, p)) {
      if (q.object.termType !== 'Literal') continue;
      const l = (q.object as { language?: string }).language?.slice(0, 2).toLowerCase();
      const key = l === 'fr' ? 'fr' : l === 'en' || !l ? 'en' : undefined;
      const v = clip(q.object.value.trim(), max);
      if (key && v && !out[key]) out[key] = v;
    }
    if (!out.fr && !out.en) {
      const any = values(s, p).find((q) => q.object.termType === 'Literal' && q.object.value.trim());
      if (any) out.en = clip(any.object.value.trim(), max);
    }
    return out.fr || out.en ? out : undefined;
  };
  const out: HarvestedDataset[] = [];
  for (const [s, qs] of bySubject) {
    if (out.length >= limit) break;
    if (!qs.some((q) => q.predicate.value === RDF_TYPE && q.object.value === `${DCAT}Dataset`)) continue;
    const title = langText(s, `${DCT}title`, 300);
    if (!title) continue;
    const description = langText(s, `${DCT}description`, 10_000) ?? title;
    const keywords = [
      ...new Set(
        values(s, `${DCAT}keyword`)
          .map((q) => q.object.value.trim())
          .filter((k) => k && k.length <= 80),
      ),
    ].slice(0, 50);
    const themes = [
      ...new Set(
        values(s, `${DCAT}theme`)
          .map((q) => q.object.value)
          .filter((v) => v.startsWith(THEME))
          .map((v) => v.slice(THEME.length))
          .filter((c) => (THEMES as readonly string[]).includes(c)),
      ),
    ];
    const right = values(s, `${DCT}accessRights`)[0]?.object.value ?? '';
    const access = right.startsWith(ACCESS_RIGHT)
      ? (FROM_ACCESS_RIGHT[right.slice(ACCESS_RIGHT.length)] ?? 'restricted')
      : 'open';
    // DCAT-AP puts the licence on distributions; a dataset's own is taken first.
    const license = [s, ...values(s, `${DCAT}distribution`).map((q) => q.object.value)]
      .flatMap((x) => values(x, `${DCT}license`).map((q) => q.object.value))
      .find(isHttp);
    const distributions: DistributionCreate[] = [];
    for (const d of values(s, `${DCAT}distribution`)) {
      if (distributions.length >= HARVEST_LIMITS.distributions) break;
      const dl = values(d.object.value, `${DCAT}downloadURL`)
        .map((q) => q.object.value)
        .find(isHttp);
      const acc = values(d.object.value, `${DCAT}accessURL`)
        .map((q) => q.object.value)
        .find(isHttp);
      const dtitle = langText(d.object.value, `${DCT}title`, 300);
      const media = values(d.object.value, `${DCAT}mediaType`)
        .map((q) => q.object.value.replace(/^https?:\/\/www\.iana\.org\/assignments\/media-types\//, ''))
        .find((m) => /^[\w.+-]+\/[\w.+-]+$/.test(m) && m.length <= 100);
      const extra = { ...(dtitle ? { title: dtitle } : {}), ...(media ? { mediaType: media } : {}) };
      if (dl) distributions.push({ kind: 'file', url: dl, ...extra });
      else if (acc) distributions.push({ kind: 'api', url: acc, ...extra });
    }
    out.push({
      iri: s,
      title,
      description,
      keywords,
      themes,
      ...(license ? { license } : {}),
      access,
      distributions,
    });
  }
  return out;
}

const CreateBody = Type.Object(
  {
    orgId: Uuid,
    url: Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$' }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const ListQuery = Type.Object({ ...Paging }, { additionalProperties: false });

export interface HarvestOptions {
  db: Db;
  /** Hosts and IPs an outgoing call may reach although they are not public (ESCALE_OUTBOUND_ALLOW). */
  outboundAllow: Set<string>;
}

function orgsOf(p: Principal): string[] | undefined {
  if (isPlatformAdmin(p)) return undefined;
  if (p.kind === 'user') return p.memberships.map((m) => m.orgId);
  if (p.kind === 'apiKey') return [p.orgId];
  return [];
}

/**
 * Harvesting of remote DCAT-AP catalogs: an organisation registers a catalog URL; each run fetches it (SSRF-safe,
 * capped), upserts its datasets into this catalog, owned by the organisation and marked with their source, and
 * removes those gone from it.
 */
export async function harvestRoutes(app: FastifyInstance, opts: HarvestOptions): Promise<void> {
  const { db } = opts;
  const repo = catalogRepository(db);
  const tags = ['catalog'];

  async function load(req: FastifyRequest, id: string): Promise<HarvestSource> {
    const p = await assertAuthenticated(req);
    const r = await db.query<SourceRow>('SELECT * FROM cat_harvest_sources WHERE id = $1', [id]);
    const s = r.rows[0] ? sourceOut(r.rows[0]) : undefined;
    const orgs = orgsOf(p);
    if (!s || (orgs && !orgs.includes(s.orgId))) throw notFound(`harvest source ${id} not found`);
    return s;
  }

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/catalog/harvest-sources',
    { schema: { tags, body: CreateBody } },
    async (req, reply) => {
      await assertOrgRole(req, req.body.orgId, 'editor');
      if (!(await app.governance.repo.getOrg(req.body.orgId)))
        throw badRequest(`organisation ${req.body.orgId} does not exist`);
      try {
        await assertOutboundAllowed(new URL(req.body.url), opts.outboundAllow);
      } catch (err) {
        // A name that does not resolve now may later; a non-public address never will.
        if (err instanceof OutboundRefused) throw badRequest(`this URL is refused: ${err.message}`);
      }
      const r = await db.query<SourceRow>(
        'INSERT INTO cat_harvest_sources (id, org_id, url, title) VALUES ($1, $2, $3, $4) RETURNING *',
        [randomUUID(), req.body.orgId, req.body.url, req.body.title ?? null],
      );
      const s = sourceOut(r.rows[0]);
      reply.status(201).header('location', `/api/catalog/harvest-sources/${s.id}`);
      return s;
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/catalog/harvest-sources',
    { schema: { tags, querystring: ListQuery } },
    async (req, reply) => {
      const orgs = orgsOf(await assertAuthenticated(req)) ?? null;
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 20;
      const where = '($1::uuid[] IS NULL OR org_id = ANY($1::uuid[]))';
      const r = await db.query<SourceRow>(
        `SELECT * FROM cat_harvest_sources WHERE ${where} ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [orgs, limit, offset],
      );
      const total = (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cat_harvest_sources WHERE ${where}`, [
          orgs,
        ])
      ).rows[0].n;
      const link = pageLinks(req, offset, limit, r.rows.length, total);
      if (link) reply.header('link', link);
      return { total, offset, limit, items: r.rows.map(sourceOut) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/harvest-sources/:id',
    { schema: { tags, params: IdParams } },
    async (req) => load(req, req.params.id),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/harvest-sources/:id',
    { schema: { tags, params: IdParams } },
    async (req, reply) => {
      const s = await load(req, req.params.id);
      await assertOrgRole(req, s.orgId, 'editor');
      await db.query('DELETE FROM cat_harvest_sources WHERE id = $1', [s.id]);
      reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/catalog/harvest-sources/:id/run',
    { schema: { tags, params: IdParams } },
    async (req): Promise<HarvestReport> => {
      const s = await load(req, req.params.id);
      await assertOrgRole(req, s.orgId, 'editor');
      const fail = async (detail: string) => {
        await db.query(
          `UPDATE cat_harvest_sources SET last_run_at = now(), last_status = 'failed', last_error = $2 WHERE id = $1`,
          [s.id, clip(detail, 1000)],
        );
      };
      const fetchText = (url: string, accept: string) =>
        fetchCapped(url, {
          timeoutMs: HARVEST_LIMITS.timeoutMs,
          maxBytes: HARVEST_LIMITS.maxBytes,
          allow: opts.outboundAllow,
          accept,
        });
      let found: HarvestedDataset[];
      try {
        const text = await fetchText(s.url, 'application/ld+json, text/turtle;q=0.9, application/json;q=0.8');
        const quads = await catalogQuads(text, {
          baseIri: s.url,
          load: (url) => fetchText(url, 'application/ld+json, application/json;q=0.9'),
        });
        found = harvestedDatasets(quads);
      } catch (err) {
        const refused =
          err instanceof OutboundRefused ||
          (err as { details?: { cause?: unknown } }).details?.cause instanceof OutboundRefused;
        const why = (err as Error).message;
        await fail(why);
        if (refused) throw badRequest(`the harvest source is refused: ${why}`);
        throw new ProblemError('OperationNotSupported', `the harvest failed: ${why}`);
      }
      let created = 0;
      let updated = 0;
      for (const h of found) {
        const fields: Omit<DatasetCreate, 'orgId'> = {
          title: h.title,
          description: h.description,
          keywords: h.keywords,
          themes: h.themes as DatasetCreate['themes'],
          access: h.access,
          ...(h.license ? { license: h.license } : {}),
        };
        const existing = await db.query<{ id: string }>(
          'SELECT id FROM cat_datasets WHERE source_id = $1 AND source_iri = $2',
          [s.id, h.iri],
        );
        let id = existing.rows[0]?.id;
        if (id) {
          const current = await repo.getDataset(id);
          if (current) await repo.updateDataset(current, { ...fields, license: h.license ?? null });
          await db.query('DELETE FROM cat_distributions WHERE dataset_id = $1', [id]);
          updated++;
        } else {
          id = randomUUID();
          await repo.insertDataset(id, { orgId: s.orgId, ...fields }, { id: s.id, iri: h.iri });
          created++;
        }
        for (const d of h.distributions) await repo.insertDistribution(randomUUID(), id, d);
      }
      // Gone from the source: removed, unless agreements refer to them (then they stay, restricted).
      const gone = await db.query<{ id: string }>(
        'SELECT id FROM cat_datasets WHERE source_id = $1 AND NOT (source_iri = ANY($2::text[]))',
        [s.id, found.map((h) => h.iri)],
      );
      let removed = 0;
      let kept = 0;
      for (const g of gone.rows) {
        if (await repo.hasAgreements(g.id)) {
          await db.query(`UPDATE cat_datasets SET access = 'restricted', modified_at = now() WHERE id = $1`, [
            g.id,
          ]);
          kept++;
        } else if (await repo.deleteDataset(g.id)) removed++;
      }
      await db.query(
        `UPDATE cat_harvest_sources SET last_run_at = now(), last_status = 'ok', last_error = NULL, harvested = $2
         WHERE id = $1`,
        [s.id, found.length],
      );
      return { source: s.id, status: 'ok', harvested: found.length, created, updated, removed, kept };
    },
  );
}
