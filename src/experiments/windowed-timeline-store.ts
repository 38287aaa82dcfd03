import type { Knex } from 'knex';
import { MAX_TIMELINE_DAYS } from './results-store.js';

export interface WindowedDay {
  day: Date;
  variant: string;
  /** Cumulative to the end of the day: exposed users, and those whose window had ended by then (eligible). */
  exposed: number;
  eligible: number;
  /** retention_d7: eligible users retained; ltv: eligible users with positive net revenue. */
  converted: number;
  /** ltv: Σ and Σ² of the eligible users' net revenue (0 for retention_d7). */
  valueSum: number;
  valueSquares: number;
}

export type WindowedMetric = { kind: 'retention_d7' } | { kind: 'ltv'; horizonDays: number };

/**
 * retention_d7 and ltv day by day (in tz): a user joins `exposed` on the day of first exposure and `eligible`, with
 * an outcome, on the day the window ends (SPEC §8.7), as long as that is not after `now`. Outcomes are those of the
 * results (completion cuts activity and revenue). The last MAX_TIMELINE_DAYS days at most; the first of them then
 * also counts everything before it.
 */
export class WindowedTimelineStore {
  constructor(private readonly knex: Knex) {}

  async daily(
    experimentId: number,
    metric: WindowedMetric,
    completedAt: Date | null,
    tz: string,
    now: Date,
  ): Promise<WindowedDay[]> {
    const retention = metric.kind === 'retention_d7';
    const endHours = retention ? 8 * 24 : metric.horizonDays * 24;
    const outcome = retention
      ? `CASE WHEN ends_at <= :now::timestamptz AND EXISTS (
           SELECT 1 FROM user_activity ua
            WHERE ua.user_id = x.user_id AND ua.occurred_at >= x.exposed_at + make_interval(hours => ${7 * 24})
              AND ua.occurred_at < ends_at
              AND (:completedAt::timestamptz IS NULL OR ua.occurred_at < :completedAt::timestamptz))
         THEN 1 ELSE 0 END::numeric`
      : `CASE WHEN ends_at <= :now::timestamptz THEN (
           SELECT coalesce(sum(r.amount), 0) FROM revenue_events r
            WHERE r.user_id = x.user_id AND r.occurred_at >= x.exposed_at AND r.occurred_at < ends_at
              AND (:completedAt::timestamptz IS NULL OR r.occurred_at < :completedAt::timestamptz))
         ELSE 0 END`;
    const { rows } = (await this.knex.raw(
      `WITH x AS (
         SELECT user_id, variant, exposed_at, exposed_at + make_interval(hours => :endH) AS ends_at
           FROM assignments
          WHERE experiment_id = :id AND holdout_id IS NULL AND exposed_at IS NOT NULL
       ), per_user AS (
         SELECT variant, exposed_at, ends_at, ends_at <= :now::timestamptz AS eligible, ${outcome} AS v FROM x
       ), ev AS (
         SELECT variant, date_trunc('day', exposed_at AT TIME ZONE :tz) AS d, 1 AS exposed, 0 AS eligible,
                0 AS converted, 0::numeric AS s, 0::numeric AS ss
           FROM per_user
         UNION ALL
         SELECT variant, date_trunc('day', ends_at AT TIME ZONE :tz), 0, 1, CASE WHEN v > 0 THEN 1 ELSE 0 END,
                ${retention ? '0' : 'v'}, ${retention ? '0' : 'v * v'}
           FROM per_user WHERE eligible
       ), g0 AS (
         SELECT variant, d, sum(exposed) AS exposed, sum(eligible) AS eligible, sum(converted) AS converted,
                sum(s) AS s, sum(ss) AS ss
           FROM ev GROUP BY 1, 2
       ), span AS (
         SELECT greatest(min(d), max(d) - (:maxDays - 1) * interval '1 day') AS lo, max(d) AS hi FROM g0
       ), g AS (
         SELECT variant, greatest(d, lo) AS d, sum(exposed) AS exposed, sum(eligible) AS eligible,
                sum(converted) AS converted, sum(s) AS s, sum(ss) AS ss
           FROM g0, span GROUP BY 1, 2
       ), days AS (
         SELECT generate_series(lo, hi, interval '1 day') AS d FROM span
       ), v AS (SELECT DISTINCT variant FROM g0)
       SELECT days.d AT TIME ZONE :tz AS day, v.variant,
              (sum(coalesce(g.exposed, 0)) OVER w)::int AS exposed,
              (sum(coalesce(g.eligible, 0)) OVER w)::int AS eligible,
              (sum(coalesce(g.converted, 0)) OVER w)::int AS converted,
              (sum(coalesce(g.s, 0)) OVER w)::float8 AS "valueSum",
              (sum(coalesce(g.ss, 0)) OVER w)::float8 AS "valueSquares"
         FROM days CROSS JOIN v
         LEFT JOIN g ON g.d = days.d AND g.variant = v.variant
       WINDOW w AS (PARTITION BY v.variant ORDER BY days.d)
        ORDER BY days.d, v.variant`,
      {
        id: experimentId,
        endH: endHours,
        now: now.toISOString(),
        completedAt: completedAt?.toISOString() ?? null,
        tz,
        maxDays: MAX_TIMELINE_DAYS,
      },
    )) as { rows: WindowedDay[] };
    return rows;
  }
}
