import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { feedPath, listCalls, listCommunities, listEvents } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, EventList, FeedAddress, IP, Pager, useFormat } from './common';

const COMMUNITIES = 12;
const EVENTS = 6;
const CALLS = 6;

function Communities() {
  const { t } = useTranslation();
  const f = useFormat();
  const [offset, setOffset] = useState(0);
  const load = useCallback(
    (signal: AbortSignal) => listCommunities({ limit: COMMUNITIES, offset }, signal),
    [offset],
  );
  const { state, reload } = useData(load);
  // useData reads the latest loader; a new page reloads it.
  const go = (o: number) => {
    setOffset(o);
    reload();
  };
  const data = state.data;
  return (
    <section aria-labelledby="inv-communities" aria-busy={state.status === 'loading'}>
      <Title order={2} id="inv-communities" mb="sm">
        {t('innovation.home.communities')}
      </Title>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {!data && state.status === 'loading' && <Skeleton height={120} aria-hidden="true" />}
      {data && data.items.length === 0 && <Text>{t('innovation.home.communitiesNone')}</Text>}
      {data && data.items.length > 0 && (
        <SimpleGrid component="ul" cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" className="inv-list">
          {data.items.map((c) => (
            <Paper component="li" withBorder p="md" key={c.id} data-testid="community-card">
              <Title order={3} size="h4" mb={6}>
                <Anchor component={Link} to={IP.community(c.id)}>
                  {c.name}
                </Anchor>
              </Title>
              <Text size="sm" mb="xs" lineClamp={4}>
                {c.description}
              </Text>
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {t('innovation.home.members', { count: c.members, n: f.number(c.members) })}
                </Text>
                <Text size="sm" c="dimmed">
                  ·{' '}
                  {c.joinPolicy === 'open'
                    ? t('innovation.home.policyOpen')
                    : t('innovation.home.policyApproval')}
                </Text>
              </Group>
            </Paper>
          ))}
        </SimpleGrid>
      )}
      {data && (
        <Pager
          total={data.total}
          limit={COMMUNITIES}
          offset={offset}
          onChange={go}
          what={t('innovation.home.communities')}
        />
      )}
    </section>
  );
}

function Agenda() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  // From the start of today: an event under way still shows.
  const [from] = useState(() => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    return d.toISOString();
  });
  const load = useCallback(
    (signal: AbortSignal) => listEvents({ limit: EVENTS, offset, from }, signal),
    [offset, from],
  );
  const { state, reload } = useData(load);
  const go = (o: number) => {
    setOffset(o);
    reload();
  };
  const data = state.data;
  return (
    <section aria-labelledby="inv-agenda" aria-busy={state.status === 'loading'}>
      <Title order={2} id="inv-agenda" mb={4}>
        {t('innovation.home.agenda')}
      </Title>
      <Text c="dimmed" size="sm" mb="sm">
        {t('innovation.home.agendaIntro')}
      </Text>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {!data && state.status === 'loading' && <Skeleton height={160} aria-hidden="true" />}
      {data && data.items.length === 0 && <Text>{t('innovation.home.agendaNone')}</Text>}
      {data && data.items.length > 0 && <EventList events={data.items} />}
      {data && (
        <Pager
          total={data.total}
          limit={EVENTS}
          offset={offset}
          onChange={go}
          what={t('innovation.home.agenda')}
        />
      )}
      <div style={{ marginTop: 'var(--mantine-spacing-md)' }}>
        <FeedAddress path={feedPath()} label={t('innovation.home.feed')} />
      </div>
    </section>
  );
}

function Calls() {
  const { t } = useTranslation();
  const f = useFormat();
  const [offset, setOffset] = useState(0);
  const load = useCallback((signal: AbortSignal) => listCalls({ limit: CALLS, offset }, signal), [offset]);
  const { state, reload } = useData(load);
  const go = (o: number) => {
    setOffset(o);
    reload();
  };
  const data = state.data;
  return (
    <section aria-labelledby="inv-calls" aria-busy={state.status === 'loading'}>
      <Title order={2} id="inv-calls" mb={4}>
        {t('innovation.home.calls')}
      </Title>
      <Text c="dimmed" size="sm" mb="sm">
        {t('innovation.home.callsIntro')}
      </Text>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {!data && state.status === 'loading' && <Skeleton height={120} aria-hidden="true" />}
      {data && data.items.length === 0 && <Text>{t('innovation.home.callsNone')}</Text>}
      {data && data.items.length > 0 && (
        <SimpleGrid component="ul" cols={{ base: 1, sm: 2 }} spacing="md" className="inv-list">
          {data.items.map((c) => {
            const open = c.phases.find((p) => p.phase === 'open');
            return (
              <Paper component="li" withBorder p="md" key={c.id} data-testid="call-card">
                <Group gap="xs" mb={6}>
                  <Badge variant="outline" color="dark">
                    {t(`innovation.kinds.${c.kind}`)}
                  </Badge>
                  <Badge variant="filled" color={c.phase === 'open' ? 'harbour' : 'dark'}>
                    {t(`innovation.phases.${c.phase}`)}
                  </Badge>
                </Group>
                <Title order={3} size="h4" mb={6}>
                  <Anchor component={Link} to={IP.call(c.id)}>
                    {c.title}
                  </Anchor>
                </Title>
                {c.description && (
                  <Text size="sm" lineClamp={3}>
                    {c.description}
                  </Text>
                )}
                {c.phase === 'open' && open?.endsAt && (
                  <Text size="sm" fw={600} mt={6}>
                    {t('innovation.call.until', { date: f.date(open.endsAt) })}
                  </Text>
                )}
              </Paper>
            );
          })}
        </SimpleGrid>
      )}
      {data && (
        <Pager
          total={data.total}
          limit={CALLS}
          offset={offset}
          onChange={go}
          what={t('innovation.home.calls')}
        />
      )}
    </section>
  );
}

/** The hub's home: communities of practice, the agenda across communities, open calls and challenges. */
export default function InnovationHome() {
  const { t } = useTranslation();
  return (
    <Stack gap="xl">
      <div>
        <PageTitle>{t('innovation.title')}</PageTitle>
        <Text size="lg" maw={820}>
          {t('innovation.intro')}
        </Text>
        <Group gap="sm" mt="md">
          <Button component={Link} to={IP.partners} variant="default">
            {t('innovation.partners.link')}
          </Button>
          <Button component={Link} to={IP.practices} variant="default">
            {t('innovation.practices.link')}
          </Button>
        </Group>
      </div>
      <Communities />
      <Calls />
      <Agenda />
    </Stack>
  );
}
