import {
  Alert,
  Anchor,
  Button,
  Group,
  NumberInput,
  Paper,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http';
import {
  type Application,
  type Call,
  declareConflict,
  getCall,
  type MyReview,
  reviewQueue,
  saveReview,
  weightedTotal,
} from '../../api/innovation';
import { useData } from '../../api/useData';
import { RequireAuth } from '../../auth/RequireAuth';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, IP, Pager, problemText, useFormat } from './common';

const PAGE = 5;

function answerText(v: unknown, yes: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'boolean') return v ? yes : '—';
  return String(v);
}

/** One application of the queue: its answers, the score form, the conflict declaration. */
function ReviewItem({
  call,
  app,
  myReview,
  canScore,
  onConflict,
}: {
  call: Call;
  app: Application;
  myReview: MyReview | null;
  canScore: boolean;
  onConflict: (title: string) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [scores, setScores] = useState<Record<string, number | ''>>(() =>
    Object.fromEntries(call.criteria.map((k) => [k.key, myReview?.scores[k.key] ?? ''])),
  );
  const [comment, setComment] = useState(myReview?.comment ?? '');
  const [saved, setSaved] = useState<number | null>(myReview ? myReview.weightedTotal : null);
  const [justSaved, setJustSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string[]>([]);
  const [conflictOpen, setConflictOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const headingId = `inv-app-${app.id}`;
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (conflictOpen) reasonRef.current?.focus();
  }, [conflictOpen]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const bad = call.criteria.filter((k) => {
      const v = scores[k.key];
      return typeof v !== 'number' || v < 0 || v > k.max;
    });
    setInvalid(bad.map((k) => k.key));
    setJustSaved(false);
    if (bad.length) {
      setError(null);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = Object.fromEntries(call.criteria.map((k) => [k.key, Number(scores[k.key])]));
      await saveReview(app.id, s, comment);
      setSaved(weightedTotal(call.criteria, s));
      setJustSaved(true);
    } catch (err) {
      setError(problemText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const conflict = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setReasonError(true);
      return;
    }
    setReasonError(false);
    setBusy(true);
    setError(null);
    try {
      await declareConflict(call.id, app.id, reason.trim());
      onConflict(app.title);
    } catch (err) {
      setError(problemText(err, t));
      setBusy(false);
    }
  };

  const fields = call.form.filter((k) => k.key in app.answers);
  return (
    <Paper component="li" withBorder p="md" aria-labelledby={headingId} data-testid="review-item">
      <Title order={2} size="h3" id={headingId}>
        {app.title}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {app.reference}
        {app.submittedAt && ` · ${f.dateTime(app.submittedAt)}`}
      </Text>
      {app.applicant && (
        <Text mb="sm">
          <strong>{t('innovation.review.applicant')} :</strong> {app.applicant.name}
        </Text>
      )}
      <Title order={3} size="h4">
        {t('innovation.review.answers')}
      </Title>
      <dl className="inv-answers">
        {fields.map((k) => (
          <div key={k.key}>
            <dt>{k.label}</dt>
            <dd>
              {answerText(app.answers[k.key], t('innovation.form.yes')) ?? t('innovation.review.noAnswer')}
            </dd>
          </div>
        ))}
      </dl>
      <Text mt="md" fw={600} data-testid="review-state">
        {saved === null
          ? t('innovation.review.notScored')
          : t('innovation.review.scored', { total: f.percent(saved) })}
      </Text>
      {canScore && (
        <form onSubmit={save} aria-label={t('innovation.review.save')} className="inv-form">
          <Stack gap="sm" mt="sm" maw={560}>
            {call.criteria.map((k) => (
              <NumberInput
                key={k.key}
                label={t('innovation.review.scoreLabel', { label: k.label, max: k.max, weight: k.weight })}
                min={0}
                max={k.max}
                step={1}
                allowNegative={false}
                clampBehavior="strict"
                decimalSeparator=","
                allowedDecimalSeparators={['.', ',']}
                value={scores[k.key]}
                error={
                  invalid.includes(k.key) ? t('innovation.review.scoreMissing', { max: k.max }) : undefined
                }
                onChange={(v) => setScores((old) => ({ ...old, [k.key]: typeof v === 'number' ? v : '' }))}
              />
            ))}
            <Textarea
              label={t('innovation.review.comment')}
              value={comment}
              maxLength={10_000}
              autosize
              minRows={3}
              onChange={(e) => setComment(e.currentTarget.value)}
            />
            <div role="status">
              {justSaved && saved !== null && (
                <Text fw={600}>{t('innovation.review.saved', { total: f.percent(saved) })}</Text>
              )}
            </div>
            <Group>
              <Button type="submit" loading={busy}>
                {t('innovation.review.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {error && (
        <Alert color="red" variant="light" role="alert" mt="sm">
          {error}
        </Alert>
      )}
      <div style={{ marginTop: 'var(--mantine-spacing-md)' }}>
        {!conflictOpen ? (
          <Button variant="default" onClick={() => setConflictOpen(true)}>
            {t('innovation.review.conflict')}
          </Button>
        ) : (
          <form onSubmit={conflict} aria-label={t('innovation.review.conflict')} className="inv-form">
            <Stack gap="sm" maw={560}>
              <Text size="sm">{t('innovation.review.conflictHelp')}</Text>
              <Textarea
                label={t('innovation.review.conflictReason')}
                withAsterisk
                aria-required
                value={reason}
                maxLength={2000}
                autosize
                minRows={2}
                error={reasonError ? t('innovation.review.reasonMissing') : undefined}
                onChange={(e) => setReason(e.currentTarget.value)}
                ref={reasonRef}
              />
              <Group>
                <Button type="submit" color="red.9" loading={busy}>
                  {t('innovation.review.conflictConfirm')}
                </Button>
                <Button variant="default" onClick={() => setConflictOpen(false)}>
                  {t('innovation.review.conflictCancel')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </div>
    </Paper>
  );
}

function Review({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(
    async (signal: AbortSignal) => {
      const [call, queue] = await Promise.all([
        getCall(callId, signal),
        reviewQueue(callId, { limit: PAGE, offset }, signal),
      ]);
      return { call, queue };
    },
    [callId, offset],
  );
  const { state, reload } = useData(load);
  const data = state.data;

  if (!data) {
    if (state.status === 'error') {
      const notJuror = state.error instanceof ApiError && state.error.status === 403;
      return (
        <Stack>
          <PageTitle>{t('innovation.review.title')}</PageTitle>
          {notJuror ? (
            <Alert color="red" variant="light" role="alert">
              {t('innovation.review.notJuror')}
            </Alert>
          ) : (
            <ErrorAlert error={state.error} onRetry={reload} />
          )}
          <Anchor component={Link} to={IP.call(callId)}>
            {t('innovation.review.backToCall')}
          </Anchor>
        </Stack>
      );
    }
    return <Loading />;
  }
  const { call, queue } = data;
  const canScore = call.phase === 'review';
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={IP.call(call.id)} size="sm">
          {t('innovation.review.backToCall')}
        </Anchor>
        <PageTitle>{t('innovation.review.titleOf', { title: call.title })}</PageTitle>
        <Text maw={820}>{t('innovation.review.intro')}</Text>
      </div>
      {call.blind && (
        <Alert color="blue" variant="light" data-testid="blind-notice">
          {t('innovation.review.blind')}
        </Alert>
      )}
      {!canScore && (
        <Alert color="gray" variant="light">
          {t('innovation.review.notReviewPhase', { phase: t(`innovation.phases.${call.phase}`) })}
        </Alert>
      )}
      {state.status === 'error' && <ErrorAlert error={state.error} onRetry={reload} />}
      <div role="status">{notice && <Text fw={600}>{notice}</Text>}</div>
      <Text data-testid="queue-count">
        {t('innovation.review.queue', { count: queue.total })}
        {queue.conflicts > 0 && ` · ${t('innovation.review.conflicts', { count: queue.conflicts })}`}
      </Text>
      <Stack component="ul" gap="lg" className="inv-list" aria-label={t('innovation.review.list')}>
        {queue.items.map((it) => (
          <ReviewItem
            key={it.application.id}
            call={call}
            app={it.application}
            myReview={it.myReview}
            canScore={canScore}
            onConflict={(title) => {
              setNotice(t('innovation.review.conflictDone', { title }));
              reload();
            }}
          />
        ))}
      </Stack>
      <Pager
        total={queue.total}
        limit={PAGE}
        offset={offset}
        onChange={(o) => {
          setOffset(o);
          reload();
        }}
        what={t('innovation.review.list')}
      />
    </Stack>
  );
}

/** The juror's screen: the review queue (blind when the call is), scores and comments, conflicts. */
export default function ReviewPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  return (
    <RequireAuth title={t('innovation.review.title')}>
      <Review callId={id} />
    </RequireAuth>
  );
}
