import { Button, Group, NativeSelect, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, type ReactNode, useCallback, useState } from 'react';
import { useData } from '../api/useData';

/** A drop-down filter of a search form; its first option, "all", has the empty value. */
export interface SearchFilter {
  /** The filter's name in the query handed to `load`. */
  name: string;
  label: string;
  options: { value: string; label: string }[];
  /** CSS flex of the field in the form's row (e.g. '1 1 12rem'). */
  flex: string;
}

/** What the form asks for: the trimmed words and each filter's value ('' for all). */
export interface SearchQuery {
  q: string;
  filters: Record<string, string>;
  limit: number;
  offset: number;
}

export interface SearchListProps<T> {
  /** The search landmark's name and the words field's label. */
  searchLabel: string;
  /** The submit button's text. */
  applyLabel: string;
  /** The text of each filter's first option (every value). */
  allLabel: string;
  filters: SearchFilter[];
  /** Items per page. */
  limit: number;
  load: (query: SearchQuery, signal: AbortSignal) => Promise<{ items: T[]; total: number }>;
  /** The live count above the list ("12 partners"). */
  resultsText: (total: number) => string;
  /** data-testid of the count. */
  countTestId: string;
  /** One item of the list: an `li` element (the list is a `ul`). */
  renderItem: (item: T) => ReactNode;
  /** The load error, with a way to try again. */
  renderError: (error: Error, retry: () => void) => ReactNode;
  /** The pages of the list. */
  renderPager: (pager: {
    total: number;
    limit: number;
    offset: number;
    onChange: (offset: number) => void;
  }) => ReactNode;
}

/**
 * A search form (words and drop-down filters, applied on submit) followed by the live count and one page of
 * results; the filters are applied, and the list loaded again, only when the form is submitted.
 */
export function SearchList<T>({
  searchLabel,
  applyLabel,
  allLabel,
  filters,
  limit,
  load,
  resultsText,
  countTestId,
  renderItem,
  renderError,
  renderPager,
}: SearchListProps<T>) {
  const [q, setQ] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState<{ q: string; filters: Record<string, string> }>({
    q: '',
    filters: {},
  });
  const [offset, setOffset] = useState(0);
  const loadPage = useCallback(
    (signal: AbortSignal) => load({ q: applied.q, filters: applied.filters, limit, offset }, signal),
    [load, applied, limit, offset],
  );
  const { state, reload } = useData(loadPage);
  const data = state.data;

  const search = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ q: q.trim(), filters: values });
    setOffset(0);
    reload();
  };

  return (
    <>
      <search aria-label={searchLabel}>
        <form onSubmit={search}>
          <Group align="flex-end" gap="sm">
            <TextInput
              label={searchLabel}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              maxLength={200}
              type="search"
              style={{ flex: '1 1 14rem' }}
            />
            {filters.map((f) => (
              <NativeSelect
                key={f.name}
                label={f.label}
                value={values[f.name] ?? ''}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setValues((v) => ({ ...v, [f.name]: value }));
                }}
                data={[{ value: '', label: allLabel }, ...f.options]}
                style={{ flex: f.flex }}
              />
            ))}
            <Button type="submit">{applyLabel}</Button>
          </Group>
        </form>
      </search>
      {state.status === 'error' && renderError(state.error, reload)}
      <Text role="status" fw={600} data-testid={countTestId}>
        {data ? resultsText(data.total) : ''}
      </Text>
      {!data && state.status === 'loading' && <Skeleton height={160} aria-hidden="true" />}
      {data && data.items.length > 0 && (
        <Stack component="ul" gap="sm" className="inv-list">
          {data.items.map(renderItem)}
        </Stack>
      )}
      {data &&
        renderPager({
          total: data.total,
          limit,
          offset,
          onChange: (o) => {
            setOffset(o);
            reload();
          },
        })}
    </>
  );
}
