import { z } from 'zod';
import { windowEchoSchema, windowQuery } from '../viral/window.js';
import { sourceName } from './viral.js';

const n = z.number();
const nn = z.number().nullable();

export const metricsQuery = z.strictObject(windowQuery);
export const sourceQuery = z.strictObject({ ...windowQuery, source: sourceName.optional() });
export const topReferrersQuery = z.strictObject({
  ...windowQuery,
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export const timelineQuery = z.strictObject({
  ...windowQuery,
  granularity: z.enum(['day', 'week']).default('day'),
});
export const cohortsQuery = z.strictObject({
  ...windowQuery,
  weeks: z.coerce.number().int().min(1).max(52).default(12),
});

const kFields = {
  invites: n,
  senders: n,
  conversions: n,
  invitesPerSender: n,
  conversionRate: n,
  kFactor: n,
  status: z.enum(['excellent', 'good', 'warning', 'poor']),
};

export const kFactorSchema = z.object({
  ...windowEchoSchema,
  ...kFields,
  userBase: n,
  viralCoefficient: n,
  inviterShare: n,
});
export const bySourceSchema = z.object({
  ...windowEchoSchema,
  sources: z.array(z.object({ source: z.string(), ...kFields })),
});
export const cycleTimeSchema = z.object({
  ...windowEchoSchema,
  conversions: n,
  p50Seconds: nn,
  p90Seconds: nn,
  meanSeconds: nn,
  fullLoop: z.object({ count: n, p50Seconds: nn }),
});
export const topReferrersSchema = z.object({
  ...windowEchoSchema,
  referrers: z.array(
    z.object({ rank: n, referrerId: z.string(), invites: n, conversions: n, conversionRate: n }),
  ),
});
export const timelineSchema = z.object({
  ...windowEchoSchema,
  granularity: z.enum(['day', 'week']),
  periods: z.array(
    z.object({
      periodStart: z.string(),
      invites: n,
      clicks: n,
      signups: n,
      organicSignups: n,
      referredSignups: n,
      fvm: n,
      senders: n,
      conversions: n,
      kFactor: n,
    }),
  ),
});
export const cohortsSchema = z.object({
  ...windowEchoSchema,
  weeks: n,
  cohorts: z.array(
    z.object({
      weekStart: z.string(),
      size: n,
      invites: n,
      conversions: n,
      avgInvitesPerUser: n,
      conversionRate: n,
      kFactor: n,
    }),
  ),
});
export const funnelSchema = z.object({
  ...windowEchoSchema,
  source: z.string().nullable(),
  stages: z.array(
    z.object({
      stage: z.enum(['invited', 'clicked', 'signed_up', 'fvm_reached']),
      count: n,
      conversionFromPrevious: nn,
      conversionFromTop: n,
      medianSecondsFromPrevious: nn,
    }),
  ),
});
export const loopEfficiencySchema = z.object({
  ...windowEchoSchema,
  loops: z.array(
    z.object({
      source: z.string(),
      invites: n,
      senders: n,
      conversions: n,
      kFactor: n,
      conversionRate: n,
      efficiencyScore: n,
      roi: n,
      recommendation: z.enum(['scale_aggressively', 'continue_investing', 'optimize', 'deprioritize']),
      recommendationText: z.string(),
    }),
  ),
});
export const summarySchema = kFactorSchema.extend({
  cycleTime: z.object({ p50Seconds: nn, p90Seconds: nn, meanSeconds: nn }),
  activeReferrers: n,
  sources: bySourceSchema.shape.sources,
  topReferrers: topReferrersSchema.shape.referrers,
});
export const fraudQuery = z.strictObject(windowQuery);
export const fraudSchema = z.object({
  signals: z.array(
    z.object({
      type: z.enum(['self_referral', 'fast_conversion', 'signup_burst']),
      referrerId: z.string(),
      count: n,
    }),
  ),
});
