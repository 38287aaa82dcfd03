import type { Knex } from 'knex';
import { MAX_TIMELINE_DAYS, type VariantAggregate } from '../../src/experiments/results-store.js';

/**
 * The full recount: results computed straight from assignments and conversions by SPEC's definitions (the
 * queries results ran before the incremental aggregates), to check the aggregates against.
 */
export class ResultsRecount {
  constructor(private readonly knex: Knex) {}

  async aggregate(
    experimentId: number,
    metric: string,
    completedAt: Date | null,
  ): Promise<VariantAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH counted AS (
         SELECT c.user_id, sum(c.value) AS value_sum, count(c.value) AS valued
           FROM conversions c
           JOIN assignments a ON a.experiment_id = c.experiment_id AND a.user_id = c.user_id
          WHERE c.experiment_id = :id AND c.metric = :metric
            AND a.exposed_at IS NOT NULL AND c.occurred_at >= a.exposed_at
            AND (:completedAt::timestamptz IS NULL OR c.occurred_at < :completedAt::timestamptz)
          GROUP BY c.user_id
       )
       SELECT a.variant,
              count(*)::int AS assigned,
              count(a.exposed_at)::int AS exposed,
              count(counted.user_id)::int AS converted,
              coalesce(sum(counted.value_sum), 0)::float8 AS "valueSum",
              coalesce(sum(counted.valued), 0)::int AS valued,
              (var_samp(coalesce(counted.value_sum, 0)) FILTER (WHERE a.exposed_at IS NOT NULL))::float8 AS "valueVariance"
         FROM assignments a
         LEFT JOIN counted ON counted.user_id = a.user_id
        WHERE a.experiment_id = :id AND a.holdout_id IS NULL
        GROUP BY a.variant`,
      { id: experimentId, metric, completedAt: completedAt?.toISOString() ?? null },
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
      `WITH f AS (
         SELECT a.variant, a.exposed_at, min(c.occurred_at) AS converted_at
           FROM assignments a
           LEFT JOIN conversions c ON c.experiment_id = a.experiment_id AND c.user_id = a.user_id AND c.metric = :metric
                                  AND c.occurred_at >= a.exposed_at
                                  AND (:completedAt::timestamptz IS NULL OR c.occurred_at < :completedAt::timestamptz)
          WHERE a.experiment_id = :id AND a.exposed_at IS NOT NULL AND a.holdout_id IS NULL
          GROUP BY a.user_id, a.variant, a.exposed_at
       ), e0 AS (
         SELECT variant, date_trunc('day', exposed_at AT TIME ZONE :tz) AS d, count(*)::int AS n FROM f GROUP BY 1, 2
       ), c0 AS (
         SELECT variant, date_trunc('day', converted_at AT TIME ZONE :tz) AS d, count(*)::int AS n
           FROM f WHERE converted_at IS NOT NULL GROUP BY 1, 2
       ), span AS (
         SELECT greatest((SELECT min(d) FROM e0), hi - (:maxDays - 1) * interval '1 day') AS lo, hi
           FROM (SELECT max(d) AS hi FROM (SELECT d FROM e0 UNION ALL SELECT d FROM c0) x) m
       ), e AS (
         SELECT variant, greatest(d, lo) AS d, sum(n)::int AS n FROM e0, span GROUP BY 1, 2
       ), c AS (
         SELECT variant, greatest(d, lo) AS d, sum(n)::int AS n FROM c0, span GROUP BY 1, 2
       ), days AS (
         SELECT generate_series(lo, hi, interval '1 day') AS d FROM span
       ), v AS (SELECT DISTINCT variant FROM f)
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
