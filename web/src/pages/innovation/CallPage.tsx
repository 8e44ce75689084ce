import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http';
import {
  type Answers,
  type Application,
  type Call,
  type FormField,
  getCall,
  myApplications,
  PHASES,
  type Receipt,
  reviewQueue,
  saveApplication,
  startApplication,
  submitApplication,
} from '../../api/innovation';
import { useData } from '../../api/useData';
import { useAuth } from '../../auth/AuthContext';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, IP, NotLoaded, problemText, SignInPrompt, useFormat } from './common';

type Value = string | number | boolean;

function toValues(form: FormField[], answers: Answers): Record<string, Value> {
  const v: Record<string, Value> = {};
  for (const f of form) {
    const a = answers[f.key];
    if (f.type === 'boolean') v[f.key] = a === true;
    else if (f.type === 'number') v[f.key] = typeof a === 'number' ? a : '';
    else v[f.key] = typeof a === 'string' ? a : '';
  }
  return v;
}

function toAnswers(form: FormField[], values: Record<string, Value>): Answers {
  const a: Answers = {};
  for (const f of form) {
    const v = values[f.key];
    if (f.type === 'boolean') a[f.key] = v === true;
    else if (f.type === 'number') a[f.key] = typeof v === 'number' ? v : null;
    else a[f.key] = typeof v === 'string' && v.trim() !== '' ? v : null;
  }
  return a;
}

function missingOf(err: unknown): string[] {
  const m = err instanceof ApiError ? (err.problem as { missing?: unknown } | undefined)?.missing : undefined;
  return Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : [];
}

