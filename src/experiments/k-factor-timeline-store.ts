import type { Knex } from 'knex';

export interface KFactorDay {
  day: Date;
  variant: string;
  /** Cumulative to the end of the day: exposed users, those with ≥ 1 counted signup, invites, signups. */
  exposed: number;
  converted: number;
  invites: number;
  signups: number;
  /** Σ over exposed users of (their signups so far)²: with `signups`, the variance of the per-user counts. */
  signupsSquared: number;
}

/**
 * k_factor day by day, as the results stood at the end of each day (in tz): invites sent by exposed users at or
 * after first exposure (before completion), signups within conversionWindowDays of sending, counted on the day
 * they happened. A user's k-th signup adds 2k − 1 to Σ count², so the sum of squares accumulates per day in SQL.
 */
export class KFactorTimelineStore {
  constructor(private readonly knex: Knex) {}

  async daily(
    experimentId: number,
    completedAt: Date | null,
    conversionWindowDays: number,
    tz: string,
  ): Promise<KFactorDay[]> {
    const { rows } = (await this.knex.raw(
      `WITH exposed AS (
         SELECT user_id, variant, exposed_at FROM assignments
          WHERE experiment_id = :id AND exposed_at IS NOT NULL AND holdout_id IS NULL
       ), inv AS (
         SELECT x.variant, x.user_id, i.sent_at, i.signed_up_at
           FROM exposed x
           JOIN invites i ON i.referrer_id = x.user_id AND i.sent_at >= x.exposed_at
                         AND (:completedAt::timestamptz IS NULL OR i.sent_at < :completedAt::timestamptz)
       ), su AS (
         SELECT variant, signed_up_at, row_number() OVER (PARTITION BY user_id ORDER BY signed_up_at) AS k
           FROM inv WHERE signed_up_at IS NOT NULL AND signed_up_at <= sent_at + make_interval(days => :cw)
       ), e AS (
         SELECT variant, date_trunc('day', exposed_at AT TIME ZONE :tz) AS d, count(*)::int AS n FROM exposed GROUP BY 1, 2
       ), i AS (
         SELECT variant, date_trunc('day', sent_at AT TIME ZONE :tz) AS d, count(*)::int AS n FROM inv GROUP BY 1, 2
       ), s AS (
         SELECT variant, date_trunc('day', signed_up_at AT TIME ZONE :tz) AS d, count(*)::int AS n,
                (count(*) FILTER (WHERE k = 1))::int AS first, sum(2 * k - 1)::float8 AS sq
           FROM su GROUP BY 1, 2
       ), days AS (
         SELECT generate_series((SELECT min(d) FROM e),
                                (SELECT max(d) FROM (SELECT d FROM e UNION ALL SELECT d FROM i UNION ALL SELECT d FROM s) x),
                                interval '1 day') AS d
       ), v AS (SELECT DISTINCT variant FROM exposed)
       SELECT days.d AT TIME ZONE :tz AS day, v.variant,
              (sum(coalesce(e.n, 0)) OVER w)::int AS exposed,
              (sum(coalesce(s.first, 0)) OVER w)::int AS converted,
              (sum(coalesce(i.n, 0)) OVER w)::int AS invites,
              (sum(coalesce(s.n, 0)) OVER w)::int AS signups,
              (sum(coalesce(s.sq, 0)) OVER w)::float8 AS "signupsSquared"
         FROM days CROSS JOIN v
         LEFT JOIN e ON e.d = days.d AND e.variant = v.variant
         LEFT JOIN i ON i.d = days.d AND i.variant = v.variant
         LEFT JOIN s ON s.d = days.d AND s.variant = v.variant
       WINDOW w AS (PARTITION BY v.variant ORDER BY days.d)
        ORDER BY days.d, v.variant`,
      { id: experimentId, completedAt: completedAt?.toISOString() ?? null, cw: conversionWindowDays, tz },
    )) as { rows: KFactorDay[] };
    return rows;
  }
}
