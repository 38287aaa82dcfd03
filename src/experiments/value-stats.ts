import { welchTest } from '../stats/means.js';
import { sequentialInterval } from '../stats/sequential.js';
import type { Interval } from '../stats/types.js';

export interface ValueStats {
  sum: number;
  mean: number | null;
  variance: number | null;
  meanDifference: number | null;
  pValue: number | null;
  ci: Interval | null;
}

/** One arm's per-user values: users counted, the sum of their values and the sample variance of them. */
export interface ValueArm {
  label: string;
  users: number;
  valueSum: number;
  valueVariance: number | null;
}

export interface ValueComparison {
  alpha: number;
  /** Always-valid p-value and confidence sequence instead of the fixed-horizon ones. */
  sequential?: { tuning?: number };
  warnings: string[];
}

/**
 * Per user value (0 for users without one): the arm's sum, mean and variance, and Welch's t-test of its mean
 * against the control's (or, sequentially, the always-valid interval around the same difference and standard error).
 */
export function valueStats(arm: ValueArm, control: ValueArm | null, c: ValueComparison): ValueStats {
  const mean = arm.users > 0 ? arm.valueSum / arm.users : null;
  const base: ValueStats = {
    sum: arm.valueSum,
    mean,
    variance: arm.valueVariance,
    meanDifference: null,
    pValue: null,
    ci: null,
  };
  if (!control || mean === null || control.users === 0) return base;
  const w = welchTest(
    { n: control.users, mean: control.valueSum / control.users, variance: control.valueVariance ?? 0 },
    { n: arm.users, mean, variance: arm.valueVariance ?? 0 },
    c.alpha,
  );
  c.warnings.push(...w.warnings.map((m) => `${m} (value, ${arm.label} vs ${control.label})`));
  if (c.sequential && w.meanDifference !== null && w.standardError !== null) {
    const n = arm.users + control.users;
    const seq = sequentialInterval(w.meanDifference, w.standardError, n, c.alpha, c.sequential.tuning);
    return {
      ...base,
      meanDifference: w.meanDifference,
      pValue: w.pValue === null ? null : seq.pValue,
      ci: seq.ci,
    };
  }
  return { ...base, meanDifference: w.meanDifference, pValue: w.pValue, ci: w.ci.absolute };
}
