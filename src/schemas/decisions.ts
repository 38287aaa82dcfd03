import { z } from 'zod';
import { metricName } from './common.js';
import { channelOut, channelsIn } from './channels.js';

export const decisionPolicyIn = z
  .strictObject({
    primaryMetric: metricName.optional().describe('Defaults to the experiment’s targetMetric'),
    guardrails: z
      .array(
        z.strictObject({
          metric: metricName,
          direction: z.enum(['higher_is_better', 'lower_is_better']).default('higher_is_better'),
        }),
      )
      .max(20)
      .default([]),
    minDays: z.number().min(0).max(3650).default(7),
    minUsersPerVariant: z.number().int().min(0).max(1e9).default(100).describe('exposed users'),
    maxDays: z.number().gt(0).max(3650).optional(),
    autoDeclare: z.boolean().default(false),
    channels: channelsIn.default([]).describe('experiment.decided notifications'),
  })
  .superRefine((p, ctx) => {
    if (p.maxDays !== undefined && p.maxDays < p.minDays) {
      ctx.addIssue({ code: 'custom', path: ['maxDays'], message: 'must be at least minDays' });
    }
  });
export type DecisionPolicyIn = z.infer<typeof decisionPolicyIn>;

export const decisionPolicyOut = z.object({
  primaryMetric: z.string(),
  guardrails: z.array(
    z.object({ metric: z.string(), direction: z.enum(['higher_is_better', 'lower_is_better']) }),
  ),
  minDays: z.number(),
  minUsersPerVariant: z.number(),
  maxDays: z.number().nullable(),
  autoDeclare: z.boolean(),
  channels: z.array(channelOut),
});

export const decisionSchema = z.object({
  decision: z.enum(['invalid', 'wait', 'rollback', 'ship', 'inconclusive', 'continue']),
  variant: z.string().optional(),
  reasons: z.array(z.string()),
  evaluatedAt: z.string(),
  declared: z.boolean().describe('true when this evaluation declared the winner (autoDeclare)'),
});
