import { Paper, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { IndicatorSummary } from '../../api/observatory';
import { CHART_COLORS, Chart, type ChartOption } from './Chart';
import { formatNumber, nameIn } from './common';

/**
 * One indicator: its latest value against baseline and target, a chart of its series (values as bars, targets
 * as a dashed line with triangles, the baseline as a dotted line) and the same figures as a table.
 */
export function IndicatorPanel({ ind, headingLevel = 3 }: { ind: IndicatorSummary; headingLevel?: 3 | 4 }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.resolvedLanguage;
  const name = nameIn(lang, ind);
  const unit = ind.unit;
  const fmt = (v: number | null | undefined) => formatNumber(lang, v, unit);
  const id = `ind-${ind.code}`;

  const option = useMemo<ChartOption>(() => {
    const periods = ind.series.map((s) => s.period);
    const valueName = t('observatory.chart.value');
    const targetName = t('observatory.chart.target');
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [valueName, targetName], textStyle: { color: '#212529' } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: periods, axisLabel: { color: '#343a40' } },
      yAxis: { type: 'value', axisLabel: { color: '#343a40' } },
      series: [
        {
          name: valueName,
          type: 'bar',
          data: ind.series.map((s) => s.value),
          itemStyle: { color: CHART_COLORS.value },
          barMaxWidth: 36,
          markLine: ind.baseline
            ? {
                symbol: 'none',
                lineStyle: { type: 'dotted', color: CHART_COLORS.baseline, width: 2 },
                label: {
                  formatter: t('observatory.chart.baselineLabel', { value: ind.baseline.value }),
                  color: '#212529',
                },
                data: [{ yAxis: ind.baseline.value }],
              }
            : undefined,
        },
        {
          name: targetName,
          type: 'line',
          data: ind.series.map((s) => s.target),
          connectNulls: true,
          symbol: 'triangle',
          symbolSize: 10,
          lineStyle: { type: 'dashed', color: CHART_COLORS.target, width: 2 },
          itemStyle: { color: CHART_COLORS.target },
        },
      ],
    };
  }, [ind, t]);

  return (
    <Paper withBorder p="md" component="article" aria-labelledby={`${id}-title`} data-testid={id}>
      <Title order={headingLevel} size="h4" id={`${id}-title`} mb={4}>
        {name}
      </Title>
      <Text size="sm" mb="xs" data-testid={`${id}-summary`}>
        {ind.latest && ind.latest.value !== null
          ? t('observatory.indicator.latest', { value: fmt(ind.latest.value), period: ind.latest.period })
          : t('observatory.indicator.noValue')}
        {ind.baseline &&
          ` · ${t('observatory.indicator.baseline', { value: fmt(ind.baseline.value), period: ind.baseline.period })}`}
        {ind.latest?.target !== null &&
          ind.latest?.target !== undefined &&
          ` · ${t('observatory.indicator.target', { value: fmt(ind.latest.target) })}`}
        {ind.progress !== null &&
          ` · ${t('observatory.indicator.progress', { value: Math.round(ind.progress * 100) })}`}
      </Text>
      {ind.series.length > 0 && (
        <>
          <Chart option={option} height={200} />
          <div className="obs-scroll">
            <Table fz="sm" captionSide="top" className="obs-table" mt="xs" data-testid={`${id}-table`}>
              <Table.Caption>{t('observatory.indicator.tableCaption', { name })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('observatory.chart.period')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.chart.value')}</Table.Th>
                  <Table.Th scope="col">{t('observatory.chart.target')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ind.series.map((s) => (
                  <Table.Tr key={s.period}>
                    <Table.Th scope="row">{s.period}</Table.Th>
                    <Table.Td>{fmt(s.value)}</Table.Td>
                    <Table.Td>{fmt(s.target)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </>
      )}
    </Paper>
  );
}
