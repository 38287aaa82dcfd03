import { z } from 'zod';
import { windowEchoSchema, windowQuery } from '../viral/window.js';
import { sourceName } from './viral.js';

const n = z.number();
const nn = z.number().nullable();
const horizonDays = z.coerce.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').default(30);

export const retentionQuery = z.strictObject({
  ...windowQuery,
  granularity: z.enum(['day', 'week']).default('week'),
  periods: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(90, 'must be 1–90 (day) or 1–52 (week)')
    .default(8)
    .describe('Periods 0 … N−1: up to 90 days or 52 weeks'),
  mode: z
    .enum(['on', 'on_or_after'])
    .default('on')
    .describe('on: active in period k; on_or_after: active at any time from the start of period k'),
  source: sourceName
    .optional()
    .describe('Users referred through this loop; "organic" = users without a referrer'),
});
export const ltvQuery = z.strictObject({ ...windowQuery, horizonDays });
export const ATTRIBUTION_MODELS = [
  'first_touch',
  'last_touch',
  'linear',
  'time_decay',
  'position_based',
] as const;
export const attributionQuery = z.strictObject({
  ...windowQuery,
  model: z.enum(ATTRIBUTION_MODELS).default('last_touch'),
  lookbackDays: z.coerce.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').default(30),
  halfLifeDays: z.coerce.number().min(0.1, 'must be 0.1–365').max(365, 'must be 0.1–365').default(7),
  limit: z.coerce.number().int().min(1).max(100).default(10).describe('How many referrers byReferrer lists'),
});
export const geoQuery = z.strictObject(windowQuery);
export const forecastQuery = z.strictObject({ ...windowQuery, horizonDays });

const periodFields = { period: n, eligible: n, retained: n, rate: nn };
export const retentionSchema = z.object({
  ...windowEchoSchema,
  granularity: z.enum(['day', 'week']),
  mode: z.enum(['on', 'on_or_after']),
  source: z.string().nullable(),
  cohorts: z.array(z.object({ cohortStart: z.string(), size: n, periods: z.array(z.object(periodFields)) })),
  overall: z.array(z.object(periodFields)),
});

const ltvFields = { users: n, matured: n, revenue: n, ltv: nn, payingShare: nn };
export const ltvSchema = z.object({
  ...windowEchoSchema,
  horizonDays: n,
  sources: z.array(z.object({ source: z.string(), ...ltvFields })),
  total: z.object(ltvFields),
});

export const attributionSchema = z.object({
  ...windowEchoSchema,
  model: z.enum(ATTRIBUTION_MODELS),
  lookbackDays: n,
  halfLifeDays: n,
  signups: n,
  multiTouchSignups: n,
  bySource: z.array(z.object({ source: z.string(), credit: n, share: n })),
  byReferrer: z.array(z.object({ referrerId: z.string(), credit: n })),
});

export const geoSchema = z.object({
  ...windowEchoSchema,
  countries: z.array(
    z.object({
      country: z.string().nullable(),
      signups: n,
      referredSignups: n,
      invites: n,
      senders: n,
      conversions: n,
      kFactor: n,
    }),
  ),
  flows: z.array(z.object({ fromCountry: z.string(), toCountry: z.string(), signups: n })),
});

export const forecastSchema = z.object({
  ...windowEchoSchema,
  horizonDays: n,
  k: n,
  cycleDays: n,
  organicPerDay: n,
  users: n,
  referred: n,
  organic: n,
  viral: z.boolean(),
  steadyStatePerDay: nn,
  projection: z.array(z.object({ date: z.string(), expected: n, low: n, high: n, cumulativeExpected: n })),
});
