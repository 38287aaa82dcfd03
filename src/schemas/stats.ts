import { z } from 'zod';
import { targetRate } from '../stats/sample-size.js';
import { interval, nullableNumber } from './common.js';
import { alphaBody, ciSchema, correctionParam, methodParam, tuningBody } from './results.js';

const count = z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(1e12);

const arm = z
  .strictObject({ n: count, conversions: count })
  .refine((a) => a.conversions <= a.n, { path: ['conversions'], message: 'must be ≤ n' });

export const proportionsBody = z.strictObject({
  control: arm,
  treatments: z.array(arm).min(1).max(19),
  alpha: alphaBody,
  correction: correctionParam,
  method: methodParam,
  sequentialTuning: tuningBody,
});

export const proportionsSchema = z.object({
  alpha: z.number(),
  correction: z.string(),
  method: z.enum(['fixed', 'sequential']),
  variants: z.array(
    z.object({
      isControl: z.boolean(),
      n: z.number(),
      conversions: z.number(),
      conversionRate: nullableNumber,
      absoluteLift: nullableNumber,
      relativeLift: nullableNumber,
      zScore: nullableNumber,
      pValue: nullableNumber,
      pValueAdjusted: nullableNumber,
      significant: z.boolean().nullable(),
      ci: ciSchema,
      chanceToBeatControl: nullableNumber.describe('P(p_treatment > p_control), Beta(1,1) priors'),
      expectedLoss: nullableNumber.describe('E[max(p_control − p_treatment, 0)]'),
    }),
  ),
  warnings: z.array(z.string()),
});

const moments = z.strictObject({
  n: count,
  mean: z.number().min(-1e15).max(1e15),
  variance: z.number().min(0, 'must be ≥ 0').max(1e30),
});

export const meansBody = z.strictObject({ control: moments, treatment: moments, alpha: alphaBody });

export const meansSchema = z.object({
  meanDifference: nullableNumber,
  standardError: nullableNumber,
  tStatistic: nullableNumber,
  degreesOfFreedom: nullableNumber,
  pValue: nullableNumber,
  significant: z.boolean().nullable(),
  ci: z.object({ level: z.number(), absolute: interval.nullable() }),
  warnings: z.array(z.string()),
});

export const srmBody = z
  .strictObject({
    observed: z.array(count).min(2).max(100),
    weights: z.array(z.number().positive('must be > 0').max(1e12)).min(2).max(100),
  })
  .refine((b) => b.observed.length === b.weights.length, {
    path: ['weights'],
    message: 'must have as many entries as observed',
  })
  // Beyond this spread an expected count underflows and the chi-square overflows.
  .refine((b) => Math.max(...b.weights) <= Math.min(...b.weights) * 1e12, {
    path: ['weights'],
    message: 'the largest weight must be at most 1e12 times the smallest',
  });

export const srmSchema = z.object({
  chiSquare: nullableNumber,
  degreesOfFreedom: z.number(),
  pValue: nullableNumber,
  mismatch: z.boolean().nullable(),
  expected: z.array(z.number()),
  warnings: z.array(z.string()),
});

export const sampleSizeBody = z
  .strictObject({
    baselineRate: z
      .number()
      .min(1e-6, 'must be in [1e-6, 1 − 1e-6]')
      .max(1 - 1e-6, 'must be in [1e-6, 1 − 1e-6]')
      .describe('Control conversion rate, 1e-6 to 1 − 1e-6 (closer to 0 or 1 the sample size is not finite)'),
    minDetectableEffect: z
      .number()
      .refine((v) => v !== 0, 'must not be 0')
      .describe('Relative (0.1 = +10 %) or absolute (0.01 = +1 point) change to detect; may be negative'),
    effect: z.enum(['relative', 'absolute']).default('relative'),
    alpha: alphaBody,
    power: z.number().gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)').default(0.8),
    variants: z.number().int().min(2).max(20).default(2),
    dailyUsers: z
      .number()
      .min(1, 'must be ≥ 1')
      .max(1e12)
      .optional()
      .describe('Users entering the test per day, all variants'),
  })
  .superRefine((b, ctx) => {
    const p2 = targetRate(b.baselineRate, b.minDetectableEffect, b.effect);
    if (Math.abs(p2 - b.baselineRate) < 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['minDetectableEffect'],
        message: 'must change the rate by at least 1e-9 (a smaller effect needs more users than can exist)',
      });
    } else if (!(p2 > 0 && p2 < 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['minDetectableEffect'],
        message: `moves the rate to ${p2}, outside (0, 1)`,
      });
    }
  });

export const sampleSizeSchema = z.object({
  perVariant: z.number(),
  total: z.number(),
  method: z.string(),
  days: z.number().optional(),
});
