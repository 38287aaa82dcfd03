import type { Knex } from 'knex';
import { LATE_PER_USER } from './result-aggregates.js';

export interface VariantAggregate {
  variant: string;
  assigned: number;
  exposed: number;
  converted: number;
  /** Sum over exposed users of their counted conversion values. */
  valueSum: number;
  /** How many counted conversions carried a value (0 → a binomial metric). */
  valued: number;
  /** Sample variance over exposed users of the per-user value sum (0 for users without one). */
  valueVariance: number | null;
  /** k_factor only: invites the variant's exposed users sent at or after their first exposure. */
  invites?: number;
  /** retention_d7 and ltv: exposed users whose window has elapsed (they alone are compared). */
  eligible?: number;
  /** retention_d7 and ltv: exposed users whose window has not elapsed yet. */
  pending?: number;
}

/** retention_d7's window, [firstExposure + 7·24 h, firstExposure + 8·24 h), in hours (exact, whatever the DST). */
const D7_FROM_HOURS = 7 * 24;
const D7_TO_HOURS = 8 * 24;

/**
 * Per-variant figures for one metric: a conversion counts when it occurred at or after the user's first exposure
 * and, for a completed experiment, before completion. They are read from the aggregates the ingest statements
 * maintain (a few rows per variant, whatever the number of exposures), which leave held-out users out; a completed experiment subtracts what its
 * users converted from completion on, found through (experiment, metric, occurred_at).
 */
/** The longest results timeline: one year of days, which bounds the work and the answer of one request. */
export const MAX_TIMELINE_DAYS = 366;

export class ResultsStore {
  constructor(private readonly knex: Knex) {}

