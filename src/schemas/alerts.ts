import { z } from 'zod';
import { experimentKey, listQuery, metricName } from './common.js';
import { anomalyMetric } from './anomalies.js';
import { channelOut, channelsIn } from './channels.js';
import { sourceName } from './viral.js';

const ALERT_TYPES = ['k_factor_below', 'anomaly', 'srm', 'significant'] as const;

export const alertParams = {
  k_factor_below: z.strictObject({
    threshold: z.number().min(0).max(1e6),
    days: z.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').default(7),
    source: sourceName.optional(),
    minInvites: z.number().int().min(0).max(1e9).default(30),
  }),
  anomaly: z.strictObject({
    metric: anomalyMetric,
    source: sourceName.optional(),
    direction: z.enum(['drop', 'both']).default('drop'),
  }),
  srm: z.strictObject({ experimentKey: experimentKey.optional() }),
  significant: z.strictObject({
    experimentKey: experimentKey.optional(),
    metric: metricName.optional(),
    alpha: z.number().gt(0, 'must be in (0, 0.5]').max(0.5, 'must be in (0, 0.5]').default(0.05),
  }),
} as const;
export type AlertType = keyof typeof alertParams;

const common = {
  name: z.string().min(1).max(200),
  channels: channelsIn.default([]),
  cooldownMinutes: z.number().int().min(0).max(525_600).default(60),
  enabled: z.boolean().default(true),
};

export const createAlertBody = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('k_factor_below'), params: alertParams.k_factor_below }),
  z.strictObject({ ...common, type: z.literal('anomaly'), params: alertParams.anomaly }),
  z.strictObject({ ...common, type: z.literal('srm'), params: alertParams.srm.default({}) }),
  z.strictObject({
    ...common,
    type: z.literal('significant'),
    params: alertParams.significant.default({ alpha: 0.05 }),
  }),
]);
export type CreateAlertInput = z.infer<typeof createAlertBody>;

export const patchAlertBody = z.strictObject({
  name: common.name.optional(),
  params: z.record(z.string(), z.unknown()).optional().describe("Validated against the rule's type"),
  channels: channelsIn
    .optional()
    .describe('Replaces every channel (new ids; secrets generated unless given)'),
  cooldownMinutes: z.number().int().min(0).max(525_600).optional(),
  enabled: z.boolean().optional(),
});
export type PatchAlertInput = z.infer<typeof patchAlertBody>;

export const alertIdParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });
export const alertListQuery = z.strictObject(listQuery);

const subjectState = z.object({
  subject: z.string().describe("'' for one-series rules; the experiment key for srm and significant"),
  state: z.enum(['ok', 'firing']),
  since: z.string(),
  lastNotifiedAt: z.string().nullable(),
  evaluatedAt: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const alertSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ALERT_TYPES),
  params: z.record(z.string(), z.unknown()),
  channels: z.array(channelOut),
  cooldownMinutes: z.number(),
  enabled: z.boolean(),
  state: z.enum(['ok', 'firing']).describe('firing when any subject fires'),
  subjects: z.array(subjectState),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlertOut = z.infer<typeof alertSchema>;

export const alertListSchema = z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() });

const alertEventSchema = z.object({
  id: z.number(),
  subject: z.string(),
  kind: z.enum(['firing', 'reminder', 'resolved']),
  occurredAt: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const alertEventListSchema = z.object({
  items: z.array(alertEventSchema),
  nextCursor: z.string().nullable(),
});

const deliverySchema = z.object({
  id: z.string().describe('The webhook-id of every attempt'),
  channelId: z.string(),
  channelType: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.array(
    z.object({
      at: z.string(),
      statusCode: z.number().nullable(),
      error: z.string().nullable(),
      durationMs: z.number(),
    }),
  ),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export const deliveryListSchema = z.object({
  items: z.array(deliverySchema),
  nextCursor: z.string().nullable(),
});
