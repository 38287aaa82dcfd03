import { z } from 'zod';
import {
  experimentKey,
  identifier,
  metricName,
  nullableTimestampOut,
  pastTimestamp,
  claimedVariant,
} from './common.js';

const REASONS = [
  'new_assignment',
  'existing_assignment',
  'traffic_excluded',
  'namespace_excluded',
  'holdout',
  'not_running',
  'winner',
  'unknown_experiment',
] as const;

const userId = identifier('userId').describe(
  'Any non-empty string up to 256 UTF-16 code units, used verbatim',
);

export const assignBody = z.strictObject({
  userId,
  expose: z.boolean().default(false).describe('Also record the exposure now'),
});

export const assignmentSchema = z.object({
  experimentKey: z.string(),
  userId: z.string(),
  variant: z.string(),
  inExperiment: z.boolean(),
  reason: z.enum(REASONS),
  assignedAt: nullableTimestampOut,
  exposedAt: nullableTimestampOut,
});

export const multiAssignBody = z.strictObject({
  userId,
  experiments: z
    .array(experimentKey)
    .min(1)
    .max(100)
    .optional()
    .describe('Experiment keys; all running experiments when omitted'),
  expose: z.boolean().default(false),
});

export const multiAssignmentSchema = z.object({ userId: z.string(), assignments: z.array(assignmentSchema) });

export const exposureBody = z.strictObject({
  userId,
  variant: claimedVariant().optional().describe('The variant the caller showed; must match the stored one'),
  occurredAt: pastTimestamp.optional(),
});

export const exposureSchema = z.object({
  experimentKey: z.string(),
  userId: z.string(),
  variant: z.string(),
  inExperiment: z.boolean(),
  exposedAt: nullableTimestampOut,
  firstExposure: z.boolean(),
});

export const conversionBody = z.strictObject({
  userId,
  metric: metricName.optional().describe("Defaults to the experiment's targetMetric"),
  value: z.number().min(-1e15).max(1e15).optional().describe('Revenue or any numeric value'),
  eventId: identifier('eventId').optional().describe('Dedup key: one conversion per (user, metric, eventId)'),
  occurredAt: pastTimestamp.optional(),
});

export const conversionSchema = z.object({ recorded: z.boolean(), duplicate: z.boolean() });
