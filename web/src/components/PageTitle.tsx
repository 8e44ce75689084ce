import { Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

let focusNextTitle = false;

/** Called by the layout on every client-side navigation: the new page's title then takes the focus. */
export function focusTitleOnNextPage(): void {
  focusNextTitle = true;
}

/**
 * The page's h1; sets the document title and, after a client-side navigation, takes the focus so that a
 * screen reader announces the new page (RGAA 12.x; the skip link is still first in the tab order).
 */
export function PageTitle({ children }: { children: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} — ${t('app.name')}`;
  }, [children, t]);
  useEffect(() => {
    if (focusNextTitle) {
      focusNextTitle = false;
      ref.current?.focus();
    }
  }, []);
  return (
    <Title order={1} ref={ref} tabIndex={-1} className="page-title" mb="md">
      {children}
    </Title>
  );
}
