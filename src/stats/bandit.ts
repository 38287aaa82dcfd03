// Multi-armed bandit (SPEC §10.1): Thompson-sampling weights from Beta posteriors, and results reweighted by weight
// period so that a base rate drifting while the weights move cannot bias the comparison (GrowthBook's approach).
import { chiSquareSf } from './chi-square.js';
import { betaSample, normalSampler, seededUniform } from './random.js';
import { type SrmResult, srmTest } from './srm.js';
import type { ArmCounts } from './types.js';

/** Draws per update (SPEC §10.1). */
const BANDIT_DRAWS = 10_000;

/**
 * P(best) per arm: the share of `draws` joint draws from the posteriors Beta(1 + conversions, 1 + n − conversions)
 * in which the arm has the largest rate. Reproducible: the same seed (an unsigned 32-bit integer) and counts give
 * the same answer. The shares sum to 1 exactly.
 */
export function banditProbabilities(arms: ArmCounts[], seed: number, draws = BANDIT_DRAWS): number[] {
  const uniform = seededUniform(seed);
  const normal = normalSampler(uniform);
  const wins = new Array<number>(arms.length).fill(0);
  for (let i = 0; i < draws; i++) {
    let best = 0;
    let bestValue = -1;
    arms.forEach((arm, k) => {
      const value = betaSample(1 + arm.conversions, 1 + arm.n - arm.conversions, uniform, normal);
      if (value > bestValue) {
        bestValue = value;
        best = k;
      }
    });
    wins[best]! += 1;
  }
  return wins.map((w) => w / draws);
}

/**
 * Bandit weights from P(best): every weight below minWeight is raised to minWeight, then all are divided by their
 * sum once (GrowthBook's rule; a raised weight may end slightly below minWeight). Needs minWeight·k < 1, else
 * the floor alone would exceed the whole: throws RangeError (validate it at the edge).
 */
export function banditWeights(pBest: number[], minWeight: number): number[] {
  if (!(minWeight >= 0 && minWeight * pBest.length < 1)) {
    throw new RangeError(`minWeight × variants must be < 1 (got ${minWeight} × ${pBest.length})`);
  }
  const floored = pBest.map((p) => Math.max(p, minWeight));
  const total = floored.reduce((s, w) => s + w, 0);
  return floored.map((w) => w / total);
}

/** One variant in one weight period: users first exposed in the period, their mean outcome and its variance. */
export interface PeriodCell {
  n: number;
  mean: number;
  /** Variance of one user's outcome (p(1 − p) for a conversion, the sample variance otherwise). */
  variance: number;
}

export interface ReweightedArm {
  /** Σ_p w_p·mean_{k,p}. */
  mean: number;
  /** Variance of that estimate, Σ_p w_p²·var_{k,p}/n_{k,p}. */
  variance: number;
  /** Users of the variant over the periods used. */
  n: number;
}

/** A conversion cell: mean p = conversions/n and variance p(1 − p). */
export const binomialCell = (c: ArmCounts): PeriodCell => {
  const p = c.n > 0 ? c.conversions / c.n : 0;
  return { n: c.n, mean: p, variance: p * (1 - p) };
};

/**
 * Period-reweighted estimate for every variant. cells[p][k] is variant k in period p. With N_p the users of period
 * p (all variants) and P_k the periods where variant k has users, w_p = N_p / Σ_{q∈P_k} N_q,
 * mean_k = Σ_{p∈P_k} w_p·mean_{k,p} and Var_k = Σ_{p∈P_k} w_p²·var_{k,p}/n_{k,p}: every variant is averaged over the
 * same mix of periods, whatever share of each period it received. null for a variant without users.
 */
export function reweightByPeriod(cells: PeriodCell[][]): (ReweightedArm | null)[] {
  const variants = Math.max(0, ...cells.map((row) => row.length));
  const periodUsers = cells.map((row) => row.reduce((s, c) => s + c.n, 0));
  return Array.from({ length: variants }, (_, k) => {
    let total = 0;
    cells.forEach((row, p) => {
      if ((row[k]?.n ?? 0) > 0) total += periodUsers[p]!;
    });
    if (total === 0) return null;
    const out: ReweightedArm = { mean: 0, variance: 0, n: 0 };
    cells.forEach((row, p) => {
      const cell = row[k];
      if (!cell || cell.n === 0) return;
      const w = periodUsers[p]! / total;
      out.mean += w * cell.mean;
      out.variance += (w * w * cell.variance) / cell.n;
      out.n += cell.n;
    });
    return out;
  });
}

/** Expected users per variant for the SRM test of a bandit: Σ_p N_p·weight_{k,p} (weights of each period sum to 1). */
export function banditSrmExpected(periods: { users: number; weights: number[] }[]): number[] {
  const variants = Math.max(0, ...periods.map((p) => p.weights.length));
  return Array.from({ length: variants }, (_, k) =>
    periods.reduce((s, p) => s + p.users * (p.weights[k] ?? 0), 0),
  );
}

/**
 * SRM test of a bandit: observed users per variant against E_k = Σ_p N_p·weight_{k,p}. The totals are sums of one
 * multinomial per period, whose covariance Σ_p N_p·(diag(w_p) − w_p·w_pᵀ) is smaller than one multinomial's when
 * the weights move, so Pearson's χ² on E would be conservative. The statistic is the quadratic form
 * (o − E)ᵀ·S⁻¹·(o − E) over the first k − 1 variants (the last is implied), χ² with k − 1 degrees of freedom; with
 * the same weights in every period it is exactly Pearson's χ². Variants with no weight and no user are left out;
 * a singular covariance falls back to Pearson's χ².
 */
export function banditSrmTest(
  observed: number[],
  periods: { users: number; weights: number[] }[],
): SrmResult {
  const expected = banditSrmExpected(periods);
  const kept = observed.map((_, k) => k).filter((k) => expected[k]! > 0 || observed[k]! > 0);
  if (kept.some((k) => expected[k] === 0)) {
    return {
      chiSquare: null,
      degreesOfFreedom: kept.length - 1,
      pValue: 0,
      mismatch: true,
      expected,
      warnings: ['srm_zero_weight: a variant that no period gave weight to has users'],
    };
  }
  const o = kept.map((k) => observed[k]!);
  const e = kept.map((k) => expected[k]!);
  const plain = srmTest(o, e);
  if (plain.chiSquare === null || kept.length < 2) return { ...plain, expected };
  const m = kept.length - 1;
  // Augmented matrix [S | o − E] over the first m kept variants.
  const a = Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(m + 1).fill(0);
    for (const p of periods) {
      const wi = p.weights[kept[i]!] ?? 0;
      for (let j = 0; j < m; j++) {
        const wj = p.weights[kept[j]!] ?? 0;
        row[j]! += p.users * ((i === j ? wi : 0) - wi * wj);
      }
    }
    row[m] = o[i]! - e[i]!;
    return row;
  });
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i]!)));
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    if (!(Math.abs(a[pivot]![c]!) > 1e-12 * scale)) return { ...plain, expected };
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = c + 1; r < m; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= m; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = a[r]![m]!;
    for (let j = r + 1; j < m; j++) s -= a[r]![j]! * x[j]!;
    x[r] = s / a[r]![r]!;
  }
  const chiSquare = Math.max(
    0,
    x.reduce((s, xi, i) => s + xi * (o[i]! - e[i]!), 0),
  );
  const pValue = chiSquareSf(chiSquare, m);
  return { chiSquare, degreesOfFreedom: m, pValue, mismatch: pValue < 0.001, expected, warnings: [] };
}
