import { Pagination, Table } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IndicatorSummary } from '../../api/observatory';
import { formatNumber, nameIn, pagerProps } from './common';

const PAGE = 10;
const pct = (lang: string | undefined, r: number) => formatNumber(lang, Math.round(r * 100), '%');

export interface IndicatorTableProps {
  items: IndicatorSummary[];
  /** data-testid of the table. */
  testId: string;
  /** The caption, which tells the page ("Indicators, page 1 of 3"). */
  caption: (page: number, pages: number) => string;
  /** The header of the latest value's column. */
  latestLabel: string;
  /** The indicator's code after its name, in the row header. */
  withCode?: boolean;
  /** A column with the progress towards the target. */
  withProgress?: boolean;
}

/** Indicators ten at a time: name, latest value (and its period), baseline, target, optionally progress. */
export function IndicatorTable({
  items,
  testId,
  caption,
  latestLabel,
  withCode = false,
  withProgress = false,
}: IndicatorTableProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const [current, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  // The list may shrink (another programme): the page stays within it.
  const page = Math.min(current, pages);
  const shown = items.slice((page - 1) * PAGE, page * PAGE);
  return (
    <>
      <div className="obs-scroll">
        <Table fz="sm" captionSide="top" striped className="obs-table" data-testid={testId}>
          <Table.Caption>{caption(page, pages)}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('observatory.public.indicator')}</Table.Th>
              <Table.Th scope="col">{latestLabel}</Table.Th>
              <Table.Th scope="col">{t('observatory.chart.baseline')}</Table.Th>
              <Table.Th scope="col">{t('observatory.chart.target')}</Table.Th>
              {withProgress && <Table.Th scope="col">{t('observatory.staff.progress')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((i) => (
              <Table.Tr key={i.id} data-code={i.code}>
                <Table.Th scope="row" fw={500}>
                  {nameIn(lang, i)}
                  {withCode && (
                    <>
                      {' '}
                      <span className="obs-code">({i.code})</span>
                    </>
                  )}
                </Table.Th>
                <Table.Td>
                  {i.latest && i.latest.value !== null
                    ? `${formatNumber(lang, i.latest.value, i.unit)} (${i.latest.period})`
                    : '–'}
                </Table.Td>
                <Table.Td>{i.baseline ? formatNumber(lang, i.baseline.value, i.unit) : '–'}</Table.Td>
                <Table.Td>{formatNumber(lang, i.latest?.target ?? null, i.unit)}</Table.Td>
                {withProgress && <Table.Td>{i.progress === null ? '–' : pct(lang, i.progress)}</Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      {pages > 1 && <Pagination mt="sm" total={pages} value={page} onChange={setPage} {...pagerProps(t)} />}
    </>
  );
}
