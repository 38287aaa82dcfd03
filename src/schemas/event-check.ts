import { regexes } from 'zod/v4/core';
import { isAssignedCountry } from './country.js';
import {
  EXPERIMENT_KEY_PATTERN,
  MAX_CLOCK_SKEW_MS,
  MAX_ID_LENGTH,
  MAX_VARIANT_LENGTH,
  METRIC_NAME_PATTERN,
  isStorable,
  timestampInRange,
} from './common.js';
import { CURRENCY_PATTERN, MAX_ABS_VALUE, SOURCE_PATTERN, type ViralEvent } from './viral.js';

/**
 * The hot path of POST /v1/events: one check per event, built once from plain predicates, that accepts exactly the
 * events `eventSchema` (zod) accepts unchanged. An event it refuses goes through zod, which then names the field and
 * the rule; so zod stays the single source of error messages, and this only decides "valid" faster (a zod parse of a
 * 100-event batch takes 0.14–0.3 ms, this 0.01–0.03 ms). test/unit/event-check.test.ts compares both on random
 * events.
 */
type Check = (v: unknown) => boolean;

const id: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID_LENGTH && isStorable(v);
const pattern =
  (re: RegExp): Check =>
  (v) =>
    typeof v === 'string' && re.test(v);
const bounded: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= -MAX_ABS_VALUE && v <= MAX_ABS_VALUE;

/** z.iso.datetime({ offset: true }): zod's own pattern for those options. */
const DATETIME = regexes.datetime({ offset: true, local: false, precision: null });
const occurredAt: Check = (v) => {
  if (typeof v !== 'string' || !DATETIME.test(v)) return false;
  const t = Date.parse(v);
  return timestampInRange(t) && !(t > Date.now() + MAX_CLOCK_SKEW_MS);
};
const country: Check = (v) => typeof v === 'string' && isAssignedCountry(v);
const variant: Check = (v) =>
  typeof v === 'string' && v.length >= 1 && v.length <= MAX_VARIANT_LENGTH && isStorable(v);

const SOURCE = pattern(SOURCE_PATTERN);
const EXPERIMENT_KEY = pattern(EXPERIMENT_KEY_PATTERN);
const METRIC = pattern(METRIC_NAME_PATTERN);
const CURRENCY = pattern(CURRENCY_PATTERN);

/** Per type: the fields it requires and those it allows (any other key fails, as with strictObject). */
const SHAPES: Record<
  ViralEvent['type'],
  { required: Record<string, Check>; optional: Record<string, Check> }
> = {
  user_signed_up: { required: { userId: id }, optional: { country, occurredAt } },
  invite_sent: { required: { inviteId: id, referrerId: id, source: SOURCE }, optional: { occurredAt } },
  invite_clicked: { required: { inviteId: id }, optional: { clickId: id, visitorId: id, occurredAt } },
  invite_signed_up: {
    required: { inviteId: id, userId: id },
    optional: { country, visitorId: id, occurredAt },
  },
  fvm_reached: { required: { userId: id }, optional: { occurredAt } },
  user_active: { required: { userId: id }, optional: { occurredAt } },
  revenue: {
    required: { userId: id, eventId: id, amount: bounded },
    optional: { currency: CURRENCY, occurredAt },
  },
  experiment_exposure: {
    required: { experimentKey: EXPERIMENT_KEY, userId: id },
    optional: { variant, occurredAt },
  },
  experiment_conversion: {
    required: { experimentKey: EXPERIMENT_KEY, userId: id },
    optional: { metric: METRIC, value: bounded, eventId: id, occurredAt },
  },
};

const COMPILED = new Map(
  Object.entries(SHAPES).map(([type, s]) => {
    const required = Object.entries(s.required);
    const all = new Map<string, Check>([['type', () => true], ...required, ...Object.entries(s.optional)]);
    return [type, { required, all }] as const;
  }),
);

/** The event's type when it is one of the known ones, else undefined. */
export function eventType(raw: unknown): ViralEvent['type'] | undefined {
  const type = raw !== null && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  return typeof type === 'string' && COMPILED.has(type) ? (type as ViralEvent['type']) : undefined;
}

/**
 * True when `raw` is an event that eventSchema accepts as it is (zod's output would equal the input). False says
 * only "ask zod": the event may be invalid, or valid in a way this check does not try to prove.
 */
export function isValidEvent(raw: unknown): raw is ViralEvent {
  const type = eventType(raw);
  if (type === undefined || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype)
    return false;
  const shape = COMPILED.get(type)!;
  const obj = raw as Record<string, unknown>;
  for (const [key] of shape.required) if (!(key in obj)) return false;
  for (const key of Object.keys(obj)) {
    const check = shape.all.get(key);
    // An explicit undefined cannot come from JSON; zod treats it as absent, so leave such objects to zod.
    if (check === undefined || obj[key] === undefined || !check(obj[key])) return false;
  }
  return true;
}
