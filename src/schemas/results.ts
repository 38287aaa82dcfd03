import { z } from 'zod';
import {
  interval,
  metricName,
  nullableNumber,
  nullableTimestampOut,
  timeZone,
  timestampOut,
} from './common.js';

export const alphaParam = z.coerce
  .number()
  .gt(0, 'alpha must be in (0, 0.5]')
  .max(0.5, 'alpha must be in (0, 0.5]')
  .default(0.05);
/** In JSON bodies numbers are numbers: "0.1" or [0.1] is refused, not coerced. */
export const alphaBody = z
  .number()
  .gt(0, 'alpha must be in (0, 0.5]')
  .max(0.5, 'alpha must be in (0, 0.5]')
  .default(0.05);
export const correctionParam = z.enum(['holm', 'bonferroni', 'none']).default('holm');
export const methodParam = z
  .enum(['fixed', 'sequential'])
  .default('fixed')
  .describe('sequential: always-valid p-values and confidence sequences, safe to watch every day');
const TUNING =
  'Sequential only: the total sample size N* at which the confidence sequence is tightest (default 5000)';
const tuningParam = z.coerce.number().int().min(100).max(1e9).optional().describe(TUNING);
export const tuningBody = z.number().int().min(100).max(1e9).optional().describe(TUNING);
export const formatParam = z.enum(['json', 'csv']).optional().describe('csv: same as Accept: text/csv');

const resultsQuery = z.strictObject({
  metric: metricName.optional(),
  alpha: alphaParam,
  correction: correctionParam,
  method: methodParam,
  sequentialTuning: tuningParam,
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
    .describe('metric=ltv: revenue in [first exposure, first exposure + horizonDays × 24 h)'),
  format: formatParam,
});

/** Results only (not the timeline): CUPED variance reduction (SPEC §10.2). */
const cupedQuery = {
  cuped: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe(
      'true: CUPED-adjusted comparison with a pre-exposure covariate (revenue for ltv and valued metrics, else days with activity)',
    ),
  cupedLookbackDays: z.coerce
    .number()
    .int()
    .min(1, 'must be between 1 and 90')
    .max(90, 'must be between 1 and 90')
    .default(14)
    .describe('CUPED covariate window: [firstExposure − days, firstExposure)'),
};
export const resultsWithCupedQuery = resultsQuery.extend(cupedQuery);

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

const cupedRowSchema = z
  .object({
    theta: nullableNumber.optional().describe('Cov(Y, X)/Var(X) over control and this treatment'),
    adjustedMean: z.number().describe('Ȳ_k − θ(X̄_k − X̄)'),
    controlAdjustedMean: z.number().optional().describe("The control's adjusted mean in this comparison"),
    absoluteLift: z.number().optional(),
    relativeLift: nullableNumber.optional().describe('On the unadjusted control mean (delta method)'),
    zScore: nullableNumber.optional(),
    pValue: nullableNumber.optional(),
    ci: z.object({ absolute: interval, relative: interval.nullable() }).optional(),
    varianceReduction: nullableNumber.optional().describe('1 − adjusted ÷ raw variance of the difference'),
  })
  .nullable()
  .optional()
  .describe(
    'With cuped=true; the control row has adjustedMean only (from the comparison with the first treatment)',
  );

export const resultsSchema = z.object({
  experimentKey: z.string(),
  status: z.string(),
  metric: z.string(),
  method: z.enum(['fixed', 'sequential']),
  controlVariant: z.string(),
  alpha: z.number(),
  correction: z.string(),
  computedAt: timestampOut,
  horizonDays: z.number().optional().describe('metric=ltv: the horizon in days'),
  totals: z.object({
    assigned: z.number(),
    exposed: z.number(),
    converted: z.number(),
    eligible: z.number().optional().describe('retention_d7 and ltv: sum of the variants’ eligible users'),
    pending: z.number().optional().describe('retention_d7 and ltv: sum of the variants’ pending users'),
  }),
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
      invites: z.number().optional().describe('k_factor: invites sent by exposed users after first exposure'),
      signups: z
        .number()
        .optional()
        .describe('k_factor: signups from those invites within the conversion window'),
      kFactor: z.number().nullable().optional().describe('k_factor: signups ÷ exposed users'),
      eligible: z
        .number()
        .optional()
        .describe(
          'retention_d7 and ltv: exposed users whose window (day 7, or the ltv horizon) has elapsed; ' +
            'rates, tests and value are over these users',
        ),
      pending: z
        .number()
        .optional()
        .describe('retention_d7 and ltv: exposed users whose window has not elapsed yet'),
      retained: z
        .number()
        .optional()
        .describe(
          'retention_d7: eligible users active in [first exposure + 7 × 24 h, + 8 × 24 h) (= converted)',
        ),
      cuped: cupedRowSchema,
    }),
  ),
  warnings: z.array(z.string()),
  cuped: z
    .object({ covariate: z.enum(['revenue', 'activity_days']), lookbackDays: z.number() })
    .optional()
    .describe('With cuped=true'),
  bandit: z
    .object({
      periods: z.array(
        z.object({
          period: z.number(),
          startedAt: nullableTimestampOut,
          exposed: z.number().describe('N_p: users first exposed in the period'),
          weights: z.array(z.object({ variant: z.string(), weight: z.number() })),
        }),
      ),
    })
    .optional()
    .describe(
      'Bandits: the weight periods. Rates, lifts, tests and intervals are reweighted by period ' +
        '(mean_k = Σ_p w_p·mean_{k,p}, Var_k = Σ_p w_p²·var_{k,p}/n_{k,p}, w_p = N_p/N); SRM expects Σ_p N_p·weight_{k,p}',
    ),
});

export const timelineQuery = resultsQuery.extend({
  tz: timeZone.default('UTC'),
});

export const resultsTimelineSchema = z.object({
  experimentKey: z.string(),
  metric: z.string(),
  method: z.enum(['fixed', 'sequential']),
  alpha: z.number(),
  correction: z.string(),
  tz: z.string(),
  controlVariant: z.string(),
  horizonDays: z.number().optional().describe('metric=ltv: the horizon in days'),
  days: z.array(
    z.object({
      date: z.string().describe('Start of the day in tz; figures are cumulative to its end'),
      variants: z.array(
        z.object({
          variant: z.string(),
          exposed: z.number(),
          converted: z.number(),
          conversionRate: nullableNumber,
          absoluteLift: nullableNumber,
          relativeLift: nullableNumber,
          pValue: nullableNumber.describe(
            'Adjusted over the treatments, as in results; always-valid with method=sequential',
          ),
          ci: z.object({ absolute: interval.nullable(), relative: interval.nullable() }),
          invites: z
            .number()
            .optional()
            .describe('k_factor: invites sent by exposed users after first exposure'),
          signups: z
            .number()
            .optional()
            .describe('k_factor: signups from those invites within the conversion window'),
          kFactor: z.number().nullable().optional().describe('k_factor: signups ÷ exposed users'),
          value: z
            .object({ meanDifference: nullableNumber, pValue: nullableNumber, ci: interval.nullable() })
            .nullable()
            .optional()
            .describe(
              "k_factor: Welch's test of per-user signups against control; ltv: of the eligible users' revenue " +
                '(null on the control row)',
            ),
          eligible: z
            .number()
            .optional()
            .describe(
              'retention_d7 and ltv: exposed users whose window had ended by the end of the day (a user becomes ' +
                'eligible, with an outcome, on the day the window ends); rates and tests are over these',
            ),
        }),
      ),
    }),
  ),
});
