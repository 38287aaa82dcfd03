import { z } from 'zod';
import {
  experimentKey,
  identifier,
  listQuery,
  metricName,
  text,
  timestamp,
  nullableTimestampOut,
  timestampOut,
} from './common.js';
import { experimentNamespaceIn, experimentNamespaceOut } from './namespaces.js';
import { decisionPolicyIn, decisionPolicyOut } from './decisions.js';
import { EXPERIMENT_TYPES, banditIn, banditSettingsOut } from './bandits.js';

const STATUSES = ['draft', 'running', 'paused', 'completed'] as const;

const variantKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');

const variantIn = z.strictObject({
  key: variantKey,
  weight: z.number().positive('must be > 0').max(1e6).default(1),
  description: text().max(2000).optional(),
});

const variantsIn = z
  .array(variantIn)
  .min(2, 'an experiment needs 2–20 variants')
  .max(20, 'an experiment needs 2–20 variants')
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    variants.forEach((v, i) => {
      if (seen.has(v.key))
        ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `duplicate variant key "${v.key}"` });
      seen.add(v.key);
    });
  });

const editable = {
  name: text().min(1).max(200),
  description: text().max(5000).nullable(),
  hypothesis: text().max(5000).nullable(),
  variants: variantsIn,
  controlVariant: variantKey,
  targetMetric: metricName,
  trafficPercent: z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100'),
  hashSeed: identifier('hashSeed'),
};

/** Bandit settings need type bandit, and their floor must leave room: minWeight × variants < 1. */
const banditFits = (
  body: {
    type?: string | undefined;
    bandit?: { minWeight: number } | null | undefined;
    variants?: unknown[] | undefined;
  },
  ctx: z.RefinementCtx,
) => {
  if (body.bandit && body.type === 'ab') {
    ctx.addIssue({ code: 'custom', path: ['bandit'], message: 'is only for type "bandit"' });
  }
  if (body.bandit && body.variants && body.bandit.minWeight * body.variants.length >= 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['bandit', 'minWeight'],
      message: `minWeight × variants must be < 1 (${body.bandit.minWeight} × ${body.variants.length})`,
    });
  }
};

const controlInVariants = (
  body: { variants?: { key: string }[] | undefined; controlVariant?: string | undefined },
  ctx: z.RefinementCtx,
) => {
  if (body.variants && body.controlVariant && !body.variants.some((v) => v.key === body.controlVariant)) {
    ctx.addIssue({ code: 'custom', path: ['controlVariant'], message: 'must be one of the variant keys' });
  }
};

export const createExperimentBody = z
  .strictObject({
    key: experimentKey,
    name: editable.name.optional().describe('Defaults to the key'),
    description: editable.description.optional(),
    hypothesis: editable.hypothesis.optional(),
    variants: editable.variants,
    controlVariant: editable.controlVariant.optional().describe('Defaults to the first variant'),
    targetMetric: editable.targetMetric.default('conversion'),
    trafficPercent: editable.trafficPercent.default(100),
    hashSeed: editable.hashSeed.optional().describe('Defaults to the experiment key'),
    namespace: experimentNamespaceIn.optional(),
    type: z
      .enum(EXPERIMENT_TYPES)
      .default('ab')
      .describe('bandit: Thompson sampling moves the traffic towards the best variant (SPEC §10.1)'),
    bandit: banditIn.optional().describe('type bandit only; defaults filled in'),
    decisionPolicy: decisionPolicyIn.optional(),
  })
  .superRefine(controlInVariants)
  .superRefine(banditFits);
export type CreateExperimentInput = z.infer<typeof createExperimentBody>;

export const patchExperimentBody = z
  .strictObject({
    name: editable.name.optional(),
    description: editable.description.optional(),
    hypothesis: editable.hypothesis.optional(),
    variants: editable.variants.optional(),
    controlVariant: editable.controlVariant.optional(),
    targetMetric: editable.targetMetric.optional(),
    trafficPercent: editable.trafficPercent.optional(),
    hashSeed: editable.hashSeed.optional(),
    namespace: experimentNamespaceIn.nullable().optional().describe('null leaves the namespace'),
    type: z.enum(EXPERIMENT_TYPES).optional(),
    bandit: banditIn.optional().describe('Replaces the bandit settings (type bandit only)'),
    decisionPolicy: decisionPolicyIn
      .optional()
      .describe('Replaces the decision policy; allowed in any status'),
  })
  .superRefine(controlInVariants)
  .superRefine(banditFits)
  .describe(
    'Variants, weights, hashSeed, controlVariant, targetMetric, namespace, type and bandit change only in draft',
  );
export type PatchExperimentInput = z.infer<typeof patchExperimentBody>;

export const startBody = z
  .strictObject({
    startedAt: timestamp
      .refine((v) => Date.parse(v) <= Date.now(), 'must not be in the future')
      .optional()
      .describe(
        "Only when starting a draft: a past start time, to import an experiment's history (default now). " +
          'Exposures before it are refused.',
      ),
  })
  .nullish()
  .describe('Optional: a bare POST starts now');

export const winnerBody = z.strictObject({
  variant: variantKey,
  note: text().max(2000).optional(),
});

export const experimentSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  hypothesis: z.string().nullable(),
  status: z.enum(STATUSES),
  variants: z.array(z.object({ key: z.string(), weight: z.number(), description: z.string().nullable() })),
  controlVariant: z.string(),
  targetMetric: z.string(),
  trafficPercent: z.number(),
  hashSeed: z.string(),
  namespace: experimentNamespaceOut,
  type: z.enum(EXPERIMENT_TYPES),
  bandit: banditSettingsOut.describe('type bandit: its settings (weights: GET …/bandit)'),
  winner: z.string().nullable(),
  createdAt: timestampOut,
  updatedAt: timestampOut,
  startedAt: nullableTimestampOut,
  stoppedAt: nullableTimestampOut,
  completedAt: nullableTimestampOut,
  decisionPolicy: decisionPolicyOut
    .optional()
    .describe('With its defaults filled in; on single-experiment answers'),
});
export type ExperimentOut = z.infer<typeof experimentSchema>;

export const keyParams = z.strictObject({ key: experimentKey });

export const listExperimentsQuery = z.strictObject({ status: z.enum(STATUSES).optional(), ...listQuery });

export const experimentListSchema = z.object({
  items: z.array(experimentSchema),
  nextCursor: z.string().nullable(),
});

export const historySchema = z.object({
  items: z.array(
    z.object({
      action: z.string(),
      actor: z.string(),
      at: timestampOut,
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});
