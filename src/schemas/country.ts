import countries from 'i18n-iso-countries';
import { z } from 'zod';

/**
 * The officially assigned ISO 3166-1 alpha-2 codes, from i18n-iso-countries (kept in step with the ISO 3166
 * Maintenance Agency's list). XK (Kosovo) is dropped: the package lists it, but it is a user-assigned code, not an
 * ISO 3166-1 assignment. Intl.DisplayNames is no check: it names EU, QO and ZZ too.
 */
const ASSIGNED = new Set(Object.keys(countries.getAlpha2Codes()).filter((c) => c !== 'XK'));

/** Whether `c` is an assigned code as countryCode accepts it (the set holds upper-case codes only). */
export const isAssignedCountry = (c: string) => ASSIGNED.has(c);

export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE')
  .refine(isAssignedCountry, 'is not an assigned ISO 3166-1 alpha-2 code')
  .describe('ISO 3166-1 alpha-2 country code, upper case (e.g. DE, US)');
