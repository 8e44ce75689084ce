import { Anchor, Box, Burger, Container, Drawer, Group, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { NAV, ROUTES } from '../routes';
import { AccountMenu } from './AccountMenu';
import { LanguageSwitch } from './LanguageSwitch';
import { focusTitleOnNextPage } from './PageTitle';

function NavLinks({ vertical, onNavigate }: { vertical?: boolean; onNavigate?: () => void }) {
  const { t } = useTranslation();
  return (
    <ul className={vertical ? 'nav-list nav-list--vertical' : 'nav-list'}>
      {NAV.map((key) => (
        <li key={key}>
          <NavLink to={ROUTES[key]} end className="nav-link" onClick={onNavigate}>
            {t(`nav.${key}`)}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

/** The shell: skip link, header (name, navigation, language), main content, footer. */
export function Layout() {
  const { t } = useTranslation();
  const [menuOpen, setMenuOpen] = useState(false);
  const closeMenu = () => setMenuOpen(false);
  const location = useLocation();
  const first = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (pathname change)
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    focusTitleOnNextPage();
    setMenuOpen(false);
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Box component="header" className="site-header">
        <Container size="xl" className="site-header__inner">
          <Link to={ROUTES.home} className="brand">
            <svg className="brand__logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="6" fill="currentColor" />
              <path d="M6 20h20l-3 5H9z" fill="#fff" />
              <path d="M15 6v12h-7z" fill="#fff" />
              <path d="M17 9v9h6z" fill="#cfe4ee" />
            </svg>
            <span className="brand__text">
              <span className="brand__name">{t('app.name')}</span>
              <span className="brand__tagline">{t('app.tagline')}</span>
            </span>
          </Link>
          <Box component="nav" aria-label={t('app.mainNav')} visibleFrom="md" className="site-nav">
            <NavLinks />
          </Box>
          <Group gap="sm" wrap="nowrap" className="site-header__tools">
            <LanguageSwitch />
            <AccountMenu />
            <Burger
              hiddenFrom="md"
              opened={menuOpen}
              onClick={() => setMenuOpen((o) => !o)}
              aria-label={menuOpen ? t('app.closeMenu') : t('app.openMenu')}
              aria-expanded={menuOpen}
              aria-controls="mobile-menu"
            />
          </Group>
        </Container>
      </Box>
      <Drawer
        id="mobile-menu"
        opened={menuOpen}
        onClose={closeMenu}
        title={t('app.menu')}
        position="right"
        size="xs"
        hiddenFrom="md"
        closeButtonProps={{ 'aria-label': t('app.closeMenu') }}
      >
        <nav aria-label={t('app.mainNav')}>
          <NavLinks vertical onNavigate={closeMenu} />
        </nav>
      </Drawer>
      <Box component="main" id="main" tabIndex={-1} className="site-main">
        <Container size="xl" py="lg">
          <Outlet />
        </Container>
      </Box>
      <Box component="footer" className="site-footer">
        <Container size="xl" py="md">
          <Stack gap={4}>
            <Text size="sm">{t('app.footer.licence')}</Text>
            <Group gap="md">
              <Anchor href="/docs" size="sm">
                {t('app.footer.apiDocs')}
              </Anchor>
              <Anchor href="/ngsi-ld/v1/types" size="sm">
                {t('app.footer.api')}
              </Anchor>
            </Group>
          </Stack>
        </Container>
      </Box>
    </>
  );
}
