import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  List,
  NativeSelect,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { type Organisation, organisationDirectory } from '../../api/admin';
import {
  type Agreement,
  type Dataset,
  type Distribution,
  getDataset,
  listAgreements,
  pick,
  requestAgreement,
  sampleEntities,
} from '../../api/catalog';
import { ApiError } from '../../api/http';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { PageTitle } from '../../components/PageTitle';
import { ROUTES } from '../../routes';
import { AccessBadge, messageOf } from './parts';
import { plainPolicy, policyPurposes } from './policyText';

const OTHER = '__other__';

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="meta-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'type' in v && 'coordinates' in v) {
    const c = (v as { coordinates: unknown }).coordinates;
    return Array.isArray(c) && typeof c[0] === 'number'
      ? `${(v as { type: string }).type} ${c.join(', ')}`
      : String((v as { type: string }).type);
  }
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

/** A few entities of an NGSI-LD distribution, as far as the caller may read them. */
function Sample({ dist }: { dist: Distribution }) {
  const { t } = useTranslation();
  const type = dist.entityType ?? '';
  const load = useCallback(
    (signal: AbortSignal) => sampleEntities(type, dist.attributes, signal),
    [type, dist.attributes],
  );
  const { state } = useData(load);
  if (state.status === 'loading') return <Skeleton height={60} />;
  if (state.status === 'error')
    return (
      <Text size="sm" c="dimmed">
        {t('catalog.dataset.sampleError', { type, message: state.error.message })}
      </Text>
    );
  const rows = state.data;
  if (!rows.length) return <Text size="sm">{t('catalog.dataset.sampleNone', { type })}</Text>;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))]
    .filter((k) => k !== 'id' && k !== 'type' && k !== '@context')
    .slice(0, 6);
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped captionSide="top" fz="sm" data-testid={`sample-${type}`}>
        <Table.Caption>{t('catalog.dataset.sampleCaption', { type })}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">id</Table.Th>
            {cols.map((c) => (
              <Table.Th scope="col" key={c}>
                {c}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={String(r.id)}>
              <Table.Th scope="row" fw={400} className="break-all">
                {String(r.id)}
              </Table.Th>
              {cols.map((c) => (
                <Table.Td key={c}>{cell(r[c])}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The policy in plain words, then the JSON for those who want it. */
function PolicyView({ policy, orgs }: { policy: Record<string, unknown>; orgs?: Map<string, Organisation> }) {
  const { t, i18n } = useTranslation();
  const plain = useMemo(
    () =>
      plainPolicy(policy, t, {
        lang: i18n.resolvedLanguage ?? 'fr',
        orgName: (urn) => orgs?.get(urn.replace(/^urn:uuid:/, ''))?.name,
      }),
    [policy, t, i18n.resolvedLanguage, orgs],
  );
  const group = (title: string, rules: typeof plain.permissions, kind: string) =>
    rules.length > 0 && (
      <div data-testid={`policy-${kind}`}>
        <Title order={3} size="h4" mb={4}>
          {title}
        </Title>
        <List spacing="xs" mb="sm">
          {rules.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity but their order
            <List.Item key={i}>
              <Text fw={600}>{r.text}</Text>
              {r.conditions.length > 0 && (
                <>
                  <Text size="sm">{t('catalog.policy.conditions')}</Text>
                  <List size="sm" withPadding>
                    {r.conditions.map((c) => (
                      <List.Item key={c}>{c}</List.Item>
                    ))}
                  </List>
                </>
              )}
              {r.duties.length > 0 && (
                <>
                  <Text size="sm">{t('catalog.policy.duties')}</Text>
                  <List size="sm" withPadding>
                    {r.duties.map((c) => (
                      <List.Item key={c}>{c}</List.Item>
                    ))}
                  </List>
                </>
              )}
            </List.Item>
          ))}
        </List>
      </div>
    );
  return (
    <Stack gap="xs" data-testid="policy">
      {group(t('catalog.policy.permissions'), plain.permissions, 'permissions')}
      {group(t('catalog.policy.prohibitions'), plain.prohibitions, 'prohibitions')}
      {group(t('catalog.policy.obligations'), plain.obligations, 'obligations')}
      <details>
        <summary>{t('catalog.dataset.policyJson')}</summary>
        <Code block mt="xs" className="policy-json">
          {JSON.stringify(policy, null, 2)}
        </Code>
      </details>
    </Stack>
  );
}

/** "Ask for access" for a restricted dataset: the organisation and the purpose, then POST an agreement request. */
function AccessRequest({ dataset, orgs }: { dataset: Dataset; orgs?: Map<string, Organisation> }) {
  const { t, i18n } = useTranslation();
  const auth = useAuth();
  const me = auth.me;
  const editorOrgs = useMemo(
    () =>
      me
        ? me.memberships.filter((m) => m.role !== 'member' && m.orgId !== dataset.orgId).map((m) => m.orgId)
        : [],
    [me, dataset.orgId],
  );
  const purposes = useMemo(() => policyPurposes(dataset.policy), [dataset.policy]);
  const [open, setOpen] = useState(false);
  const [orgId, setOrgId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<Agreement | null>(null);
  const loadMine = useCallback(
    async (signal: AbortSignal) => {
      if (!me) return [];
      const page = await listAgreements({ limit: 100 }, signal);
      return page.items.filter((a) => a.datasetId === dataset.id);
    },
    [me, dataset.id],
  );
  const mine = useData(loadMine);
  const orgName = (id: string) => orgs?.get(id)?.name ?? id;
  const purposeLabel = (p: string) =>
    t(`catalog.policy.purposes.${p}` as 'catalog.policy.purposes.research', { defaultValue: p });

  if (!me) {
    return (
      <Anchor
        component={Link}
        to={`${ROUTES.signIn}?next=${encodeURIComponent(`${ROUTES.catalog}/${dataset.id}`)}`}
      >
        {t('catalog.request.signIn')}
      </Anchor>
    );
  }
  if (me.memberships.some((m) => m.orgId === dataset.orgId))
    return <Text>{t('catalog.request.ownOrg')}</Text>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const chosen = purpose === OTHER || purposes.length === 0 ? other.trim() : purpose;
      const a = await requestAgreement(
        dataset.id,
        orgId && free.includes(orgId) ? orgId : free[0],
        chosen || undefined,
      );
      setSent(a);
      setOpen(false);
      mine.reload();
    } catch (err) {
      setError(t('catalog.request.error', { message: messageOf(err) }));
    } finally {
      setBusy(false);
    }
  };

  const existing = mine.state.data ?? [];
  // An organisation with a request or an agreement under way does not ask again.
  const free = editorOrgs.filter(
    (o) => !existing.some((a) => a.consumerOrgId === o && a.state !== 'TERMINATED'),
  );
  return (
    <Stack gap="sm">
      <Text>{t('catalog.request.intro')}</Text>
      {existing.length > 0 && (
        <div>
          <Text fw={600} size="sm">
            {t('catalog.request.existing')}
          </Text>
          <List size="sm" data-testid="my-agreements">
            {existing.map((a) => (
              <List.Item key={a.id}>
                {t('catalog.request.existingItem', {
                  org: orgName(a.consumerOrgId),
                  state: t(`catalog.states.${a.state}`),
                })}{' '}
                ({new Date(a.requestedAt).toLocaleDateString(i18n.resolvedLanguage)})
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {sent && (
        <Alert color="green" variant="light" role="status">
          {t('catalog.request.sent', { state: t(`catalog.states.${sent.state}`) })}{' '}
          <Anchor component={Link} to={`${ROUTES.catalog}/mine`}>
            {t('catalog.request.mine')}
          </Anchor>
        </Alert>
      )}
      {error && (
        <Alert color="red" variant="light" role="alert">
          {error}
        </Alert>
      )}
      {editorOrgs.length === 0 ? (
        <Text size="sm">{t('catalog.request.notEditor')}</Text>
      ) : free.length === 0 ? null : !open ? (
        <Group>
          <Button onClick={() => setOpen(true)}>{t('catalog.request.open')}</Button>
        </Group>
      ) : (
        <Paper withBorder p="md" maw={560}>
          <form onSubmit={submit} aria-label={t('catalog.request.title')}>
            <Stack gap="sm">
              <NativeSelect
                label={t('catalog.request.org')}
                value={orgId && free.includes(orgId) ? orgId : free[0]}
                onChange={(e) => setOrgId(e.currentTarget.value)}
                data={free.map((id) => ({ value: id, label: orgName(id) }))}
              />
              {purposes.length > 0 && (
                <NativeSelect
                  label={t('catalog.request.purpose')}
                  value={purpose || purposes[0]}
                  onChange={(e) => setPurpose(e.currentTarget.value)}
                  data={[
                    ...purposes.map((p) => ({ value: p, label: purposeLabel(p) })),
                    { value: OTHER, label: t('catalog.request.purposeOther') },
                  ]}
                />
              )}
              {(purposes.length === 0 || purpose === OTHER) && (
                <TextInput
                  label={t('catalog.request.purposeText')}
                  value={other}
                  onChange={(e) => setOther(e.currentTarget.value)}
                  maxLength={200}
                  required
                />
              )}
              <Group>
                <Button type="submit" loading={busy}>
                  {t('catalog.request.submit')}
                </Button>
                <Button variant="default" onClick={() => setOpen(false)}>
                  {t('catalog.request.cancel')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}

/** One dataset: metadata, distributions, a sample of the data, the policy in plain words, asking for access. */
export default function DatasetPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const auth = useAuth();
  const load = useCallback((signal: AbortSignal) => getDataset(id, signal), [id]);
  const { state } = useData(load);
  const orgs = useData(organisationDirectory);
  const d = state.data;

  // The same heading element throughout (loading, error, content): it keeps the focus given on navigation.
  const header = (title: string, extra?: ReactNode) => (
    <div>
      <Anchor component={Link} to={ROUTES.catalog} size="sm">
        {t('catalog.dataset.back')}
      </Anchor>
      <PageTitle>{title}</PageTitle>
      {extra}
    </div>
  );

  if (state.status === 'loading' || auth.status === 'loading') {
    return (
      <Stack gap="lg">
        {header(t('catalog.title'))}
        <Skeleton height={200} />
      </Stack>
    );
  }
  if (!d) {
    const err = state.error;
    const unauth = err instanceof ApiError && err.status === 401;
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 400);
    return (
      <Stack gap="lg">
        {header(t('catalog.title'))}
        <Alert color="red" variant="light" role="alert" maw={760}>
          {unauth
            ? t('catalog.dataset.signInToSee')
            : missing
              ? t('catalog.dataset.notFound')
              : t('catalog.error', { message: messageOf(err) })}
        </Alert>
        {unauth && (
          <Anchor
            component={Link}
            to={`${ROUTES.signIn}?next=${encodeURIComponent(`${ROUTES.catalog}/${id}`)}`}
          >
            {t('auth.signIn')}
          </Anchor>
        )}
      </Stack>
    );
  }

  const fmtDate = (s: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(new Date(s));
  const publisher = orgs.state.data?.get(d.orgId)?.name ?? '…';
  const money = (price: number | undefined, currency = 'EUR') =>
    new Intl.NumberFormat(lang, { style: 'currency', currency }).format(price ?? 0);
  const ngsi = d.distributions.filter((x) => x.kind === 'ngsi-ld' && x.entityType);
  const mayRead = d.access !== 'restricted' || (auth.me && (auth.me.user.platformAdmin || auth.can(d.orgId)));

  return (
    <Stack gap="lg">
      {header(
        pick(d.title, lang),
        <>
          <Group gap="xs" mb="sm">
            <AccessBadge access={d.access} />
            <Text size="sm">{t(`catalog.accessHelp.${d.access}`)}</Text>
          </Group>
          <Text maw={820} style={{ whiteSpace: 'pre-line' }}>
            {pick(d.description, lang)}
          </Text>
        </>,
      )}

      <section aria-labelledby="meta-title">
        <Title order={2} size="h3" id="meta-title" mb="xs">
          {t('catalog.dataset.metadata')}
        </Title>
        <dl className="meta-list" data-testid="metadata">
          <Meta label={t('catalog.dataset.publisher')}>{publisher}</Meta>
          <Meta label={t('catalog.dataset.license')}>
            {d.license ? (
              <Anchor href={d.license} rel="noopener noreferrer" className="break-all">
                {d.license}
              </Anchor>
            ) : (
              t('catalog.dataset.none')
            )}
          </Meta>
          <Meta label={t('catalog.dataset.themes')}>
            {d.themes.length
              ? new Intl.ListFormat(lang, { type: 'unit' }).format(
                  d.themes.map((x) => t(`catalog.themes.${x}` as 'catalog.themes.TRAN', { defaultValue: x })),
                )
              : t('catalog.dataset.none')}
          </Meta>
          <Meta label={t('catalog.dataset.keywords')}>
            {d.keywords.length ? (
              <Group gap={4} component="span">
                {d.keywords.map((k) => (
                  <Badge key={k} variant="outline" color="dark" tt="none">
                    {k}
                  </Badge>
                ))}
              </Group>
            ) : (
              t('catalog.dataset.none')
            )}
          </Meta>
          <Meta label={t('catalog.dataset.spatial')}>
            {d.spatial?.name ??
              (d.spatial?.geometry ? t('catalog.dataset.definedArea') : t('catalog.dataset.none'))}
          </Meta>
          <Meta label={t('catalog.dataset.temporal')}>
            {d.temporal?.start && d.temporal.end
              ? t('catalog.dataset.temporalRange', {
                  start: fmtDate(d.temporal.start),
                  end: fmtDate(d.temporal.end),
                })
              : d.temporal?.start
                ? t('catalog.dataset.temporalFrom', { start: fmtDate(d.temporal.start) })
                : t('catalog.dataset.none')}
          </Meta>
          <Meta label={t('catalog.dataset.frequency')}>
            {d.frequency
              ? t(`catalog.frequencies.${d.frequency}` as 'catalog.frequencies.CONT', {
                  defaultValue: d.frequency,
                })
              : t('catalog.dataset.none')}
          </Meta>
          {d.plan && (
            <Meta label={t('catalog.dataset.plan')}>
              {t(`catalog.dataset.plans.${d.plan.kind}`, { price: money(d.plan.price, d.plan.currency) })}
            </Meta>
          )}
          {d.contact && (
            <Meta label={t('catalog.dataset.contact')}>
              {d.contact.url ? (
                <Anchor href={d.contact.url} rel="noopener noreferrer">
                  {d.contact.name}
                </Anchor>
              ) : (
                d.contact.name
              )}
              {d.contact.email && (
                <>
                  {' '}
                  (<Anchor href={`mailto:${d.contact.email}`}>{d.contact.email}</Anchor>)
                </>
              )}
            </Meta>
          )}
          <Meta label={t('catalog.dataset.modified')}>{fmtDate(d.modified)}</Meta>
        </dl>
      </section>

      <section aria-labelledby="policy-title">
        <Title order={2} size="h3" id="policy-title" mb="xs">
          {t('catalog.dataset.policy')}
        </Title>
        {d.policy ? (
          <PolicyView policy={d.policy} orgs={orgs.state.data} />
        ) : (
          <Text>{t('catalog.dataset.noPolicy')}</Text>
        )}
      </section>

      {d.access === 'restricted' && (
        <section aria-labelledby="request-title">
          <Title order={2} size="h3" id="request-title" mb="xs">
            {t('catalog.request.title')}
          </Title>
          <AccessRequest dataset={d} orgs={orgs.state.data} />
        </section>
      )}

      <section aria-labelledby="dist-title">
        <Title order={2} size="h3" id="dist-title" mb="xs">
          {t('catalog.dataset.distributions')}
        </Title>
        {d.distributions.length === 0 ? (
          <Text>{t('catalog.dataset.noDistributions')}</Text>
        ) : (
          <Stack gap="sm">
            {d.distributions.map((x) => {
              const title = pick(x.title, lang);
              return (
                <Paper withBorder p="md" key={x.id}>
                  <Title order={3} size="h5">
                    {title ||
                      (x.kind === 'ngsi-ld'
                        ? t('catalog.dataset.ngsi', { type: x.entityType })
                        : t(`catalog.dataset.${x.kind}`))}
                  </Title>
                  {x.kind === 'ngsi-ld' ? (
                    <>
                      <Text size="sm">{t('catalog.dataset.ngsi', { type: x.entityType })}</Text>
                      {x.attributes?.length ? (
                        <Text size="sm" className="break-word">
                          {t('catalog.dataset.attributes', { list: x.attributes.join(', ') })}
                        </Text>
                      ) : null}
                      <Anchor
                        size="sm"
                        href={`/ngsi-ld/v1/entities?type=${encodeURIComponent(x.entityType ?? '')}`}
                      >
                        {t('catalog.dataset.apiLink')}
                      </Anchor>
                    </>
                  ) : (
                    x.url && (
                      <Anchor size="sm" href={x.url} rel="noopener noreferrer" className="break-all">
                        {x.format ? `${x.format} — ` : ''}
                        {x.url}
                      </Anchor>
                    )
                  )}
                </Paper>
              );
            })}
          </Stack>
        )}
      </section>

      {ngsi.length > 0 && (
        <section aria-labelledby="sample-title">
          <Title order={2} size="h3" id="sample-title" mb="xs">
            {t('catalog.dataset.sample')}
          </Title>
          {mayRead || auth.me ? (
            <Stack gap="md">
              {d.access === 'restricted' && !mayRead && (
                <Text size="sm">{t('catalog.dataset.sampleRestricted')}</Text>
              )}
              {ngsi.map((x) => (
                <Sample key={x.id} dist={x} />
              ))}
            </Stack>
          ) : (
            <Text size="sm">{t('catalog.dataset.sampleRestricted')}</Text>
          )}
        </section>
      )}
    </Stack>
  );
}
