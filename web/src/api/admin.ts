import type { OrgRole } from '../auth/AuthContext';
import { apiJson, query } from './http';

/** The governance API (src/governance/): organisations, members, API keys, audit log. */

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type OrgKind = 'port-authority' | 'metropolis' | 'operator' | 'start-up' | 'research' | 'other';

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  kind: OrgKind;
  website: string | null;
  description: string | null;
  emailDomains: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: OrgRole;
  since: string;
}

export const SCOPES = [
  'broker:read',
  'broker:write',
  'catalog:read',
  'catalog:write',
  'mobility:write',
  'ingest:write',
  'observatory:write',
  'innovation:write',
  'governance:read',
  'governance:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  event: string;
  outcome: 'success' | 'failure' | 'denied';
  actor: string | null;
  orgId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const listOrganisations = (p: { limit?: number; offset?: number }, signal?: AbortSignal) =>
  apiJson<Page<Organisation>>(`/api/organisations${query(p)}`, { signal });

/** Every organisation (the directory is public and small): id → organisation. */
export async function organisationDirectory(signal?: AbortSignal): Promise<Map<string, Organisation>> {
  const out = new Map<string, Organisation>();
  for (let offset = 0; offset < 5000; offset += 500) {
    const page = await listOrganisations({ limit: 500, offset }, signal);
    for (const o of page.items) out.set(o.id, o);
    if (offset + page.items.length >= page.total || page.items.length === 0) break;
  }
  return out;
}

export const createOrganisation = (body: { slug: string; name: string; kind: OrgKind; website?: string }) =>
  apiJson<Organisation>('/api/organisations', { method: 'POST', body });

export const ORG_KINDS: OrgKind[] = [
  'port-authority',
  'metropolis',
  'operator',
  'start-up',
  'research',
  'other',
];

export const listMembers = (orgId: string, p: { limit?: number; offset?: number }, signal?: AbortSignal) =>
  apiJson<Page<Member>>(`/api/organisations/${orgId}/members${query(p)}`, { signal });

export const addMember = (orgId: string, email: string, role: OrgRole) =>
  apiJson<Member | { email: string; role: OrgRole; createdAt: string }>(
    `/api/organisations/${orgId}/members`,
    { method: 'POST', body: { email, role } },
  );

export const changeMemberRole = (orgId: string, userId: string, role: OrgRole) =>
  apiJson<Member>(`/api/organisations/${orgId}/members/${userId}`, { method: 'PATCH', body: { role } });

export const removeMember = (orgId: string, userId: string) =>
  apiJson<void>(`/api/organisations/${orgId}/members/${userId}`, { method: 'DELETE' });

export const listApiKeys = (orgId: string, p: { limit?: number; offset?: number }, signal?: AbortSignal) =>
  apiJson<Page<ApiKey>>(`/api/organisations/${orgId}/api-keys${query(p)}`, { signal });

export const createApiKey = (orgId: string, body: { name: string; scopes: Scope[]; expiresAt?: string }) =>
  apiJson<ApiKey & { key: string }>(`/api/organisations/${orgId}/api-keys`, { method: 'POST', body });

export const revokeApiKey = (orgId: string, keyId: string) =>
  apiJson<ApiKey>(`/api/organisations/${orgId}/api-keys/${keyId}`, { method: 'DELETE' });

export const listAudit = (
  p: { limit?: number; offset?: number; event?: string; orgId?: string },
  signal?: AbortSignal,
) => apiJson<Page<AuditEntry>>(`/api/audit${query(p)}`, { signal });
