import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { TFunction } from 'i18next';
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type ApiKey,
  addMember,
  changeMemberRole,
  createApiKey,
  createOrganisation,
  listApiKeys,
  listAudit,
  listMembers,
  listOrganisations,
  ORG_KINDS,
  type Organisation,
  type OrgKind,
  organisationDirectory,
  removeMember,
  revokeApiKey,
  SCOPES,
  type Scope,
} from '../../api/admin';
import { useData } from '../../api/useData';
import { type Me, type OrgRole, useAuth } from '../../auth/AuthContext';
import { RequireAuth } from '../../auth/RequireAuth';
import { ConfirmButton } from '../../components/ConfirmButton';
import { PageTitle } from '../../components/PageTitle';
import { messageOf, Pager } from '../catalog/parts';

const PAGE = 20;
const ROLES: OrgRole[] = ['member', 'editor', 'admin'];

interface Flash {
  ok: boolean;
  text: string;
}

function FlashMessage({ flash }: { flash: Flash | null }) {
  return (
    <div aria-live="polite">
      {flash && (
        <Alert
          color={flash.ok ? 'green' : 'red'}
          variant="light"
          role={flash.ok ? 'status' : 'alert'}
          mb="sm"
        >
          {flash.text}
        </Alert>
      )}
    </div>
  );
}

function LoadError({ error }: { error?: Error }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert" mb="sm">
      {t('admin.error', { message: error.message })}
    </Alert>
  );
}

