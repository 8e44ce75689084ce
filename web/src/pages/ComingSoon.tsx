import { Anchor, Badge, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from '../components/PageTitle';
import { ROUTES } from '../routes';

/** A page still to be built: says what it will hold. */
export function ComingSoon({ page }: { page: 'catalog' | 'observatory' | 'innovation' }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md" maw={760}>
      <div>
        <Badge variant="outline" size="lg" mb="sm">
          {t('soon.badge')}
        </Badge>
        <PageTitle>{t(`nav.${page}`)}</PageTitle>
      </div>
      <Paper withBorder p="lg">
        <Text size="lg">{t(`soon.${page}`)}</Text>
      </Paper>
      <Anchor component={Link} to={ROUTES.home}>
        {t('soon.back')}
      </Anchor>
    </Stack>
  );
}
