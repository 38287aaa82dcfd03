import { normalQuantile } from './normal.js';

export type EffectKind = 'relative' | 'absolute';

export interface SampleSizeInput {
  baselineRate: number;
  minDetectableEffect: number;
  effect: EffectKind;
  alpha: number;
  power: number;
  variants: number;
  dailyUsers?: number;
}

export interface SampleSizeResult {
  perVariant: number;
  total: number;
  method: string;
  days?: number;
}

/** The rate the treatment must reach: p·(1 + mde) for a relative effect, p + mde for an absolute one. */
export const targetRate = (baseline: number, mde: number, effect: EffectKind): number =>
  effect === 'relative' ? baseline * (1 + mde) : baseline + mde;

/**
 * n per arm of a two-sided two-proportion z-test as R's power.prop.test computes it (pooled variance under H0,
 * unpooled under H1), solved in closed form: n = ((z_{1−α/2}·√((p1+p2)(q1+q2)/2) + z_power·√(p1q1+p2q2)) / |p1−p2|)²,
 * rounded up. Beyond 2 variants alpha is split over the k − 1 comparisons with the control (Bonferroni).
 */
export function sampleSize(input: SampleSizeInput): SampleSizeResult {
  const p1 = input.baselineRate;
  const p2 = targetRate(p1, input.minDetectableEffect, input.effect);
  const comparisons = Math.max(1, input.variants - 1);
  const alpha = input.alpha / comparisons;
  const zAlpha = -normalQuantile(alpha / 2);
  const zPower = -normalQuantile(1 - input.power);
  const q1 = 1 - p1;
  const q2 = 1 - p2;
  const root =
    (zAlpha * Math.sqrt(((p1 + p2) * (q1 + q2)) / 2) + zPower * Math.sqrt(p1 * q1 + p2 * q2)) /
    Math.abs(p1 - p2);
  // Guard the ceiling against a product like 3841.0000000000005 that is an integer up to rounding.
  const exact = root * root;
  const perVariant = Math.max(2, Math.ceil(exact - 1e-9 * exact));
  const total = perVariant * input.variants;
  const split =
    comparisons > 1
      ? `, alpha ${input.alpha} split over ${comparisons} comparisons (Bonferroni: ${alpha})`
      : '';
  const result: SampleSizeResult = {
    perVariant,
    total,
    method: `power.prop.test: two-sided two-proportion z-test, pooled variance under H0, unpooled under H1${split}`,
  };
  if (input.dailyUsers !== undefined) result.days = Math.ceil(total / input.dailyUsers);
  return result;
}
