import { sessionToken, setSession } from '../auth/session';

/** RFC 9457 problem details, as every Escale API answers its errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Validation issues, when the server lists them. */
  issues?: unknown;
  errors?: unknown;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiError> {
  let problem: Problem | undefined;
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object') problem = body as Problem;
  } catch {
    // not problem details: the status is all there is
  }
  const detail = problem?.detail ?? problem?.title;
  return new ApiError(detail ? `HTTP ${res.status}: ${detail}` : `HTTP ${res.status}`, res.status, problem);
}

export interface ApiInit {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON unless it is a FormData or a Blob. */
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * Calls the platform's own API (a path on the same origin) with the session's token; throws an ApiError with
 * the problem details on any status other than 2xx. A 401 while signed in means the session ended: it is
 * dropped, so the pages show the sign-in link again.
 */
export async function apiFetch(path: string, init: ApiInit = {}): Promise<Response> {
  if (!path.startsWith('/')) throw new Error('apiFetch takes a path on this server');
  const headers: Record<string, string> = { Accept: init.accept ?? 'application/json', ...init.headers };
  const token = sessionToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (init.body instanceof FormData || init.body instanceof Blob) body = init.body;
  else if (init.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body, signal: init.signal });
  if (res.status === 401 && token) setSession(null);
  if (!res.ok) throw await failure(res);
  return res;
}

/** apiFetch, then the JSON body (undefined for 204). */
export async function apiJson<T>(path: string, init: ApiInit = {}): Promise<T> {
  const res = await apiFetch(path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Builds a query string from the defined values (arrays repeat the key). */
export function query(
  params: Record<string, string | number | boolean | undefined | null | string[]>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
