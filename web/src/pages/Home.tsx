import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { countEntities, entityTypes } from '../api/ngsi';
import { useData } from '../api/useData';
import { PageTitle } from '../components/PageTitle';
import { ROUTES } from '../routes';

interface LiveFigures {
  terminals: number;
  berths: number;
  vessels: number;
  types: string[];
}

async function loadFigures(signal: AbortSignal): Promise<LiveFigures> {
  const [terminals, berths, vessels, types] = await Promise.all([
    countEntities('Terminal', signal),
    countEntities('Berth', signal),
    countEntities('Vessel', signal),
    entityTypes(signal),
  ]);
  return { terminals, berths, vessels, types };
}

function Figure({ value, label, testId }: { value: string | undefined; label: string; testId: string }) {
  return (
    <Paper withBorder p="md" className="figure" data-testid={testId}>
      {/* value then label, read as one phrase: "8 terminals" */}
      <div className="figure__text">
        {value === undefined ? (
          <Skeleton height={36} width={60} mb={4} aria-hidden="true" />
        ) : (
          <span className="figure__value">{value}</span>
        )}{' '}
        <span className="figure__label">{label}</span>
      </div>
    </Paper>
  );
}

const TOPICS = ['territory', 'port', 'transitions'] as const;

export function Home() {
  const { t, i18n } = useTranslation();
  const { state, reload } = useData(loadFigures);
  const nf = new Intl.NumberFormat(i18n.resolvedLanguage);
  const fig = (n: number | undefined) => (n === undefined ? undefined : nf.format(n));
  const data = state.data;

  return (
    <Stack gap="xl">
      <div>
        <PageTitle>{t('home.title')}</PageTitle>
        <Text size="lg" maw={820}>
          {t('home.intro')}
        </Text>
      </div>

      <section aria-labelledby="glance-title">
        <Title order={2} id="glance-title" mb="sm">
          {t('home.atAGlance')}
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md">
          <Figure value="80+" label={t('home.partners')} testId="fig-partners" />
          <Figure value="241 M€" label={t('home.budget')} testId="fig-budget" />
          <Figure value="3" label={t('home.topicsCount')} testId="fig-topics" />
        </SimpleGrid>
      </section>

      <section aria-labelledby="topics-title">
        <Title order={2} id="topics-title" mb="sm">
          {t('home.topicsTitle')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" component="ol" className="topics">
          {TOPICS.map((k) => (
            <Paper component="li" key={k} withBorder p="md" className="topic">
              <Title order={3} size="h4" mb={6}>
                {t(`home.topics.${k}.title`)}
              </Title>
              <Text size="sm">{t(`home.topics.${k}.text`)}</Text>
            </Paper>
          ))}
        </SimpleGrid>
      </section>

      <section aria-labelledby="live-title" aria-busy={state.status === 'loading'}>
        <Title order={2} id="live-title" mb={4}>
          {t('home.liveTitle')}
        </Title>
        <Text c="dimmed" size="sm" mb="sm">
          {t('home.liveIntro')}
        </Text>
        {state.status === 'error' && (
          <Alert color="red" variant="light" mb="md" role="alert">
            <Group justify="space-between">
              <span>{t('home.error', { message: state.error.message })}</span>
              <Button size="xs" variant="outline" color="red" onClick={reload}>
                {t('home.retry')}
              </Button>
            </Group>
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
          <Figure value={fig(data?.terminals)} label={t('home.terminals')} testId="stat-terminals" />
          <Figure value={fig(data?.berths)} label={t('home.berths')} testId="stat-berths" />
          <Figure value={fig(data?.vessels)} label={t('home.vessels')} testId="stat-vessels" />
          <Figure value={fig(data?.types.length)} label={t('home.types')} testId="stat-types" />
        </SimpleGrid>
        {data && (
          <Text size="sm" mt="sm" data-testid="types-list">
            {data.types.length
              ? t('home.typesList', {
                  list: new Intl.ListFormat(i18n.resolvedLanguage, { type: 'conjunction' }).format(
                    data.types,
                  ),
                })
              : t('home.typesNone')}
          </Text>
        )}
        <Group mt="lg">
          <Button component={Link} to={ROUTES.map}>
            {t('home.openMap')}
          </Button>
          <Anchor href="/docs">{t('home.apiDocs')}</Anchor>
        </Group>
      </section>
    </Stack>
  );
}
