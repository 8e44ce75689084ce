import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { apiJson } from '../api/http';
import { onSessionChange, sessionToken, setSession } from './session';

export type OrgRole = 'admin' | 'editor' | 'member';

/** GET /api/me for a signed-in person. */
export interface Me {
  user: { id: string; email: string; name: string; platformAdmin: boolean };
  memberships: { orgId: string; role: OrgRole }[];
}

export interface Auth {
  /** `loading` while the session's owner is being read. */
  status: 'anonymous' | 'loading' | 'signed-in';
  me: Me | null;
  signIn(email: string, password: string): Promise<void>;
  /** Takes a token the server handed over (OIDC callback). */
  adopt(token: string, expiresInSeconds: number): void;
  signOut(): void;
  /** Whether the person has at least `role` in the organisation (platform administrators have every right). */
  can(orgId: string, role?: OrgRole): boolean;
}

const RANK: Record<OrgRole, number> = { member: 1, editor: 2, admin: 3 };
const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState(sessionToken);
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => onSessionChange(() => setToken(sessionToken())), []);

  useEffect(() => {
    setMe(null);
    if (!token) return;
    const ctl = new AbortController();
    apiJson<Me & { kind: string }>('/api/me', { signal: ctl.signal }).then(
      (m) => setMe({ user: m.user, memberships: m.memberships }),
      () => {
        if (!ctl.signal.aborted) setSession(null);
      },
    );
    return () => ctl.abort();
  }, [token]);

  const signIn = useCallback(async (email: string, password: string) => {
    const r = await apiJson<{ token: string; expiresIn: number }>('/api/auth/login', {
      method: 'POST',
      body: { email, password },
    });
    setSession({ token: r.token, expiresAt: Date.now() + r.expiresIn * 1000 });
  }, []);
  const adopt = useCallback((t: string, expiresIn: number) => {
    setSession({ token: t, expiresAt: Date.now() + expiresIn * 1000 });
  }, []);
  const signOut = useCallback(() => setSession(null), []);

  const value = useMemo<Auth>(
    () => ({
      status: !token ? 'anonymous' : me ? 'signed-in' : 'loading',
      me,
      signIn,
      adopt,
      signOut,
      can: (orgId, role = 'member') =>
        !!me &&
        (me.user.platformAdmin ||
          me.memberships.some((m) => m.orgId === orgId && RANK[m.role] >= RANK[role])),
    }),
    [token, me, signIn, adopt, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside <AuthProvider>');
  return a;
}
