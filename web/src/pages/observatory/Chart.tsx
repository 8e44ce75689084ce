import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  MarkLineComponent,
  type MarkLineComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, MarkLineComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | MarkLineComponentOption
>;

/** Colours of the charts (contrast 3:1 at least against white); each series also has its own shape. */
export const CHART_COLORS = {
  value: '#0b5a7d',
  target: '#8a3a0c',
  baseline: '#4a4a4a',
} as const;

/**
 * An echarts chart (SVG). It is hidden from assistive technologies: every chart of the application comes with
 * its data table or a text alternative right next to it, which carries the same figures.
 */
export function Chart({
  option,
  height = 240,
  testId,
}: {
  option: ChartOption;
  height?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const reduced = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    const chart = init(el, undefined, { renderer: 'svg' });
    chart.setOption({ animation: !reduced, ...option });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={ref} className="obs-chart" style={{ height }} aria-hidden="true" data-testid={testId} />;
}
