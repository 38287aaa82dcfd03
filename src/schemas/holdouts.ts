import { z } from 'zod';
import { experimentKey, listQuery, metricName, timestampOut } from './common.js';
import { alphaParam, ciSchema } from './results.js';

const holdoutKey = experimentKey.describe(
  'Holdout key: lowercase letters, digits, "_" and "-", 1–64 characters (as experiment keys)',
);

export const createHoldoutBody = z.strictObject({
  key: holdoutKey,
  percent: z
    .number()
    .gt(0, 'must be in (0, 0.2]')
    .max(0.2, 'must be in (0, 0.2]')
    .describe('Share of users held out, as a fraction (0.05 = 5 %)'),
  experiments: z
    .union([z.literal('all'), z.array(experimentKey).min(1).max(500)])
    .describe('"all" (experiments created later too) or the keys of the experiments covered'),
});

export const holdoutParams = z.strictObject({ key: holdoutKey });

export const listHoldoutsQuery = z.strictObject(listQuery);

export const holdoutSchema = z.object({
  key: z.string(),
  percent: z.number(),
  experiments: z.union([z.literal('all'), z.array(z.string())]),
  createdAt: timestampOut,
});

export const holdoutListSchema = z.object({
  items: z.array(holdoutSchema),
  nextCursor: z.string().nullable(),
});

export const holdoutResultsQuery = z.strictObject({
  metric: metricName
    .default('k_factor')
    .describe(
      'k_factor, or a conversion metric recorded on the covered experiments (retention_d7 and ltv: §8)',
    ),
  alpha: alphaParam,
  conversionWindowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(90)
    .default(14)
    .describe('metric=k_factor: an invite counts as a signup within this many days of sending'),
  horizonDays: z.coerce
    .number()
    .int()
    .min(1, 'must be 1–365')
    .max(365, 'must be 1–365')
    .default(30)
    .describe('metric=ltv: revenue in [first assignment, first assignment + horizonDays)'),
});

const n = z.number().nullable();

export const holdoutResultsSchema = z.object({
  holdoutKey: z.string(),
  metric: z.string(),
  alpha: z.number(),
  computedAt: timestampOut,
  variants: z.array(
    z.object({
      variant: z.enum(['holdout', 'treated']),
      isControl: z.boolean(),
      users: z.number().describe('holdout: users held out; treated: users in a non-control variant'),
      converted: z.number(),
      conversionRate: n,
      absoluteLift: n,
      relativeLift: n,
      zScore: n,
      pValue: n,
      pValueAdjusted: n,
      significant: z.boolean().nullable(),
      ci: ciSchema,
      chanceToBeatControl: n,
      expectedLoss: n,
      value: z
        .object({
          sum: z.number(),
          mean: n,
          variance: n,
          meanDifference: n,
          pValue: n,
          ci: z.tuple([z.number(), z.number()]).nullable(),
        })
        .nullable(),
      invites: z.number().optional(),
      signups: z.number().optional(),
      kFactor: z.number().nullable().optional(),
      pending: z
        .number()
        .optional()
        .describe('retention_d7 and ltv: users whose window has not elapsed yet (left out of users)'),
    }),
  ),
  warnings: z.array(z.string()),
});
