import { chiSquareSf } from './chi-square.js';

export interface SrmResult {
  chiSquare: number | null;
  degreesOfFreedom: number;
  pValue: number | null;
  mismatch: boolean | null;
  expected: number[];
  warnings: string[];
}

/** Threshold under which a sample-ratio mismatch is declared. */
const SRM_THRESHOLD = 0.001;

/** Pearson χ² = Σ (o − e)²/e with e_i = N·w_i/Σw and k − 1 degrees of freedom; mismatch when p < 0.001. */
export function srmTest(observed: number[], weights: number[]): SrmResult {
  const total = observed.reduce((s, o) => s + o, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  const expected = weights.map((w) => (total * w) / weightSum);
  const degreesOfFreedom = observed.length - 1;
  if (total === 0) {
    return {
      chiSquare: null,
      degreesOfFreedom,
      pValue: null,
      mismatch: null,
      expected,
      warnings: ['no_data: no observations, the sample-ratio check is null'],
    };
  }
  const chiSquare = observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
  const pValue = chiSquareSf(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < SRM_THRESHOLD, expected, warnings: [] };
}
