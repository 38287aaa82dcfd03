// CUPED (SPEC §10.2): a pre-exposure covariate X removes the part of the outcome Y it predicts, shrinking the
// variance of the comparison by about ρ²(X, Y) without biasing it (X cannot depend on the assignment).
import { normalQuantile, normalTwoSidedP } from './normal.js';
import type { Interval } from './types.js';

/** Sufficient statistics of one variant, as SQL aggregates them: n, ΣY, ΣY², ΣX, ΣX², ΣXY. */
export interface CupedSums {
  n: number;
  sumY: number;
  sumY2: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
}

export interface CupedComparison {
  /** Cov(Y, X)/Var(X) over both variants; null when Var(X) = 0 (the figures are then unadjusted). */
  theta: number | null;
  control: { mean: number; adjustedMean: number };
  treatment: { mean: number; adjustedMean: number };
  absolute: {
    estimate: number;
    standardError: number;
    zScore: number | null;
    pValue: number | null;
    ci: Interval;
  };
  /** (adjusted difference) / (unadjusted control mean); null when that mean is 0. */
  relative: { estimate: number; standardError: number; ci: Interval } | null;
  /** 1 − adjusted/raw variance of the difference; null when the raw variance is 0. */
  varianceReduction: number | null;
  warnings: string[];
}

interface Moments {
  n: number;
  meanY: number;
  meanX: number;
  /** Centred sums of squares and products: Σ(y − ȳ)², Σ(x − x̄)², Σ(x − x̄)(y − ȳ). */
  syy: number;
  sxx: number;
  sxy: number;
}

const moments = (s: CupedSums): Moments => {
  const meanY = s.sumY / s.n;
  const meanX = s.sumX / s.n;
  return {
    n: s.n,
    meanY,
    meanX,
    syy: Math.max(0, s.sumY2 - s.n * meanY * meanY),
    sxx: Math.max(0, s.sumX2 - s.n * meanX * meanX),
    sxy: s.sumXY - s.n * meanX * meanY,
  };
};

/** (s²_Y + θ²s²_X − 2θ·s_XY)/n with sample (n − 1) moments: the variance of a CUPED-adjusted mean. */
const adjustedVariance = (m: Moments, theta: number): number =>
  Math.max(0, (m.syy + theta * theta * m.sxx - 2 * theta * m.sxy) / (m.n - 1) / m.n);

/**
 * CUPED comparison of a treatment with the control (GrowthBook's estimator). θ = Cov(Y, X)/Var(X) over the users of
 * both variants (pooled sums of squares: within-variant plus between-variant terms); adjusted mean
 * Ȳ_k − θ(X̄_k − X̄); Var_k = (s²_Y + θ²s²_X − 2θ s_XY)/n_k; the difference d = adj_t − adj_c has
 * SE = √(Var_t + Var_c), z = d/SE, two-sided p = erfc(|z|/√2) and the interval d ± z₁₋α/₂·SE. The relative lift
 * d/Ȳ_c uses the unadjusted control mean, with the delta-method variance of GrowthBook's
 * frequentist_variance_relative_cuped: [s²_Yt + θ²s²_Xt − 2θ s_XYt]/(n_t Ȳ_c²) +
 * [s²_Yc (Ȳ_t/Ȳ_c)² − 2θ s_XYc (Ȳ_t/Ȳ_c) + θ² s²_Xc]/(n_c Ȳ_c²). varianceReduction = 1 − (Var_t + Var_c)/(s²_Yt/n_t +
 * s²_Yc/n_c). With Var(X) = 0 the comparison falls back to the unadjusted figures (θ = 0, reported null) with a
 * warning. Needs at least two users per variant (sample variances): null otherwise.
 */
export function cupedCompare(
  control: CupedSums,
  treatment: CupedSums,
  alpha: number,
  label = 'treatment',
): CupedComparison | null {
  if (control.n < 2 || treatment.n < 2) return null;
  const c = moments(control);
  const t = moments(treatment);
  const warnings: string[] = [];
  const n = c.n + t.n;
  // Pooled over both variants: Σ(x − X̄)² = Sxx_c + Sxx_t + n_c·n_t/N·(x̄_c − x̄_t)², likewise for the products.
  const between = (c.n * t.n) / n;
  const sxx = c.sxx + t.sxx + between * (c.meanX - t.meanX) ** 2;
  const sxy = c.sxy + t.sxy + between * (c.meanX - t.meanX) * (c.meanY - t.meanY);
  const meanX = (control.sumX + treatment.sumX) / n;
  const theta: number | null = sxx > 0 ? sxy / sxx : null;
  if (theta === null) {
    warnings.push(
      `cuped_zero_covariate_variance: ${label} vs control: the covariate is constant, figures are unadjusted`,
    );
  }
  const th = theta ?? 0;
  const adjC = c.meanY - th * (c.meanX - meanX);
  const adjT = t.meanY - th * (t.meanX - meanX);
  const vc = adjustedVariance(c, th);
  const vt = adjustedVariance(t, th);
  const d = adjT - adjC;
  const se = Math.sqrt(vc + vt);
  const z = -normalQuantile(alpha / 2);
  const ci = (est: number, s: number): Interval => (s === 0 ? [est, est] : [est - z * s, est + z * s]);
  const zScore = se > 0 ? d / se : null;
  if (se === 0) {
    warnings.push(
      `zero_standard_error: ${label} vs control (CUPED): no variance left, the interval is [d, d]`,
    );
  }
  const raw = c.syy / (c.n - 1) / c.n + t.syy / (t.n - 1) / t.n;
  let relative: CupedComparison['relative'] = null;
  if (c.meanY !== 0) {
    const ratio = t.meanY / c.meanY;
    const den = c.meanY * c.meanY;
    const vRelT = (t.syy + th * th * t.sxx - 2 * th * t.sxy) / (t.n - 1) / (t.n * den);
    const vRelC =
      (c.syy * ratio * ratio - 2 * th * c.sxy * ratio + th * th * c.sxx) / (c.n - 1) / (c.n * den);
    const seRel = Math.sqrt(Math.max(0, vRelT + vRelC));
    const estimate = d / c.meanY;
    relative = { estimate, standardError: seRel, ci: ci(estimate, seRel) };
  } else {
    warnings.push(`zero_control_mean: ${label} vs control (CUPED): control mean is 0, relative lift is null`);
  }
  return {
    theta,
    control: { mean: c.meanY, adjustedMean: adjC },
    treatment: { mean: t.meanY, adjustedMean: adjT },
    absolute: {
      estimate: d,
      standardError: se,
      zScore,
      pValue: zScore === null ? null : normalTwoSidedP(zScore),
      ci: ci(d, se),
    },
    relative,
    varianceReduction: raw > 0 ? 1 - (vc + vt) / raw : null,
    warnings,
  };
}
