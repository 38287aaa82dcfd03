import { z } from 'zod';
import { fieldError } from '../errors.js';
import { timestamp } from '../schemas/common.js';
import { formatParam } from '../schemas/results.js';

const DAY_MS = 24 * 3600 * 1000;

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Query parameters every /v1/metrics/* endpoint accepts (each ignores those that do not apply to it). */
export const windowQuery = {
  days: z.coerce.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').optional(),
  from: timestamp
    .optional()
    .describe('Window start (inclusive); with `to`, replaces days; at most 365 days before `to`'),
  to: timestamp.optional().describe('Window end (exclusive); default now'),
  tz: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone name').default('UTC'),
  conversionWindowDays: z.coerce.number().int().min(1, 'must be 1–90').max(90, 'must be 1–90').default(14),
  format: formatParam,
};

export interface Window {
  from: Date;
  to: Date;
  tz: string;
  conversionWindowDays: number;
}

/** The longest window, as for `days`: it bounds the work and the size of every answer. */
export const MAX_WINDOW_DAYS = 365;

/**
 * [now − days × 24 h, now) or [from, to); `from` must be before `to`, and the window at most `maxDays` long
 * (365 by default; the weekly timeline allows 520 weeks).
 */
export function resolveWindow(
  q: { days?: number; from?: string; to?: string; tz: string; conversionWindowDays: number },
  defaultDays: number,
  now = new Date(),
  maxDays = MAX_WINDOW_DAYS,
): Window {
  const days = q.days ?? defaultDays;
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - days * DAY_MS);
  if (from >= to) throw fieldError(q.from ? 'from' : 'to', 'must be before `to`');
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw fieldError(
      q.from ? 'from' : 'to',
      `the window from \`from\` to \`to\` may span at most ${maxDays} days`,
    );
  }
  return { from, to, tz: q.tz, conversionWindowDays: q.conversionWindowDays };
}

export const windowEcho = (w: Window, complete: boolean) => ({
  from: w.from.toISOString(),
  to: w.to.toISOString(),
  tz: w.tz,
  conversionWindowDays: w.conversionWindowDays,
  complete,
});

export const windowEchoSchema = {
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  conversionWindowDays: z.number(),
  complete: z.boolean().describe('false while some invites of the window can still convert'),
};

/** Status of a K value: excellent ≥ 1.2, good ≥ 1.0, warning ≥ 0.8, poor below. */
export const kStatus = (k: number) =>
  k >= 1.2 ? 'excellent' : k >= 1 ? 'good' : k >= 0.8 ? 'warning' : 'poor';

/** A ratio whose denominator is 0 is 0. */
export const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);