function FieldInput({
  field,
  value,
  onChange,
  error,
}: {
  field: FormField;
  value: Value;
  onChange: (v: Value) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  const common = {
    label: field.label,
    withAsterisk: !!field.required,
    error,
    description: field.maxLength ? t('innovation.form.maxLength', { max: field.maxLength }) : undefined,
    'aria-required': field.required || undefined,
  };
  switch (field.type) {
    case 'textarea':
      return (
        <Textarea
          {...common}
          value={String(value)}
          maxLength={field.maxLength}
          autosize
          minRows={4}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return (
        <NumberInput
          {...common}
          description={undefined}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : '')}
          decimalSeparator=","
          allowedDecimalSeparators={['.', ',']}
        />
      );
    case 'choice':
      return (
        <NativeSelect
          {...common}
          description={undefined}
          value={String(value)}
          data={[{ value: '', label: t('innovation.form.choose') }, ...(field.options ?? [])]}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'boolean':
      return (
        <Checkbox
          label={field.label}
          checked={value === true}
          error={error}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : 'text'}
          value={String(value)}
          maxLength={field.maxLength}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

function ReceiptView({ receipt }: { receipt: Receipt }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Paper withBorder p="md" role="status" data-testid="receipt" className="inv-receipt">
      <Title order={3} mb="xs">
        {t('innovation.form.receipt')}
      </Title>
      <Text mb="sm">{t('innovation.form.receiptText')}</Text>
      <dl className="inv-facts">
        <div>
          <dt>{t('innovation.form.reference')}</dt>
          <dd data-testid="receipt-reference">{receipt.reference}</dd>
        </div>
        <div>
          <dt>{t('innovation.form.submittedAt')}</dt>
          <dd>{f.dateTime(receipt.submittedAt)}</dd>
        </div>
        <div>
          <dt>{t('innovation.form.digest')}</dt>
          <dd className="inv-digest">
            <code>{receipt.digest}</code>
          </dd>
        </div>
      </dl>
    </Paper>
  );
}

/** The application form: fields from the call's definition; save a draft, submit, receipt. */
function ApplicationForm({
  call,
  draft,
  onSubmitted,
}: {
  call: Call;
  draft: Application | null;
  onSubmitted: (r: Receipt) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [app, setApp] = useState<Application | null>(draft);
  const [title, setTitle] = useState(draft?.title ?? '');
  const [values, setValues] = useState(() => toValues(call.form, draft?.answers ?? {}));
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [titleError, setTitleError] = useState(false);
  const [missing, setMissing] = useState<string[]>([]);
  const [saved, setSaved] = useState<Date | null>(null);

  const persist = async (): Promise<Application | null> => {
    if (!title.trim()) {
      setTitleError(true);
      return null;
    }
    setTitleError(false);
    const body = { title: title.trim(), answers: toAnswers(call.form, values) };
    const a = app ? await saveApplication(app.id, body) : await startApplication(call.id, body);
    setApp(a);
    return a;
  };

  const run = async (what: 'save' | 'submit') => {
    setBusy(what);
    setError(null);
    setSaved(null);
    try {
      const a = await persist();
      if (!a) return;
      if (what === 'save') {
        setSaved(new Date());
        setMissing([]);
      } else {
        onSubmitted(await submitApplication(a.id));
      }
    } catch (err) {
      const m = missingOf(err);
      setMissing(m);
      setError(m.length ? null : err);
    } finally {
      setBusy(null);
    }
  };

  const labelOf = (key: string) => call.form.find((x) => x.key === key)?.label ?? key;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run('submit');
  };

  return (
    <form onSubmit={onSubmit} aria-labelledby="inv-apply" noValidate className="inv-form">
      <Stack gap="md" maw={720}>
        <Text size="sm">{t('innovation.form.requiredHint')}</Text>
        <TextInput
          label={t('innovation.form.title')}
          withAsterisk
          aria-required
          value={title}
          maxLength={200}
          error={titleError ? t('innovation.form.titleMissing') : undefined}
          onChange={(e) => setTitle(e.currentTarget.value)}
        />
        {call.form.map((field) => (
          <FieldInput
            key={field.key}
            field={field}
            value={values[field.key]}
            onChange={(v) => setValues((old) => ({ ...old, [field.key]: v }))}
            error={missing.includes(field.key) ? t('innovation.form.fieldMissing') : undefined}
          />
        ))}
        <div role="status">
          {saved && <Text fw={600}>{t('innovation.form.saved', { time: f.time(saved) })}</Text>}
        </div>
        {(error != null || missing.length > 0 || titleError) && (
          <Alert color="red" variant="light" role="alert">
            {titleError
              ? t('innovation.form.titleMissing')
              : missing.length
                ? t('innovation.form.missing', { fields: missing.map(labelOf).join(', ') })
                : problemText(error, t)}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          {t('innovation.form.confirm')}
        </Text>
        <Group>
          <Button
            variant="default"
            onClick={() => run('save')}
            loading={busy === 'save'}
            disabled={busy !== null}
          >
            {t('innovation.form.save')}
          </Button>
          <Button type="submit" loading={busy === 'submit'} disabled={busy !== null}>
            {t('innovation.form.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The signed-in person's applications to the call, and the form when the call is open. */
function Applying({ call }: { call: Call }) {
  const { t } = useTranslation();
  const f = useFormat();
  const auth = useAuth();
  const userId = auth.me?.user.id;
  const [apps, setApps] = useState<Application[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick reloads
  useEffect(() => {
    setApps(null);
    if (!userId) return;
    const ctl = new AbortController();
    myApplications(call.id, ctl.signal).then(
      (p) => setApps(p.items),
      (err: unknown) => {
        if (!ctl.signal.aborted) setError(err);
      },
    );
    return () => ctl.abort();
  }, [call.id, userId, tick]);

  if (auth.status === 'loading') return null;
  if (!userId) return call.phase === 'open' ? <SignInPrompt action={t('innovation.call.toApply')} /> : null;
  if (error != null) return <ErrorAlert error={error} onRetry={() => setTick((n) => n + 1)} />;
  if (!apps) return <Loading />;

  const draft = apps.find((a) => a.status === 'draft') ?? null;
  const done = apps.filter((a) => a.status !== 'draft');
  return (
    <Stack gap="md">
      {receipt && <ReceiptView receipt={receipt} />}
      {done.length > 0 && (
        <Stack gap="xs">
          <Title order={3}>{t('innovation.call.myApplications')}</Title>
          {done.map((a) => (
            <Paper withBorder p="sm" key={a.id} data-testid="my-application">
              <Group gap="xs">
                <Text fw={600}>{a.title}</Text>
                <Badge variant="outline" color="dark">
                  {t(`innovation.call.status.${a.status}`)}
                </Badge>
              </Group>
              <Text size="sm">
                {a.reference} {a.submittedAt && `· ${f.dateTime(a.submittedAt)}`}
              </Text>
              {a.feedback && (
                <Text size="sm" mt={4}>
                  <strong>{t('innovation.call.feedback')} :</strong> {a.feedback}
                </Text>
              )}
            </Paper>
          ))}
        </Stack>
      )}
      {call.phase === 'open' && !receipt && (draft || done.length === 0) && (
        <ApplicationForm
          call={call}
          draft={draft}
          onSubmitted={(r) => {
            setReceipt(r);
            setTick((n) => n + 1);
          }}
        />
      )}
    </Stack>
  );
}

/** Whether the signed-in person is a juror of the call (the review queue answers them only). */
function useIsJuror(call: Call): boolean {
  const auth = useAuth();
  const userId = auth.me?.user.id;
  const [juror, setJuror] = useState(false);
  useEffect(() => {
    setJuror(false);
    if (!userId || call.phase === 'draft') return;
    const ctl = new AbortController();
    reviewQueue(call.id, { limit: 1, offset: 0 }, ctl.signal).then(
      () => setJuror(true),
      () => undefined,
    );
    return () => ctl.abort();
  }, [call.id, call.phase, userId]);
  return juror;
}

function Timeline({ call }: { call: Call }) {
  const { t } = useTranslation();
  const f = useFormat();
  const shown = PHASES.filter((p) => p !== 'draft');
  return (
    <ol className="inv-timeline">
      {shown.map((p) => {
        const d = call.phases.find((x) => x.phase === p);
        const dates =
          d?.startsAt && d.endsAt
            ? t('innovation.call.between', { start: f.date(d.startsAt), end: f.date(d.endsAt) })
            : d?.startsAt
              ? t('innovation.call.from', { date: f.date(d.startsAt) })
              : d?.endsAt
                ? t('innovation.call.until', { date: f.date(d.endsAt) })
                : t('innovation.call.noDates');
        const current = call.phase === p;
        return (
          <li key={p} aria-current={current ? 'step' : undefined}>
            {t(`innovation.phases.${p}`)} — {dates}
            {current && <> ({t('innovation.call.current')})</>}
          </li>
        );
      })}
    </ol>
  );
}

/** A call for projects: phases and dates, criteria, and the application form for a signed-in person. */
export default function CallPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const load = useCallback((signal: AbortSignal) => getCall(id, signal), [id]);
  const { state, reload } = useData(load);
  const c = state.data;
  const juror = useIsJuror(c ?? ({ id, phase: 'draft' } as Call));

  if (!c) return <NotLoaded error={state.error} onRetry={reload} />;

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to={IP.home} size="sm">
          {t('innovation.back')}
        </Anchor>
        <PageTitle>{c.title}</PageTitle>
        <Group gap="xs" mb="sm">
          <Badge variant="outline" color="dark">
            {t(`innovation.kinds.${c.kind}`)}
          </Badge>
          <Text fw={600}>{t('innovation.call.phase', { phase: t(`innovation.phases.${c.phase}`) })}</Text>
        </Group>
        {c.description && (
          <Text size="lg" maw={820} style={{ whiteSpace: 'pre-wrap' }}>
            {c.description}
          </Text>
        )}
      </div>
      {juror && (
        <Alert color="blue" variant="light">
          <Group justify="space-between">
            <span>{t('innovation.call.jury')}</span>
            <Button component={Link} to={IP.review(c.id)} size="sm">
              {t('innovation.call.openReview')}
            </Button>
          </Group>
        </Alert>
      )}
      <section aria-labelledby="inv-timeline">
        <Title order={2} id="inv-timeline" mb="sm">
          {t('innovation.call.timeline')}
        </Title>
        <Timeline call={c} />
      </section>
      {c.criteria.length > 0 && (
        <section aria-labelledby="inv-criteria">
          <Title order={2} id="inv-criteria" mb="sm">
            {t('innovation.call.criteria')}
          </Title>
          {c.blind && <Text mb="sm">{t('innovation.call.blind')}</Text>}
          <Table.ScrollContainer minWidth={280}>
            <Table striped withTableBorder captionSide="top">
              <Table.Caption>{t('innovation.call.criteriaCaption')}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('innovation.call.criterion')}</Table.Th>
                  <Table.Th scope="col">{t('innovation.call.weight')}</Table.Th>
                  <Table.Th scope="col">{t('innovation.call.max')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {c.criteria.map((k) => (
                  <Table.Tr key={k.key}>
                    <Table.Th scope="row">{k.label}</Table.Th>
                    <Table.Td>{k.weight}</Table.Td>
                    <Table.Td>{k.max}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </section>
      )}
      {c.deliberation && (
        <section aria-labelledby="inv-deliberation">
          <Title order={2} id="inv-deliberation" mb="sm">
            {t('innovation.call.deliberation')}
          </Title>
          <Text style={{ whiteSpace: 'pre-wrap' }}>{c.deliberation}</Text>
        </section>
      )}
      <section aria-labelledby="inv-apply">
        <Title order={2} id="inv-apply" mb="sm">
          {t('innovation.call.apply')}
        </Title>
        {c.phase !== 'open' && <Text mb="sm">{t('innovation.call.closed')}</Text>}
        <Applying call={c} />
      </section>
    </Stack>
  );
}
