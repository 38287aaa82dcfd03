// Comparisons of a bandit's variants on period-reweighted estimates (SPEC §10.1): z-test and intervals on the
// reweighted means and variances, corrected over the treatments like fixed-split results.
import type { ReweightedArm } from './bandit.js';
import { adjustPValues } from './corrections.js';
import { normalQuantile, normalTwoSidedP } from './normal.js';
import { DEFAULT_SEQUENTIAL_TUNING, sequentialInterval } from './sequential.js';
import { erfc } from './special.js';
import type { ComparisonFields, Correction } from './types.js';

export interface BanditComparisonRow extends ComparisonFields {
  /** The reweighted mean (a conversion rate for binomial metrics); null without users. */
  mean: number | null;
}

export interface BanditComparisonInput {
  /** arms[0] is the control. */
  arms: (ReweightedArm | null)[];
  alpha: number;
  correction: Correction;
  method: 'fixed' | 'sequential';
  tuning?: number;
  labels: string[];
}

const SQRT2 = Math.SQRT2;
const normalCdf = (z: number) => 0.5 * erfc(-z / SQRT2);
const normalPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/**
 * Every treatment against the control: d = mean_t − mean_c with SE = √(Var_t + Var_c) (the reweighted variances),
 * z = d/SE, two-sided p, interval d ± z₁₋α/₂·SE; relative lift d/mean_c with the delta-method variance
 * Var_t/mean_c² + mean_t²·Var_c/mean_c⁴. sequential: the asymptotic confidence sequence on the same SE with
 * N = both arms' users. The posterior of d is taken as N(d, SE²) (the reweighted estimate has no Beta form):
 * chanceToBeatControl = Φ(d/SE), expectedLoss = E[max(−D, 0)] = SE·φ(d/SE) − d·Φ(−d/SE).
 */
export function banditComparison(input: BanditComparisonInput) {
  const { arms, alpha } = input;
  const level = 1 - alpha;
  const zq = -normalQuantile(alpha / 2);
  const warnings: string[] = [];
  const control = arms[0] ?? null;
  const rows = arms.slice(1).map((t, i): BanditComparisonRow => {
    const label = input.labels[i + 1] ?? `treatment ${i + 1}`;
    const empty: BanditComparisonRow = {
      mean: t?.mean ?? null,
      absoluteLift: null,
      relativeLift: null,
      zScore: null,
      pValue: null,
      pValueAdjusted: null,
      significant: null,
      ci: { level, absolute: null, relative: null },
      chanceToBeatControl: null,
      expectedLoss: null,
    };
    if (!t || !control) {
      warnings.push(`no_data: ${label} vs control: a variant has no exposed user`);
      return empty;
    }
    const d = t.mean - control.mean;
    const se = Math.sqrt(t.variance + control.variance);
    let relativeLift: number | null = null;
    let seRel: number | null = null;
    if (control.mean !== 0) {
      relativeLift = d / control.mean;
      const c2 = control.mean * control.mean;
      seRel = Math.sqrt(t.variance / c2 + (t.mean * t.mean * control.variance) / (c2 * c2));
    } else {
      warnings.push(`zero_control_rate: ${label} vs control: the control mean is 0, relative lift is null`);
    }
    const row: BanditComparisonRow = { ...empty, absoluteLift: d, relativeLift };
    if (se === 0) {
      warnings.push(`zero_standard_error: ${label} vs control: no variance, the interval is [d, d]`);
      row.ci = {
        level,
        absolute: [d, d],
        relative: relativeLift === null ? null : [relativeLift, relativeLift],
      };
      row.chanceToBeatControl = d > 0 ? 1 : d < 0 ? 0 : 0.5;
      row.expectedLoss = Math.max(-d, 0);
      return row;
    }
    row.zScore = d / se;
    row.chanceToBeatControl = normalCdf(d / se);
    row.expectedLoss = Math.max(0, se * normalPdf(d / se) - d * normalCdf(-d / se));
    if (input.method === 'sequential') {
      const tuning = input.tuning ?? DEFAULT_SEQUENTIAL_TUNING;
      const n = t.n + control.n;
      const abs = sequentialInterval(d, se, n, alpha, tuning);
      row.pValue = abs.pValue;
      row.ci = {
        level,
        absolute: abs.ci,
        relative:
          relativeLift === null || seRel === null
            ? null
            : sequentialInterval(relativeLift, seRel, n, alpha, tuning).ci,
      };
    } else {
      row.pValue = normalTwoSidedP(d / se);
      row.ci = {
        level,
        absolute: [d - zq * se, d + zq * se],
        relative:
          relativeLift === null || seRel === null
            ? null
            : [relativeLift - zq * seRel, relativeLift + zq * seRel],
      };
    }
    return row;
  });
  const adjusted = adjustPValues(
    rows.map((r) => r.pValue),
    input.correction,
  );
  rows.forEach((r, i) => {
    r.pValueAdjusted = adjusted[i] ?? null;
    r.significant = r.pValueAdjusted === null ? null : r.pValueAdjusted < alpha;
  });
  return { control: { mean: control?.mean ?? null }, treatments: rows, warnings: [...new Set(warnings)] };
}