function Organisations({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrgKind>('start-up');
  const [website, setWebsite] = useState('');
  const [flash, setFlash] = useState<Flash | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFlash(null);
    try {
      const o = await createOrganisation({
        slug: slug.trim(),
        name: name.trim(),
        kind,
        ...(website.trim() ? { website: website.trim() } : {}),
      });
      setFlash({ ok: true, text: t('admin.orgs.created', { name: o.name }) });
      setSlug('');
      setName('');
      setWebsite('');
      reload();
      onCreated();
    } catch (err) {
      setFlash({ ok: false, text: t('admin.actionError', { message: messageOf(err) }) });
    } finally {
      setBusy(false);
    }
  };
  const [offset, setOffset] = useState(0);
  const load = useCallback(
    (signal: AbortSignal) => listOrganisations({ limit: PAGE, offset }, signal),
    [offset],
  );
  const { state, reload } = useData(load);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the page changes
  useEffect(() => reload(), [load]);
  const data = state.data;
  return (
    <>
      <LoadError error={state.error} />
      <FlashMessage flash={flash} />
      {!data ? (
        <Skeleton height={120} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={560}>
            <Table captionSide="top" striped fz="sm" data-testid="organisations">
              <Table.Caption>{t('admin.orgs.caption', { count: data.total })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('admin.orgs.name')}</Table.Th>
                  <Table.Th scope="col">{t('admin.orgs.kind')}</Table.Th>
                  <Table.Th scope="col">{t('admin.orgs.slug')}</Table.Th>
                  <Table.Th scope="col">{t('admin.orgs.website')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Th scope="row" fw={400}>
                      {o.name}
                    </Table.Th>
                    <Table.Td>{t(`admin.orgs.kinds.${o.kind}`)}</Table.Td>
                    <Table.Td>
                      <Code>{o.slug}</Code>
                    </Table.Td>
                    <Table.Td>
                      {o.website ? (
                        <Anchor href={o.website} rel="noopener noreferrer" className="break-all">
                          {o.website.replace(/^https?:\/\//, '')}
                        </Anchor>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager offset={offset} limit={PAGE} total={data.total} onChange={setOffset} />
        </>
      )}
      <Paper withBorder p="md" maw={640} mt="md">
        <form onSubmit={create} aria-labelledby="create-org-title">
          <Title order={3} size="h4" id="create-org-title" mb="xs">
            {t('admin.orgs.create')}
          </Title>
          <Stack gap="sm">
            <TextInput
              label={t('admin.orgs.createName')}
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              label={t('admin.orgs.createSlug')}
              required
              pattern="[a-z0-9][a-z0-9\-]{1,62}"
              value={slug}
              onChange={(e) => setSlug(e.currentTarget.value)}
            />
            <NativeSelect
              label={t('admin.orgs.createKind')}
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as OrgKind)}
              data={ORG_KINDS.map((k) => ({ value: k, label: t(`admin.orgs.kinds.${k}`) }))}
            />
            <TextInput
              label={t('admin.orgs.createWebsite')}
              type="url"
              value={website}
              onChange={(e) => setWebsite(e.currentTarget.value)}
            />
            <Group>
              <Button type="submit" loading={busy}>
                {t('admin.orgs.createSubmit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </>
  );
}

function Members({ org }: { org: Organisation }) {
  const { t, i18n } = useTranslation();
  const [offset, setOffset] = useState(0);
  const load = useCallback(
    (signal: AbortSignal) => listMembers(org.id, { limit: PAGE, offset }, signal),
    [org.id, offset],
  );
  const { state, reload } = useData(load);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the organisation or page changes
  useEffect(() => reload(), [load]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const [flash, setFlash] = useState<Flash | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const roleName = (r: OrgRole) => t(`admin.members.roles.${r}`);

  const run = async (f: () => Promise<string>) => {
    setBusy(true);
    setFlash(null);
    try {
      setFlash({ ok: true, text: await f() });
      reload();
    } catch (err) {
      setFlash({ ok: false, text: t('admin.actionError', { message: messageOf(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const r = await addMember(org.id, email.trim(), role);
      setEmail('');
      const vars = { email: r.email, role: roleName(role) };
      return 'userId' in r ? t('admin.members.added', vars) : t('admin.members.invited', vars);
    });
  };

  const data = state.data;
  return (
    <Stack gap="md">
      <LoadError error={state.error} />
      <FlashMessage flash={flash} />
      {!data ? (
        <Skeleton height={120} />
      ) : (
        <div>
          <Table.ScrollContainer minWidth={620}>
            <Table captionSide="top" striped fz="sm" data-testid="members">
              <Table.Caption>
                {t('admin.members.caption', { org: org.name, count: data.total })}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('admin.members.name')}</Table.Th>
                  <Table.Th scope="col">{t('admin.members.email')}</Table.Th>
                  <Table.Th scope="col">{t('admin.members.role')}</Table.Th>
                  <Table.Th scope="col">{t('admin.members.since')}</Table.Th>
                  <Table.Th scope="col">{t('admin.members.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((m) => (
                  <Table.Tr key={m.userId}>
                    <Table.Th scope="row" fw={400}>
                      {m.name}
                    </Table.Th>
                    <Table.Td className="break-all">{m.email}</Table.Td>
                    <Table.Td>
                      <NativeSelect
                        aria-label={t('admin.members.roleOf', { name: m.name })}
                        size="xs"
                        value={m.role}
                        disabled={busy}
                        onChange={(e) => {
                          const r = e.currentTarget.value as OrgRole;
                          run(async () => {
                            await changeMemberRole(org.id, m.userId, r);
                            return t('admin.members.changed', { name: m.name, role: roleName(r) });
                          });
                        }}
                        data={ROLES.map((r) => ({ value: r, label: roleName(r) }))}
                      />
                    </Table.Td>
                    <Table.Td>{new Date(m.since).toLocaleDateString(i18n.resolvedLanguage)}</Table.Td>
                    <Table.Td>
                      <ConfirmButton
                        label={t('admin.members.remove')}
                        ariaLabel={t('admin.members.removeLabel', { name: m.name })}
                        confirmLabel={t('admin.members.removeConfirm')}
                        cancelLabel={t('admin.members.keep')}
                        confirming={confirming === m.userId}
                        onConfirmingChange={(on) => setConfirming(on ? m.userId : null)}
                        onConfirm={() =>
                          run(async () => {
                            await removeMember(org.id, m.userId);
                            setConfirming(null);
                            return t('admin.members.removed', { name: m.name });
                          })
                        }
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager offset={offset} limit={PAGE} total={data.total} onChange={setOffset} />
        </div>
      )}
      <Paper withBorder p="md" maw={640}>
        <form onSubmit={add} aria-labelledby="add-member-title">
          <Title order={3} size="h4" id="add-member-title" mb="xs">
            {t('admin.members.add')}
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label={t('admin.members.addEmail')}
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              style={{ flex: '1 1 14rem' }}
            />
            <NativeSelect
              label={t('admin.members.addRole')}
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as OrgRole)}
              data={ROLES.map((r) => ({ value: r, label: roleName(r) }))}
            />
            <Button type="submit" loading={busy}>
              {t('admin.members.addSubmit')}
            </Button>
          </Group>
        </form>
      </Paper>
    </Stack>
  );
}

function keyState(k: ApiKey, t: TFunction, lang?: string): string {
  if (k.revokedAt) return t('admin.keys.revoked', { date: new Date(k.revokedAt).toLocaleDateString(lang) });
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return t('admin.keys.expired');
  return t('admin.keys.active');
}

function ApiKeys({ org }: { org: Organisation }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const [offset, setOffset] = useState(0);
  const load = useCallback(
    (signal: AbortSignal) => listApiKeys(org.id, { limit: PAGE, offset }, signal),
    [org.id, offset],
  );
  const { state, reload } = useData(load);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the organisation or page changes
  useEffect(() => reload(), [load]);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['broker:read', 'catalog:read']);
  const [expiry, setExpiry] = useState('');
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [flash, setFlash] = useState<Flash | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const fmt = (s: string | null, none: string) => (s ? new Date(s).toLocaleDateString(lang) : none);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setFlash(null);
    if (scopes.length === 0) {
      setFlash({ ok: false, text: t('admin.keys.scopeRequired') });
      return;
    }
    setBusy(true);
    try {
      // The key works until the end of the chosen day (UTC).
      const expiresAt = expiry ? new Date(`${expiry}T23:59:59Z`).toISOString() : undefined;
      const k = await createApiKey(org.id, { name: name.trim(), scopes: scopes as Scope[], expiresAt });
      setSecret({ name: k.name, key: k.key });
      setName('');
      setExpiry('');
      reload();
    } catch (err) {
      setFlash({ ok: false, text: t('admin.actionError', { message: messageOf(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ApiKey) => {
    setBusy(true);
    setFlash(null);
    try {
      await revokeApiKey(org.id, k.id);
      setConfirming(null);
      setFlash({ ok: true, text: t('admin.keys.revokedDone', { name: k.name }) });
      reload();
    } catch (err) {
      setFlash({ ok: false, text: t('admin.actionError', { message: messageOf(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const data = state.data;
  return (
    <Stack gap="md">
      <LoadError error={state.error} />
      <FlashMessage flash={flash} />
      {secret && (
        <Alert color="green" variant="light" role="status">
          <Stack gap="xs">
            <Text fw={700}>{t('admin.keys.secretTitle', { name: secret.name })}</Text>
            <Text size="sm">{t('admin.keys.secretText')}</Text>
            <TextInput
              label={t('admin.keys.secretLabel')}
              value={secret.key}
              readOnly
              onFocus={(e) => e.currentTarget.select()}
              data-testid="api-key-secret"
              styles={{ input: { fontFamily: 'monospace' } }}
            />
            <Group gap="xs">
              <CopyButton value={secret.key}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="outline" onClick={copy}>
                    {copied ? t('admin.keys.copied') : t('admin.keys.copy')}
                  </Button>
                )}
              </CopyButton>
              <Button size="xs" variant="default" onClick={() => setSecret(null)}>
                {t('admin.keys.hide')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {!data ? (
        <Skeleton height={120} />
      ) : data.total === 0 ? (
        <Text>{t('admin.keys.none')}</Text>
      ) : (
        <div>
          <Table.ScrollContainer minWidth={760}>
            <Table captionSide="top" striped fz="sm" data-testid="api-keys">
              <Table.Caption>{t('admin.keys.caption', { org: org.name, count: data.total })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('admin.keys.name')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.prefix')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.scopes')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.created')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.expires')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.lastUsed')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.state')}</Table.Th>
                  <Table.Th scope="col">{t('admin.keys.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((k) => (
                  <Table.Tr key={k.id} data-revoked={k.revokedAt ? 'true' : 'false'}>
                    <Table.Th scope="row" fw={400}>
                      {k.name}
                    </Table.Th>
                    <Table.Td>
                      <Code>{k.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>{k.scopes.join(', ')}</Table.Td>
                    <Table.Td>{fmt(k.createdAt, '')}</Table.Td>
                    <Table.Td>{fmt(k.expiresAt, t('admin.keys.noExpiry'))}</Table.Td>
                    <Table.Td>{fmt(k.lastUsedAt, t('admin.keys.never'))}</Table.Td>
                    <Table.Td>{keyState(k, t, lang)}</Table.Td>
                    <Table.Td>
                      {!k.revokedAt && (
                        <ConfirmButton
                          label={t('admin.keys.revoke')}
                          ariaLabel={t('admin.keys.revokeLabel', { name: k.name })}
                          confirmLabel={t('admin.keys.revokeConfirm')}
                          cancelLabel={t('admin.keys.keep')}
                          confirming={confirming === k.id}
                          onConfirmingChange={(on) => setConfirming(on ? k.id : null)}
                          onConfirm={() => revoke(k)}
                          loading={busy}
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager offset={offset} limit={PAGE} total={data.total} onChange={setOffset} />
        </div>
      )}
      <Paper withBorder p="md" maw={720}>
        <form onSubmit={create} aria-labelledby="create-key-title">
          <Title order={3} size="h4" id="create-key-title" mb="xs">
            {t('admin.keys.create')}
          </Title>
          <Stack gap="sm">
            <TextInput
              label={t('admin.keys.createName')}
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Checkbox.Group label={t('admin.keys.createScopes')} value={scopes} onChange={setScopes}>
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing={6} mt={6}>
                {SCOPES.map((s) => (
                  <Checkbox key={s} value={s} label={s} />
                ))}
              </SimpleGrid>
            </Checkbox.Group>
            <TextInput
              type="date"
              label={t('admin.keys.createExpiry')}
              value={expiry}
              onChange={(e) => setExpiry(e.currentTarget.value)}
              maw={240}
            />
            <Group>
              <Button type="submit" loading={busy}>
                {t('admin.keys.createSubmit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}

function AuditLog({ orgs }: { orgs: Map<string, Organisation> | undefined }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const [offset, setOffset] = useState(0);
  const [event, setEvent] = useState('');
  const [orgId, setOrgId] = useState('');
  const [filter, setFilter] = useState<{ event?: string; orgId?: string }>({});
  const load = useCallback(
    (signal: AbortSignal) => listAudit({ limit: PAGE, offset, ...filter }, signal),
    [offset, filter],
  );
  const { state, reload } = useData(load);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the page or filter changes
  useEffect(() => reload(), [load]);
  const data = state.data;
  // Newest first: each entry's prevHash is the hash of the next row.
  const links = useMemo(() => {
    if (!data || filter.event || filter.orgId) return undefined;
    let ok = 0;
    let broken: number | undefined;
    for (let i = 0; i + 1 < data.items.length; i++) {
      const a = data.items[i];
      const b = data.items[i + 1];
      if (a.seq !== b.seq + 1) continue;
      if (a.prevHash === b.hash) ok++;
      else broken ??= a.seq;
    }
    return { ok, total: Math.max(0, data.items.length - 1), broken };
  }, [data, filter]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setFilter({ event: event.trim() || undefined, orgId: orgId || undefined });
  };

  const actor = (a: string | null) => a ?? '—';
  return (
    <Stack gap="md">
      <form onSubmit={apply} aria-label={t('admin.audit.apply')}>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label={t('admin.audit.filterEvent')}
            description={t('admin.audit.filterEventHelp')}
            value={event}
            onChange={(e) => setEvent(e.currentTarget.value)}
            style={{ flex: '1 1 12rem' }}
            maw={320}
          />
          <NativeSelect
            label={t('admin.audit.filterOrg')}
            value={orgId}
            onChange={(e) => setOrgId(e.currentTarget.value)}
            data={[
              { value: '', label: t('admin.audit.allOrgs') },
              ...[...(orgs?.values() ?? [])].map((o) => ({ value: o.id, label: o.name })),
            ]}
            style={{ flex: '1 1 12rem' }}
            maw={320}
          />
          <Button type="submit">{t('admin.audit.apply')}</Button>
        </Group>
      </form>
      <LoadError error={state.error} />
      {links && (
        <Text size="sm" data-testid="audit-chain">
          {links.broken !== undefined
            ? t('admin.audit.chainBroken', { seq: links.broken })
            : t('admin.audit.chain', { ok: links.ok, total: links.total })}
        </Text>
      )}
      {!data ? (
        <Skeleton height={160} />
      ) : data.total === 0 ? (
        <Text>{t('admin.audit.none')}</Text>
      ) : (
        <div>
          <Table.ScrollContainer minWidth={760}>
            <Table captionSide="top" striped fz="sm" data-testid="audit">
              <Table.Caption>{t('admin.audit.caption', { count: data.total })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('admin.audit.seq')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.at')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.event')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.outcome')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.actor')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.filterOrg')}</Table.Th>
                  <Table.Th scope="col">{t('admin.audit.detail')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((a) => (
                  <Table.Tr key={a.seq}>
                    <Table.Th scope="row" fw={400}>
                      {a.seq}
                    </Table.Th>
                    <Table.Td>{new Date(a.at).toLocaleString(lang)}</Table.Td>
                    <Table.Td>
                      <Code>{a.event}</Code>
                    </Table.Td>
                    <Table.Td>{t(`admin.audit.outcomes.${a.outcome}`)}</Table.Td>
                    <Table.Td className="break-all">{actor(a.actor)}</Table.Td>
                    <Table.Td>{a.orgId ? (orgs?.get(a.orgId)?.name ?? a.orgId) : '—'}</Table.Td>
                    <Table.Td className="break-all">
                      <Text size="xs" ff="monospace">
                        {JSON.stringify(a.detail)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager offset={offset} limit={PAGE} total={data.total} onChange={setOffset} />
        </div>
      )}
    </Stack>
  );
}

const canAdminister = (me: Me) => me.user.platformAdmin || me.memberships.some((m) => m.role === 'admin');

function AdminContent() {
  const { t } = useTranslation();
  const auth = useAuth();
  const me = auth.me as Me;
  const platform = me.user.platformAdmin;
  const dir = useData(organisationDirectory);
  const managed = useMemo(() => {
    const all = [...(dir.state.data?.values() ?? [])];
    return platform
      ? all
      : all.filter((o) => me.memberships.some((m) => m.orgId === o.id && m.role === 'admin'));
  }, [dir.state.data, platform, me]);
  const [chosen, setChosen] = useState('');
  const org = managed.find((o) => o.id === chosen) ?? managed[0];
  const [tab, setTab] = useState<string | null>(platform ? 'orgs' : 'members');

  const orgPicker = org && (
    <NativeSelect
      label={t('admin.org')}
      value={org.id}
      onChange={(e) => setChosen(e.currentTarget.value)}
      data={managed.map((o) => ({ value: o.id, label: o.name }))}
      maw={420}
      mb="md"
    />
  );

  return (
    <Tabs value={tab} onChange={setTab} keepMounted={false}>
      <Tabs.List aria-label={t('admin.tabs')} mb="md">
        {platform && <Tabs.Tab value="orgs">{t('admin.orgs.tab')}</Tabs.Tab>}
        <Tabs.Tab value="members">{t('admin.members.tab')}</Tabs.Tab>
        <Tabs.Tab value="keys">{t('admin.keys.tab')}</Tabs.Tab>
        {platform && <Tabs.Tab value="audit">{t('admin.audit.tab')}</Tabs.Tab>}
      </Tabs.List>
      {platform && (
        <Tabs.Panel value="orgs">
          <Organisations onCreated={dir.reload} />
        </Tabs.Panel>
      )}
      <Tabs.Panel value="members">
        <LoadError error={dir.state.error} />
        {orgPicker}
        {org ? <Members key={org.id} org={org} /> : <Skeleton height={80} />}
      </Tabs.Panel>
      <Tabs.Panel value="keys">
        <LoadError error={dir.state.error} />
        {orgPicker}
        {org ? <ApiKeys key={org.id} org={org} /> : <Skeleton height={80} />}
      </Tabs.Panel>
      {platform && (
        <Tabs.Panel value="audit">
          <AuditLog orgs={dir.state.data} />
        </Tabs.Panel>
      )}
    </Tabs>
  );
}

/** Administration: organisations, members, API keys and the audit log (platform or organisation administrators). */
export default function AdminPage() {
  const { t } = useTranslation();
  return (
    <RequireAuth title={t('admin.title')} allow={canAdminister}>
      <Stack gap="md">
        <div>
          <PageTitle>{t('admin.title')}</PageTitle>
          <Text maw={820}>{t('admin.intro')}</Text>
        </div>
        <AdminContent />
      </Stack>
    </RequireAuth>
  );
}