  async aggregate(
    experimentId: number,
    metric: string,
    completedAt: Date | null,
  ): Promise<VariantAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH v AS (
         SELECT variant, sum(assigned) AS assigned, sum(exposed) AS exposed
           FROM result_variant_counts WHERE experiment_id = :id GROUP BY variant
       ), m AS (
         SELECT variant, sum(converted) AS converted, sum(valued) AS valued, sum(value_sum) AS value_sum,
                sum(value_sumsq) AS value_sumsq
           FROM result_metric_counts WHERE experiment_id = :id AND metric = :metric GROUP BY variant
       ), late AS (${LATE_PER_USER}
       ), cut AS (
         SELECT u.variant, count(*) FILTER (WHERE u.counted = late.n) AS converted, sum(late.v) AS valued,
                sum(late.s) AS value_sum,
                sum(u.value_sum * u.value_sum - (u.value_sum - late.s) * (u.value_sum - late.s)) AS value_sumsq
           FROM late JOIN result_user_metrics u ON u.experiment_id = :id AND u.metric = :metric AND u.user_id = late.user_id
          GROUP BY u.variant
       ), t AS (
         SELECT v.variant, v.assigned, v.exposed,
                coalesce(m.converted, 0) - coalesce(cut.converted, 0) AS converted,
                coalesce(m.valued, 0) - coalesce(cut.valued, 0) AS valued,
                coalesce(m.value_sum, 0) - coalesce(cut.value_sum, 0) AS value_sum,
                coalesce(m.value_sumsq, 0) - coalesce(cut.value_sumsq, 0) AS value_sumsq
           FROM v LEFT JOIN m USING (variant) LEFT JOIN cut USING (variant)
       )
       SELECT variant, assigned::int, exposed::int, converted::int, value_sum::float8 AS "valueSum", valued::int,
              -- var_samp's own formula, over exposed users (those without a counted value add 0 and 0).
              CASE WHEN exposed > 1
                   THEN ((exposed * value_sumsq - value_sum * value_sum) / (exposed * (exposed - 1)))::float8
              END AS "valueVariance"
         FROM t`,
      { id: experimentId, metric, completedAt: completedAt?.toISOString() ?? null },
    )) as { rows: VariantAggregate[] };
    return rows;
  }

  /**
   * k_factor: per exposed user, the signups (within conversionWindowDays of sending) from invites the user sent
   * at or after first exposure (and before completion). converted = users with at least one such signup.
   */
  async kFactorAggregate(
    experimentId: number,
    completedAt: Date | null,
    conversionWindowDays: number,
  ): Promise<VariantAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH per_user AS (
         SELECT a.variant, a.exposed_at, count(i.invite_id)::int AS invites,
                count(*) FILTER (WHERE i.signed_up_at IS NOT NULL
                                   AND i.signed_up_at <= i.sent_at + make_interval(days => :cw))::int AS signups
           FROM assignments a
           LEFT JOIN invites i ON i.referrer_id = a.user_id AND a.exposed_at IS NOT NULL AND i.sent_at >= a.exposed_at
                              AND (:completedAt::timestamptz IS NULL OR i.sent_at < :completedAt::timestamptz)
          WHERE a.experiment_id = :id AND a.holdout_id IS NULL
          GROUP BY a.user_id, a.variant, a.exposed_at
       )
       SELECT variant, count(*)::int AS assigned, count(exposed_at)::int AS exposed,
              (count(*) FILTER (WHERE signups > 0 AND exposed_at IS NOT NULL))::int AS converted,
              coalesce(sum(invites), 0)::int AS invites, coalesce(sum(signups), 0)::float8 AS "valueSum",
              1 AS valued, (var_samp(signups) FILTER (WHERE exposed_at IS NOT NULL))::float8 AS "valueVariance"
         FROM per_user GROUP BY variant`,
      { id: experimentId, completedAt: completedAt?.toISOString() ?? null, cw: conversionWindowDays },
    )) as { rows: VariantAggregate[] };
    return rows;
  }

  /**
   * retention_d7 (SPEC §8.7): exposed users whose [firstExposure + 7·24 h, firstExposure + 8·24 h) has ended by
   * `now` are eligible; converted = the eligible with an activity in that range (before completedAt for a
   * completed experiment). One pass over the experiment's assignments; each eligible user costs one index-only
   * probe of user_activity's (user_id, occurred_at) key, so the cost follows the experiment's users, not the size
   * of the activity table.
   */
  async retentionD7Aggregate(
    experimentId: number,
    completedAt: Date | null,
    now: Date,
  ): Promise<VariantAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH per_user AS (
         SELECT a.variant, a.exposed_at,
                a.exposed_at + make_interval(hours => :toH) <= :now::timestamptz AS eligible,
                a.user_id
           FROM assignments a
          WHERE a.experiment_id = :id AND a.holdout_id IS NULL
       )
       SELECT variant, count(*)::int AS assigned, count(exposed_at)::int AS exposed,
              (count(*) FILTER (WHERE eligible))::int AS eligible,
              (count(*) FILTER (WHERE NOT eligible))::int AS pending,
              (count(*) FILTER (WHERE eligible AND EXISTS (
                 SELECT 1 FROM user_activity ua
                  WHERE ua.user_id = per_user.user_id
                    AND ua.occurred_at >= per_user.exposed_at + make_interval(hours => :fromH)
                    AND ua.occurred_at < per_user.exposed_at + make_interval(hours => :toH)
                    AND (:completedAt::timestamptz IS NULL OR ua.occurred_at < :completedAt::timestamptz))))::int
                AS converted,
              0::float8 AS "valueSum", 0 AS valued, NULL::float8 AS "valueVariance"
         FROM per_user GROUP BY variant`,
      {
        id: experimentId,
        now: now.toISOString(),
        fromH: D7_FROM_HOURS,
        toH: D7_TO_HOURS,
        completedAt: completedAt?.toISOString() ?? null,
      },
    )) as { rows: VariantAggregate[] };
    return rows;
  }

  /**
   * ltv (SPEC §8.7): per exposed user whose [firstExposure, firstExposure + horizon) has ended by `now`
   * (eligible), the net revenue in that range, refunds included (before completedAt for a completed experiment);
   * converted = eligible users whose net revenue there is positive. Sums stay numeric until the end, so the
   * variance is exact. Each eligible user costs one index-only range scan of revenue_events (user_id, occurred_at).
   */
  async ltvAggregate(
    experimentId: number,
    completedAt: Date | null,
    horizonDays: number,
    now: Date,
  ): Promise<VariantAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH per_user AS (
         SELECT a.variant, a.exposed_at,
                a.exposed_at + make_interval(hours => :h) <= :now::timestamptz AS eligible, rev.amount
           FROM assignments a
           LEFT JOIN LATERAL (
             SELECT coalesce(sum(r.amount), 0) AS amount FROM revenue_events r
              WHERE a.exposed_at + make_interval(hours => :h) <= :now::timestamptz
                AND r.user_id = a.user_id AND r.occurred_at >= a.exposed_at
                AND r.occurred_at < a.exposed_at + make_interval(hours => :h)
                AND (:completedAt::timestamptz IS NULL OR r.occurred_at < :completedAt::timestamptz)
           ) rev ON true
          WHERE a.experiment_id = :id AND a.holdout_id IS NULL
       )
       SELECT variant, count(*)::int AS assigned, count(exposed_at)::int AS exposed,
              (count(*) FILTER (WHERE eligible))::int AS eligible,
              (count(*) FILTER (WHERE NOT eligible))::int AS pending,
              (count(*) FILTER (WHERE eligible AND amount > 0))::int AS converted,
              coalesce(sum(amount) FILTER (WHERE eligible), 0)::float8 AS "valueSum",
              (count(*) FILTER (WHERE eligible))::int AS valued,
              (var_samp(amount) FILTER (WHERE eligible))::float8 AS "valueVariance"
         FROM per_user GROUP BY variant`,
      {
        id: experimentId,
        now: now.toISOString(),
        h: horizonDays * 24,
        completedAt: completedAt?.toISOString() ?? null,
      },
    )) as { rows: VariantAggregate[] };
    return rows;
  }

  /**
   * Cumulative exposed and converted users per variant at the end of each day (in tz) since the first exposure, at
   * most the last MAX_TIMELINE_DAYS days (the first of them then also counts everything before it).
   */
  async daily(
    experimentId: number,
    metric: string,
    completedAt: Date | null,
    tz: string,
  ): Promise<{ day: Date; variant: string; exposed: number; converted: number }[]> {
    const { rows } = (await this.knex.raw(
      `WITH e0 AS (
         SELECT variant, date_trunc('day', bucket AT TIME ZONE :tz) AS d, sum(exposed) AS n
           FROM result_exposure_buckets WHERE experiment_id = :id
          GROUP BY 1, 2 HAVING sum(exposed) > 0
       ), cb AS (
         SELECT variant, bucket, converted AS n
           FROM result_conversion_buckets WHERE experiment_id = :id AND metric = :metric
         UNION ALL
         -- The completion cut-off: a user whose first counted conversion came at or after it never converted.
         SELECT variant, first_at, -1 FROM result_user_metrics
          WHERE experiment_id = :id AND metric = :metric AND first_at >= :completedAt::timestamptz
       ), c0 AS (
         SELECT variant, date_trunc('day', bucket AT TIME ZONE :tz) AS d, sum(n) AS n FROM cb
          GROUP BY 1, 2 HAVING sum(n) > 0
       ), span AS (
         SELECT greatest((SELECT min(d) FROM e0), hi - (:maxDays - 1) * interval '1 day') AS lo, hi
           FROM (SELECT max(d) AS hi FROM (SELECT d FROM e0 UNION ALL SELECT d FROM c0) x) m
       ), e AS (
         SELECT variant, greatest(d, lo) AS d, sum(n) AS n FROM e0, span GROUP BY 1, 2
       ), c AS (
         SELECT variant, greatest(d, lo) AS d, sum(n) AS n FROM c0, span GROUP BY 1, 2
       ), days AS (
         SELECT generate_series(lo, hi, interval '1 day') AS d FROM span
       ), v AS (SELECT DISTINCT variant FROM e0)
       SELECT days.d AT TIME ZONE :tz AS day, v.variant,
              (sum(coalesce(e.n, 0)) OVER w)::int AS exposed, (sum(coalesce(c.n, 0)) OVER w)::int AS converted
         FROM days CROSS JOIN v
         LEFT JOIN e ON e.d = days.d AND e.variant = v.variant
         LEFT JOIN c ON c.d = days.d AND c.variant = v.variant
       WINDOW w AS (PARTITION BY v.variant ORDER BY days.d)
        ORDER BY days.d, v.variant`,
      {
        id: experimentId,
        metric,
        completedAt: completedAt?.toISOString() ?? null,
        tz,
        maxDays: MAX_TIMELINE_DAYS,
      },
    )) as { rows: { day: Date; variant: string; exposed: number; converted: number }[] };
    return rows;
  }
}
