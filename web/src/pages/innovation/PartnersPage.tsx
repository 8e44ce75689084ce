import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { listPartners, PARTNER_ROLES, partnerFacets } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { SearchList, type SearchQuery } from '../../components/SearchList';
import { ErrorAlert, IP, Pager, useLabels } from './common';

const LIMIT = 12;

const load = ({ q, filters, limit, offset }: SearchQuery, signal: AbortSignal) =>
  listPartners(
    {
      limit,
      offset,
      q: q || undefined,
      sector: filters.sector || undefined,
      role: filters.role || undefined,
    },
    signal,
  );

/** The partners directory: search by name, sector and role; cards link to each partner. */
export default function PartnersPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const facets = useData(partnerFacets);

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={IP.home} size="sm">
          {t('innovation.back')}
        </Anchor>
        <PageTitle>{t('innovation.partners.title')}</PageTitle>
        <Text size="lg" maw={820}>
          {t('innovation.partners.intro')}
        </Text>
      </div>
      <SearchList
        searchLabel={t('innovation.partners.search')}
        applyLabel={t('innovation.partners.apply')}
        allLabel={t('innovation.partners.all')}
        filters={[
          {
            name: 'sector',
            label: t('innovation.partners.sector'),
            options: (facets.state.data?.sectors ?? []).map((f) => ({
              value: f.value,
              label: `${labels.sector(f.value)} (${f.count})`,
            })),
            flex: '1 1 12rem',
          },
          {
            name: 'role',
            label: t('innovation.partners.role'),
            options: PARTNER_ROLES.map((r) => ({ value: r, label: t(`innovation.roles.${r}`) })),
            flex: '1 1 12rem',
          },
        ]}
        limit={LIMIT}
        load={load}
        resultsText={(count) => t('innovation.partners.results', { count })}
        countTestId="partners-count"
        renderError={(error, retry) => <ErrorAlert error={error} onRetry={retry} />}
        renderPager={(pager) => <Pager {...pager} what={t('innovation.partners.title')} />}
        renderItem={(p) => (
          <Paper component="li" withBorder p="md" key={p.id} data-testid="partner-item">
            <Title order={2} size="h4" mb={4}>
              <Anchor component={Link} to={IP.partner(p.id)}>
                {p.name}
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed" mb={4}>
              {labels.sector(p.sector)}
              {p.city && ` · ${p.city}`}
            </Text>
            <Text size="sm" lineClamp={2} mb={6}>
              {p.description}
            </Text>
            <Group gap={6}>
              {p.roles.map((r) => (
                <Badge key={r} variant="outline" color="dark">
                  {t(`innovation.roles.${r}`)}
                </Badge>
              ))}
            </Group>
          </Paper>
        )}
      />
    </Stack>
  );
}
