import type { Knex } from 'knex';
import { SOURCE_OF } from './sql.js';

/**
 * activity_periods rows (one per user) from `activity` (rows user_id, occurred_at), merged into the stored row: the
 * day bits (0–62 in days_lo, 63–125 in days_hi), the week bits (0–62) and the latest day and week, relative to the
 * signup (period k = [signedUpAt + k·P, signedUpAt + (k+1)·P); day d's week is ⌊d / 7⌋). OR and greatest() commute, so
 * a replay or a concurrent writer of the same user changes nothing twice; rows are written in user order, so two
 * statements lock their users' rows in one order; an update that would change nothing is skipped.
 */
export const MERGE_ACTIVITY_PERIODS = (activity: string, order = 'u.user_id') => `
  INSERT INTO activity_periods AS p (user_id, signed_up_at, source, days_lo, days_hi, weeks, last_day, last_week)
  SELECT u.user_id, u.signed_up_at, ${SOURCE_OF('u')},
         bit_or(CASE WHEN x.d < 63 THEN 1::bigint << x.d ELSE 0 END),
         bit_or(CASE WHEN x.d >= 63 AND x.d < 126 THEN 1::bigint << (x.d - 63) ELSE 0 END),
         bit_or(CASE WHEN x.d / 7 < 63 THEN 1::bigint << (x.d / 7) ELSE 0 END),
         max(x.d), max(x.d / 7)
    FROM (${activity}) a JOIN users u ON u.user_id = a.user_id,
         LATERAL (SELECT floor(extract(epoch FROM a.occurred_at - u.signed_up_at) / 86400)::int AS d) x
   GROUP BY u.user_id
   ORDER BY ${order}
  ON CONFLICT (user_id) DO UPDATE
     SET days_lo = p.days_lo | excluded.days_lo, days_hi = p.days_hi | excluded.days_hi,
         weeks = p.weeks | excluded.weeks, last_day = greatest(p.last_day, excluded.last_day),
         last_week = greatest(p.last_week, excluded.last_week)
   WHERE (p.days_lo | excluded.days_lo) <> p.days_lo OR (p.days_hi | excluded.days_hi) <> p.days_hi
      OR (p.weeks | excluded.weeks) <> p.weeks OR excluded.last_day > p.last_day`;

/**
 * Every user's row from all stored activity (for activity loaded with direct SQL, as the bench does), written in
 * signup order: retention reads the rows by signup time.
 */
export const REBUILD_ACTIVITY_PERIODS = MERGE_ACTIVITY_PERIODS(
  'SELECT user_id, occurred_at FROM user_activity',
  'u.signed_up_at',
);

export async function rebuildActivityPeriods(knex: Knex): Promise<void> {
  await knex.raw(REBUILD_ACTIVITY_PERIODS);
}
