import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Paper,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { organisationDirectory } from '../../api/admin';
import { type FacetName, pick, type SearchParams, searchDatasets } from '../../api/catalog';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { PageTitle } from '../../components/PageTitle';
import { ROUTES } from '../../routes';
import { AccessBadge, Pager } from './parts';

const PAGE = 10;
const FACETS: FacetName[] = ['theme', 'access', 'publisher', 'keyword'];

/** The catalog: full-text search, facets with counts, paginated results; the state lives in the address. */
export default function CatalogSearch() {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const auth = useAuth();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const selected = useMemo(
    () => Object.fromEntries(FACETS.map((f) => [f, params.getAll(f)])) as Record<FacetName, string[]>,
    [params],
  );
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const search: SearchParams = useMemo(
    () => ({ q: q || undefined, ...selected, offset, limit: PAGE }),
    [q, selected, offset],
  );
  const key = JSON.stringify(search);
  const load = useCallback((signal: AbortSignal) => searchDatasets(search, signal), [search]);
  const { state, reload } = useData(load);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the search, and the session changes what is visible
  useEffect(() => reload(), [key, auth.status, reload]);
  const orgs = useData(organisationDirectory);

  const update = (changes: Record<string, string | string[] | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      next.delete(k);
      for (const x of Array.isArray(v) ? v : v ? [v] : []) next.append(k, x);
    }
    if (!('offset' in changes)) next.delete('offset');
    setParams(next);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ q: text.trim() || undefined });
  };

  const label = (f: FacetName, value: string) => {
    if (f === 'theme') return t(`catalog.themes.${value}` as 'catalog.themes.TRAN', { defaultValue: value });
    if (f === 'access') return t(`catalog.access.${value}` as 'catalog.access.open', { defaultValue: value });
    if (f === 'publisher') return orgs.state.data?.get(value)?.name ?? value;
    return value;
  };

  const data = state.data;
  const anyFilter = FACETS.some((f) => selected[f].length > 0) || q !== '';

  return (
    <Stack gap="lg">
      <div>
        <PageTitle>{t('catalog.title')}</PageTitle>
        <Text maw={820}>{t('catalog.intro')}</Text>
        {auth.me ? (
          <Anchor component={Link} to={`${ROUTES.catalog}/mine`} mt="xs" display="inline-block">
            {t('catalog.mine')}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed" mt="xs">
            {t('catalog.signInForMore')}
          </Text>
        )}
      </div>

      <search aria-label={t('catalog.searchRegion')}>
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t('catalog.searchLabel')}
              placeholder={t('catalog.searchPlaceholder')}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              type="search"
              style={{ flex: '1 1 14rem' }}
              maw={520}
            />
            <Button type="submit">{t('catalog.searchButton')}</Button>
          </Group>
        </form>
      </search>

      {state.status === 'error' && (
        <Alert color="red" variant="light" role="alert">
          <Group justify="space-between">
            <span>{t('catalog.error', { message: state.error.message })}</span>
            <Button size="xs" variant="outline" color="red" onClick={reload}>
              {t('catalog.retry')}
            </Button>
          </Group>
        </Alert>
      )}

      <div className="catalog-layout">
        <section aria-labelledby="filters-title" className="catalog-layout__facets">
          <Title order={2} size="h3" id="filters-title" mb="xs">
            {t('catalog.filters')}
          </Title>
          <Stack gap="md">
            {FACETS.map((f) => {
              const counts = data?.facets[f] ?? [];
              // Selected values stay listed (with a zero) so they can be unchecked.
              const values = [
                ...counts,
                ...selected[f]
                  .filter((v) => !counts.some((c) => c.value === v))
                  .map((v) => ({ value: v, count: 0 })),
              ];
              if (!values.length) return null;
              return (
                <Checkbox.Group
                  key={f}
                  label={t(`catalog.facets.${f}`)}
                  value={selected[f]}
                  onChange={(v) => update({ [f]: v })}
                  data-testid={`facet-${f}`}
                >
                  <Stack gap={6} mt={6}>
                    {values.map((c) => (
                      <Checkbox
                        key={c.value}
                        value={c.value}
                        label={t('catalog.facetOption', { label: label(f, c.value), count: c.count })}
                      />
                    ))}
                  </Stack>
                </Checkbox.Group>
              );
            })}
            {anyFilter && (
              <Button
                variant="subtle"
                size="xs"
                onClick={() => {
                  setText('');
                  setParams(new URLSearchParams());
                }}
              >
                {t('catalog.clearFilters')}
              </Button>
            )}
          </Stack>
        </section>

        <section
          aria-labelledby="results-title"
          aria-busy={state.status === 'loading'}
          className="catalog-layout__results"
        >
          <Title order={2} size="h3" id="results-title" mb="xs">
            {t('catalog.resultsTitle')}
          </Title>
          <Text role="status" mb="sm" data-testid="results-count">
            {data ? t('catalog.results', { count: data.total }) : t('app.loading')}
          </Text>
          {!data && state.status === 'loading' && <Skeleton height={120} />}
          {data && (
            <ul className="dataset-list" data-testid="dataset-list">
              {data.items.map((d) => (
                <li key={d.id}>
                  <Paper withBorder p="md">
                    <Title order={3} size="h4" mb={4}>
                      <Anchor component={Link} to={`${ROUTES.catalog}/${d.id}`}>
                        {pick(d.title, lang)}
                      </Anchor>
                    </Title>
                    <Group gap="xs" mb={6} wrap="wrap">
                      <AccessBadge access={d.access} />
                      <Text size="sm" c="dimmed">
                        {t('catalog.publishedBy', { name: orgs.state.data?.get(d.orgId)?.name ?? '…' })}
                      </Text>
                    </Group>
                    <Text size="sm" lineClamp={3}>
                      {pick(d.description, lang)}
                    </Text>
                    {d.themes.length > 0 && (
                      <Text size="sm" mt={4}>
                        {new Intl.ListFormat(lang, { type: 'unit' }).format(
                          d.themes.map((x) =>
                            t(`catalog.themes.${x}` as 'catalog.themes.TRAN', { defaultValue: x }),
                          ),
                        )}
                      </Text>
                    )}
                  </Paper>
                </li>
              ))}
            </ul>
          )}
          {data && (
            <Pager
              offset={data.offset}
              limit={data.limit}
              total={data.total}
              onChange={(o) => update({ offset: o ? String(o) : undefined })}
            />
          )}
        </section>
      </div>
    </Stack>
  );
}
