import { Anchor, Button, Menu } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { ROUTES } from '../routes';

/** "Sign in", or the signed-in person's menu (administration for platform administrators, sign out). */
export function AccountMenu() {
  const { t } = useTranslation();
  const auth = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  if (!auth.me) {
    if (location.pathname === ROUTES.signIn) return null;
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <Anchor component={Link} to={`${ROUTES.signIn}?next=${next}`} className="account-link">
        {t('auth.signIn')}
      </Anchor>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          size="compact-sm"
          className="account-button"
          data-testid="account-menu"
          aria-label={t('auth.signedInAs', { name: auth.me.user.name })}
        >
          {auth.me.user.name}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{auth.me.user.email}</Menu.Label>
        {(auth.me.user.platformAdmin || auth.me.memberships.some((m) => m.role === 'admin')) && (
          <Menu.Item component={Link} to={ROUTES.admin}>
            {t('admin.title')}
          </Menu.Item>
        )}
        <Menu.Item
          onClick={() => {
            auth.signOut();
            navigate(ROUTES.home);
          }}
        >
          {t('auth.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
