import { z } from 'zod';
import { metricName, nullableNumber, nullableTimestampOut, timestampOut } from './common.js';

export const EXPERIMENT_TYPES = ['ab', 'bandit'] as const;

/** Metrics a bandit cannot learn from: its posteriors are Beta, so it needs a binomial metric. */
const NOT_BINOMIAL = ['k_factor', 'ltv'];

export const banditIn = z
  .strictObject({
    metric: metricName
      .refine(
        (m) => !NOT_BINOMIAL.includes(m),
        `must be a binomial metric (not ${NOT_BINOMIAL.join(' or ')})`,
      )
      .optional()
      .describe('The binomial metric the weights follow (default: targetMetric)'),
    explorationHours: z
      .number()
      .min(0, 'must be between 0 and 8760')
      .max(8760, 'must be between 0 and 8760')
      .default(24)
      .describe('Weights stay equal for this long after the start'),
    updateEveryMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .min(15, 'must be at least 15')
      .max(43_200, 'must be at most 43200 (30 days)')
      .default(60),
    minWeight: z
      .number()
      .min(0, 'must be in [0, 1)')
      .lt(1, 'must be in [0, 1)')
      .default(0.01)
      .describe('Floor of every weight; minWeight × variants must be < 1'),
    minUsersPerVariant: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be ≥ 0')
      .max(1e9)
      .default(100)
      .describe('Weights stay equal until every variant has this many exposed users'),
  })
  .describe('Bandit settings (type bandit only); weights start equal and move at each update (SPEC §10.1)');
export type BanditIn = z.infer<typeof banditIn>;

export const banditSettingsOut = z
  .object({
    metric: z.string(),
    explorationHours: z.number(),
    updateEveryMinutes: z.number(),
    minWeight: z.number(),
    minUsersPerVariant: z.number(),
  })
  .nullable();

const variantWeight = z.object({ variant: z.string(), weight: z.number() });

export const banditStateSchema = z.object({
  experimentKey: z.string(),
  status: z.string(),
  metric: z.string(),
  weights: z
    .array(variantWeight.extend({ pBest: nullableNumber.describe('From the latest update; null before it') }))
    .describe("The current period's weights, used to bucket new users"),
  leader: z.string().nullable().describe('The variant with P(best) ≥ 0.95, else null'),
  exploring: z
    .boolean()
    .describe('True while the exploration period runs or a variant has fewer than minUsersPerVariant users'),
  lastUpdateAt: nullableTimestampOut,
  nextUpdateAt: nullableTimestampOut.describe('When the schedule updates next (null unless running)'),
  periods: z.array(
    z.object({
      period: z.number(),
      startedAt: timestampOut,
      weights: z.array(variantWeight),
      pBest: z.array(z.object({ variant: z.string(), pBest: z.number() })).nullable(),
      counts: z
        .array(z.object({ variant: z.string(), exposed: z.number(), converted: z.number() }))
        .nullable()
        .describe('The posteriors Beta(1 + converted, 1 + exposed − converted) of the update'),
      seed: z.number().nullable().describe('Seed of the update’s 10,000 draws, to replay it'),
    }),
  ),
  update: z
    .object({ opened: z.boolean(), reason: z.string() })
    .optional()
    .describe('On POST …/bandit/update: whether the update opened a period, and why not'),
});
export type BanditStateOut = z.infer<typeof banditStateSchema>;
