import {
  Alert,
  Anchor,
  Button,
  Group,
  List,
  Paper,
  Skeleton,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import {
  type Community,
  feedPath,
  getCommunity,
  joinCommunity,
  leaveCommunity,
  listEvents,
  listMembers,
  type Member,
} from '../../api/innovation';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { PageTitle } from '../../components/PageTitle';
import {
  ErrorAlert,
  EventList,
  FeedAddress,
  IP,
  NotLoaded,
  Pager,
  problemText,
  SignInPrompt,
} from './common';

const EVENTS = 5;

/** Join (or ask to join) and leave; the person's current status when the server lets them read it. */
function Membership({ community, onChange }: { community: Community; onChange: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  const userId = auth.me?.user.id;
  const [status, setStatus] = useState<Member['status'] | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // Active members (and coordinators) may read the member list: that tells whether the person is one.
  useEffect(() => {
    setStatus(null);
    if (!userId) return;
    const ctl = new AbortController();
    listMembers(community.id, { limit: 500, offset: 0 }, ctl.signal).then(
      (p) => {
        const m = p.items.find((x) => x.userId === userId);
        if (m) setStatus(m.status);
      },
      () => undefined, // not a member: nothing to show
    );
    return () => ctl.abort();
  }, [community.id, userId]);

  if (auth.status === 'loading') return null;
  if (!userId) return <SignInPrompt action={t('innovation.community.toJoin')} />;

  const join = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const m = await joinCommunity(community.id, message.trim() || undefined);
      setStatus(m.status);
      setMessage('');
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const leave = async () => {
    setBusy(true);
    setError(null);
    try {
      await leaveCommunity(community.id, userId);
      setStatus(null);
      setNotice(t('innovation.community.left'));
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <div role="status">
        {status === 'active' && <Text fw={600}>{t('innovation.community.active')}</Text>}
        {status === 'pending' && <Text fw={600}>{t('innovation.community.pending')}</Text>}
        {status === 'declined' && <Text>{t('innovation.community.declined')}</Text>}
        {notice && <Text>{notice}</Text>}
      </div>
      {error != null && (
        <Alert color="red" variant="light" role="alert">
          {problemText(error, t)}
        </Alert>
      )}
      {(status === null || status === 'declined') && (
        <form onSubmit={join} aria-labelledby="inv-join">
          <Stack gap="sm" maw={560}>
            {community.joinPolicy === 'approval' && (
              <Textarea
                label={t('innovation.community.message')}
                value={message}
                onChange={(e) => setMessage(e.currentTarget.value)}
                maxLength={2000}
                autosize
                minRows={2}
              />
            )}
            <Group>
              <Button type="submit" loading={busy}>
                {community.joinPolicy === 'open'
                  ? t('innovation.community.joinButton')
                  : t('innovation.community.askButton')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {(status === 'active' || status === 'pending') && (
        <Group>
          <Button variant="default" onClick={leave} loading={busy}>
            {t('innovation.community.leave')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function CommunityEvents({ communityId }: { communityId: string }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [from] = useState(() => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    return d.toISOString();
  });
  const load = useCallback(
    (signal: AbortSignal) => listEvents({ limit: EVENTS, offset, from, communityId }, signal),
    [offset, from, communityId],
  );
  const { state, reload } = useData(load);
  const data = state.data;
  return (
    <section aria-labelledby="inv-c-events">
      <Title order={2} id="inv-c-events" mb="sm">
        {t('innovation.community.events')}
      </Title>
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      {!data && state.status === 'loading' && <Skeleton height={100} aria-hidden="true" />}
      {data && data.items.length === 0 && <Text>{t('innovation.home.agendaNone')}</Text>}
      {data && data.items.length > 0 && <EventList events={data.items} />}
      {data && (
        <Pager
          total={data.total}
          limit={EVENTS}
          offset={offset}
          onChange={(o) => {
            setOffset(o);
            reload();
          }}
          what={t('innovation.community.events')}
        />
      )}
      <div style={{ marginTop: 'var(--mantine-spacing-md)' }}>
        <FeedAddress path={feedPath(communityId)} label={t('innovation.event.feed')} />
      </div>
    </section>
  );
}

/** A community of practice: description, coordinators, members, its events, joining. */
export default function CommunityPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const load = useCallback((signal: AbortSignal) => getCommunity(id, signal), [id]);
  const { state, reload } = useData(load);
  const c = state.data;

  if (!c) return <NotLoaded error={state.error} onRetry={reload} />;

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to={IP.home} size="sm">
          {t('innovation.back')}
        </Anchor>
        <PageTitle>{c.name}</PageTitle>
        <Text size="lg" maw={820}>
          {c.description}
        </Text>
      </div>
      <Paper withBorder p="md" component="section" aria-labelledby="inv-c-facts">
        <Title order={2} size="h3" id="inv-c-facts" className="sr-only">
          {t('innovation.community.about')}
        </Title>
        <dl className="inv-facts">
          <div>
            <dt>{t('innovation.community.coordinators')}</dt>
            <dd>
              {c.coordinators.length === 0 ? (
                t('innovation.community.noCoordinator')
              ) : (
                <List listStyleType="none" spacing={2}>
                  {c.coordinators.map((p) => (
                    <List.Item key={p.userId}>{p.name}</List.Item>
                  ))}
                </List>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('innovation.community.members')}</dt>
            <dd data-testid="members-count">{t('innovation.home.members', { count: c.members })}</dd>
          </div>
          <div>
            <dt>{t('innovation.community.policy')}</dt>
            <dd>
              {c.joinPolicy === 'open'
                ? t('innovation.home.policyOpen')
                : t('innovation.home.policyApproval')}
            </dd>
          </div>
        </dl>
      </Paper>
      <section aria-labelledby="inv-join">
        <Title order={2} id="inv-join" mb="sm">
          {t('innovation.community.join')}
        </Title>
        <Membership community={c} onChange={reload} />
      </section>
      <CommunityEvents communityId={c.id} />
    </Stack>
  );
}
