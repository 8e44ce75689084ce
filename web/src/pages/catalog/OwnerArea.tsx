import {
  Alert,
  Anchor,
  Button,
  Group,
  NativeSelect,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { organisationDirectory } from '../../api/admin';
import {
  type Agreement,
  agreeAgreement,
  type Dataset,
  finalizeAgreement,
  getDataset,
  getStatement,
  listAgreements,
  pick,
  type Statement,
  type StatementLine,
  searchDatasets,
  terminateAgreement,
} from '../../api/catalog';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { RequireAuth } from '../../auth/RequireAuth';
import { ConfirmButton } from '../../components/ConfirmButton';
import { PageTitle } from '../../components/PageTitle';
import { ROUTES } from '../../routes';
import { AccessBadge, messageOf, Pager } from './parts';

const PAGE = 10;

/** The last months, newest first, as YYYY-MM. */
function recentMonths(n: number): string[] {
  const now = new Date();
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

interface Flash {
  ok: boolean;
  text: string;
}

function OwnerContent() {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const auth = useAuth();
  const me = auth.me;
  const orgs = useData(organisationDirectory);
  const myOrgIds = useMemo(() => {
    const ids = me?.memberships.map((m) => m.orgId) ?? [];
    if (ids.length === 0 && me?.user.platformAdmin && orgs.state.data) return [...orgs.state.data.keys()];
    return ids;
  }, [me, orgs.state.data]);
  const [chosen, setChosen] = useState('');
  const orgId = chosen && myOrgIds.includes(chosen) ? chosen : (myOrgIds[0] ?? '');
  const orgName = useCallback((id: string) => orgs.state.data?.get(id)?.name ?? '…', [orgs.state.data]);
  const editor = orgId ? auth.can(orgId, 'editor') : false;

  // Datasets of the organisation (server-side pages).
  const [dsOffset, setDsOffset] = useState(0);
  const loadDatasets = useCallback(
    (signal: AbortSignal) =>
      orgId
        ? searchDatasets({ publisher: [orgId], offset: dsOffset, limit: PAGE }, signal)
        : Promise.resolve(undefined),
    [orgId, dsOffset],
  );
  const datasets = useData(loadDatasets);

  // Agreements of the organisation, either side (read in full: pages are cut here).
  const loadAgreements = useCallback(
    async (signal: AbortSignal) => {
      if (!orgId) return { items: [] as Agreement[], titles: new Map<string, Dataset>() };
      const items: Agreement[] = [];
      for (let offset = 0; offset < 1000; offset += 100) {
        const page = await listAgreements({ limit: 100, offset }, signal);
        items.push(...page.items);
        if (offset + page.items.length >= page.total || page.items.length === 0) break;
      }
      const mine = items.filter((a) => a.providerOrgId === orgId || a.consumerOrgId === orgId);
      const titles = new Map<string, Dataset>();
      await Promise.all(
        [...new Set(mine.map((a) => a.datasetId))].map(async (id) => {
          try {
            titles.set(id, await getDataset(id, signal));
          } catch {
            // a dataset the caller no longer sees: its id stands in for the title
          }
        }),
      );
      return { items: mine, titles };
    },
    [orgId],
  );
  const agreements = useData(loadAgreements);

  const months = useMemo(() => recentMonths(6), []);
  const [month, setMonth] = useState(months[0]);
  const loadStatement = useCallback(
    (signal: AbortSignal) => (orgId ? getStatement(orgId, month, signal) : Promise.resolve(undefined)),
    [orgId, month],
  );
  const statement = useData(loadStatement);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the loaders change with the organisation and pages
  useEffect(() => datasets.reload(), [loadDatasets]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: idem
  useEffect(() => agreements.reload(), [loadAgreements]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: idem
  useEffect(() => statement.reload(), [loadStatement]);

  const [flash, setFlash] = useState<Flash | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [reqOffset, setReqOffset] = useState(0);
  const [agOffset, setAgOffset] = useState(0);

  const title = (a: Agreement) => {
    const d = agreements.state.data?.titles.get(a.datasetId);
    return d ? pick(d.title, lang) : a.datasetId;
  };
  const act = async (a: Agreement, what: 'agree' | 'refuse' | 'finalize' | 'terminate') => {
    setBusy(`${what}:${a.id}`);
    setFlash(null);
    try {
      if (what === 'agree') await agreeAgreement(a.id);
      else if (what === 'finalize') await finalizeAgreement(a.id);
      else await terminateAgreement(a.id, what === 'refuse' ? t('catalog.owner.refuseReason') : undefined);
      const org = orgName(a.consumerOrgId);
      setFlash({
        ok: true,
        text:
          what === 'agree'
            ? t('catalog.owner.agreed', { org })
            : what === 'refuse'
              ? t('catalog.owner.refused', { org })
              : what === 'finalize'
                ? t('catalog.owner.finalized')
                : t('catalog.owner.terminated'),
      });
      setConfirming(null);
      agreements.reload();
    } catch (err) {
      setFlash({ ok: false, text: t('catalog.owner.actionError', { message: messageOf(err) }) });
    } finally {
      setBusy(null);
    }
  };

  if (!me) return null;
  if (myOrgIds.length === 0) {
    return orgs.state.status === 'loading' ? (
      <Skeleton height={80} />
    ) : (
      <Text>{t('catalog.owner.noOrg')}</Text>
    );
  }

  const all = agreements.state.data?.items ?? [];
  const requests = all.filter((a) => a.providerOrgId === orgId && a.state === 'REQUESTED');
  const fmt = (s?: string) => (s ? new Date(s).toLocaleDateString(lang) : '');
  const money = (n: number, currency: string) =>
    new Intl.NumberFormat(lang, { style: 'currency', currency }).format(n);
  const name = orgName(orgId);
  const loadError = datasets.state.error ?? agreements.state.error ?? statement.state.error;

  const lines = (kind: 'revenue' | 'consumption', s: Statement) => {
    const part = s[kind];
    const currency = part.lines[0]?.currency ?? 'EUR';
    return (
      <section aria-labelledby={`${kind}-title`}>
        <Title order={3} size="h4" id={`${kind}-title`} mb={4}>
          {t(`catalog.owner.${kind}`, { org: name })}
        </Title>
        {part.lines.length === 0 ? (
          <Text size="sm">{t('catalog.owner.noLines')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table captionSide="top" striped fz="sm" data-testid={`statement-${kind}`}>
              <Table.Caption>
                {t(`catalog.owner.${kind}Caption`, {
                  org: name,
                  month: s.month,
                  total: money(part.total, currency),
                })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('catalog.owner.columns.dataset')}</Table.Th>
                  <Table.Th scope="col">{t('catalog.owner.columns.counterparty')}</Table.Th>
                  <Table.Th scope="col">{t('catalog.owner.columns.plan')}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('catalog.owner.columns.calls')}
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('catalog.owner.columns.amount')}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {part.lines.map((l: StatementLine) => (
                  <Table.Tr key={l.agreement}>
                    <Table.Th scope="row" fw={400}>
                      {(() => {
                        const d = agreements.state.data?.titles.get(l.dataset);
                        return d ? pick(d.title, lang) : l.datasetTitle;
                      })()}
                    </Table.Th>
                    <Table.Td>{orgName(l.counterparty)}</Table.Td>
                    <Table.Td>{l.plan}</Table.Td>
                    <Table.Td ta="right">{new Intl.NumberFormat(lang).format(l.calls)}</Table.Td>
                    <Table.Td ta="right">{money(l.amount, l.currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </section>
    );
  };

  return (
    <Stack gap="xl">
      {myOrgIds.length > 1 && (
        <NativeSelect
          label={t('catalog.owner.org')}
          value={orgId}
          onChange={(e) => {
            setChosen(e.currentTarget.value);
            setDsOffset(0);
            setReqOffset(0);
            setAgOffset(0);
          }}
          data={myOrgIds.map((id) => ({ value: id, label: orgName(id) }))}
          maw={420}
        />
      )}
      {loadError && (
        <Alert color="red" variant="light" role="alert">
          {t('catalog.owner.error', { message: loadError.message })}
        </Alert>
      )}
      <div aria-live="polite">
        {flash && (
          <Alert color={flash.ok ? 'green' : 'red'} variant="light" role={flash.ok ? 'status' : 'alert'}>
            {flash.text}
          </Alert>
        )}
      </div>

      <section aria-labelledby="requests-title">
        <Title order={2} size="h3" id="requests-title" mb="xs">
          {t('catalog.owner.requests')}
        </Title>
        {!agreements.state.data ? (
          <Skeleton height={60} />
        ) : requests.length === 0 ? (
          <Text>{t('catalog.owner.noRequests')}</Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={560}>
              <Table captionSide="top" striped fz="sm" data-testid="requests">
                <Table.Caption>
                  {t('catalog.owner.requestsCaption', { org: name, count: requests.length })}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('catalog.owner.columns.dataset')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.consumer')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.purpose')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.requested')}</Table.Th>
                    {editor && <Table.Th scope="col">{t('catalog.owner.columns.actions')}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {requests.slice(reqOffset, reqOffset + PAGE).map((a) => {
                    const vars = { org: orgName(a.consumerOrgId), dataset: title(a) };
                    return (
                      <Table.Tr key={a.id}>
                        <Table.Th scope="row" fw={400}>
                          <Anchor component={Link} to={`${ROUTES.catalog}/${a.datasetId}`}>
                            {title(a)}
                          </Anchor>
                        </Table.Th>
                        <Table.Td>{vars.org}</Table.Td>
                        <Table.Td>
                          {a.purpose
                            ? t(
                                `catalog.policy.purposes.${a.purpose}` as 'catalog.policy.purposes.research',
                                {
                                  defaultValue: a.purpose,
                                },
                              )
                            : '—'}
                        </Table.Td>
                        <Table.Td>{fmt(a.requestedAt)}</Table.Td>
                        {editor && (
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button
                                size="xs"
                                aria-label={t('catalog.owner.agreeLabel', vars)}
                                loading={busy === `agree:${a.id}`}
                                onClick={() => act(a, 'agree')}
                              >
                                {t('catalog.owner.agree')}
                              </Button>
                              <Button
                                size="xs"
                                variant="outline"
                                color="red.9"
                                aria-label={t('catalog.owner.refuseLabel', vars)}
                                loading={busy === `refuse:${a.id}`}
                                onClick={() => act(a, 'refuse')}
                              >
                                {t('catalog.owner.refuse')}
                              </Button>
                            </Group>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager offset={reqOffset} limit={PAGE} total={requests.length} onChange={setReqOffset} />
          </>
        )}
      </section>

      <section aria-labelledby="agreements-title">
        <Title order={2} size="h3" id="agreements-title" mb="xs">
          {t('catalog.owner.agreements')}
        </Title>
        {!agreements.state.data ? (
          <Skeleton height={60} />
        ) : all.length === 0 ? (
          <Text>{t('catalog.owner.noAgreements')}</Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table captionSide="top" striped fz="sm" data-testid="agreements">
                <Table.Caption>
                  {t('catalog.owner.agreementsCaption', { org: name, count: all.length })}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('catalog.owner.columns.dataset')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.role', { org: name })}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.counterparty')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.state')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.requested')}</Table.Th>
                    {editor && <Table.Th scope="col">{t('catalog.owner.columns.actions')}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {all.slice(agOffset, agOffset + PAGE).map((a) => {
                    const provider = a.providerOrgId === orgId;
                    const vars = { dataset: title(a) };
                    return (
                      <Table.Tr key={a.id} data-state={a.state}>
                        <Table.Th scope="row" fw={400}>
                          <Anchor component={Link} to={`${ROUTES.catalog}/${a.datasetId}`}>
                            {title(a)}
                          </Anchor>
                        </Table.Th>
                        <Table.Td>
                          {provider ? t('catalog.owner.asProvider') : t('catalog.owner.asConsumer')}
                        </Table.Td>
                        <Table.Td>{orgName(provider ? a.consumerOrgId : a.providerOrgId)}</Table.Td>
                        <Table.Td>{t(`catalog.states.${a.state}`)}</Table.Td>
                        <Table.Td>{fmt(a.requestedAt)}</Table.Td>
                        {editor && (
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              {!provider && a.state === 'AGREED' && (
                                <Button
                                  size="xs"
                                  aria-label={t('catalog.owner.finalizeLabel', vars)}
                                  loading={busy === `finalize:${a.id}`}
                                  onClick={() => act(a, 'finalize')}
                                >
                                  {t('catalog.owner.finalize')}
                                </Button>
                              )}
                              {a.state !== 'TERMINATED' && (
                                <ConfirmButton
                                  label={t('catalog.owner.terminate')}
                                  ariaLabel={t('catalog.owner.terminateLabel', vars)}
                                  confirmLabel={t('catalog.owner.terminateConfirm')}
                                  cancelLabel={t('catalog.owner.terminateCancel')}
                                  confirming={confirming === a.id}
                                  onConfirmingChange={(on) => setConfirming(on ? a.id : null)}
                                  onConfirm={() => act(a, 'terminate')}
                                  loading={busy === `terminate:${a.id}`}
                                  grouped={false}
                                />
                              )}
                            </Group>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager offset={agOffset} limit={PAGE} total={all.length} onChange={setAgOffset} />
          </>
        )}
      </section>

      <section aria-labelledby="datasets-title">
        <Title order={2} size="h3" id="datasets-title" mb="xs">
          {t('catalog.owner.datasets', { org: name })}
        </Title>
        {!datasets.state.data ? (
          <Skeleton height={60} />
        ) : datasets.state.data.total === 0 ? (
          <Text>{t('catalog.owner.noDatasets')}</Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={480}>
              <Table captionSide="top" striped fz="sm" data-testid="owner-datasets">
                <Table.Caption>
                  {t('catalog.owner.datasetsCaption', { org: name, count: datasets.state.data.total })}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('catalog.owner.columns.title')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.access')}</Table.Th>
                    <Table.Th scope="col">{t('catalog.owner.columns.modified')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {datasets.state.data.items.map((d) => (
                    <Table.Tr key={d.id}>
                      <Table.Th scope="row" fw={400}>
                        <Anchor component={Link} to={`${ROUTES.catalog}/${d.id}`}>
                          {pick(d.title, lang)}
                        </Anchor>
                      </Table.Th>
                      <Table.Td>
                        <AccessBadge access={d.access} />
                      </Table.Td>
                      <Table.Td>{fmt(d.modified)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager offset={dsOffset} limit={PAGE} total={datasets.state.data.total} onChange={setDsOffset} />
          </>
        )}
      </section>

      <section aria-labelledby="usage-title">
        <Title order={2} size="h3" id="usage-title" mb="xs">
          {t('catalog.owner.usage')}
        </Title>
        <NativeSelect
          label={t('catalog.owner.month')}
          value={month}
          onChange={(e) => setMonth(e.currentTarget.value)}
          data={months.map((m) => ({
            value: m,
            label: new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
              new Date(`${m}-01T00:00:00Z`),
            ),
          }))}
          maw={260}
          mb="sm"
        />
        {/* Dataset titles in the reader's language come with the agreements: wait for both. */}
        {statement.state.status === 'loading' || agreements.state.status === 'loading' ? (
          <Skeleton height={60} />
        ) : statement.state.status === 'ok' && !statement.state.data ? (
          <Text>{t('catalog.owner.noStatements')}</Text>
        ) : statement.state.data ? (
          <Stack gap="md">
            {lines('revenue', statement.state.data)}
            {lines('consumption', statement.state.data)}
          </Stack>
        ) : null}
      </section>
    </Stack>
  );
}

/** The provider's area: its organisations' datasets, incoming requests, agreements, usage and revenue. */
export default function OwnerArea() {
  const { t } = useTranslation();
  return (
    <RequireAuth title={t('catalog.owner.title')}>
      <Stack gap="md">
        <div>
          <Anchor component={Link} to={ROUTES.catalog} size="sm">
            {t('catalog.dataset.back')}
          </Anchor>
          <PageTitle>{t('catalog.owner.title')}</PageTitle>
          <Text maw={820}>{t('catalog.owner.intro')}</Text>
        </div>
        <OwnerContent />
      </Stack>
    </RequireAuth>
  );
}
