import type { Knex } from 'knex';
import { COUNTED_PER_USER } from './result-aggregates.js';

/** A stored weight period (period 0, the equal split from the start, is not stored). */
export interface BanditPeriod {
  period: number;
  startedAt: Date;
  /** Aligned with the experiment's variants. */
  weights: number[];
  pBest: number[];
  counts: { exposed: number; converted: number }[];
  seed: number;
}

/** One variant in one period: users first exposed in it, and their counted conversions of the metric. */
export interface PeriodCellRow {
  period: number;
  variant: string;
  exposed: number;
  converted: number;
  valued: number;
  valueSum: number;
  valueSumSq: number;
}

interface PeriodRow {
  period: number;
  started_at: Date;
  weights: number[];
  p_best: number[];
  counts: { exposed: number; converted: number }[];
  seed: string | number;
}

export class BanditStore {
  constructor(private readonly knex: Knex) {}

  async periods(experimentId: number, trx: Knex = this.knex): Promise<BanditPeriod[]> {
    const rows = (await trx('bandit_periods')
      .select('period', 'started_at', 'weights', 'p_best', 'counts', 'seed')
      .where({ experiment_id: experimentId })
      .orderBy('period')) as PeriodRow[];
    return rows.map((r) => ({
      period: r.period,
      startedAt: r.started_at,
      weights: r.weights,
      pBest: r.p_best,
      counts: r.counts,
      seed: Number(r.seed),
    }));
  }

  /** Exposed and converted users per variant for the metric, from the result aggregates (a running experiment). */
  async counts(
    experimentId: number,
    metric: string,
    trx: Knex,
  ): Promise<Map<string, { exposed: number; converted: number }>> {
    const { rows } = (await trx.raw(
      `SELECT v.variant, v.exposed::int AS exposed, coalesce(m.converted, 0)::int AS converted
         FROM (SELECT variant, sum(exposed) AS exposed FROM result_variant_counts WHERE experiment_id = :id
                GROUP BY variant) v
         LEFT JOIN (SELECT variant, sum(converted) AS converted FROM result_metric_counts
                     WHERE experiment_id = :id AND metric = :metric GROUP BY variant) m USING (variant)`,
      { id: experimentId, metric },
    )) as { rows: { variant: string; exposed: number; converted: number }[] };
    return new Map(rows.map((r) => [r.variant, { exposed: r.exposed, converted: r.converted }]));
  }

  /** Stores a new period and makes it the one new users are bucketed in, in the caller's transaction. */
  async open(experimentId: number, p: BanditPeriod, trx: Knex): Promise<void> {
    await trx('bandit_periods').insert({
      experiment_id: experimentId,
      period: p.period,
      started_at: p.startedAt.toISOString(),
      weights: JSON.stringify(p.weights),
      p_best: JSON.stringify(p.pBest),
      counts: JSON.stringify(p.counts),
      seed: p.seed,
    });
    await trx('experiments')
      .where({ id: experimentId })
      .update({
        bandit_period: p.period,
        bandit_weights: JSON.stringify(p.weights),
        bandit_updated_at: p.startedAt.toISOString(),
      });
  }

  async touch(experimentId: number, at: Date, trx: Knex): Promise<void> {
    await trx('experiments').where({ id: experimentId }).update({ bandit_updated_at: at.toISOString() });
  }

  /** Keys of running bandits whose next update is due at `now` (updateEveryMinutes after the last one or the start). */
  async due(now: Date): Promise<string[]> {
    const { rows } = (await this.knex.raw(
      `SELECT key FROM experiments
        WHERE type = 'bandit' AND status = 'running'
          AND coalesce(bandit_updated_at, started_at)
              + make_interval(mins => (bandit->>'updateEveryMinutes')::int) <= :now::timestamptz
        ORDER BY key`,
      { now: now.toISOString() },
    )) as { rows: { key: string }[] };
    return rows.map((r) => r.key);
  }

  /**
   * Per weight period and variant: exposed users by the period their first exposure fell in (period p holds
   * [start_p, start_{p+1})), those with a counted conversion of the metric (at or after first exposure, before
   * completion) and their value sums. One pass over the experiment's assignments, joined by hash with the users
   * who converted (result_user_metrics), grouped by hash: no ORDER BY, as the planner, blind to how few periods
   * there are, would sort every exposed user for it.
   */
  async cells(experimentId: number, metric: string, completedAt: Date | null): Promise<PeriodCellRow[]> {
    const { rows } = (await this.knex.raw(
      `WITH p AS (
         SELECT coalesce(array_agg(started_at ORDER BY period), '{}'::timestamptz[]) AS starts
           FROM bandit_periods WHERE experiment_id = :id
       ), conv AS (${COUNTED_PER_USER}
       )
       SELECT width_bucket(a.exposed_at, p.starts)::int AS period, a.variant, count(*)::int AS exposed,
              count(conv.user_id)::int AS converted, coalesce(sum(conv.v), 0)::int AS valued,
              coalesce(sum(conv.s), 0)::float8 AS "valueSum", coalesce(sum(conv.s * conv.s), 0)::float8 AS "valueSumSq"
         FROM assignments a CROSS JOIN p LEFT JOIN conv ON conv.user_id = a.user_id
        WHERE a.experiment_id = :id AND a.exposed_at IS NOT NULL AND a.holdout_id IS NULL
        GROUP BY 1, 2`,
      { id: experimentId, metric, completedAt: completedAt?.toISOString() ?? null },
    )) as { rows: PeriodCellRow[] };
    return rows;
  }
}
