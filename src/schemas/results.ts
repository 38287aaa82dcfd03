import { z } from 'zod';
import { interval, metricName, nullableNumber, timestampOut } from './common.js';

export const alphaParam = z.coerce
  .number()
  .gt(0, 'alpha must be in (0, 0.5]')
  .max(0.5, 'alpha must be in (0, 0.5]')
  .default(0.05);
export const correctionParam = z.enum(['holm', 'bonferroni', 'none']).default('holm');
export const formatParam = z.enum(['json', 'csv']).optional().describe('csv: same as Accept: text/csv');

export const resultsQuery = z.strictObject({
  metric: metricName.optional(),
  alpha: alphaParam,
  correction: correctionParam,
  format: formatParam,
});

export const ciSchema = z.object({
  level: z.number(),
  absolute: interval.nullable(),
  relative: interval.nullable(),
});

const valueSchema = z
  .object({
    sum: z.number(),
    mean: nullableNumber,
    variance: nullableNumber,
    meanDifference: nullableNumber,
    pValue: nullableNumber,
    ci: interval.nullable(),
  })
  .nullable();

export const resultsSchema = z.object({
  experimentKey: z.string(),
  status: z.string(),
  metric: z.string(),
  method: z.enum(['fixed', 'sequential']),
  controlVariant: z.string(),
  alpha: z.number(),
  correction: z.string(),
  computedAt: timestampOut,
  totals: z.object({ assigned: z.number(), exposed: z.number(), converted: z.number() }),
  srm: z.object({ chiSquare: nullableNumber, pValue: nullableNumber, mismatch: z.boolean().nullable() }),
  variants: z.array(
    z.object({
      variant: z.string(),
      isControl: z.boolean(),
      assigned: z.number(),
      exposed: z.number(),
      converted: z.number(),
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
      value: valueSchema,
    }),
  ),
  warnings: z.array(z.string()),
});
