import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ApiError } from '../../api/http';
import type { HubEvent } from '../../api/innovation';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import './innovation.css';

/** Client paths of the innovation hub's pages. */
export const IP = {
  home: '/innovation',
  community: (id: string) => `/innovation/communities/${id}`,
  event: (id: string) => `/innovation/events/${id}`,
  call: (id: string) => `/innovation/calls/${id}`,
  review: (id: string) => `/innovation/calls/${id}/review`,
  partners: '/innovation/partners',
  partner: (id: string) => `/innovation/partners/${id}`,
  practices: '/innovation/practices',
  practice: (id: string) => `/innovation/practices/${id}`,
};

/** Labels of values the server keeps open (sectors): a translation when there is one, else the slug. */
export function useLabels() {
  const { t, i18n } = useTranslation();
  return {
    sector: (s: string) =>
      i18n.exists(`innovation.sectors.${s}`)
        ? t(`innovation.sectors.${s}` as 'innovation.sectors.digital')
        : s.replace(/-/g, ' '),
  };
}

/** An API error in plain words (the server's detail, in English, is kept for what it adds). */
export function problemText(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    const detail = err.problem?.detail ?? err.problem?.title ?? `HTTP ${err.status}`;
    if (err.status === 401) return t('innovation.errors.unauthorized');
    if (err.status === 403) return t('innovation.errors.forbidden');
    if (err.status === 404) return t('innovation.errors.notFound');
    if (err.status === 400) return t('innovation.errors.invalid', { detail });
    if (err.status === 409 || err.status === 422) return t('innovation.errors.refused', { detail });
    return t('innovation.errors.other', { detail });
  }
  if (err instanceof TypeError) return t('innovation.errors.network');
  return t('innovation.errors.other', { detail: err instanceof Error ? err.message : String(err) });
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" variant="light" role="alert">
      <Group justify="space-between" gap="xs">
        <span>{problemText(error, t)}</span>
        {onRetry && (
          <Button size="xs" variant="outline" color="red" onClick={onRetry}>
            {t('innovation.retry')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}

/**
 * What a detail page shows until its data is there: the loader, or after a failure a title, the error (with
 * "try again" unless the thing does not exist) and a link back.
 */
export function NotLoaded({
  error,
  onRetry,
  title,
  back = IP.home,
  backLabel,
}: {
  /** The load error; none while loading. */
  error: Error | undefined;
  onRetry: () => void;
  /** The page title after a failure; the hub's by default. */
  title?: string;
  /** Where the link goes back to, and its text; the hub's home by default. */
  back?: string;
  backLabel?: string;
}) {
  const { t } = useTranslation();
  if (!error) return <Loading />;
  return (
    <Stack>
      <PageTitle>{title ?? t('innovation.title')}</PageTitle>
      <ErrorAlert
        error={error}
        onRetry={error instanceof ApiError && error.status === 404 ? undefined : onRetry}
      />
      <Anchor component={Link} to={back}>
        {backLabel ?? t('innovation.back')}
      </Anchor>
    </Stack>
  );
}

/** Dates in the reader's language, at Le Havre's time. */
export function useFormat() {
  const { i18n } = useTranslation();
  const lang = i18n.resolvedLanguage ?? 'fr';
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(lang, {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: 'Europe/Paris',
    });
    const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'Europe/Paris' });
    const time = new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone: 'Europe/Paris' });
    const sameDay = (a: Date, b: Date) => date.format(a) === date.format(b);
    return {
      dateTime: (s: string) => dateTime.format(new Date(s)),
      date: (s: string) => date.format(new Date(s)),
      time: (d: Date) => time.format(d),
      /** "lundi 7 décembre 2026 à 16:00 – 18:00", or two full dates when it spans days. */
      range: (start: string, end: string) => {
        const a = new Date(start);
        const b = new Date(end);
        return `${dateTime.format(a)} – ${sameDay(a, b) ? time.format(b) : dateTime.format(b)}`;
      },
      percent: (x: number) => new Intl.NumberFormat(lang, { style: 'percent' }).format(x),
      number: (x: number) => new Intl.NumberFormat(lang).format(x),
    };
  }, [lang]);
}

/** Previous / next pages of a long list, with "page n of m" (nothing when it all fits on one page). */
export function Pager({
  total,
  limit,
  offset,
  onChange,
  what,
}: {
  total: number;
  limit: number;
  offset: number;
  onChange: (offset: number) => void;
  what: string;
}) {
  const { t } = useTranslation();
  if (total <= limit) return null;
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.ceil(total / limit);
  return (
    <Group component="nav" aria-label={t('innovation.pager', { what })} gap="sm" mt="sm">
      <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onChange(offset - limit)}>
        {t('innovation.previous')}
      </Button>
      <Text size="sm" aria-live="polite">
        {t('innovation.pageOf', { page, pages })}
      </Text>
      <Button variant="default" size="xs" disabled={page >= pages} onClick={() => onChange(offset + limit)}>
        {t('innovation.next')}
      </Button>
    </Group>
  );
}

/** A link to the sign-in page that comes back here. */
export function SignInPrompt({ action }: { action: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  const next = encodeURIComponent(location.pathname + location.search);
  return (
    <Text>
      <Anchor component={Link} to={`/signin?next=${next}`}>
        {t('innovation.signInTo', { action })}
      </Anchor>
    </Text>
  );
}

/** A read-only address to copy into a calendar application. */
export function FeedAddress({ path, label }: { path: string; label: string }) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={label}
      description={t('innovation.home.feedHelp')}
      value={`${window.location.origin}${path}`}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      data-testid="feed-address"
    />
  );
}

export function seatsLeft(e: HubEvent): number | null {
  return e.capacity === null ? null : Math.max(0, e.capacity - e.registered);
}

/** The agenda: events as a list of cards (date, title, community, place, seats). */
export function EventList({ events, headingLevel = 3 }: { events: HubEvent[]; headingLevel?: 3 | 4 }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Stack component="ol" gap="sm" className="inv-list">
      {events.map((e) => {
        const left = seatsLeft(e);
        return (
          <Paper component="li" withBorder p="md" key={e.id} data-testid="event-item">
            <Text size="sm" fw={600} c="dimmed">
              <time dateTime={e.startsAt}>{f.range(e.startsAt, e.endsAt)}</time>
            </Text>
            <Title order={headingLevel} size="h4" my={4}>
              <Anchor component={Link} to={IP.event(e.id)}>
                {e.title}
              </Anchor>
            </Title>
            <Group gap="xs" wrap="wrap">
              <Text size="sm">{e.communityName ?? t('innovation.event.programme')}</Text>
              {e.location && <Text size="sm">· {e.location}</Text>}
              {e.status === 'cancelled' ? (
                <Badge color="red.9" variant="filled">
                  {t('innovation.event.cancelledBadge')}
                </Badge>
              ) : (
                left !== null && (
                  <Badge color={left === 0 ? 'dark' : 'harbour'} variant="filled">
                    {left === 0
                      ? t('innovation.event.full')
                      : t('innovation.event.seatsLeftValue', { count: left })}
                  </Badge>
                )
              )}
            </Group>
          </Paper>
        );
      })}
    </Stack>
  );
}
