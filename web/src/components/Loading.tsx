import { Center, Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status">
      <Loader aria-hidden="true" size="sm" />
      <span className="sr-only">{t('app.loading')}</span>
    </Center>
  );
}
