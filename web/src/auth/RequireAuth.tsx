import { Alert, Anchor, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { type Me, useAuth } from './AuthContext';

/**
 * Shows `children` to a signed-in person (and, with `allow`, only to those it accepts); otherwise a link to
 * the sign-in page that comes back here. The server checks every call anyway: this only spares a useless page.
 */
export function RequireAuth({
  title,
  allow,
  children,
}: {
  title: string;
  allow?: (me: Me) => boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const auth = useAuth();
  const location = useLocation();
  if (auth.status === 'loading') return <Loading />;
  if (auth.status === 'anonymous' || !auth.me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <Stack maw={640}>
        <PageTitle>{title}</PageTitle>
        <Alert color="blue" title={t('auth.required')}>
          <Anchor component={Link} to={`/signin?next=${next}`}>
            {t('auth.signIn')}
          </Anchor>
        </Alert>
      </Stack>
    );
  }
  if (allow && !allow(auth.me)) {
    return (
      <Stack maw={640}>
        <PageTitle>{title}</PageTitle>
        <Alert color="red" title={t('auth.forbidden')} />
      </Stack>
    );
  }
  return <>{children}</>;
}
