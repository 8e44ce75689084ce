import { Alert, Button, Divider, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/http';
import { webConfig } from '../api/ngsi';
import { useAuth } from '../auth/AuthContext';
import { PageTitle } from '../components/PageTitle';

/** Only a path on this site may be the destination after sign-in (no open redirect). */
const safeNext = (next: string | null) => (next?.startsWith('/') && !next.startsWith('//') ? next : '/');

/** Sign-in with a local account, or through the OIDC provider when one is configured. */
export default function SignIn() {
  const { t } = useTranslation();
  const auth = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [oidc, setOidc] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    webConfig(ctl.signal).then(
      (c) => setOidc(c.oidc),
      () => undefined,
    );
    return () => ctl.abort();
  }, []);

  // Back from the identity provider: the server put the token in the fragment (never sent to a server).
  useEffect(() => {
    if (!window.location.hash) return;
    const h = new URLSearchParams(window.location.hash.slice(1));
    const token = h.get('token');
    const expiresIn = Number(h.get('expiresIn'));
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    if (token && Number.isFinite(expiresIn)) {
      auth.adopt(token, expiresIn);
      navigate(next, { replace: true });
    }
  }, [auth, navigate, next]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.signIn(email, password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? t('auth.failed')
          : t('auth.error', { message: err instanceof Error ? err.message : String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack maw={480}>
      <PageTitle>{t('auth.title')}</PageTitle>
      <Text>{t('auth.intro')}</Text>
      <Paper withBorder p="lg">
        <form onSubmit={submit} aria-label={t('auth.title')}>
          <Stack>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label={t('auth.email')}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label={t('auth.password')}
              visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              {t('auth.submit')}
            </Button>
          </Stack>
        </form>
        {oidc && (
          <>
            <Divider my="md" label={t('auth.or')} labelPosition="center" />
            <Button component="a" href="/api/auth/oidc/login" variant="outline" fullWidth>
              {t('auth.oidc')}
            </Button>
          </>
        )}
      </Paper>
    </Stack>
  );
}
