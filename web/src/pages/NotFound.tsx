import { Anchor, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from '../components/PageTitle';
import { ROUTES } from '../routes';

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <PageTitle>{t('notFound.title')}</PageTitle>
      <Text>{t('notFound.text')}</Text>
      <Anchor component={Link} to={ROUTES.home}>
        {t('soon.back')}
      </Anchor>
    </Stack>
  );
}
