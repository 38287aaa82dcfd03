export type Interval = [number, number];
export type Correction = 'holm' | 'bonferroni' | 'none';

export interface ArmCounts {
  n: number;
  conversions: number;
}

export interface ArmMoments {
  n: number;
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
}

/** What every comparison of a treatment with the control reports (null where it cannot be computed). */
export interface ComparisonFields {
  absoluteLift: number | null;
  relativeLift: number | null;
  zScore: number | null;
  pValue: number | null;
  pValueAdjusted: number | null;
  significant: boolean | null;
  ci: { level: number; absolute: Interval | null; relative: Interval | null };
  chanceToBeatControl: number | null;
  expectedLoss: number | null;
}
