import {
  Anchor,
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { listPartners, PARTNER_ROLES, partnerFacets } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, IP, Pager, useLabels } from './common';

const LIMIT = 12;

/** The partners directory: search by name, sector and role; cards link to each partner. */
export default function PartnersPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const [q, setQ] = useState('');
  const [sector, setSector] = useState('');
  const [role, setRole] = useState('');
  const [applied, setApplied] = useState({ q: '', sector: '', role: '' });
  const [offset, setOffset] = useState(0);
  const facets = useData(partnerFacets);
  const load = useCallback(
    (signal: AbortSignal) =>
      listPartners(
        {
          limit: LIMIT,
          offset,
          q: applied.q || undefined,
          sector: applied.sector || undefined,
          role: applied.role || undefined,
        },
        signal,
      ),
    [applied, offset],
  );
  const { state, reload } = useData(load);
  const data = state.data;

  const search = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ q: q.trim(), sector, role });
    setOffset(0);
    reload();
  };

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
      <search aria-label={t('innovation.partners.search')}>
        <form onSubmit={search}>
          <Group align="flex-end" gap="sm">
            <TextInput
              label={t('innovation.partners.search')}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              maxLength={200}
              type="search"
              style={{ flex: '1 1 14rem' }}
            />
            <NativeSelect
              label={t('innovation.partners.sector')}
              value={sector}
              onChange={(e) => setSector(e.currentTarget.value)}
              data={[
                { value: '', label: t('innovation.partners.all') },
                ...(facets.state.data?.sectors ?? []).map((f) => ({
                  value: f.value,
                  label: `${labels.sector(f.value)} (${f.count})`,
                })),
              ]}
              style={{ flex: '1 1 12rem' }}
            />
            <NativeSelect
              label={t('innovation.partners.role')}
              value={role}
              onChange={(e) => setRole(e.currentTarget.value)}
              data={[
                { value: '', label: t('innovation.partners.all') },
                ...PARTNER_ROLES.map((r) => ({ value: r, label: t(`innovation.roles.${r}`) })),
              ]}
              style={{ flex: '1 1 12rem' }}
            />
            <Button type="submit">{t('innovation.partners.apply')}</Button>
          </Group>
        </form>
      </search>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      <Text role="status" fw={600} data-testid="partners-count">
        {data ? t('innovation.partners.results', { count: data.total }) : ''}
      </Text>
      {!data && state.status === 'loading' && <Skeleton height={160} aria-hidden="true" />}
      {data && data.items.length > 0 && (
        <Stack component="ul" gap="sm" className="inv-list">
          {data.items.map((p) => (
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
          ))}
        </Stack>
      )}
      {data && (
        <Pager
          total={data.total}
          limit={LIMIT}
          offset={offset}
          onChange={(o) => {
            setOffset(o);
            reload();
          }}
          what={t('innovation.partners.title')}
        />
      )}
    </Stack>
  );
}
