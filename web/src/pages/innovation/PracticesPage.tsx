import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { listPractices, PRACTICE_KINDS, type Practice, practiceTags } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { SearchList, type SearchQuery } from '../../components/SearchList';
import { ErrorAlert, IP, Pager } from './common';

const LIMIT = 10;

const load = ({ q, filters, limit, offset }: SearchQuery, signal: AbortSignal) =>
  listPractices(
    {
      limit,
      offset,
      q: q || undefined,
      kind: filters.kind || undefined,
      tag: filters.tag ? [filters.tag] : undefined,
    },
    signal,
  );

/** The summary in the reader's language, else in the other one. */
export function summaryOf(p: Practice, lang: string | undefined): string {
  return (lang === 'en' ? p.summaryEn || p.summaryFr : p.summaryFr || p.summaryEn) ?? '';
}

/** The knowledge base: good practices, benchmarks, tools, case studies; search by words, type and keyword. */
export default function PracticesPage() {
  const { t, i18n } = useTranslation();
  const tags = useData(practiceTags);

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={IP.home} size="sm">
          {t('innovation.back')}
        </Anchor>
        <PageTitle>{t('innovation.practices.title')}</PageTitle>
        <Text size="lg" maw={820}>
          {t('innovation.practices.intro')}
        </Text>
      </div>
      <SearchList
        searchLabel={t('innovation.practices.search')}
        applyLabel={t('innovation.practices.apply')}
        allLabel={t('innovation.practices.all')}
        filters={[
          {
            name: 'kind',
            label: t('innovation.practices.kind'),
            options: PRACTICE_KINDS.map((k) => ({ value: k, label: t(`innovation.practices.kinds.${k}`) })),
            flex: '1 1 10rem',
          },
          {
            name: 'tag',
            label: t('innovation.practices.tag'),
            options: (tags.state.data?.items ?? []).map((f) => ({
              value: f.value,
              label: `${f.value} (${f.count})`,
            })),
            flex: '1 1 10rem',
          },
        ]}
        limit={LIMIT}
        load={load}
        resultsText={(count) => t('innovation.practices.results', { count })}
        countTestId="practices-count"
        renderError={(error, retry) => <ErrorAlert error={error} onRetry={retry} />}
        renderPager={(pager) => <Pager {...pager} what={t('innovation.practices.title')} />}
        renderItem={(p) => (
          <Paper component="li" withBorder p="md" key={p.id} data-testid="practice-item">
            <Group gap="xs" mb={4}>
              <Badge variant="outline" color="dark">
                {t(`innovation.practices.kinds.${p.kind}`)}
              </Badge>
              <Text size="sm" c="dimmed">
                {[p.city, p.year].filter(Boolean).join(', ')}
              </Text>
            </Group>
            <Title order={2} size="h4" mb={4}>
              <Anchor component={Link} to={IP.practice(p.id)}>
                {p.title}
              </Anchor>
            </Title>
            <Text size="sm" lineClamp={3}>
              {summaryOf(p, i18n.resolvedLanguage)}
            </Text>
          </Paper>
        )}
      />
    </Stack>
  );
}
