import { apiFetch, apiJson, query } from './http';

/** The Observatory's API (src/observatory/README.md): public dashboard, answer form, staff dashboard. */
const P = '/api/observatory';

export type ProjectStatus = 'planned' | 'ongoing' | 'delayed' | 'completed' | 'cancelled';
export const PROJECT_STATUSES: ProjectStatus[] = ['planned', 'ongoing', 'delayed', 'completed', 'cancelled'];

export interface SeriesPoint {
  period: string;
  value: number | null;
  target: number | null;
}

export interface IndicatorSummary {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  level: string;
  unit: string | null;
  valueType: string;
  source: string;
  key: boolean;
  baseline: { period: string; value: number } | null;
  latest: { period: string; value: number | null; target: number | null } | null;
  progress: number | null;
  series: SeriesPoint[];
}

export interface PublicDashboard {
  programme: {
    id: string;
    code: string;
    nameFr: string;
    nameEn: string;
    description: string | null;
    startYear: number;
    endYear: number;
    budget: number | null;
  };
  progress: { projects: number; byStatus: Record<string, number>; completed: number; share: number };
  indicators: IndicatorSummary[];
  topics: {
    code: string;
    nameFr: string;
    nameEn: string;
    actions: { code: string; nameFr: string; nameEn: string; projects: number }[];
  }[];
}

export interface ProjectFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    code: string;
    name: string;
    status: ProjectStatus;
    leadOrganisation: string;
    budget: number | null;
    action: string;
    topic: string;
  };
}

export interface PublicProgramme {
  code: string;
  nameFr: string;
  nameEn: string;
  startYear: number;
  endYear: number;
}

export const publicProgrammes = (signal?: AbortSignal) =>
  apiJson<{ items: PublicProgramme[] }>(`${P}/public/programmes`, { signal });

export const publicDashboard = (code: string, signal?: AbortSignal) =>
  apiJson<PublicDashboard>(`${P}/public/programmes/${encodeURIComponent(code)}`, { signal });

export const publicProjects = (code: string, signal?: AbortSignal) =>
  apiJson<{ type: 'FeatureCollection'; features: ProjectFeature[] }>(
    `${P}/public/programmes/${encodeURIComponent(code)}/projects.geojson`,
    { signal, accept: 'application/geo+json' },
  );

export const EXPORT_VIEWS = ['indicators', 'series', 'values', 'projects'] as const;
export type ExportView = (typeof EXPORT_VIEWS)[number];

/** Links of the open data (plain links: the browser downloads them). */
export const openData = (code: string) => {
  const b = `${P}/public/programmes/${encodeURIComponent(code)}`;
  return {
    view: (view: ExportView, ext: 'csv' | 'xlsx') => `${b}/export/${view}.${ext}`,
    sdmx: `${b}/sdmx.csv`,
    geojson: `${b}/projects.geojson`,
    report: (year: number) => `${b}/report/${year}.pdf`,
  };
};

// ---- the answer form (personal link) ----

export interface ValidationIssue {
  indicatorId: string | null;
  rule: string;
  message: string;
}

export interface StoredValue {
  id: string;
  indicatorId: string;
  value: number | boolean | string | null;
  numerator: number | null;
  denominator: number | null;
  disaggregations: Record<string, Record<string, number>>;
  comment: string | null;
  status: 'draft' | 'submitted' | 'approved' | 'returned';
}

export interface FormIndicator {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  unit: string | null;
  valueType: 'number' | 'percentage' | 'ratio' | 'boolean' | 'text';
  required: boolean;
  min: number | null;
  max: number | null;
  disaggregations: { code: string; nameFr: string; nameEn: string; categories: string[] }[];
  target: number | null;
  value: StoredValue | null;
}

export interface Attachment {
  id: string;
  indicatorId: string | null;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export type ResponseStatus = 'pending' | 'draft' | 'submitted' | 'approved' | 'returned';

export interface AnswerForm {
  campaign: { id: string; name: string; period: string; dueAt: string };
  programme: { code: string; nameFr: string; nameEn: string };
  project: { id: string; code: string; name: string; leadOrganisation: string };
  status: ResponseStatus;
  reviewComment: string | null;
  locked: boolean;
  indicators: FormIndicator[];
  attachments: Attachment[];
  /** Only in the staff's view of a response. */
  issues?: ValidationIssue[];
}

export interface ValueInput {
  indicatorId: string;
  value?: number | boolean | string | null;
  numerator?: number | null;
  denominator?: number | null;
  disaggregations?: Record<string, Record<string, number>>;
  comment?: string | null;
}

const answerHeaders = (token: string) => ({ 'X-Escale-Answer-Token': token });

export const answerForm = (token: string, signal?: AbortSignal) =>
  apiJson<AnswerForm>(`${P}/answer`, { signal, headers: answerHeaders(token) });

export const saveAnswer = (token: string, values: ValueInput[]) =>
  apiJson<{ saved: number; issues: ValidationIssue[] }>(`${P}/answer/values`, {
    method: 'PUT',
    body: { values },
    headers: answerHeaders(token),
  });

export const submitAnswer = (token: string) =>
  apiJson<{ status: string }>(`${P}/answer/submit`, { method: 'POST', headers: answerHeaders(token) });

export const ATTACHMENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
];
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;

