import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n';

/** FR / EN: a radio group; each option is written in its own language (lang attribute, RGAA 8.7). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? 'fr';
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('app.language')}
      name="language"
      value={current}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      data={LANGUAGES.map((l) => ({
        value: l.code,
        label: <span lang={l.code}>{l.label}</span>,
      }))}
      classNames={{ root: 'lang-switch' }}
    />
  );
}
