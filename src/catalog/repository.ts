import type { Queryable } from '../db/db.js';
import type {
  AccessType,
  DataService,
  DataServiceCreate,
  Dataset,
  DatasetCreate,
  DatasetPatch,
  Distribution,
  DistributionCreate,
  Facet,
  LangText,
  Plan,
} from './model.js';

interface DatasetRow {
  id: string;
  org_id: string;
  title: LangText;
  description: LangText;
  contact: Dataset['contact'] | null;
  license: string | null;
  themes: string[];
  keywords: string[];
  spatial: Dataset['spatial'] | null;
  temporal_start: Date | string | null;
  temporal_end: Date | string | null;
  frequency: string | null;
  access: AccessType;
  policy: Record<string, unknown> | null;
  plan: Plan | null;
  auto_agree: boolean;
  source_id: string | null;
  source_iri: string | null;
  created_at: Date | string;
  modified_at: Date | string;
}

interface DistributionRow {
  id: string;
  dataset_id: string;
  kind: Distribution['kind'];
  title: LangText | null;
  entity_type: string | null;
  attributes: string[] | null;
  personal: string[] | null;
  personal_clear_purposes: string[] | null;
  url: string | null;
  media_type: string | null;
  format: string | null;
}

interface ServiceRow {
  id: string;
  org_id: string;
  title: LangText;
  description: LangText | null;
  endpoint_url: string;
  endpoint_description: string | null;
  serves: string[];
  access: AccessType;
  created_at: Date | string;
  modified_at: Date | string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

function searchText(d: { title: LangText; description: LangText; keywords?: string[] }): string {
  return [d.title.fr, d.title.en, d.description.fr, d.description.en, ...(d.keywords ?? [])]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function distributionOut(r: DistributionRow): Distribution {
  return {
    id: r.id,
    kind: r.kind,
    ...(r.title ? { title: r.title } : {}),
    ...(r.entity_type ? { entityType: r.entity_type } : {}),
    ...(r.attributes ? { attributes: r.attributes } : {}),
    ...(r.personal?.length ? { personal: r.personal } : {}),
    ...(r.personal_clear_purposes?.length ? { personalClearPurposes: r.personal_clear_purposes } : {}),
    ...(r.url ? { url: r.url } : {}),
    ...(r.media_type ? { mediaType: r.media_type } : {}),
    ...(r.format ? { format: r.format } : {}),
  };
}

function datasetOut(r: DatasetRow, distributions: Distribution[]): Dataset {
  const temporal =
    r.temporal_start || r.temporal_end
      ? {
          ...(r.temporal_start ? { start: iso(r.temporal_start) } : {}),
          ...(r.temporal_end ? { end: iso(r.temporal_end) } : {}),
        }
      : undefined;
  return {
    id: r.id,
    orgId: r.org_id,
    title: r.title,
    description: r.description,
    ...(r.contact ? { contact: r.contact } : {}),
    ...(r.license ? { license: r.license } : {}),
    themes: r.themes,
    keywords: r.keywords,
    ...(r.spatial ? { spatial: r.spatial } : {}),
    ...(temporal ? { temporal } : {}),
    ...(r.frequency ? { frequency: r.frequency } : {}),
    access: r.access,
    ...(r.policy ? { policy: r.policy } : {}),
    ...(r.plan ? { plan: r.plan } : {}),
    autoAgree: r.auto_agree,
    ...(r.source_id && r.source_iri ? { source: { id: r.source_id, iri: r.source_iri } } : {}),
    created: iso(r.created_at),
    modified: iso(r.modified_at),
    distributions,
  };
}

function serviceOut(r: ServiceRow): DataService {
  return {
    id: r.id,
    orgId: r.org_id,
    title: r.title,
    ...(r.description ? { description: r.description } : {}),
    endpointUrl: r.endpoint_url,
    ...(r.endpoint_description ? { endpointDescription: r.endpoint_description } : {}),
    servesDatasets: r.serves,
    access: r.access,
    created: iso(r.created_at),
    modified: iso(r.modified_at),
  };
}

/** What a search may filter on; `visible` is the access types the caller may see. */
export interface DatasetFilter {
  visible: AccessType[];
  q?: string;
  themes?: string[];
  keywords?: string[];
  publishers?: string[];
  access?: AccessType[];
}

function where(f: DatasetFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.visible];
  const conds = ['d.access = ANY($1::text[])'];
  const add = (cond: (n: number) => string, v: unknown) => {
    params.push(v);
    conds.push(cond(params.length));
  };
  if (f.q) {
    for (const word of f.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10)) {
      add((n) => `strpos(d.search, $${n}) > 0`, word);
    }
  }
  if (f.themes?.length) add((n) => `d.themes && $${n}::text[]`, f.themes);
  if (f.keywords?.length) add((n) => `d.keywords && $${n}::text[]`, f.keywords);
  if (f.publishers?.length) add((n) => `d.org_id = ANY($${n}::uuid[])`, f.publishers);
  if (f.access?.length) add((n) => `d.access = ANY($${n}::text[])`, f.access);
  return { sql: conds.join(' AND '), params };
}

