import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';
import { DAY, rows, windowParams } from './sql.js';

export interface ForecastInputs {
  users: number;
  organic: number;
  referred: number;
  /** p50 of (referred signup − referrer's signup) in days over the referred signups counted; null without any. */
  p50Days: number | null;
}

/** The counts the generation model is fitted on, and the recent daily signups it starts from. */
export class ForecastStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Users who signed up in the window, the organic ones, and the signups their invites brought before `to`. Those
   * invites are found by the copy of their referrer's signup time (a range of invites_converted_by_referrer_signup);
   * only converted invites without it (referrer not a user when the invite was stored, or stored before migration
   * 20261213100000) are joined with the window's users, from invites_converted_referrer_unset.
   */
  async inputs(w: Window): Promise<ForecastInputs> {
    const converted = `i.signed_up_at IS NOT NULL AND i.signed_up_at < :to AND i.signed_up_at <= i.sent_at + :cw * ${DAY}`;
    const [r] = await rows<ForecastInputs>(
      this.knex,
      // cohort is inlined where it is read (NOT MATERIALIZED): index-only scans of the window that can run in
      // parallel workers, which a materialized CTE's scan cannot.
      `WITH cohort AS NOT MATERIALIZED (
         SELECT user_id, signed_up_at, referred_by_invite FROM users WHERE signed_up_at >= :from AND signed_up_at < :to
       ), referred AS (
         SELECT extract(epoch FROM i.signed_up_at - i.referrer_signed_up_at)::float8 / 86400 AS days
           FROM invites i
          WHERE i.referrer_signed_up_at >= :from AND i.referrer_signed_up_at < :to AND ${converted}
         UNION ALL
         SELECT extract(epoch FROM i.signed_up_at - c.signed_up_at)::float8 / 86400
           FROM cohort c JOIN invites i ON i.referrer_id = c.user_id
          WHERE i.referrer_signed_up_at IS NULL AND ${converted}
       )
       SELECT (SELECT count(*)::int FROM cohort) AS users,
              (SELECT count(*)::int FROM cohort WHERE referred_by_invite IS NULL) AS organic,
              (SELECT count(*)::int FROM referred) AS referred,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM referred) AS "p50Days"`,
      windowParams(w),
    );
    return r!;
  }

  /** Signups (organic and referred) of the 24-hour slices ending at `to`, the most recent first. */
  async recentDays(to: Date, days: number): Promise<number[]> {
    const slices = await rows<{ n: number }>(
      this.knex,
      `SELECT d, count(u.user_id)::int AS n
         FROM generate_series(0, :days - 1) AS d
         LEFT JOIN users u ON u.signed_up_at >= :to::timestamptz - (d + 1) * ${DAY}
                          AND u.signed_up_at < :to::timestamptz - d * ${DAY}
        GROUP BY d ORDER BY d`,
      { to: to.toISOString(), days },
    );
    return slices.map((s) => s.n);
  }
}
