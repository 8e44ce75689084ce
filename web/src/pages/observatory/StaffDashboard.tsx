import {
  Alert,
  Button,
  Group,
  List,
  MultiSelect,
  NativeSelect,
  Pagination,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  approveResponse,
  attachmentBlob,
  type Campaign,
  campaigns,
  completeness,
  createCampaign,
  indicators,
  launchCampaign,
  programmes,
  projects,
  responseOf,
  returnResponse,
  sendReminders,
  staffDashboard,
} from '../../api/observatory';
import { useData } from '../../api/useData';
import { RequireAuth } from '../../auth/RequireAuth';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { issueText } from './AnswerForm';
import {
  ErrorAlert,
  formatDate,
  formatNumber,
  nameIn,
  ProjectStatusText,
  pagerProps,
  ResponseStatusText,
} from './common';
import { IndicatorTable } from './IndicatorTable';

const PAGE = 10;
const pct = (lang: string | undefined, r: number) => formatNumber(lang, Math.round(r * 100), '%');

/** The server's reasons (English) in the reader's language. */
function reasonText(t: TFunction, r: string): string {
  let m = /^status: (\w+)$/.exec(r);
  if (m)
    return t('observatory.staff.reason.status', {
      status: t(`observatory.projectStatus.${m[1]}` as 'observatory.projectStatus.delayed'),
    });
  m = /^milestone overdue: (.*) \((\d{4}-\d{2}-\d{2})\)$/.exec(r);
  if (m) return t('observatory.staff.reason.milestone', { name: m[1], date: m[2] });
  m = /^late in campaign (.*)$/.exec(r);
  if (m) return t('observatory.staff.reason.late', { name: m[1] });
  m = /^(\w+) (\S+): (\S+) against a target of (\S+)$/.exec(r);
  if (m) return t('observatory.staff.reason.target', { code: m[1], period: m[2], value: m[3], target: m[4] });
  return r;
}

export default function StaffDashboardPage() {
  const { t } = useTranslation();
  return (
    <RequireAuth title={t('observatory.staff.title')}>
      <Staff />
    </RequireAuth>
  );
}

function Staff() {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const progs = useData(programmes);
  const [chosen, setChosen] = useState<string | null>(null);
  const programmeId = chosen ?? progs.state.data?.items[0]?.id ?? null;

  if (progs.state.status === 'loading') {
    return (
      <Stack>
        <PageTitle>{t('observatory.staff.title')}</PageTitle>
        <Loading />
      </Stack>
    );
  }
  return (
    <Stack gap="xl">
      <div>
        <PageTitle>{t('observatory.staff.title')}</PageTitle>
        <Text maw={820}>{t('observatory.staff.intro')}</Text>
        {progs.state.data && progs.state.data.items.length > 1 && (
          <NativeSelect
            mt="sm"
            maw={360}
            label={t('observatory.public.programme')}
            value={programmeId ?? ''}
            onChange={(e) => setChosen(e.currentTarget.value)}
            data={progs.state.data.items.map((p) => ({ value: p.id, label: nameIn(lang, p) }))}
          />
        )}
      </div>
      {progs.state.status === 'error' && <ErrorAlert error={progs.state.error} onRetry={progs.reload} />}
      {progs.state.status === 'ok' && !programmeId && <Text>{t('observatory.public.none')}</Text>}
      {programmeId && <ProgrammeStaff key={programmeId} programmeId={programmeId} />}
    </Stack>
  );
}

