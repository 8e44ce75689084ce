// Client of the innovation hub's API (/api/innovation, src/innovation/README.md): communities, events with
// registration and iCalendar, calls for projects with applications and jury review.
import { apiJson, query } from './http';

const P = '/api/innovation';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Community {
  id: string;
  slug: string;
  name: string;
  description: string;
  orgId: string | null;
  joinPolicy: 'open' | 'approval';
  coordinators: { userId: string; name: string }[];
  members: number;
  createdAt: string;
}

export interface Member {
  userId: string;
  name: string;
  role: 'coordinator' | 'contributor' | 'member';
  status: 'pending' | 'active' | 'declined';
  message: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

export interface HubEvent {
  id: string;
  communityId: string | null;
  communityName: string | null;
  title: string;
  description: string;
  location: string | null;
  url: string | null;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  registered: number;
  waitlisted: number;
  attended: number;
  updatedAt: string;
}

export interface Registration {
  userId: string;
  name: string;
  status: 'registered' | 'waitlisted' | 'cancelled';
  waitlistPosition: number | null;
  attended: boolean | null;
  registeredAt: string;
}

export const PHASES = ['draft', 'open', 'review', 'selection', 'follow-up'] as const;
export type Phase = (typeof PHASES)[number];
export type CallKind = 'challenge' | 'intrapreneurship' | 'procurement';
export type FieldType = 'text' | 'textarea' | 'number' | 'email' | 'url' | 'choice' | 'boolean';

export interface FormField {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  maxLength?: number;
  options?: string[];
  identifying?: boolean;
}

export interface Criterion {
  key: string;
  label: string;
  weight: number;
  max: number;
}

export interface Call {
  id: string;
  kind: CallKind;
  title: string;
  description: string;
  orgId: string;
  phase: Phase;
  phases: { phase: Phase; startsAt?: string; endsAt?: string }[];
  form: FormField[];
  criteria: Criterion[];
  blind: boolean;
  deliberation: string | null;
  createdAt: string;
}

export type Answers = Record<string, unknown>;

export interface Application {
  id: string;
  callId: string;
  applicant?: { userId: string; name: string; orgId: string | null };
  title: string;
  answers: Answers;
  status: 'draft' | 'submitted' | 'selected' | 'rejected';
  reference: string | null;
  submittedAt: string | null;
  feedback: string | null;
  updatedAt: string;
}

export interface Receipt {
  reference: string;
  submittedAt: string;
  digest: string;
}

export interface MyReview {
  scores: Record<string, number>;
  comment: string;
  weightedTotal: number;
}

export interface Queue {
  items: { application: Application; myReview: MyReview | null }[];
  total: number;
  conflicts: number;
  limit: number;
  offset: number;
}

type Signal = AbortSignal | undefined;

// ---- communities ----
export const listCommunities = (p: { limit: number; offset: number; q?: string }, signal?: Signal) =>
  apiJson<Page<Community>>(`${P}/communities${query(p)}`, { signal });
export const getCommunity = (id: string, signal?: Signal) =>
  apiJson<Community>(`${P}/communities/${encodeURIComponent(id)}`, { signal });
export const joinCommunity = (id: string, message?: string) =>
  apiJson<Member>(`${P}/communities/${encodeURIComponent(id)}/join`, {
    method: 'POST',
    body: message ? { message } : {},
  });
export const leaveCommunity = (id: string, userId: string) =>
  apiJson<void>(`${P}/communities/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
  });
export const listMembers = (id: string, p: { limit: number; offset: number }, signal?: Signal) =>
  apiJson<Page<Member>>(`${P}/communities/${encodeURIComponent(id)}/members${query(p)}`, { signal });

// ---- events ----
export const listEvents = (
  p: { limit: number; offset: number; communityId?: string; from?: string },
  signal?: Signal,
) => apiJson<Page<HubEvent>>(`${P}/events${query(p)}`, { signal });
export const getEvent = (id: string, signal?: Signal) =>
  apiJson<HubEvent>(`${P}/events/${encodeURIComponent(id)}`, { signal });
export const myRegistration = (id: string, signal?: Signal) =>
  apiJson<Registration>(`${P}/events/${encodeURIComponent(id)}/registrations/me`, { signal });
export const register = (id: string) =>
  apiJson<Registration>(`${P}/events/${encodeURIComponent(id)}/registrations`, { method: 'POST' });
export const cancelRegistration = (id: string) =>
  apiJson<void>(`${P}/events/${encodeURIComponent(id)}/registrations/me`, { method: 'DELETE' });
export const eventIcsPath = (id: string) => `${P}/events/${encodeURIComponent(id)}/calendar.ics`;
export const feedPath = (communityId?: string) => `${P}/calendar.ics${query({ communityId })}`;

// ---- calls ----
export const listCalls = (p: { limit: number; offset: number }, signal?: Signal) =>
  apiJson<Page<Call>>(`${P}/calls${query(p)}`, { signal });
export const getCall = (id: string, signal?: Signal) =>
  apiJson<Call>(`${P}/calls/${encodeURIComponent(id)}`, { signal });
export const myApplications = (callId: string, signal?: Signal) =>
  apiJson<Page<Application>>(`${P}/calls/${encodeURIComponent(callId)}/applications${query({ limit: 50 })}`, {
    signal,
  });
export const startApplication = (callId: string, body: { title: string; answers: Answers }) =>
  apiJson<Application>(`${P}/calls/${encodeURIComponent(callId)}/applications`, { method: 'POST', body });
export const saveApplication = (id: string, body: { title: string; answers: Answers }) =>
  apiJson<Application>(`${P}/applications/${encodeURIComponent(id)}`, { method: 'PATCH', body });
export const submitApplication = (id: string) =>
  apiJson<Receipt>(`${P}/applications/${encodeURIComponent(id)}/submit`, { method: 'POST' });

// ---- jury ----
export const reviewQueue = (callId: string, p: { limit: number; offset: number }, signal?: Signal) =>
  apiJson<Queue>(`${P}/calls/${encodeURIComponent(callId)}/review-queue${query(p)}`, { signal });
export const declareConflict = (callId: string, applicationId: string, reason: string) =>
  apiJson<void>(`${P}/calls/${encodeURIComponent(callId)}/conflicts`, {
    method: 'POST',
    body: { applicationId, reason },
  });
export const saveReview = (applicationId: string, scores: Record<string, number>, comment: string) =>
  apiJson<void>(`${P}/applications/${encodeURIComponent(applicationId)}/review`, {
    method: 'PUT',
    body: { scores, comment },
  });

/** The weighted total of a review in [0, 1], as the server computes it (src/innovation/scoring.ts). */
export function weightedTotal(criteria: Criterion[], scores: Record<string, number>): number {
  const w = criteria.reduce((s, c) => s + c.weight, 0);
  if (!w) return 0;
  return criteria.reduce((s, c) => s + (c.weight * (scores[c.key] ?? 0)) / c.max, 0) / w;
}

// ---- partners directory and knowledge base ----
export const PARTNER_ROLES = [
  'programme-lead',
  'founding-partner',
  'project-partner',
  'icc-consortium',
  'funder',
  'expert',
  'innovation-hub',
] as const;
export const PRACTICE_KINDS = ['good-practice', 'benchmark', 'tool', 'case-study'] as const;

export interface Partner {
  id: string;
  slug: string;
  name: string;
  orgId: string | null;
  sector: string;
  size: 'micro' | 'small' | 'medium' | 'large' | null;
  roles: (typeof PARTNER_ROLES)[number][];
  description: string;
  city: string | null;
  website: string | null;
  contact: { name?: string; email?: string; phone?: string };
  projects: string[];
  observatoryProjects?: { code: string; name: string; status: string; role: string }[];
  updatedAt: string;
}

export interface Facet {
  value: string;
  count: number;
}

export interface Practice {
  id: string;
  slug: string;
  kind: (typeof PRACTICE_KINDS)[number];
  title: string;
  summaryFr: string;
  summaryEn: string;
  city: string | null;
  country: string | null;
  year: number | null;
  tags: string[];
  links: { title: string; url: string }[];
  communityIds: string[];
  callIds: string[];
  updatedAt: string;
}

export const listPartners = (
  p: { limit: number; offset: number; q?: string; sector?: string; role?: string },
  signal?: Signal,
) => apiJson<Page<Partner>>(`${P}/partners${query(p)}`, { signal });
export const partnerFacets = (signal?: Signal) =>
  apiJson<{ sectors: Facet[]; roles: Facet[] }>(`${P}/partners/facets`, { signal });
export const getPartner = (id: string, signal?: Signal) =>
  apiJson<Partner>(`${P}/partners/${encodeURIComponent(id)}`, { signal });
export const listPractices = (
  p: { limit: number; offset: number; q?: string; kind?: string; tag?: string[] },
  signal?: Signal,
) => apiJson<Page<Practice>>(`${P}/practices${query(p)}`, { signal });
export const practiceTags = (signal?: Signal) =>
  apiJson<{ items: Facet[] }>(`${P}/practices/tags`, { signal });
export const getPractice = (id: string, signal?: Signal) =>
  apiJson<Practice>(`${P}/practices/${encodeURIComponent(id)}`, { signal });
