/**
 * The signed-in session: the bearer token the server issued (POST /api/auth/login or the OIDC callback) and
 * when it expires. Kept in sessionStorage, so it ends with the tab and is never sent by the browser on its own
 * (no cookie, hence no CSRF); every API call adds it as an Authorization header (api/http.ts).
 */
export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const KEY = 'escale.session';
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.token === 'string' && typeof s.expiresAt === 'number'
      ? { token: s.token, expiresAt: s.expiresAt }
      : null;
  } catch {
    return null;
  }
}

let current: Session | null = read();

/** The token to send, or null when signed out or expired. */
export function sessionToken(): string | null {
  if (current && current.expiresAt <= Date.now()) setSession(null);
  return current?.token ?? null;
}

export function setSession(s: Session | null): void {
  current = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage refused (private mode): the session lives in memory for this page only
  }
  for (const l of listeners) l();
}

/** Calls `listener` after each sign-in or sign-out; returns the unsubscribe function. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
