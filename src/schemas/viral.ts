import { z } from 'zod';
import {
  experimentKey,
  identifier,
  metricName,
  nullableTimestampOut,
  pastTimestamp,
  claimedVariant,
  timestampOut,
} from './common.js';
import { countryCode } from './country.js';

export const SOURCE_PATTERN = /^[a-z0-9_]{1,64}$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** The bound of an event's amount or value, either sign. */
export const MAX_ABS_VALUE = 1e15;

export const sourceName = z
  .string()
  .regex(SOURCE_PATTERN, `must match ${SOURCE_PATTERN.source}`)
  .describe('The viral loop, e.g. buddy_challenge');

const occurredAt = pastTimestamp.optional();
const country = countryCode.optional();
const visitorId = identifier('visitorId')
  .optional()
  .describe('The anonymous browser or device; links its clicks to the signup (multi-touch attribution)');
const eventId = identifier('eventId').describe('Unique across all revenue events: a replay is a duplicate');
const amount = z
  .number()
  .min(-MAX_ABS_VALUE)
  .max(MAX_ABS_VALUE)
  .describe('Money from the user, refunds negative; stored as numeric');
const currency = z
  .string()
  .regex(CURRENCY_PATTERN, 'must be an ISO 4217 code, e.g. USD')
  .optional()
  .describe('Must equal REVENUE_CURRENCY (default USD) when given');

export const userBody = z.strictObject({ userId: identifier('userId'), signedUpAt: occurredAt, country });
export const inviteBody = z.strictObject({
  inviteId: identifier('inviteId').optional().describe('Client-chosen id: makes the call idempotent'),
  referrerId: identifier('referrerId'),
  source: sourceName,
  sentAt: occurredAt,
});
export const clickBody = z.strictObject({
  clickId: identifier('clickId').optional().describe('A repeated clickId counts once'),
  visitorId,
  occurredAt,
});
export const signupBody = z.strictObject({ userId: identifier('userId'), country, visitorId, occurredAt });
export const activityBody = z.strictObject({ occurredAt });
export const revenueBody = z.strictObject({ eventId, amount, currency, occurredAt });
export const fvmBody = z.strictObject({ occurredAt });

export const inviteParams = z.strictObject({ inviteId: identifier('inviteId') });
export const userParams = z.strictObject({ userId: identifier('userId') });

/** One event of POST /v1/events: validated on its own, so one bad event rejects only itself. */
export const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user_signed_up'), userId: identifier('userId'), country, occurredAt }),
  z.strictObject({
    type: z.literal('invite_sent'),
    inviteId: identifier('inviteId'),
    referrerId: identifier('referrerId'),
    source: sourceName,
    occurredAt,
  }),
  z.strictObject({
    type: z.literal('invite_clicked'),
    inviteId: identifier('inviteId'),
    clickId: identifier('clickId').optional(),
    visitorId,
    occurredAt,
  }),
  z.strictObject({
    type: z.literal('invite_signed_up'),
    inviteId: identifier('inviteId'),
    userId: identifier('userId'),
    country,
    visitorId,
    occurredAt,
  }),
  z.strictObject({ type: z.literal('fvm_reached'), userId: identifier('userId'), occurredAt }),
  z.strictObject({ type: z.literal('user_active'), userId: identifier('userId'), occurredAt }),
  z.strictObject({
    type: z.literal('revenue'),
    userId: identifier('userId'),
    eventId,
    amount,
    currency,
    occurredAt,
  }),
  z.strictObject({
    type: z.literal('experiment_exposure'),
    experimentKey,
    userId: identifier('userId'),
    variant: claimedVariant().optional(),
    occurredAt,
  }),
  z.strictObject({
    type: z.literal('experiment_conversion'),
    experimentKey,
    userId: identifier('userId'),
    metric: metricName.optional(),
    value: z.number().min(-MAX_ABS_VALUE).max(MAX_ABS_VALUE).optional(),
    eventId: identifier('eventId').optional(),
    occurredAt,
  }),
]);
export type ViralEvent = z.infer<typeof eventSchema>;

const MAX_EVENTS = 5000;
export const EVENTS_BODY_LIMIT = 8 * 1024 * 1024;

export const eventsBody = z.strictObject({
  events: z
    .array(z.unknown().describe('One event: {type, occurredAt?, …}, validated on its own'))
    .min(1, 'must hold 1–5,000 events')
    .max(MAX_EVENTS, 'must hold 1–5,000 events')
    .describe('Applied in order; each event is validated on its own'),
});

export const eventsResultSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.array(z.object({ index: z.number(), code: z.string(), detail: z.string() })),
});

export const userSchema = z.object({
  userId: z.string(),
  signedUpAt: timestampOut,
  referredByInvite: z.string().nullable(),
  country: z.string().nullable().describe('ISO 3166-1 alpha-2, null when unknown'),
  fvmAt: nullableTimestampOut,
  created: z.boolean().describe('false when the user already existed'),
});

export const inviteSchema = z.object({
  inviteId: z.string(),
  referrerId: z.string(),
  source: z.string(),
  sentAt: timestampOut,
  clicks: z.number(),
  firstClickedAt: nullableTimestampOut,
  signupUserId: z.string().nullable(),
  signedUpAt: nullableTimestampOut,
  created: z.boolean().describe('false when this call stored nothing new'),
});

export const activitySchema = z.object({
  userId: z.string(),
  occurredAt: timestampOut,
  created: z.boolean().describe('false when this activity was stored already'),
});

export const revenueSchema = z.object({
  eventId: z.string(),
  userId: z.string(),
  amount: z.number(),
  currency: z.string(),
  occurredAt: timestampOut,
  created: z.boolean().describe('false when this event was stored already'),
});
