import type { Knex } from 'knex';

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
}

/**
 * Per-variant aggregates for one metric, computed in SQL: a conversion counts when it occurred at or after the
 * user's first exposure and, for a completed experiment, before completion.
 */
export class ResultsStore {
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
              coalesce(sum(counted.value_sum), 0)::float8 AS value_sum,
              coalesce(sum(counted.valued), 0)::int AS valued,
              (var_samp(coalesce(counted.value_sum, 0)) FILTER (WHERE a.exposed_at IS NOT NULL))::float8 AS value_variance
         FROM assignments a
         LEFT JOIN counted ON counted.user_id = a.user_id
        WHERE a.experiment_id = :id
        GROUP BY a.variant`,
      { id: experimentId, metric, completedAt: completedAt?.toISOString() ?? null },
    )) as {
      rows: {
        variant: string;
        assigned: number;
        exposed: number;
        converted: number;
        value_sum: number;
        valued: number;
        value_variance: number | null;
      }[];
    };
    return rows.map((r) => ({
      variant: r.variant,
      assigned: r.assigned,
      exposed: r.exposed,
      converted: r.converted,
      valueSum: r.value_sum,
      valued: r.valued,
      valueVariance: r.value_variance,
    }));
  }
}
