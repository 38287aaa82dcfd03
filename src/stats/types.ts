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
