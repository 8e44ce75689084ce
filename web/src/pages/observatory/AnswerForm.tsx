import {
  Alert,
  Button,
  FileInput,
  Group,
  List,
  NativeSelect,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/http';
import {
  answerForm,
  attachEvidence,
  type AnswerForm as Form,
  type FormIndicator,
  MAX_ATTACHMENT_BYTES,
  saveAnswer,
  submitAnswer,
  type ValidationIssue,
  type ValueInput,
} from '../../api/observatory';
import { useData } from '../../api/useData';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { ErrorAlert, errorText, formatDate, formatNumber, nameIn, ResponseStatusText } from './common';

interface Field {
  value: string;
  numerator: string;
  denominator: string;
  disagg: Record<string, Record<string, string>>;
  comment: string;
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function fieldOf(ind: FormIndicator): Field {
  const v = ind.value;
  const disagg: Field['disagg'] = {};
  for (const d of ind.disaggregations) {
    disagg[d.code] = {};
    for (const c of d.categories) disagg[d.code][c] = str(v?.disaggregations?.[d.code]?.[c]);
  }
  return {
    value: str(v?.value),
    numerator: str(v?.numerator),
    denominator: str(v?.denominator),
    disagg,
    comment: v?.comment ?? '',
  };
}

/** A decimal typed with a comma or a point; undefined when it is not a number. */
function parseNumber(s: string): number | null | undefined {
  const x = s.trim().replace(/\s/g, '').replace(',', '.');
  if (x === '') return null;
  const n = Number(x);
  return Number.isFinite(n) ? n : undefined;
}

/** A server validation issue in the reader's language. */
export function issueText(
  t: TFunction,
  issue: ValidationIssue,
  ind: FormIndicator | undefined,
  lang?: string,
) {
  switch (issue.rule) {
    case 'required':
      return t('observatory.issue.required');
    case 'range': {
      const min = ind?.min ?? (ind?.valueType === 'percentage' ? 0 : null);
      const max = ind?.max ?? (ind?.valueType === 'percentage' ? 100 : null);
      return t('observatory.issue.range', {
        min: min === null ? '–' : formatNumber(lang, min),
        max: max === null ? '–' : formatNumber(lang, max),
      });
    }
    case 'disaggregation':
      return t('observatory.issue.disaggregation');
    case 'comment':
      return t('observatory.issue.comment', { target: formatNumber(lang, ind?.target ?? null, ind?.unit) });
    case 'consistency':
      return t('observatory.issue.consistency', { message: issue.message });
    default:
      return issue.message;
  }
}

export default function AnswerForm() {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const load = useCallback(
    (signal: AbortSignal) =>
      token ? answerForm(token, signal) : Promise.reject(new ApiError('no token', 401)),
    [token],
  );
  const { state, reload } = useData<Form>(load);
  const form = state.data;
  const [fields, setFields] = useState<Record<string, Field>>({});
  const [issues, setIssues] = useState<ValidationIssue[] | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'' | 'save' | 'submit' | 'attach'>('');
  const [notice, setNotice] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileInd, setFileInd] = useState('');
  const [fileError, setFileError] = useState('');
  const loadedAt = useRef<Date | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  // The fields follow the server's values each time the form is (re)loaded.
  useEffect(() => {
    if (state.status !== 'ok' || loadedAt.current === state.at) return;
    loadedAt.current = state.at;
    setFields(Object.fromEntries(state.data.indicators.map((i) => [i.id, fieldOf(i)])));
  }, [state]);

  const title = form
    ? t('observatory.answer.titleOf', { project: form.project.name })
    : t('observatory.answer.title');

  if (state.status === 'loading') {
    return (
      <Stack>
        <PageTitle>{t('observatory.answer.title')}</PageTitle>
        <Loading />
      </Stack>
    );
  }
  if (!form) {
    const err = state.error ?? new Error('');
    const text =
      err instanceof ApiError && err.status === 401
        ? t('observatory.answer.badLink')
        : err instanceof ApiError && err.status === 403
          ? t('observatory.answer.closed')
          : errorText(t, err);
    return (
      <Stack maw={720}>
        <PageTitle>{t('observatory.answer.title')}</PageTitle>
        <Alert color="red" variant="light" role="alert">
          {text}
        </Alert>
      </Stack>
    );
  }

  const editable = form.status !== 'submitted' && form.status !== 'approved';
  const byId = new Map(form.indicators.map((i) => [i.id, i]));
  const shownIssues = issues ?? [];
  const issuesOf = (id: string, comment: boolean) =>
    shownIssues.filter((x) => x.indicatorId === id && (x.rule === 'comment') === comment);
  const general = shownIssues.filter((x) => x.indicatorId === null || !byId.has(x.indicatorId));

  const set = (id: string, patch: Partial<Field>) =>
    setFields((f) => ({ ...f, [id]: { ...f[id], ...patch } }));

  /** The values to send, or the fields that are not numbers. */
  const collect = (): { values: ValueInput[]; errors: Record<string, string> } => {
    const values: ValueInput[] = [];
    const errors: Record<string, string> = {};
    for (const ind of form.indicators) {
      const f = fields[ind.id];
      if (!f) continue;
      // An empty field is left out rather than sent as null: the server stores a missing value as empty,
      // whereas its validator coerces a null number to 0 (see the report of the observatory web pages).
      const v: ValueInput = { indicatorId: ind.id };
      if (f.comment.trim()) v.comment = f.comment.trim();
      if (ind.valueType === 'number' || ind.valueType === 'percentage') {
        const n = parseNumber(f.value);
        if (n === undefined) errors[`${ind.id}/value`] = t('observatory.answer.notANumber');
        else if (n !== null) v.value = n;
      } else if (ind.valueType === 'ratio') {
        const a = parseNumber(f.numerator);
        const b = parseNumber(f.denominator);
        if (a === undefined) errors[`${ind.id}/numerator`] = t('observatory.answer.notANumber');
        if (b === undefined) errors[`${ind.id}/denominator`] = t('observatory.answer.notANumber');
        if (a !== null && a !== undefined) v.numerator = a;
        if (b !== null && b !== undefined) v.denominator = b;
      } else if (ind.valueType === 'boolean') {
        if (f.value !== '') v.value = f.value === 'true';
      } else {
        if (f.value.trim()) v.value = f.value.trim();
      }
      const dis: Record<string, Record<string, number>> = {};
      for (const d of ind.disaggregations) {
        for (const c of d.categories) {
          const n = parseNumber(f.disagg[d.code]?.[c] ?? '');
          if (n === undefined) errors[`${ind.id}/${d.code}/${c}`] = t('observatory.answer.notANumber');
          else if (n !== null) {
            dis[d.code] ??= {};
            dis[d.code][c] = n;
          }
        }
      }
      if (ind.disaggregations.length) v.disaggregations = dis;
      values.push(v);
    }
    return { values, errors };
  };

  const afterAction = () => setTimeout(() => summaryRef.current?.focus(), 0);

  const save = async (thenSubmit: boolean) => {
    setNotice('');
    setFailure(null);
    const { values, errors } = collect();
    setLocal(errors);
    if (Object.keys(errors).length) {
      setNotice(t('observatory.answer.fixFirst'));
      afterAction();
      return;
    }
    setBusy(thenSubmit ? 'submit' : 'save');
    try {
      const r = await saveAnswer(token, values);
      setIssues(r.issues);
      if (!thenSubmit) {
        setNotice(
          r.issues.length
            ? t('observatory.answer.savedWithIssues', { count: r.issues.length })
            : t('observatory.answer.saved'),
        );
        reload(); // the response's status (draft) and the stored values
        afterAction();
        return;
      }
      await submitAnswer(token);
      setIssues([]);
      setNotice(t('observatory.answer.submitted'));
      reload();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      if (e instanceof ApiError && e.status === 422 && Array.isArray(e.problem?.issues)) {
        setIssues(e.problem.issues as ValidationIssue[]);
        setNotice(t('observatory.answer.notSubmitted', { count: (e.problem.issues as unknown[]).length }));
      } else setFailure(e);
    } finally {
      setBusy('');
      afterAction();
    }
  };

  const attach = async () => {
    setFileError('');
    setFailure(null);
    setNotice('');
    if (!file) {
      setFileError(t('observatory.answer.chooseFile'));
      return;
    }
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setFileError(t('observatory.answer.tooLarge'));
      return;
    }
    setBusy('attach');
    try {
      await attachEvidence(token, file, fileInd || undefined);
      setFile(null);
      setNotice(t('observatory.answer.attached', { name: file.name }));
      reload();
    } catch (err) {
      setFileError(errorText(t, err instanceof Error ? err : new Error(String(err))));
    } finally {
      setBusy('');
    }
  };

  const numberLabel = (ind: FormIndicator) =>
    ind.unit ? t('observatory.answer.valueIn', { unit: ind.unit }) : t('observatory.answer.value');

  return (
    <Stack gap="lg" maw={860} className="obs-answer">
      <div>
        <PageTitle>{title}</PageTitle>
        <Text>
          {t('observatory.answer.intro', {
            campaign: form.campaign.name,
            period: form.campaign.period,
            programme: nameIn(lang, form.programme),
          })}
        </Text>
        <Text mt={4}>
          <strong>{t('observatory.answer.due')}</strong> {formatDate(lang, form.campaign.dueAt)} ·{' '}
          <strong>{t('observatory.answer.status')}</strong> <ResponseStatusText status={form.status} />
        </Text>
        <Text size="sm" c="dimmed" mt={4}>
          {t('observatory.answer.lead', { lead: form.project.leadOrganisation })}
        </Text>
      </div>

      {form.status === 'returned' && form.reviewComment && (
        <Alert
          color="orange"
          variant="light"
          title={t('observatory.answer.returnedTitle')}
          data-testid="review-comment"
        >
          {form.reviewComment}
        </Alert>
      )}
      {form.status === 'submitted' && (
        <Alert color="blue" variant="light">
          {t('observatory.answer.awaiting')}
        </Alert>
      )}
      {form.status === 'approved' && (
        <Alert color="green" variant="light">
          {t('observatory.answer.approved')}
        </Alert>
      )}

      <div ref={summaryRef} tabIndex={-1} className="obs-focus-target">
        {failure && <ErrorAlert error={failure} />}
        {notice && (
          <Alert
            color={shownIssues.length || Object.keys(local).length ? 'orange' : 'green'}
            variant="light"
            role={shownIssues.length || Object.keys(local).length ? 'alert' : 'status'}
            data-testid="answer-notice"
          >
            {notice}
          </Alert>
        )}
        {general.length > 0 && (
          <Alert color="red" variant="light" mt="sm" title={t('observatory.answer.generalIssues')}>
            <List size="sm">
              {general.map((x) => (
                <List.Item key={x.message}>{issueText(t, x, undefined, lang)}</List.Item>
              ))}
            </List>
          </Alert>
        )}
      </div>

      <form
        aria-label={t('observatory.answer.formLabel')}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(true);
        }}
      >
        <Stack gap="md">
          {form.indicators.map((ind) => {
            const f = fields[ind.id];
            if (!f) return null;
            const name = nameIn(lang, ind);
            const valueIssues = issuesOf(ind.id, false)
              .map((x) => issueText(t, x, ind, lang))
              .join(' ');
            const commentIssues = issuesOf(ind.id, true)
              .map((x) => issueText(t, x, ind, lang))
              .join(' ');
            const hint = [
              ind.target !== null &&
                t('observatory.answer.target', { value: formatNumber(lang, ind.target, ind.unit) }),
              (ind.min !== null || ind.max !== null) &&
                t('observatory.answer.bounds', {
                  min: ind.min === null ? '–' : formatNumber(lang, ind.min),
                  max: ind.max === null ? '–' : formatNumber(lang, ind.max),
                }),
              ind.valueType === 'percentage' && t('observatory.answer.percent'),
              ind.required ? t('observatory.answer.required') : t('observatory.answer.optional'),
            ]
              .filter(Boolean)
              .join(' · ');
            const valueError = local[`${ind.id}/value`] || valueIssues || undefined;
            return (
              <Paper
                key={ind.id}
                withBorder
                p="md"
                component="fieldset"
                className="obs-fieldset"
                data-testid={`field-${ind.code}`}
                disabled={!editable}
              >
                <legend className="obs-legend">
                  {name} <span className="obs-code">({ind.code})</span>
                </legend>
                {(ind.valueType === 'number' || ind.valueType === 'percentage') && (
                  <TextInput
                    label={numberLabel(ind)}
                    inputMode="decimal"
                    value={f.value}
                    onChange={(e) => set(ind.id, { value: e.currentTarget.value })}
                    error={valueError}
                    required={ind.required}
                    description={hint}
                    maw={360}
                  />
                )}
                {ind.valueType === 'text' && (
                  <Textarea
                    label={t('observatory.answer.value')}
                    value={f.value}
                    onChange={(e) => set(ind.id, { value: e.currentTarget.value })}
                    error={valueError}
                    required={ind.required}
                    description={hint}
                    autosize
                    minRows={2}
                  />
                )}
                {ind.valueType === 'boolean' && (
                  <Radio.Group
                    label={t('observatory.answer.value')}
                    value={f.value}
                    onChange={(v) => set(ind.id, { value: v })}
                    description={hint}
                    error={valueError}
                    required={ind.required}
                  >
                    <Group mt={4}>
                      <Radio value="true" label={t('observatory.answer.yes')} />
                      <Radio value="false" label={t('observatory.answer.no')} />
                    </Group>
                  </Radio.Group>
                )}
                {ind.valueType === 'ratio' && (
                  <SimpleGrid cols={{ base: 1, xs: 2 }} maw={520}>
                    <TextInput
                      label={t('observatory.answer.numerator')}
                      description={hint}
                      inputMode="decimal"
                      value={f.numerator}
                      onChange={(e) => set(ind.id, { numerator: e.currentTarget.value })}
                      error={local[`${ind.id}/numerator`] || valueIssues || undefined}
                    />
                    <TextInput
                      label={t('observatory.answer.denominator')}
                      inputMode="decimal"
                      value={f.denominator}
                      onChange={(e) => set(ind.id, { denominator: e.currentTarget.value })}
                      error={local[`${ind.id}/denominator`]}
                    />
                  </SimpleGrid>
                )}
                {ind.disaggregations.map((d) => (
                  <fieldset key={d.code} className="obs-subfieldset">
                    <legend>{t('observatory.answer.breakdown', { name: nameIn(lang, d) })}</legend>
                    <SimpleGrid cols={{ base: 1, xs: 3 }}>
                      {d.categories.map((c) => (
                        <TextInput
                          key={c}
                          label={t(`observatory.categories.${c}` as 'observatory.categories.other', {
                            defaultValue: c,
                          })}
                          inputMode="decimal"
                          value={f.disagg[d.code]?.[c] ?? ''}
                          onChange={(e) => {
                            const value = e.currentTarget.value;
                            set(ind.id, {
                              disagg: { ...f.disagg, [d.code]: { ...f.disagg[d.code], [c]: value } },
                            });
                          }}
                          error={local[`${ind.id}/${d.code}/${c}`]}
                        />
                      ))}
                    </SimpleGrid>
                  </fieldset>
                ))}
                <Textarea
                  mt="sm"
                  label={t('observatory.answer.comment')}
                  description={t('observatory.answer.commentHint')}
                  value={f.comment}
                  onChange={(e) => set(ind.id, { comment: e.currentTarget.value })}
                  error={commentIssues || undefined}
                  autosize
                  minRows={1}
                />
              </Paper>
            );
          })}
          {editable && (
            <Group gap="sm" className="obs-actions">
              <Button
                variant="default"
                onClick={() => void save(false)}
                loading={busy === 'save'}
                disabled={!!busy}
              >
                {t('observatory.answer.saveDraft')}
              </Button>
              <Button type="submit" loading={busy === 'submit'} disabled={!!busy}>
                {t('observatory.answer.submit')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>

      <section aria-labelledby="evidence-title">
        <Title order={2} size="h3" id="evidence-title" mb="xs">
          {t('observatory.answer.evidenceTitle')}
        </Title>
        <Text size="sm" mb="sm">
          {t('observatory.answer.evidenceIntro')}
        </Text>
        {form.attachments.length > 0 ? (
          <List size="sm" mb="sm" data-testid="attachments">
            {form.attachments.map((a) => (
              <List.Item key={a.id}>
                {a.filename} ({Math.max(1, Math.round(a.size / 1024))} {t('observatory.answer.kb')}
                {a.indicatorId && byId.get(a.indicatorId) ? ` · ${byId.get(a.indicatorId)?.code}` : ''})
              </List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm" mb="sm">
            {t('observatory.answer.noEvidence')}
          </Text>
        )}
        {editable && (
          <Stack gap="sm" maw={520}>
            <FileInput
              label={t('observatory.answer.file')}
              description={t('observatory.answer.fileHint')}
              value={file}
              onChange={setFile}
              accept=".pdf,.png,.jpg,.jpeg,.csv,.xlsx,.ods"
              error={fileError || undefined}
              clearable
              clearButtonProps={{ 'aria-label': t('observatory.answer.clearFile') }}
              placeholder={t('observatory.answer.filePlaceholder')}
            />
            <NativeSelect
              label={t('observatory.answer.fileIndicator')}
              value={fileInd}
              onChange={(e) => setFileInd(e.currentTarget.value)}
              data={[
                { value: '', label: t('observatory.answer.wholeResponse') },
                ...form.indicators.map((i) => ({ value: i.id, label: nameIn(lang, i) })),
              ]}
            />
            <div>
              <Button
                variant="outline"
                onClick={() => void attach()}
                loading={busy === 'attach'}
                disabled={!!busy}
              >
                {t('observatory.answer.attach')}
              </Button>
            </div>
          </Stack>
        )}
      </section>
      <Text size="sm" c="dimmed">
        {t('observatory.answer.privacy')}
      </Text>
    </Stack>
  );
}
