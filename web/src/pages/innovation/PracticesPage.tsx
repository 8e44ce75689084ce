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
import { listPractices, PRACTICE_KINDS, type Practice, practiceTags } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, IP, Pager } from './common';

const LIMIT = 10;

/** The summary in the reader's language, else in the other one. */
export function summaryOf(p: Practice, lang: string | undefined): string {
  return (lang === 'en' ? p.summaryEn || p.summaryFr : p.summaryFr || p.summaryEn) ?? '';
}

/** The knowledge base: good practices, benchmarks, tools, case studies; search by words, type and keyword. */
export default function PracticesPage() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [tag, setTag] = useState('');
  const [applied, setApplied] = useState({ q: '', kind: '', tag: '' });
  const [offset, setOffset] = useState(0);
  const tags = useData(practiceTags);
  const load = useCallback(
    (signal: AbortSignal) =>
      listPractices(
        {
          limit: LIMIT,
          offset,
          q: applied.q || undefined,
          kind: applied.kind || undefined,
          tag: applied.tag ? [applied.tag] : undefined,
        },
        signal,
      ),
    [applied, offset],
  );
  const { state, reload } = useData(load);
  const data = state.data;

  const search = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ q: q.trim(), kind, tag });
    setOffset(0);
    reload();
  };

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
      <search aria-label={t('innovation.practices.search')}>
        <form onSubmit={search}>
          <Group align="flex-end" gap="sm">
            <TextInput
              label={t('innovation.practices.search')}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              maxLength={200}
              type="search"
              style={{ flex: '1 1 14rem' }}
            />
            <NativeSelect
              label={t('innovation.practices.kind')}
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value)}
              data={[
                { value: '', label: t('innovation.practices.all') },
                ...PRACTICE_KINDS.map((k) => ({ value: k, label: t(`innovation.practices.kinds.${k}`) })),
              ]}
              style={{ flex: '1 1 10rem' }}
            />
            <NativeSelect
              label={t('innovation.practices.tag')}
              value={tag}
              onChange={(e) => setTag(e.currentTarget.value)}
              data={[
                { value: '', label: t('innovation.practices.all') },
                ...(tags.state.data?.items ?? []).map((f) => ({
                  value: f.value,
                  label: `${f.value} (${f.count})`,
                })),
              ]}
              style={{ flex: '1 1 10rem' }}
            />
            <Button type="submit">{t('innovation.practices.apply')}</Button>
          </Group>
        </form>
      </search>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      <Text role="status" fw={600} data-testid="practices-count">
        {data ? t('innovation.practices.results', { count: data.total }) : ''}
      </Text>
      {!data && state.status === 'loading' && <Skeleton height={160} aria-hidden="true" />}
      {data && data.items.length > 0 && (
        <Stack component="ul" gap="sm" className="inv-list">
          {data.items.map((p) => (
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
          what={t('innovation.practices.title')}
        />
      )}
    </Stack>
  );
}
