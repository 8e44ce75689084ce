import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http';
import {
  cancelRegistration,
  eventIcsPath,
  feedPath,
  getEvent,
  type HubEvent,
  myRegistration,
  type Registration,
  register,
} from '../../api/innovation';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { FeedAddress, IP, NotLoaded, problemText, SignInPrompt, seatsLeft, useFormat } from './common';

/** Register, join the waiting list, cancel; the person's registration and waiting-list position. */
function RegistrationBox({ event, onChange }: { event: HubEvent; onChange: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  const userId = auth.me?.user.id;
  const [reg, setReg] = useState<Registration | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setReg(null);
    setLoaded(false);
    if (!userId) return;
    const ctl = new AbortController();
    myRegistration(event.id, ctl.signal).then(
      (r) => {
        setReg(r);
        setLoaded(true);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        if (!(err instanceof ApiError && err.status === 404)) setError(err);
        setLoaded(true);
      },
    );
    return () => ctl.abort();
  }, [event.id, userId]);

  if (auth.status === 'loading') return null;
  if (!userId) return <SignInPrompt action={t('innovation.event.toRegister')} />;
  if (!loaded) return <Loading />;

  const ended = Date.parse(event.endsAt) < Date.now();
  const closed = event.status === 'cancelled' || ended;
  const left = seatsLeft(event);
  const active = reg && reg.status !== 'cancelled' ? reg : null;

  const act = async (what: 'register' | 'cancel') => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      if (what === 'register') setReg(await register(event.id));
      else {
        await cancelRegistration(event.id);
        setReg(null);
        setNotice(t('innovation.event.youCancelled'));
      }
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <div role="status" data-testid="registration-status">
        {active?.status === 'registered' && <Text fw={600}>{t('innovation.event.youAreRegistered')}</Text>}
        {active?.status === 'waitlisted' && (
          <Text fw={600}>
            {t('innovation.event.youAreWaitlisted', { position: active.waitlistPosition ?? '?' })}
          </Text>
        )}
        {!active && <Text>{notice ?? t('innovation.event.notRegistered')}</Text>}
      </div>
      {error != null && (
        <Alert color="red" variant="light" role="alert">
          {problemText(error, t)}
        </Alert>
      )}
      <Group>
        {active ? (
          <Button variant="default" onClick={() => act('cancel')} loading={busy}>
            {t('innovation.event.cancel')}
          </Button>
        ) : closed ? (
          <Text>{t('innovation.event.closed')}</Text>
        ) : (
          <Button onClick={() => act('register')} loading={busy}>
            {left === 0 ? t('innovation.event.joinWaitlist') : t('innovation.event.register')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** An event: date, place, capacity and seats left, registration, calendar links. */
export default function EventPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const { id = '' } = useParams();
  const load = useCallback((signal: AbortSignal) => getEvent(id, signal), [id]);
  const { state, reload } = useData(load);
  const e = state.data;

  if (!e) return <NotLoaded error={state.error} onRetry={reload} />;
  const left = seatsLeft(e);

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to={e.communityId ? IP.community(e.communityId) : IP.home} size="sm">
          {e.communityName ?? t('innovation.back')}
        </Anchor>
        <PageTitle>{e.title}</PageTitle>
        {e.status === 'cancelled' && (
          <Alert color="red" variant="light" mb="sm">
            {t('innovation.event.cancelled')}
          </Alert>
        )}
      </div>
      <Paper withBorder p="md" component="section" aria-labelledby="inv-e-facts">
        <Title order={2} size="h3" id="inv-e-facts" mb="sm">
          {t('innovation.event.details')}
        </Title>
        <dl className="inv-facts">
          <div>
            <dt>{t('innovation.event.when')}</dt>
            <dd>
              <time dateTime={e.startsAt}>{f.range(e.startsAt, e.endsAt)}</time>
            </dd>
          </div>
          {e.location && (
            <div>
              <dt>{t('innovation.event.where')}</dt>
              <dd>{e.location}</dd>
            </div>
          )}
          <div>
            <dt>{t('innovation.event.community')}</dt>
            <dd>{e.communityName ?? t('innovation.event.programme')}</dd>
          </div>
          <div>
            <dt>{t('innovation.event.capacity')}</dt>
            <dd>{e.capacity === null ? t('innovation.event.unlimited') : f.number(e.capacity)}</dd>
          </div>
          {left !== null && (
            <div>
              <dt>{t('innovation.event.seatsLeft')}</dt>
              <dd data-testid="seats-left">
                {left === 0
                  ? t('innovation.event.full')
                  : t('innovation.event.seatsLeftValue', { count: left })}
              </dd>
            </div>
          )}
          <div>
            <dt>{t('innovation.event.registered')}</dt>
            <dd data-testid="registered-count">{f.number(e.registered)}</dd>
          </div>
          <div>
            <dt>{t('innovation.event.waitlisted')}</dt>
            <dd>{f.number(e.waitlisted)}</dd>
          </div>
        </dl>
        {e.url && (
          <Text mt="sm">
            <Anchor href={e.url} rel="noopener noreferrer">
              {t('innovation.event.link')}
            </Anchor>
          </Text>
        )}
      </Paper>
      {e.description && (
        <section aria-labelledby="inv-e-about">
          <Title order={2} id="inv-e-about" mb="sm">
            {t('innovation.event.description')}
          </Title>
          <Text maw={820} style={{ whiteSpace: 'pre-wrap' }}>
            {e.description}
          </Text>
        </section>
      )}
      <section aria-labelledby="inv-e-reg">
        <Title order={2} id="inv-e-reg" mb="sm">
          {t('innovation.event.registration')}
        </Title>
        <RegistrationBox event={e} onChange={reload} />
      </section>
      <section aria-labelledby="inv-e-cal">
        <Title order={2} id="inv-e-cal" mb="sm">
          {t('innovation.event.calendar')}
        </Title>
        <Stack gap="md" maw={720}>
          <Text>
            <Anchor href={eventIcsPath(e.id)} download={`event-${e.id}.ics`} data-testid="ics-link">
              {t('innovation.event.ics')}
            </Anchor>
          </Text>
          <FeedAddress
            path={feedPath(e.communityId ?? undefined)}
            label={e.communityId ? t('innovation.event.feed') : t('innovation.event.feedProgramme')}
          />
        </Stack>
      </section>
    </Stack>
  );
}
