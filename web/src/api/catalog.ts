import { apiFetch, apiJson, query } from './http';

/** The catalog API (src/catalog/): datasets, policies, access requests and agreements. */

export type AccessType = 'open' | 'account' | 'restricted';
export const ACCESS_TYPES: AccessType[] = ['open', 'account', 'restricted'];

export interface LangText {
  fr?: string;
  en?: string;
}

export interface Distribution {
  id: string;
  kind: 'ngsi-ld' | 'file' | 'api';
  title?: LangText;
  entityType?: string;
  attributes?: string[];
  url?: string;
  mediaType?: string;
  format?: string;
}

export interface Plan {
  kind: 'free' | 'perCall' | 'monthly' | 'oneOff';
  price?: number;
  currency?: string;
}

export interface Dataset {
  id: string;
  orgId: string;
  title: LangText;
  description: LangText;
  contact?: { name: string; email?: string; url?: string };
  license?: string;
  themes: string[];
  keywords: string[];
  spatial?: { name?: string; geometry?: unknown };
  temporal?: { start?: string; end?: string };
  frequency?: string;
  access: AccessType;
  policy?: Record<string, unknown>;
  plan?: Plan;
  created: string;
  modified: string;
  distributions: Distribution[];
}

export interface Facet {
  value: string;
  count: number;
}

export type FacetName = 'theme' | 'keyword' | 'publisher' | 'access';

export interface SearchResult {
  total: number;
  offset: number;
  limit: number;
  items: Dataset[];
  facets: Record<FacetName, Facet[]>;
}

export interface SearchParams {
  q?: string;
  theme?: string[];
  keyword?: string[];
  publisher?: string[];
  access?: string[];
  offset?: number;
  limit?: number;
}

export const searchDatasets = (p: SearchParams, signal?: AbortSignal) =>
  apiJson<SearchResult>(`/api/catalog/datasets${query({ ...p })}`, { signal });

export const getDataset = (id: string, signal?: AbortSignal) =>
  apiJson<Dataset>(`/api/catalog/datasets/${encodeURIComponent(id)}`, { signal });

export type AgreementState = 'REQUESTED' | 'AGREED' | 'FINALIZED' | 'TERMINATED';

export interface Agreement {
  id: string;
  datasetId: string;
  providerOrgId: string;
  consumerOrgId: string;
  state: AgreementState;
  purpose?: string;
  policy?: Record<string, unknown>;
  signature?: string;
  plan?: Plan;
  requestedAt: string;
  agreedAt?: string;
  finalizedAt?: string;
  terminatedAt?: string;
  terminatedBy?: 'provider' | 'consumer';
  reason?: string;
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export const requestAgreement = (datasetId: string, orgId: string, purpose?: string) =>
  apiJson<Agreement>(`/api/catalog/datasets/${encodeURIComponent(datasetId)}/agreements`, {
    method: 'POST',
    body: purpose ? { orgId, purpose } : { orgId },
  });

export const listAgreements = (
  p: { state?: AgreementState; offset?: number; limit?: number },
  signal?: AbortSignal,
) => apiJson<Page<Agreement>>(`/api/catalog/agreements${query(p)}`, { signal });

export const agreeAgreement = (id: string) =>
  apiJson<Agreement>(`/api/catalog/agreements/${encodeURIComponent(id)}/agree`, { method: 'POST' });

export const finalizeAgreement = (id: string) =>
  apiJson<Agreement>(`/api/catalog/agreements/${encodeURIComponent(id)}/finalize`, { method: 'POST' });

export const terminateAgreement = (id: string, reason?: string) =>
  apiJson<Agreement>(`/api/catalog/agreements/${encodeURIComponent(id)}/terminate`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });

export interface StatementLine {
  agreement: string;
  dataset: string;
  datasetTitle: string;
  counterparty: string;
  plan: Plan['kind'];
  calls: number;
  bytes: number;
  amount: number;
  currency: string;
}

export interface Statement {
  orgId: string;
  month: string;
  consumption: { lines: StatementLine[]; total: number };
  revenue: { lines: StatementLine[]; total: number };
}

/** The monthly statement of an organisation; undefined when the server has no statements route (404). */
export async function getStatement(
  orgId: string,
  month: string,
  signal?: AbortSignal,
): Promise<Statement | undefined> {
  try {
    return await apiJson<Statement>(`/api/catalog/statements${query({ orgId, month })}`, { signal });
  } catch (err) {
    if (err && typeof err === 'object' && 'status' in err && err.status === 404) return undefined;
    throw err;
  }
}

/** A few entities of an NGSI-LD distribution (keyValues), as far as the caller may read them. */
export async function sampleEntities(
  type: string,
  attrs: string[] | undefined,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const res = await apiFetch(
    `/ngsi-ld/v1/entities${query({ type, limit: 5, options: 'keyValues', attrs: attrs?.length ? attrs.join(',') : undefined })}`,
    { signal },
  );
  const body: unknown = await res.json();
  return Array.isArray(body) ? (body as Record<string, unknown>[]) : [];
}

/** The text in the reader's language, or the other one. */
export const pick = (t: LangText | undefined, lang: string | undefined): string =>
  (lang === 'en' ? (t?.en ?? t?.fr) : (t?.fr ?? t?.en)) ?? '';