async function base64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The content type the server expects, from the file's own or its extension. */
export function attachmentType(file: File): string {
  if (ATTACHMENT_TYPES.includes(file.type)) return file.type;
  const ext = file.name.split('.').pop()?.toLowerCase();
  const byExt: Record<string, string> = {
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    csv: 'text/csv',
    xlsx: ATTACHMENT_TYPES[4],
    ods: ATTACHMENT_TYPES[5],
  };
  return (ext && byExt[ext]) || file.type || 'application/octet-stream';
}

export const attachEvidence = async (token: string, file: File, indicatorId?: string) =>
  apiJson<Attachment>(`${P}/answer/attachments`, {
    method: 'POST',
    headers: answerHeaders(token),
    body: { filename: file.name, contentType: attachmentType(file), data: await base64(file), indicatorId },
  });

// ---- staff ----

export interface Programme {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  startYear: number;
  endYear: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Campaign {
  id: string;
  programmeId: string;
  name: string;
  period: string;
  dueAt: string;
  status: 'draft' | 'open' | 'closed';
  launchedAt: string | null;
}

export interface CompletenessProject {
  projectId: string;
  code: string;
  name: string;
  status: ResponseStatus;
  expected: number;
  informed: number;
  rate: number;
  late: boolean;
  submittedAt: string | null;
  reminders: { kind: string; sentAt: string; outcome: string }[];
}

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
  projects: CompletenessProject[];
  indicators: { indicatorId: string; code: string; expected: number; informed: number; rate: number }[];
  lateProjects: string[];
}

export interface StaffDashboard {
  programme: { id: string; code: string; nameFr: string; nameEn: string };
  indicators: IndicatorSummary[];
  campaigns: Omit<Completeness, 'projects' | 'indicators'>[];
  projectsAtRisk: { id: string; code: string; name: string; status: ProjectStatus; reasons: string[] }[];
}

export interface StaffIndicator {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  unit: string | null;
  source: { kind: string };
}

export interface StaffProject {
  id: string;
  code: string;
  name: string;
  status: ProjectStatus;
  contactEmail?: string | null;
}

export const programmes = (signal?: AbortSignal) =>
  apiJson<Page<Programme>>(`${P}/programmes${query({ limit: 100 })}`, { signal });

export const staffDashboard = (id: string, signal?: AbortSignal) =>
  apiJson<StaffDashboard>(`${P}/programmes/${id}/dashboard`, { signal });

export const campaigns = (programmeId: string, offset: number, limit: number, signal?: AbortSignal) =>
  apiJson<Page<Campaign>>(`${P}/programmes/${programmeId}/campaigns${query({ limit, offset })}`, { signal });

export const completeness = (campaignId: string, signal?: AbortSignal) =>
  apiJson<Completeness>(`${P}/campaigns/${campaignId}/completeness`, { signal });

export const indicators = (programmeId: string, signal?: AbortSignal) =>
  apiJson<{ items: StaffIndicator[] }>(`${P}/programmes/${programmeId}/indicators`, { signal });

export const projects = (programmeId: string, signal?: AbortSignal) =>
  apiJson<Page<StaffProject>>(`${P}/programmes/${programmeId}/projects${query({ limit: 500 })}`, { signal });

export interface CampaignCreate {
  name: string;
  period: string;
  dueAt: string;
  reminderIntervalHours?: number;
  maxReminders?: number;
  projects: { projectId: string; indicatorIds: string[]; email?: string }[];
}

export const createCampaign = (programmeId: string, body: CampaignCreate) =>
  apiJson<Campaign>(`${P}/programmes/${programmeId}/campaigns`, { method: 'POST', body });

export const launchCampaign = (id: string) =>
  apiJson<{ invited: number }>(`${P}/campaigns/${id}/launch`, { method: 'POST' });

export const sendReminders = (id: string) =>
  apiJson<{ reminded: { projectId: string; email: string }[] }>(`${P}/campaigns/${id}/reminders`, {
    method: 'POST',
    body: { force: true },
  });

export const responseOf = (campaignId: string, projectId: string, signal?: AbortSignal) =>
  apiJson<AnswerForm>(`${P}/campaigns/${campaignId}/responses/${projectId}`, { signal });

export const approveResponse = (campaignId: string, projectId: string, comment?: string) =>
  apiJson<unknown>(`${P}/campaigns/${campaignId}/responses/${projectId}/approve`, {
    method: 'POST',
    body: comment ? { comment } : {},
  });

export const returnResponse = (campaignId: string, projectId: string, comment: string) =>
  apiJson<unknown>(`${P}/campaigns/${campaignId}/responses/${projectId}/return`, {
    method: 'POST',
    body: { comment },
  });

/** An attachment, as a Blob (the staff's token is needed, so it cannot be a plain link). */
export const attachmentBlob = async (id: string) => (await apiFetch(`${P}/attachments/${id}`)).blob();

export const staffOrganisations = (signal?: AbortSignal) =>
  apiJson<{ items: string[] }>(`${P}/staff-organisations`, { signal });