export function catalogRepository(db: Queryable) {
  async function distributionsOf(ids: string[]): Promise<Map<string, Distribution[]>> {
    const out = new Map<string, Distribution[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const r = await db.query<DistributionRow>(
      'SELECT * FROM cat_distributions WHERE dataset_id = ANY($1::uuid[]) ORDER BY created_at, id',
      [ids],
    );
    for (const row of r.rows) out.get(row.dataset_id)?.push(distributionOut(row));
    return out;
  }

  return {
    async insertDataset(id: string, d: DatasetCreate, source?: { id: string; iri: string }): Promise<void> {
      await db.query(
        `INSERT INTO cat_datasets (id, org_id, title, description, contact, license, themes, keywords, spatial,
           temporal_start, temporal_end, frequency, access, policy, search, plan, auto_agree, source_id, source_iri)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          id,
          d.orgId,
          JSON.stringify(d.title),
          JSON.stringify(d.description),
          d.contact ? JSON.stringify(d.contact) : null,
          d.license ?? null,
          d.themes ?? [],
          d.keywords ?? [],
          d.spatial ? JSON.stringify(d.spatial) : null,
          d.temporal?.start ?? null,
          d.temporal?.end ?? null,
          d.frequency ?? null,
          d.access,
          d.policy ? JSON.stringify(d.policy) : null,
          searchText(d),
          d.plan ? JSON.stringify(d.plan) : null,
          d.autoAgree ?? false,
          source?.id ?? null,
          source?.iri ?? null,
        ],
      );
    },

    async getDataset(id: string): Promise<Dataset | undefined> {
      const r = await db.query<DatasetRow>('SELECT * FROM cat_datasets WHERE id = $1', [id]);
      if (!r.rows[0]) return undefined;
      return datasetOut(r.rows[0], (await distributionsOf([id])).get(id) ?? []);
    },

    /** Applies a patch to a dataset read beforehand (`current`). */
    async updateDataset(current: Dataset, p: DatasetPatch): Promise<Dataset | undefined> {
      const pick = <K extends keyof DatasetPatch>(k: K, fallback: unknown) =>
        p[k] === undefined ? fallback : p[k] === null ? undefined : p[k];
      const title = p.title ?? current.title;
      const description = p.description ?? current.description;
      const keywords = p.keywords ?? current.keywords;
      const temporal = pick('temporal', current.temporal) as Dataset['temporal'];
      const contact = pick('contact', current.contact);
      const spatial = pick('spatial', current.spatial);
      const policy = pick('policy', current.policy);
      const plan = pick('plan', current.plan);
      await db.query(
        `UPDATE cat_datasets SET title = $2, description = $3, contact = $4, license = $5, themes = $6,
           keywords = $7, spatial = $8, temporal_start = $9, temporal_end = $10, frequency = $11, access = $12,
           policy = $13, search = $14, plan = $15, auto_agree = $16, modified_at = now()
         WHERE id = $1`,
        [
          current.id,
          JSON.stringify(title),
          JSON.stringify(description),
          contact ? JSON.stringify(contact) : null,
          pick('license', current.license) ?? null,
          p.themes ?? current.themes,
          keywords,
          spatial ? JSON.stringify(spatial) : null,
          temporal?.start ?? null,
          temporal?.end ?? null,
          pick('frequency', current.frequency) ?? null,
          p.access ?? current.access,
          policy ? JSON.stringify(policy) : null,
          searchText({ title, description, keywords }),
          plan ? JSON.stringify(plan) : null,
          p.autoAgree ?? current.autoAgree,
        ],
      );
      return this.getDataset(current.id);
    },

    async hasAgreements(datasetId: string): Promise<boolean> {
      const r = await db.query('SELECT 1 FROM cat_agreements WHERE dataset_id = $1 LIMIT 1', [datasetId]);
      return r.rows.length > 0;
    },

    async deleteDataset(id: string): Promise<boolean> {
      return (await db.query('DELETE FROM cat_datasets WHERE id = $1', [id])).rowCount > 0;
    },

    async searchDatasets(
      f: DatasetFilter,
      offset: number,
      limit: number,
    ): Promise<{
      total: number;
      items: Dataset[];
      facets: Record<'theme' | 'keyword' | 'publisher' | 'access', Facet[]>;
    }> {
      const w = where(f);
      const n = w.params.length;
      const rows = await db.query<DatasetRow>(
        `SELECT d.* FROM cat_datasets d WHERE ${w.sql} ORDER BY d.modified_at DESC, d.id LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...w.params, limit, offset],
      );
      const total = (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM cat_datasets d WHERE ${w.sql}`,
          w.params,
        )
      ).rows[0].n;
      const facet = async (expr: string, from: string) =>
        (
          await db.query<Facet>(
            `SELECT ${expr} AS value, count(*)::int AS count FROM cat_datasets d${from} WHERE ${w.sql}
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`,
            w.params,
          )
        ).rows;
      const facets = {
        theme: await facet('t', ', unnest(d.themes) AS t'),
        keyword: await facet('k', ', unnest(d.keywords) AS k'),
        publisher: await facet('d.org_id::text', ''),
        access: await facet('d.access', ''),
      };
      const dists = await distributionsOf(rows.rows.map((r) => r.id));
      return { total, items: rows.rows.map((r) => datasetOut(r, dists.get(r.id) ?? [])), facets };
    },

    async insertDistribution(id: string, datasetId: string, d: DistributionCreate): Promise<Distribution> {
      const r = await db.query<DistributionRow>(
        `INSERT INTO cat_distributions (id, dataset_id, kind, title, entity_type, attributes, url, media_type, format,
           personal, personal_clear_purposes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          id,
          datasetId,
          d.kind,
          d.title ? JSON.stringify(d.title) : null,
          d.kind === 'ngsi-ld' ? d.entityType : null,
          d.kind === 'ngsi-ld' ? (d.attributes ?? null) : null,
          d.kind !== 'ngsi-ld' ? d.url : null,
          d.kind !== 'ngsi-ld' ? (d.mediaType ?? null) : null,
          d.kind !== 'ngsi-ld' ? (d.format ?? null) : null,
          d.kind === 'ngsi-ld' ? (d.personal ?? null) : null,
          d.kind === 'ngsi-ld' ? (d.personalClearPurposes ?? null) : null,
        ],
      );
      await db.query('UPDATE cat_datasets SET modified_at = now() WHERE id = $1', [datasetId]);
      return distributionOut(r.rows[0]);
    },

    async countDistributions(datasetId: string): Promise<number> {
      return (
        await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM cat_distributions WHERE dataset_id = $1',
          [datasetId],
        )
      ).rows[0].n;
    },

    async deleteDistribution(datasetId: string, id: string): Promise<boolean> {
      const r = await db.query('DELETE FROM cat_distributions WHERE dataset_id = $1 AND id = $2', [
        datasetId,
        id,
      ]);
      if (r.rowCount > 0)
        await db.query('UPDATE cat_datasets SET modified_at = now() WHERE id = $1', [datasetId]);
      return r.rowCount > 0;
    },

    async insertService(id: string, s: DataServiceCreate): Promise<DataService> {
      const r = await db.query<ServiceRow>(
        `INSERT INTO cat_dataservices (id, org_id, title, description, endpoint_url, endpoint_description, serves, access)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          id,
          s.orgId,
          JSON.stringify(s.title),
          s.description ? JSON.stringify(s.description) : null,
          s.endpointUrl,
          s.endpointDescription ?? null,
          s.servesDatasets ?? [],
          s.access,
        ],
      );
      return serviceOut(r.rows[0]);
    },

    async getService(id: string): Promise<DataService | undefined> {
      const r = await db.query<ServiceRow>('SELECT * FROM cat_dataservices WHERE id = $1', [id]);
      return r.rows[0] ? serviceOut(r.rows[0]) : undefined;
    },

    async listServices(visible: AccessType[], offset: number, limit: number) {
      const r = await db.query<ServiceRow>(
        `SELECT * FROM cat_dataservices WHERE access = ANY($1::text[]) ORDER BY modified_at DESC, id LIMIT $2 OFFSET $3`,
        [visible, limit, offset],
      );
      const total = (
        await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM cat_dataservices WHERE access = ANY($1::text[])',
          [visible],
        )
      ).rows[0].n;
      return { total, items: r.rows.map(serviceOut) };
    },

    async deleteService(id: string): Promise<boolean> {
      return (await db.query('DELETE FROM cat_dataservices WHERE id = $1', [id])).rowCount > 0;
    },

    /** Datasets owned by the organisation whose ids are given (to check what a data service serves). */
    async datasetsOwnedBy(orgId: string, ids: string[]): Promise<string[]> {
      if (!ids.length) return [];
      const r = await db.query<{ id: string }>(
        'SELECT id FROM cat_datasets WHERE org_id = $1 AND id = ANY($2::uuid[])',
        [orgId, ids],
      );
      return r.rows.map((x) => x.id);
    },
  };
}

export type CatalogRepository = ReturnType<typeof catalogRepository>;
