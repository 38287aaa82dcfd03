import { bayesianProportions } from './bayesian.js';
import { adjustPValues } from './corrections.js';
import { normalQuantile, normalTwoSidedP } from './normal.js';
import { DEFAULT_SEQUENTIAL_TUNING, sequentialInterval } from './sequential.js';
import type { ArmCounts, ComparisonFields, Correction, Interval } from './types.js';

export interface ProportionComparison {
  absoluteLift: number | null;
  relativeLift: number | null;
  zScore: number | null;
  pValue: number | null;
  ci: { absolute: Interval | null; relative: Interval | null };
  /** Unpooled standard errors of the absolute and relative lift (null where undefined). */
  standardError: { absolute: number | null; relative: number | null };
  warnings: string[];
}

const rate = (a: ArmCounts): number | null => (a.n > 0 ? a.conversions / a.n : null);

/** Symmetric interval est ± z·se; a zero standard error gives [est, est]. */
export const interval = (est: number, se: number, z: number): Interval =>
  se === 0 ? [est, est] : [est - z * se, est + z * se];

/**
 * Treatment vs control: z = (p_t − p_c)/√(p̄(1 − p̄)(1/n_t + 1/n_c)) with the pooled p̄, two-sided p = erfc(|z|/√2);
 * CI of p_t − p_c with the unpooled SE √(p_t q_t/n_t + p_c q_c/n_c), clamped to [−1, 1]; CI of p_t/p_c − 1 by the delta method,
 * Var ≈ v_t/p_c² + p_t² v_c/p_c⁴ with v = p q/n.
 */
export function compareProportions(
  control: ArmCounts,
  treatment: ArmCounts,
  alpha: number,
  label = 'treatment',
): ProportionComparison {
  const out: ProportionComparison = {
    absoluteLift: null,
    relativeLift: null,
    zScore: null,
    pValue: null,
    ci: { absolute: null, relative: null },
    standardError: { absolute: null, relative: null },
    warnings: [],
  };
  const pc = rate(control);
  const pt = rate(treatment);
  if (pc === null || pt === null) {
    const empty = pc === null ? 'control' : label;
    out.warnings.push(
      `no_data: ${empty} has no users (n = 0): lifts, z, p-value, intervals, chance to beat control and expected loss of ${label} are null`,
    );
    return out;
  }
  const z = -normalQuantile(alpha / 2);
  const diff = pt - pc;
  out.absoluteLift = diff;
  const vt = (pt * (1 - pt)) / treatment.n;
  const vc = (pc * (1 - pc)) / control.n;
  const seAbs = Math.sqrt(vt + vc);
  out.standardError.absolute = seAbs;
  // A difference of two rates lies in [−1, 1]; clamp as R's prop.test does.
  const [lo, hi] = interval(diff, seAbs, z);
  out.ci.absolute = [Math.max(-1, lo), Math.min(1, hi)];
  if (seAbs === 0) {
    out.warnings.push(
      `zero_standard_error: ${label} vs control: both rates are 0 or 1, the interval is [d, d]`,
    );
  }
  const pooled = (control.conversions + treatment.conversions) / (control.n + treatment.n);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.n + 1 / control.n));
  if (sePooled > 0) {
    out.zScore = diff / sePooled;
    out.pValue = normalTwoSidedP(out.zScore);
  } else {
    out.warnings.push(
      `zero_pooled_variance: ${label} vs control: pooled rate is ${pooled}, z and p-value are null`,
    );
  }
  if (pc > 0) {
    out.relativeLift = pt / pc - 1;
    const seRel = Math.sqrt(vt / (pc * pc) + (pt * pt * vc) / pc ** 4);
    out.standardError.relative = seRel;
    out.ci.relative = interval(out.relativeLift, seRel, z);
  } else {
    out.warnings.push(`zero_control_rate: ${label} vs control: control rate is 0, relative lift is null`);
  }
  return out;
}

export type TestMethod = 'fixed' | 'sequential';

/**
 * The always-valid version of a comparison: p-value and both intervals from confidence sequences on the
 * same standard errors (N = both arms' users). zScore stays the fixed-horizon statistic, for reference.
 */
function makeSequential(
  c: ProportionComparison,
  n: number,
  alpha: number,
  tuning = DEFAULT_SEQUENTIAL_TUNING,
): ProportionComparison {
  if (c.absoluteLift === null || c.standardError.absolute === null) return c;
  const abs = sequentialInterval(c.absoluteLift, c.standardError.absolute, n, alpha, tuning);
  const rel =
    c.relativeLift === null || c.standardError.relative === null
      ? null
      : sequentialInterval(c.relativeLift, c.standardError.relative, n, alpha, tuning).ci;
  const clamped: Interval | null = abs.ci ? [Math.max(-1, abs.ci[0]), Math.min(1, abs.ci[1])] : null;
  return { ...c, pValue: c.pValue === null ? null : abs.pValue, ci: { absolute: clamped, relative: rel } };
}

export interface ProportionsInput {
  control: ArmCounts;
  treatments: ArmCounts[];
  alpha: number;
  correction: Correction;
  method?: TestMethod;
  /** N* of the confidence sequences (sequential method). */
  tuning?: number;
  /** Names for warnings; labels[0] is the control. */
  labels?: string[];
}

export interface ProportionsVariant extends ComparisonFields {
  isControl: boolean;
  n: number;
  conversions: number;
  conversionRate: number | null;
}

/** Every treatment against the control, p-values adjusted over the family of treatments. */
export function proportionsTest(input: ProportionsInput) {
  const { control, treatments, alpha, correction } = input;
  const labels = input.labels ?? ['control', ...treatments.map((_, i) => `treatment ${i + 1}`)];
  const method = input.method ?? 'fixed';
  const comparisons = treatments.map((t, i) => {
    const fixed = compareProportions(control, t, alpha, labels[i + 1]);
    return method === 'sequential' ? makeSequential(fixed, control.n + t.n, alpha, input.tuning) : fixed;
  });
  const adjusted = adjustPValues(
    comparisons.map((c) => c.pValue),
    correction,
  );
  const level = 1 - alpha;
  const controlRow: ProportionsVariant = {
    isControl: true,
    n: control.n,
    conversions: control.conversions,
    conversionRate: rate(control),
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
  const rows = treatments.map((t, i): ProportionsVariant => {
    const c = comparisons[i]!;
    const padj = adjusted[i] ?? null;
    return {
      isControl: false,
      n: t.n,
      conversions: t.conversions,
      conversionRate: rate(t),
      absoluteLift: c.absoluteLift,
      relativeLift: c.relativeLift,
      zScore: c.zScore,
      pValue: c.pValue,
      pValueAdjusted: padj,
      significant: padj === null ? null : padj < alpha,
      ci: { level, ...c.ci },
      ...bayesianProportions(control, t),
    };
  });
  return {
    alpha,
    correction,
    method,
    variants: [controlRow, ...rows],
    warnings: [...new Set(comparisons.flatMap((c) => c.warnings))],
  };
}
