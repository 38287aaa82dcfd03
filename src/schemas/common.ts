import { z } from 'zod';

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const STORABLE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * PostgreSQL text cannot hold NUL, and a lone surrogate has no UTF-8 form (drivers turn it into U+FFFD, so two ids
 * would merge): such strings are refused, never altered.
 */
export const isStorable = (s: string): boolean => !s.includes('\u0000') && s.isWellFormed();

/** A string that is stored or compared verbatim: every free-text field and id goes through this. */
export const text = () => z.string().refine(isStorable, { message: STORABLE, abort: true });

/**
 * A non-empty id of at most 256 UTF-16 code units, used verbatim. zod's max() counts code points, so the units are
 * checked again (max() stays for the OpenAPI maxLength and answers first for the plain overflow).
 */
export const MAX_ID_LENGTH = 256;

export const identifier = (what: string) => {
  const tooLong = `${what} must be at most ${MAX_ID_LENGTH} UTF-16 code units`;
  return text()
    .min(1, `${what} must not be empty`)
    .max(MAX_ID_LENGTH, { message: tooLong, abort: true })
    .refine((s) => s.length <= MAX_ID_LENGTH, tooLong);
};

export const EXPERIMENT_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const METRIC_NAME_PATTERN = /^[a-z0-9_]{1,64}$/;

export const experimentKey = z
  .string()
  .regex(EXPERIMENT_KEY_PATTERN, `must match ${EXPERIMENT_KEY_PATTERN.source}`)
  .describe('Experiment key: lowercase letters, digits, "_" and "-", 1–64 characters');

export const metricName = z
  .string()
  .regex(METRIC_NAME_PATTERN, `must match ${METRIC_NAME_PATTERN.source}`)
  .describe('Metric name; "k_factor" judges variants by the signups their users caused');

/**
 * Accepted instants: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Both databases store this range alike
 * (PGlite misreads years before 1000), and nothing a product records predates 1970.
 */
const MIN_TIMESTAMP_MS = Date.UTC(1970, 0, 1);
const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const TIMESTAMP_RANGE = '1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z';
/** Whether Date.parse's result is an accepted instant (NaN is not). */
export const timestampInRange = (t: number) => t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS;

/** An ISO-8601 timestamp with offset within the accepted range. */
export const timestamp = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-01-31T12:00:00Z',
  })
  .refine((s) => timestampInRange(Date.parse(s)), `must be within ${TIMESTAMP_RANGE}`);

/** An accepted timestamp at most 5 minutes in the future (clock skew). */
export const pastTimestamp = timestamp
  .refine((s) => !(Date.parse(s) > Date.now() + MAX_CLOCK_SKEW_MS), 'must not be in the future')
  .describe(`ISO-8601 timestamp (${TIMESTAMP_RANGE}); defaults to the time the request is received`);

export const timestampOut = z.string().describe('ISO-8601 timestamp in UTC');
export const nullableTimestampOut = timestampOut.nullable();

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable snake_case error code'),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details');

export const listQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional().describe('Opaque cursor from a previous page'),
};

export const nullableNumber = z.number().nullable();
export const interval = z.tuple([z.number(), z.number()]);

/** Standard error replies documented on every route. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, problemSchema])) as Record<number, typeof problemSchema>;

export const toIso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** The longest variant key. */
export const MAX_VARIANT_LENGTH = 64;

/** The variant a caller says it showed (checked against the stored assignment). */
export const claimedVariant = () => text().min(1).max(MAX_VARIANT_LENGTH);

/** An IANA time zone name that this runtime knows (Intl decides). */
export const timeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone name');
