/**
 * Jury aggregation (README.md, "Ranking"): pure functions, no I/O.
 *
 * 1. Each review gives a weighted total: Σ(weight_c × score_c / max_c) / Σ weight_c, in [0, 1], over the
 *    call's criteria (every criterion must be scored).
 * 2. Each juror's totals are turned into z-scores over the applications *that juror* reviewed:
 *    z = (total − mean_j) / sd_j, sd_j the population standard deviation. A lenient and a severe juror thus
 *    weigh the same. A juror with a single review, or who gave every application the same total, has no scale:
 *    their z-scores are 0.
 * 3. An application's score is the mean of its z-scores; applications are ranked by that score, ties broken by
 *    the mean raw total, then by the earliest submission.
 */
export interface Criterion {
  key: string;
  label: string;
  weight: number;
  max: number;
}

export interface Review {
  applicationId: string;
  jurorId: string;
  scores: Record<string, number>;
}

export interface RankedApplication {
  applicationId: string;
  rank: number;
  /** Mean of the juror z-scores. */
  score: number;
  /** Mean weighted total before normalisation, in [0, 1]. */
  rawMean: number;
  reviews: number;
}

export function weightedTotal(criteria: Criterion[], scores: Record<string, number>): number {
  let sum = 0;
  let weights = 0;
  for (const c of criteria) {
    const v = scores[c.key];
    if (typeof v !== 'number') throw new Error(`criterion ${c.key} is not scored`);
    sum += (c.weight * v) / c.max;
    weights += c.weight;
  }
  return weights > 0 ? sum / weights : 0;
}

/** z-scores of one juror's totals (population standard deviation); 0 when the juror has no spread. */
export function zScores(totals: number[]): number[] {
  const n = totals.length;
  if (n < 2) return totals.map(() => 0);
  const mean = totals.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(totals.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  if (sd < 1e-12) return totals.map(() => 0);
  return totals.map((t) => (t - mean) / sd);
}

export function rank(
  criteria: Criterion[],
  reviews: Review[],
  applications: { id: string; submittedAt: number }[],
): RankedApplication[] {
  const byJuror = new Map<string, { app: string; total: number }[]>();
  for (const r of reviews) {
    const list = byJuror.get(r.jurorId) ?? [];
    list.push({ app: r.applicationId, total: weightedTotal(criteria, r.scores) });
    byJuror.set(r.jurorId, list);
  }
  const zs = new Map<string, number[]>();
  const raws = new Map<string, number[]>();
  for (const list of byJuror.values()) {
    const z = zScores(list.map((x) => x.total));
    list.forEach((x, i) => {
      zs.set(x.app, [...(zs.get(x.app) ?? []), z[i]]);
      raws.set(x.app, [...(raws.get(x.app) ?? []), x.total]);
    });
  }
  const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
  const rows = applications.map((a) => ({
    applicationId: a.id,
    submittedAt: a.submittedAt,
    score: mean(zs.get(a.id) ?? []),
    rawMean: mean(raws.get(a.id) ?? []),
    reviews: (zs.get(a.id) ?? []).length,
  }));
  rows.sort(
    (a, b) =>
      // reviewed applications first
      Number(b.reviews > 0) - Number(a.reviews > 0) ||
      b.score - a.score ||
      b.rawMean - a.rawMean ||
      a.submittedAt - b.submittedAt,
  );
  return rows.map((r, i) => ({
    applicationId: r.applicationId,
    rank: i + 1,
    score: r.score,
    rawMean: r.rawMean,
    reviews: r.reviews,
  }));
}
