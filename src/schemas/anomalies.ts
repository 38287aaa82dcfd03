import { z } from 'zod';
import { ANOMALY_METRICS } from '../alerts/anomaly-store.js';
import { windowQuery } from '../viral/window.js';
import { sourceName } from './viral.js';

export const anomalyMetric = z.enum(ANOMALY_METRICS);

export const anomaliesQuery = z.strictObject({
  ...windowQuery,
  metric: anomalyMetric.default('k_factor'),
  days: z.coerce.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').default(56),
  conversionWindowDays: z.coerce
    .number()
    .int()
    .min(1, 'must be 1–90')
    .max(90, 'must be 1–90')
    .default(1)
    .describe('k_factor only: a signup counts when within this many days of its invite (default 1 here)'),
  source: sourceName.optional().describe('invites and k_factor only'),
});

export const anomalyDaySchema = z.object({
  date: z.string().describe('Local day in tz, YYYY-MM-DD'),
  value: z.number(),
  expected: z.number().nullable().describe('m × s_weekday; null on incomplete and insufficient days'),
  z: z.number().nullable(),
  status: z.enum(['normal', 'drop', 'spike', 'insufficient_data', 'incomplete']),
});

export const anomaliesSchema = z.object({
  metric: anomalyMetric,
  source: z.string().nullable(),
  tz: z.string(),
  conversionWindowDays: z.number(),
  days: z.array(anomalyDaySchema),
});