function ProgrammeStaff({ programmeId }: { programmeId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const dash = useData(useCallback((s: AbortSignal) => staffDashboard(programmeId, s), [programmeId]));
  const [offset, setOffset] = useState(0);
  const offsetRef = useRef(offset);
  offsetRef.current = offset;
  const list = useData(
    useCallback((s: AbortSignal) => campaigns(programmeId, offsetRef.current, PAGE, s), [programmeId]),
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const campaignId = selected ?? list.state.data?.items[0]?.id ?? null;
  const refreshAll = () => {
    dash.reload();
    list.reload();
  };

  const total = list.state.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));

  return (
    <>
      <section aria-labelledby="obs-campaigns-title">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={2} id="obs-campaigns-title">
            {t('observatory.staff.campaignsTitle')}
          </Title>
          <Button
            variant={creating ? 'default' : 'filled'}
            onClick={() => setCreating((c) => !c)}
            aria-expanded={creating}
            aria-controls="obs-new-campaign"
          >
            {creating ? t('observatory.staff.cancelNew') : t('observatory.staff.newCampaign')}
          </Button>
        </Group>
        <div id="obs-new-campaign">
          {creating && (
            <NewCampaign
              programmeId={programmeId}
              onCreated={(c) => {
                setCreating(false);
                setSelected(c.id);
                setOffset(0);
                offsetRef.current = 0;
                refreshAll();
              }}
            />
          )}
        </div>
        {list.state.status === 'error' && <ErrorAlert error={list.state.error} onRetry={list.reload} />}
        {list.state.status === 'loading' && <Loading />}
        {list.state.data && list.state.data.items.length === 0 && (
          <Text>{t('observatory.staff.noCampaign')}</Text>
        )}
        {list.state.data && list.state.data.items.length > 0 && (
          <div className="obs-scroll">
            <Table fz="sm" captionSide="top" striped className="obs-table" data-testid="obs-campaigns">
              <Table.Caption>
                {t('observatory.staff.campaignsCaption', { count: total, page: offset / PAGE + 1, pages })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('observatory.staff.campaign')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.period')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.due')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.state')}</Table.Th>
                  <Table.Th scope="col">
                    <span className="sr-only">{t('observatory.staff.actions')}</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.state.data.items.map((c) => (
                  <Table.Tr key={c.id} className={c.id === campaignId ? 'row row--selected' : 'row'}>
                    <Table.Th scope="row" fw={500}>
                      {c.name}
                    </Table.Th>
                    <Table.Td>{c.period}</Table.Td>
                    <Table.Td>{formatDate(lang, c.dueAt)}</Table.Td>
                    <Table.Td>{t(`observatory.campaignStatus.${c.status}`)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant={c.id === campaignId ? 'filled' : 'outline'}
                        onClick={() => setSelected(c.id)}
                        aria-pressed={c.id === campaignId}
                        aria-label={t('observatory.staff.showCampaign', { name: c.name })}
                      >
                        {t('observatory.staff.show')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
        {pages > 1 && (
          <Pagination
            mt="sm"
            total={pages}
            value={offset / PAGE + 1}
            onChange={(p) => {
              setOffset((p - 1) * PAGE);
              offsetRef.current = (p - 1) * PAGE;
              list.reload();
            }}
            {...pagerProps(t)}
          />
        )}
      </section>

      {campaignId && list.state.data && (
        <CampaignPanel
          key={campaignId}
          campaign={list.state.data.items.find((c) => c.id === campaignId)}
          campaignId={campaignId}
          onChanged={refreshAll}
        />
      )}

      <section aria-labelledby="obs-risk-title">
        <Title order={2} id="obs-risk-title" mb="sm">
          {t('observatory.staff.riskTitle')}
        </Title>
        {dash.state.status === 'error' && <ErrorAlert error={dash.state.error} onRetry={dash.reload} />}
        {dash.state.status === 'loading' && <Loading />}
        {dash.state.data && dash.state.data.projectsAtRisk.length === 0 && (
          <Text>{t('observatory.staff.noRisk')}</Text>
        )}
        {dash.state.data && dash.state.data.projectsAtRisk.length > 0 && (
          <RiskTable items={dash.state.data.projectsAtRisk} />
        )}
      </section>

      {dash.state.data && (
        <section aria-labelledby="obs-staff-ind-title">
          <Title order={2} id="obs-staff-ind-title" mb={4}>
            {t('observatory.staff.indicatorsTitle')}
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            {t('observatory.staff.indicatorsIntro')}
          </Text>
          <IndicatorTable
            items={dash.state.data.indicators}
            testId="obs-staff-indicators"
            caption={(page, pages) => t('observatory.staff.indicatorsCaption', { page, pages })}
            latestLabel={t('observatory.staff.latestValue')}
            withCode
            withProgress
          />
        </section>
      )}
    </>
  );
}

function RiskTable({
  items,
}: {
  items: {
    id: string;
    code: string;
    name: string;
    status: import('../../api/observatory').ProjectStatus;
    reasons: string[];
  }[];
}) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const shown = items.slice((page - 1) * PAGE, page * PAGE);
  return (
    <>
      <div className="obs-scroll">
        <Table fz="sm" captionSide="top" striped className="obs-table" data-testid="obs-risk">
          <Table.Caption>
            {t('observatory.staff.riskCaption', { count: items.length, page, pages })}
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('observatory.public.project')}</Table.Th>
              <Table.Th scope="col">{t('observatory.public.status')}</Table.Th>
              <Table.Th scope="col">{t('observatory.staff.reasons')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Th scope="row" fw={500}>
                  {p.name} <span className="obs-code">({p.code})</span>
                </Table.Th>
                <Table.Td>
                  <ProjectStatusText status={p.status} />
                </Table.Td>
                <Table.Td>
                  <List size="sm">
                    {p.reasons.map((r) => (
                      <List.Item key={r}>{reasonText(t, r)}</List.Item>
                    ))}
                  </List>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      {pages > 1 && <Pagination mt="sm" total={pages} value={page} onChange={setPage} {...pagerProps(t)} />}
    </>
  );
}

function CampaignPanel({
  campaignId,
  campaign,
  onChanged,
}: {
  campaignId: string;
  campaign: Campaign | undefined;
  onChanged: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const comp = useData(useCallback((s: AbortSignal) => completeness(campaignId, s), [campaignId]));
  const [busy, setBusy] = useState('');
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const status = comp.state.data?.status ?? campaign?.status;

  const act = async (what: 'launch' | 'remind') => {
    setBusy(what);
    setNotice('');
    setFailure(null);
    try {
      if (what === 'launch') {
        const r = await launchCampaign(campaignId);
        setNotice(t('observatory.staff.launched', { count: r.invited }));
      } else {
        const r = await sendReminders(campaignId);
        setNotice(t('observatory.staff.reminded', { count: r.reminded.length }));
      }
      comp.reload();
      onChanged();
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy('');
    }
  };

  const c = comp.state.data;
  const pages = c ? Math.max(1, Math.ceil(c.projects.length / PAGE)) : 1;
  const shown = c ? c.projects.slice((page - 1) * PAGE, page * PAGE) : [];

  return (
    <section aria-labelledby="obs-completeness-title" data-testid="obs-completeness">
      <Title order={2} id="obs-completeness-title" mb={4}>
        {t('observatory.staff.completenessTitle', { name: campaign?.name ?? '' })}
      </Title>
      {c && (
        <Text size="sm" mb="sm">
          {t('observatory.staff.campaignLine', {
            period: c.period,
            due: formatDate(lang, c.dueAt),
            status: t(`observatory.campaignStatus.${c.status as 'open'}`),
          })}
        </Text>
      )}
      <Group gap="sm" mb="sm">
        {status === 'draft' && (
          <Button onClick={() => void act('launch')} loading={busy === 'launch'} disabled={!!busy}>
            {t('observatory.staff.launch')}
          </Button>
        )}
        {status === 'open' && (
          <Button
            variant="outline"
            onClick={() => void act('remind')}
            loading={busy === 'remind'}
            disabled={!!busy}
          >
            {t('observatory.staff.remind')}
          </Button>
        )}
      </Group>
      {notice && (
        <Alert color="green" variant="light" role="status" mb="sm" data-testid="staff-notice">
          {notice}
        </Alert>
      )}
      {failure && <ErrorAlert error={failure} />}
      {comp.state.status === 'error' && <ErrorAlert error={comp.state.error} onRetry={comp.reload} />}
      {comp.state.status === 'loading' && <Loading />}
      {c && (
        <>
          <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md" mb="md">
            <Paper withBorder p="md" className="figure" data-testid="obs-informed">
              <div className="figure__text">
                <span className="figure__value">
                  {c.informed} / {c.expected}
                </span>{' '}
                <span className="figure__label">
                  {t('observatory.staff.informed', { rate: pct(lang, c.rate) })}
                </span>
              </div>
            </Paper>
            <Paper withBorder p="md" className="figure" data-testid="obs-approved">
              <div className="figure__text">
                <span className="figure__value">{pct(lang, c.approvedRate)}</span>{' '}
                <span className="figure__label">{t('observatory.staff.approvedRate')}</span>
              </div>
            </Paper>
            <Paper withBorder p="md" className="figure" data-testid="obs-late">
              <div className="figure__text">
                <span className="figure__value">{c.lateProjects.length}</span>{' '}
                <span className="figure__label">{t('observatory.staff.lateProjects')}</span>
              </div>
            </Paper>
          </SimpleGrid>
          <div className="obs-scroll">
            <Table fz="sm" captionSide="top" striped className="obs-table" data-testid="obs-responses">
              <Table.Caption>
                {t('observatory.staff.responsesCaption', { count: c.projects.length, page, pages })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('observatory.public.project')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.response')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.informedCol')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.lateCol')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.staff.messages')}</Table.Th>
                  <Table.Th scope="col">
                    <span className="sr-only">{t('observatory.staff.actions')}</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((p) => (
                  <Table.Tr key={p.projectId} data-code={p.code}>
                    <Table.Th scope="row" fw={500}>
                      {p.name} <span className="obs-code">({p.code})</span>
                    </Table.Th>
                    <Table.Td>
                      <ResponseStatusText status={p.status} />
                    </Table.Td>
                    <Table.Td>
                      {p.informed} / {p.expected} ({pct(lang, p.rate)})
                    </Table.Td>
                    <Table.Td>
                      {p.late ? (
                        <strong className="obs-late">
                          <span aria-hidden="true">▲ </span>
                          {t('observatory.staff.late')}
                        </strong>
                      ) : (
                        t('observatory.staff.onTime')
                      )}
                    </Table.Td>
                    <Table.Td>
                      {t('observatory.staff.messageCount', {
                        invitations: p.reminders.filter((r) => r.kind !== 'reminder').length,
                        reminders: p.reminders.filter((r) => r.kind === 'reminder').length,
                      })}
                    </Table.Td>
                    <Table.Td>
                      {p.status !== 'pending' && (
                        <Button
                          size="xs"
                          variant={p.status === 'submitted' ? 'filled' : 'outline'}
                          onClick={() => setReviewing(p.projectId)}
                          aria-label={
                            p.status === 'submitted'
                              ? t('observatory.staff.reviewOf', { name: p.name })
                              : t('observatory.staff.viewOf', { name: p.name })
                          }
                        >
                          {p.status === 'submitted'
                            ? t('observatory.staff.review')
                            : t('observatory.staff.view')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {pages > 1 && (
            <Pagination mt="sm" total={pages} value={page} onChange={setPage} {...pagerProps(t)} />
          )}
        </>
      )}
      {reviewing && (
        <Review
          key={reviewing}
          campaignId={campaignId}
          projectId={reviewing}
          onDone={(msg) => {
            setNotice(msg);
            setReviewing(null);
            comp.reload();
            onChanged();
          }}
          onClose={() => setReviewing(null)}
        />
      )}
      {c && c.indicators.length > 0 && (
        <div className="obs-scroll">
          <Table
            fz="sm"
            captionSide="top"
            striped
            className="obs-table"
            mt="md"
            data-testid="obs-ind-completeness"
          >
            <Table.Caption>{t('observatory.staff.perIndicatorCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('observatory.public.indicator')}</Table.Th>
                <Table.Th scope="col">{t('observatory.staff.informedCol')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.indicators.map((i) => (
                <Table.Tr key={i.indicatorId}>
                  <Table.Th scope="row" fw={500}>
                    {i.code}
                  </Table.Th>
                  <Table.Td>
                    {i.informed} / {i.expected} ({pct(lang, i.rate)})
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}

function Review({
  campaignId,
  projectId,
  onDone,
  onClose,
}: {
  campaignId: string;
  projectId: string;
  onDone: (message: string) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const r = useData(
    useCallback((s: AbortSignal) => responseOf(campaignId, projectId, s), [campaignId, projectId]),
  );
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState('');
  const [busy, setBusy] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (r.state.status === 'ok') headingRef.current?.focus();
  }, [r.state.status]);

  const decide = async (decision: 'approve' | 'return') => {
    setFailure(null);
    setCommentError('');
    if (decision === 'return' && !comment.trim()) {
      setCommentError(t('observatory.staff.commentNeeded'));
      return;
    }
    setBusy(decision);
    try {
      if (decision === 'approve') await approveResponse(campaignId, projectId, comment.trim() || undefined);
      else await returnResponse(campaignId, projectId, comment.trim());
      onDone(
        decision === 'approve' ? t('observatory.staff.approvedDone') : t('observatory.staff.returnedDone'),
      );
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy('');
    }
  };

  const download = async (id: string, filename: string) => {
    try {
      const blob = await attachmentBlob(id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const f = r.state.data;
  return (
    <Paper
      withBorder
      p="md"
      mt="md"
      component="section"
      aria-labelledby="obs-review-title"
      data-testid="obs-review"
    >
      {r.state.status === 'loading' && <Loading />}
      {r.state.status === 'error' && <ErrorAlert error={r.state.error} onRetry={r.reload} />}
      {f && (
        <Stack gap="sm">
          <Title order={3} id="obs-review-title" ref={headingRef} tabIndex={-1} className="obs-focus-target">
            {t('observatory.staff.reviewTitle', { name: f.project.name })}
          </Title>
          <Text size="sm">
            {t('observatory.answer.status')} <ResponseStatusText status={f.status} />
            {f.reviewComment ? ` · ${t('observatory.staff.lastComment', { comment: f.reviewComment })}` : ''}
          </Text>
          <div className="obs-scroll">
            <Table fz="sm" captionSide="top" striped className="obs-table" data-testid="obs-review-values">
              <Table.Caption>{t('observatory.staff.valuesCaption', { name: f.project.name })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('observatory.public.indicator')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.chart.value')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.chart.target')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.answer.comment')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {f.indicators.map((i) => {
                  const v = i.value;
                  const shown =
                    !v || v.value === null
                      ? i.valueType === 'ratio' && v
                        ? `${formatNumber(lang, v.numerator)} / ${formatNumber(lang, v.denominator)}`
                        : '–'
                      : typeof v.value === 'number'
                        ? formatNumber(lang, v.value, i.unit)
                        : typeof v.value === 'boolean'
                          ? v.value
                            ? t('observatory.answer.yes')
                            : t('observatory.answer.no')
                          : v.value;
                  return (
                    <Table.Tr key={i.id} data-code={i.code}>
                      <Table.Th scope="row" fw={500}>
                        {nameIn(lang, i)} <span className="obs-code">({i.code})</span>
                      </Table.Th>
                      <Table.Td>{shown}</Table.Td>
                      <Table.Td>{formatNumber(lang, i.target, i.unit)}</Table.Td>
                      <Table.Td>{v?.comment ?? '–'}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          {f.issues && f.issues.length > 0 && (
            <Alert color="orange" variant="light" title={t('observatory.staff.issuesTitle')}>
              <List size="sm">
                {f.issues.map((x) => (
                  <List.Item key={x.message}>
                    {issueText(
                      t,
                      x,
                      f.indicators.find((i) => i.id === x.indicatorId),
                      lang,
                    )}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          <div>
            <Text fw={600} size="sm">
              {t('observatory.answer.evidenceTitle')}
            </Text>
            {f.attachments.length === 0 ? (
              <Text size="sm">{t('observatory.answer.noEvidence')}</Text>
            ) : (
              <List size="sm">
                {f.attachments.map((a) => (
                  <List.Item key={a.id}>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => void download(a.id, a.filename)}
                      aria-label={t('observatory.staff.download', { name: a.filename })}
                    >
                      {a.filename}
                    </Button>
                  </List.Item>
                ))}
              </List>
            )}
          </div>
          {failure && <ErrorAlert error={failure} />}
          {f.status === 'submitted' ? (
            <>
              <Textarea
                label={t('observatory.staff.comment')}
                description={t('observatory.staff.commentHint')}
                value={comment}
                onChange={(e) => setComment(e.currentTarget.value)}
                error={commentError || undefined}
                autosize
                minRows={2}
                maw={640}
              />
              <Group gap="sm">
                <Button
                  color="green"
                  onClick={() => void decide('approve')}
                  loading={busy === 'approve'}
                  disabled={!!busy}
                >
                  {t('observatory.staff.approve')}
                </Button>
                <Button
                  variant="outline"
                  color="orange"
                  onClick={() => void decide('return')}
                  loading={busy === 'return'}
                  disabled={!!busy}
                >
                  {t('observatory.staff.return')}
                </Button>
                <Button variant="subtle" onClick={onClose}>
                  {t('observatory.staff.close')}
                </Button>
              </Group>
            </>
          ) : (
            <Group>
              <Button variant="subtle" onClick={onClose}>
                {t('observatory.staff.close')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function NewCampaign({ programmeId, onCreated }: { programmeId: string; onCreated: (c: Campaign) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const opts = useData(
    useCallback(
      async (s: AbortSignal) => {
        const [p, i] = await Promise.all([projects(programmeId, s), indicators(programmeId, s)]);
        return { projects: p.items, indicators: i.items.filter((x) => x.source.kind === 'entered') };
      },
      [programmeId],
    ),
  );
  const [name, setName] = useState('');
  const [period, setPeriod] = useState('');
  const [due, setDue] = useState('');
  const [projectIds, setProjectIds] = useState<string[]>([]);
  const [indicatorIds, setIndicatorIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = t('observatory.staff.form.needed');
    if (!/^\d{4}(-(S[12]|Q[1-4]|(0[1-9]|1[0-2])))?$/.test(period.trim()))
      e.period = t('observatory.staff.form.badPeriod');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(due)) e.due = t('observatory.staff.form.needed');
    if (projectIds.length === 0) e.projects = t('observatory.staff.form.pickOne');
    if (indicatorIds.length === 0) e.indicators = t('observatory.staff.form.pickOne');
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    setFailure(null);
    try {
      const c = await createCampaign(programmeId, {
        name: name.trim(),
        period: period.trim(),
        dueAt: new Date(`${due}T23:59:59`).toISOString(),
        projects: projectIds.map((projectId) => ({ projectId, indicatorIds })),
      });
      onCreated(c);
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" mb="md">
      {opts.state.status === 'loading' && <Loading />}
      {opts.state.status === 'error' && <ErrorAlert error={opts.state.error} onRetry={opts.reload} />}
      {opts.state.data && (
        <form
          aria-label={t('observatory.staff.form.label')}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack gap="sm" maw={720}>
            <TextInput
              label={t('observatory.staff.form.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              required
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <TextInput
                label={t('observatory.staff.form.period')}
                description={t('observatory.staff.form.periodHint')}
                value={period}
                onChange={(e) => setPeriod(e.currentTarget.value)}
                error={errors.period}
                required
              />
              <TextInput
                type="date"
                label={t('observatory.staff.form.due')}
                value={due}
                onChange={(e) => setDue(e.currentTarget.value)}
                error={errors.due}
                required
              />
            </SimpleGrid>
            <MultiSelect
              label={t('observatory.staff.form.projects')}
              description={t('observatory.staff.form.projectsHint')}
              data={opts.state.data.projects.map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))}
              value={projectIds}
              onChange={setProjectIds}
              searchable
              error={errors.projects}
              required
              hidePickedOptions
              maxDropdownHeight={240}
            />
            <MultiSelect
              label={t('observatory.staff.form.indicators')}
              description={t('observatory.staff.form.indicatorsHint')}
              data={opts.state.data.indicators.map((i) => ({
                value: i.id,
                label: `${nameIn(lang, i)} (${i.code})`,
              }))}
              value={indicatorIds}
              onChange={setIndicatorIds}
              searchable
              error={errors.indicators}
              required
              hidePickedOptions
              maxDropdownHeight={240}
            />
            {failure && <ErrorAlert error={failure} />}
            <Group>
              <Button type="submit" loading={busy}>
                {t('observatory.staff.form.create')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {t('observatory.staff.form.after')}
            </Text>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
