import { Alert, Button, Group } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/http';
import type { ProjectStatus, ResponseStatus } from '../../api/observatory';

/** The name of a bilingual object in the current language. */
export const nameIn = (lang: string | undefined, o: { nameFr: string; nameEn: string }) =>
  lang === 'en' ? o.nameEn : o.nameFr;

export function formatNumber(lang: string | undefined, v: number | null | undefined, unit?: string | null) {
  if (v === null || v === undefined) return '–';
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v);
  if (!unit) return n;
  return unit === '%' ? `${n} %` : `${n} ${unit}`;
}

export function formatMoney(lang: string | undefined, v: number | null | undefined) {
  if (v === null || v === undefined) return '–';
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency: 'EUR',
    notation: v >= 1_000_000 ? 'compact' : 'standard',
    maximumFractionDigits: v >= 1_000_000 ? 1 : 0,
  }).format(v);
}

export function formatDate(lang: string | undefined, iso: string | null | undefined, withTime = false) {
  if (!iso) return '–';
  const d = new Date(iso);
  return withTime
    ? d.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' })
    : d.toLocaleDateString(lang, { dateStyle: 'medium' });
}

/** Accessible names of a Pagination's controls: previous, next, "page n". */
export function pagerProps(t: TFunction) {
  return {
    getControlProps: (c: string) => ({
      'aria-label':
        c === 'previous'
          ? t('observatory.previousPage')
          : c === 'next'
            ? t('observatory.nextPage')
            : undefined,
    }),
    getItemProps: (p: number) => ({ 'aria-label': t('observatory.pageN', { page: p }) }),
  };
}

/** An API error in plain words: what happened, by status, then the server's detail. */
export function errorText(t: TFunction, err: Error): string {
  if (err instanceof ApiError) {
    const known = [400, 401, 403, 404, 409, 413, 415, 422] as const;
    const s = known.find((k) => k === err.status);
    const head = s ? t(`observatory.errors.${s}`) : t('observatory.errors.other', { status: err.status });
    const detail = err.problem?.detail;
    return detail ? `${head} (${detail})` : head;
  }
  if (err.name === 'TypeError') return t('observatory.errors.network');
  return err.message;
}

export function ErrorAlert({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" variant="light" role="alert">
      <Group justify="space-between" wrap="wrap">
        <span>{errorText(t, error)}</span>
        {onRetry && (
          <Button size="xs" variant="outline" color="red" onClick={onRetry}>
            {t('observatory.retry')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}

/** A status with a shape as well as a colour (never colour alone): ● ongoing, ▲ delayed, ✓ completed... */
const STATUS_MARK: Record<ProjectStatus, string> = {
  planned: '○',
  ongoing: '●',
  delayed: '▲',
  completed: '✓',
  cancelled: '✕',
};

export function ProjectStatusText({ status }: { status: ProjectStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`obs-status obs-status--${status}`}>
      <span aria-hidden="true">{STATUS_MARK[status] ?? '•'} </span>
      {t(`observatory.projectStatus.${status}`)}
    </span>
  );
}

const RESPONSE_MARK: Record<ResponseStatus, string> = {
  pending: '○',
  draft: '◐',
  submitted: '●',
  approved: '✓',
  returned: '↩',
};

export function ResponseStatusText({ status }: { status: ResponseStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`obs-status obs-response--${status}`}>
      <span aria-hidden="true">{RESPONSE_MARK[status] ?? '•'} </span>
      {t(`observatory.responseStatus.${status}`)}
    </span>
  );
}
