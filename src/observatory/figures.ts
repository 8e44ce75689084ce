/**
 * Figures other capabilities compute for the Observatory (the innovation hub's communities, members,
 * attendance, calls...). The Observatory imports none of them: the composition root (src/app.ts) passes
 * providers in `ObservatoryPluginOptions.figures`, and indicators with the source
 * `{"kind":"figure","figure":"innovation.communities"}` are computed through them.
 */

export interface FigurePeriod {
  /** SDMX period code: 2026, 2026-Q1, 2026-03... */
  code: string;
  /** First instant, inclusive (UTC). */
  start: Date;
  /** Instant after the last, exclusive (UTC). */
  end: Date;
}

export interface FigureProvider {
  /** The figures this provider computes, e.g. `innovation.communities`. */
  figures: readonly string[];
  /** The figure for the period: stocks as at its end, flows within it; null when it cannot be known. */
  compute(figure: string, period: FigurePeriod): Promise<number | null>;
}

export function findProvider(
  providers: readonly FigureProvider[],
  figure: string,
): FigureProvider | undefined {
  return providers.find((p) => p.figures.includes(figure));
}
