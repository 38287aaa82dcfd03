import { adjustPValues } from '../stats/corrections.js';
import { type CupedComparison, type CupedSums, cupedCompare } from '../stats/cuped.js';
import { sequentialInterval } from '../stats/sequential.js';
import type { Interval } from '../stats/types.js';
import type { CupedCovariate } from './cuped-store.js';
import type { ExperimentResults, ResultsQuery, VariantResult } from './results-service.js';

export interface CupedRow {
  /** Cov(Y, X)/Var(X) over control and this treatment; null when Var(X) = 0 (figures unadjusted). */
  theta?: number | null;
  adjustedMean: number;
  /** The control's adjusted mean in this comparison (θ differs per comparison). */
  controlAdjustedMean?: number;
  absoluteLift?: number;
  relativeLift?: number | null;
  zScore?: number | null;
  pValue?: number | null;
  ci?: { absolute: Interval; relative: Interval | null };
  /** 1 − adjusted/raw variance of the difference. */
  varianceReduction?: number | null;
}

const EMPTY: CupedSums = { n: 0, sumY: 0, sumY2: 0, sumX: 0, sumX2: 0, sumXY: 0 };

/**
 * CUPED results (SPEC §10.2): every treatment compared with the control on Y − θ(X − X̄). The comparison the
 * results lead with takes the adjusted figures: the rate fields for a binomial metric, `value` for a valued one
 * (lift, z, p-value, interval; Holm/Bonferroni over the treatments again; the sequential method on the adjusted
 * standard error). Counts, rates and the Bayesian figures stay unadjusted; each row's `cuped` holds the rest.
 */
export function applyCuped(
  r: ExperimentResults,
  sums: (CupedSums & { variant: string })[],
  q: ResultsQuery,
  info: { covariate: CupedCovariate; lookbackDays: number; valued: boolean },
): ExperimentResults & { cuped: { covariate: CupedCovariate; lookbackDays: number } } {
  const byVariant = new Map(sums.map((s) => [s.variant, s]));
  const control = r.variants.find((v) => v.isControl)!;
  const treatments = r.variants.filter((v) => !v.isControl);
  const warnings = [...r.warnings];
  const comparisons = treatments.map((t): CupedComparison | null => {
    const c = cupedCompare(
      byVariant.get(control.variant) ?? EMPTY,
      byVariant.get(t.variant) ?? EMPTY,
      q.alpha,
      t.variant,
    );
    if (!c) warnings.push(`cuped_too_few_users: ${t.variant} vs control: CUPED needs 2 users per variant`);
    else warnings.push(...c.warnings);
    return c;
  });
  const sequential = (c: CupedComparison, t: VariantResult) => {
    const n = (byVariant.get(t.variant)?.n ?? 0) + (byVariant.get(control.variant)?.n ?? 0);
    const abs = sequentialInterval(
      c.absolute.estimate,
      c.absolute.standardError,
      n,
      q.alpha,
      q.sequentialTuning,
    );
    const rel = c.relative
      ? sequentialInterval(c.relative.estimate, c.relative.standardError, n, q.alpha, q.sequentialTuning).ci
      : null;
    return { pValue: c.absolute.pValue === null ? null : abs.pValue, absolute: abs.ci, relative: rel };
  };
  const figures = comparisons.map((c, i) => {
    if (!c) return null;
    if (q.method !== 'sequential') {
      return { pValue: c.absolute.pValue, absolute: c.absolute.ci, relative: c.relative?.ci ?? null };
    }
    return sequential(c, treatments[i]!);
  });
  const adjusted = adjustPValues(
    figures.map((f) => f?.pValue ?? null),
    q.correction,
  );
  const first = comparisons.find((c) => c !== null);
  const rows = r.variants.map((v): VariantResult & { cuped: CupedRow | null } => {
    if (v.isControl) return { ...v, cuped: first ? { adjustedMean: first.control.adjustedMean } : null };
    const i = treatments.indexOf(v);
    const c = comparisons[i];
    const f = figures[i];
    if (!c || !f) return { ...v, cuped: null };
    const padj = adjusted[i] ?? null;
    const cuped: CupedRow = {
      theta: c.theta,
      adjustedMean: c.treatment.adjustedMean,
      controlAdjustedMean: c.control.adjustedMean,
      absoluteLift: c.absolute.estimate,
      relativeLift: c.relative?.estimate ?? null,
      zScore: c.absolute.zScore,
      pValue: f.pValue,
      ci: { absolute: f.absolute ?? c.absolute.ci, relative: f.relative },
      varianceReduction: c.varianceReduction,
    };
    // A constant covariate leaves nothing to adjust: the results keep their own unadjusted figures.
    if (c.theta === null) return { ...v, cuped };
    if (info.valued) {
      return {
        ...v,
        value: v.value && {
          ...v.value,
          meanDifference: c.absolute.estimate,
          pValue: f.pValue,
          ci: f.absolute,
        },
        cuped,
      };
    }
    return {
      ...v,
      absoluteLift: c.absolute.estimate,
      relativeLift: c.relative?.estimate ?? null,
      zScore: c.absolute.zScore,
      pValue: f.pValue,
      pValueAdjusted: padj,
      significant: padj === null ? null : padj < q.alpha,
      ci: { level: v.ci.level, absolute: f.absolute, relative: f.relative },
      cuped,
    };
  });
  return {
    ...r,
    variants: rows,
    warnings: [...new Set(warnings)],
    cuped: { covariate: info.covariate, lookbackDays: info.lookbackDays },
  };
}
