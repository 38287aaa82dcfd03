import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';

/** Runs one analytics query with named bindings and returns its rows. */
export async function rows<T>(knex: Knex, sql: string, bindings: Record<string, unknown>): Promise<T[]> {
  return ((await knex.raw(sql, bindings as Knex.ValueDict)) as { rows: T[] }).rows;
}

/** The window's bindings. Durations are multiples of interval '24 hours', never '1 day', so DST never stretches them. */
export const windowParams = (w: Window, extra: Record<string, unknown> = {}) => ({
  from: w.from.toISOString(),
  to: w.to.toISOString(),
  tz: w.tz,
  cw: w.conversionWindowDays,
  ...extra,
});

export const DAY = `interval '24 hours'`;

/** A user's acquisition source: the loop of the invite they signed up through, `organic` without one. */
export const SOURCE_OF = (users: string) => `coalesce(${users}.invite_source, 'organic')`;

/**
 * Users who signed up in the window, with their acquisition source (`organic` without a referrer): an index-only
 * range of users_signed_up_at_members.
 */
export const WINDOW_MEMBERS = `
  SELECT u.user_id, u.signed_up_at, u.country, u.referred_by_invite, ${SOURCE_OF('u')} AS source
    FROM users u
   WHERE u.signed_up_at >= :from AND u.signed_up_at < :to`;
