import {
  Anchor,
  Group,
  List,
  NativeSelect,
  Pagination,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  EXPORT_VIEWS,
  openData,
  PROJECT_STATUSES,
  type ProjectStatus,
  publicDashboard,
  publicProgrammes,
  publicProjects,
} from '../../api/observatory';
import { useData } from '../../api/useData';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { ROUTES } from '../../routes';
import { CHART_COLORS, Chart, type ChartOption } from './Chart';
import { ErrorAlert, formatMoney, formatNumber, nameIn, ProjectStatusText, pagerProps } from './common';
import { IndicatorPanel } from './IndicatorPanel';
import { IndicatorTable } from './IndicatorTable';

const PAGE = 10;
// The map library is large: loaded with the projects' map only.
const ProjectsMap = lazy(() => import('./ProjectsMap'));

async function loadAll(signal: AbortSignal, wanted: string | null) {
  const { items } = await publicProgrammes(signal);
  const code = wanted && items.some((p) => p.code === wanted) ? wanted : items[0]?.code;
  if (!code) return { programmes: items, dashboard: null, projects: [] };
  const [dashboard, geo] = await Promise.all([publicDashboard(code, signal), publicProjects(code, signal)]);
  return { programmes: items, dashboard, projects: geo.features };
}

export default function PublicDashboard() {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const [code, setCode] = useState<string | null>(null);
  const load = useCallback((signal: AbortSignal) => loadAll(signal, code), [code]);
  const { state, reload } = useData(load);
  // useData keeps its loader in a ref: a new programme is loaded through reload.
  const choose = (c: string) => {
    setCode(c);
    setTimeout(reload, 0);
  };
  const [status, setStatus] = useState<'' | ProjectStatus>('');
  const [page, setPage] = useState(1);

  const data = state.data;
  const d = data?.dashboard ?? null;
  const title = d
    ? t('observatory.public.titleOf', { name: nameIn(lang, d.programme) })
    : t('observatory.title');

  const statusOption = useMemo<ChartOption | null>(() => {
    if (!d) return null;
    const labels = PROJECT_STATUSES.map((s) => t(`observatory.projectStatus.${s}`));
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#343a40' } },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { color: '#212529' } },
      series: [
        {
          type: 'bar',
          data: PROJECT_STATUSES.map((s) => d.progress.byStatus[s] ?? 0),
          itemStyle: { color: CHART_COLORS.value },
          label: { show: true, position: 'right', color: '#212529' },
          barMaxWidth: 24,
        },
      ],
    };
  }, [d, t]);

  if (state.status === 'loading') {
    return (
      <Stack>
        <PageTitle>{t('observatory.title')}</PageTitle>
        <Loading />
      </Stack>
    );
  }

  const charted = d ? d.indicators.filter((i) => i.key || (i.latest && i.latest.value !== null)) : [];
  const projects = (data?.projects ?? []).filter((p) => !status || p.properties.status === status);
  const pages = Math.max(1, Math.ceil(projects.length / PAGE));
  const shown = projects.slice((Math.min(page, pages) - 1) * PAGE, Math.min(page, pages) * PAGE);
  const allInds = d?.indicators ?? [];
  const links = d ? openData(d.programme.code) : null;
  const year = new Date().getFullYear();

  return (
    <Stack gap="xl">
      <div>
        <PageTitle>{title}</PageTitle>
        <Text size="lg" maw={820}>
          {t('observatory.public.intro')}
        </Text>
        {d?.programme.description && (
          <Text maw={820} mt="xs">
            {d.programme.description}
          </Text>
        )}
        {data && data.programmes.length > 1 && (
          <NativeSelect
            mt="sm"
            maw={360}
            label={t('observatory.public.programme')}
            value={d?.programme.code ?? ''}
            onChange={(e) => choose(e.currentTarget.value)}
            data={data.programmes.map((p) => ({ value: p.code, label: nameIn(lang, p) }))}
          />
        )}
        <Group mt="sm" gap="md">
          <Anchor component={Link} to={ROUTES.observatoryStaff}>
            {t('observatory.public.staffLink')}
          </Anchor>
        </Group>
      </div>

      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {data && !d && <Text>{t('observatory.public.none')}</Text>}

      {d && (
        <section aria-labelledby="obs-progress-title">
          <Title order={2} id="obs-progress-title" mb="sm">
            {t('observatory.public.progressTitle')}
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md" mb="md">
            <Paper withBorder p="md" className="figure" data-testid="obs-fig-projects">
              <div className="figure__text">
                <span className="figure__value">{formatNumber(lang, d.progress.projects)}</span>{' '}
                <span className="figure__label">{t('observatory.public.projects')}</span>
              </div>
            </Paper>
            <Paper withBorder p="md" className="figure" data-testid="obs-fig-completed">
              <div className="figure__text">
                <span className="figure__value">
                  {formatNumber(lang, Math.round(d.progress.share * 100), '%')}
                </span>{' '}
                <span className="figure__label">
                  {t('observatory.public.completed', { count: d.progress.completed })}
                </span>
              </div>
            </Paper>
            <Paper withBorder p="md" className="figure" data-testid="obs-fig-budget">
              <div className="figure__text">
                <span className="figure__value">{formatMoney(lang, d.programme.budget)}</span>{' '}
                <span className="figure__label">{t('observatory.public.budget')}</span>
              </div>
            </Paper>
            <Paper withBorder p="md" className="figure" data-testid="obs-fig-years">
              <div className="figure__text">
                <span className="figure__value">
                  {d.programme.startYear}–{d.programme.endYear}
                </span>{' '}
                <span className="figure__label">{t('observatory.public.years')}</span>
              </div>
            </Paper>
          </SimpleGrid>
          <div className="obs-two">
            <div>
              <Title order={3} size="h4" mb="xs">
                {t('observatory.public.byStatus')}
              </Title>
              {statusOption && <Chart option={statusOption} height={200} />}
            </div>
            <div className="obs-scroll">
              <Table fz="sm" captionSide="top" className="obs-table" data-testid="obs-status-table">
                <Table.Caption>{t('observatory.public.byStatusCaption')}</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('observatory.public.status')}</Table.Th>
                    <Table.Th scope="col">{t('observatory.public.count')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {PROJECT_STATUSES.map((s) => (
                    <Table.Tr key={s}>
                      <Table.Th scope="row">
                        <ProjectStatusText status={s} />
                      </Table.Th>
                      <Table.Td>{d.progress.byStatus[s] ?? 0}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </div>
        </section>
      )}

      {d && (
        <section aria-labelledby="obs-key-title">
          <Title order={2} id="obs-key-title" mb={4}>
            {t('observatory.public.keyTitle')}
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            {t('observatory.public.keyIntro')}
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {charted.map((ind) => (
              <IndicatorPanel key={ind.id} ind={ind} />
            ))}
          </SimpleGrid>
        </section>
      )}

      {d && allInds.length > 0 && (
        <section aria-labelledby="obs-all-title">
          <Title order={2} id="obs-all-title" mb="sm">
            {t('observatory.public.allTitle')}
          </Title>
          <IndicatorTable
            items={allInds}
            testId="obs-all-indicators"
            caption={(page, pages) => t('observatory.public.allCaption', { page, pages })}
            latestLabel={t('observatory.public.latestValue')}
          />
        </section>
      )}

      {d && (
        <section aria-labelledby="obs-projects-title">
          <Title order={2} id="obs-projects-title" mb="sm">
            {t('observatory.public.projectsTitle')}
          </Title>
          <NativeSelect
            maw={320}
            mb="sm"
            label={t('observatory.public.filterStatus')}
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as '' | ProjectStatus);
              setPage(1);
            }}
            data={[
              { value: '', label: t('observatory.public.allStatuses') },
              ...PROJECT_STATUSES.map((s) => ({ value: s, label: t(`observatory.projectStatus.${s}`) })),
            ]}
          />
          <Suspense fallback={<Loading />}>
            <ProjectsMap
              projects={projects}
              label={t('observatory.public.mapLabel', { count: projects.length })}
            />
          </Suspense>
          <div className="obs-scroll">
            <Table fz="sm" captionSide="top" striped className="obs-table" data-testid="obs-projects">
              <Table.Caption>
                {t('observatory.public.projectsCaption', {
                  count: projects.length,
                  page: Math.min(page, pages),
                  pages,
                })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('observatory.public.project')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.public.status')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.public.lead')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.public.budgetCol')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.public.location')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Th scope="row" fw={500}>
                      {p.properties.name}
                    </Table.Th>
                    <Table.Td>
                      <ProjectStatusText status={p.properties.status} />
                    </Table.Td>
                    <Table.Td>{p.properties.leadOrganisation}</Table.Td>
                    <Table.Td>{formatMoney(lang, p.properties.budget)}</Table.Td>
                    <Table.Td>
                      {t('observatory.public.coords', {
                        lat: p.geometry.coordinates[1].toFixed(3),
                        lon: p.geometry.coordinates[0].toFixed(3),
                      })}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {pages > 1 && (
            <Pagination
              mt="sm"
              total={pages}
              value={Math.min(page, pages)}
              onChange={setPage}
              {...pagerProps(t)}
            />
          )}
        </section>
      )}

      {d && links && (
        <section aria-labelledby="obs-open-title">
          <Title order={2} id="obs-open-title" mb={4}>
            {t('observatory.public.openTitle')}
          </Title>
          <Text size="sm" mb="sm">
            {t('observatory.public.openIntro')}
          </Text>
          <List spacing={6} data-testid="obs-open-data">
            {EXPORT_VIEWS.map((v) => (
              <List.Item key={v}>
                <Anchor href={links.view(v, 'csv')} download>
                  {t('observatory.public.csvOf', { what: t(`observatory.public.views.${v}`) })}
                </Anchor>
                {' · '}
                <Anchor href={links.view(v, 'xlsx')} download>
                  {t('observatory.public.xlsxOf', { what: t(`observatory.public.views.${v}`) })}
                </Anchor>
              </List.Item>
            ))}
            <List.Item>
              <Anchor href={links.sdmx} download>
                {t('observatory.public.sdmx')}
              </Anchor>
            </List.Item>
            <List.Item>
              <Anchor href={links.geojson}>{t('observatory.public.geojson')}</Anchor>
            </List.Item>
            <List.Item>
              <Anchor href={links.report(year)}>{t('observatory.public.report', { year })}</Anchor>
            </List.Item>
          </List>
        </section>
      )}
    </Stack>
  );
}
