import type { Knex } from 'knex';
import type { CupedSums } from '../stats/cuped.js';

export type CupedCovariate = 'revenue' | 'activity_days';

export type CupedVariantSums = CupedSums & { variant: string };

export interface CupedQuery {
  experimentId: number;
  metric: string;
  completedAt: Date | null;
  /**
   * binomial: Y = 1 for a user with a counted conversion; valued: Y = the user's counted value sum; retention_d7
   * and ltv (SPEC §8.7): over eligible users only, Y = 1 when active in the day-7 window, or the net revenue in
   * [firstExposure, + horizonHours).
   */
  outcome: 'binomial' | 'valued' | 'retention_d7' | 'ltv';
  /** retention_d7 and ltv: eligibility is judged at this time. */
  now?: Date;
  /** ltv: the horizon in hours. */
  horizonHours?: number;
  covariate: CupedCovariate;
  lookbackDays: number;
}

/**
 * CUPED's sufficient statistics per variant (SPEC §10.2), over the exposed users who are not held out: n, ΣY,
 * ΣY², ΣX, ΣX², ΣXY, where Y is the user's outcome (counted conversions, as in results) and X the covariate from
 * [firstExposure − L days, firstExposure): revenue, or the number of distinct UTC days with activity. Sums are
 * exact numerics until the end. One pass over the experiment's exposed users; X through revenue_events (user_id,
 * occurred_at) or user_activity's primary key.
 */
/** Y from the experiment's conversions of the metric, counted from first exposure (and before completion). */
const conversionSums = (before: string) => `SELECT c.user_id, coalesce(sum(c.value), 0) AS s
           FROM conversions c JOIN u ON u.user_id = c.user_id
          WHERE c.experiment_id = :id AND c.metric = :metric AND c.occurred_at >= u.exposed_at
            AND ${before.replace('%s', 'c.occurred_at')}
          GROUP BY c.user_id`;

export class CupedStore {
  constructor(private readonly knex: Knex) {}

  async sums(q: CupedQuery): Promise<CupedVariantSums[]> {
    const covariate =
      q.covariate === 'revenue'
        ? `SELECT u.user_id, sum(r.amount) AS v FROM u
             JOIN revenue_events r ON r.user_id = u.user_id
              AND r.occurred_at >= u.exposed_at - make_interval(days => :days) AND r.occurred_at < u.exposed_at
            GROUP BY u.user_id`
        : `SELECT u.user_id, count(DISTINCT date_trunc('day', ua.occurred_at AT TIME ZONE 'UTC')) AS v FROM u
             JOIN user_activity ua ON ua.user_id = u.user_id
              AND ua.occurred_at >= u.exposed_at - make_interval(days => :days) AND ua.occurred_at < u.exposed_at
            GROUP BY u.user_id`;
    const before = `(:completedAt::timestamptz IS NULL OR %s < :completedAt::timestamptz)`;
    const outcomes: Record<CupedQuery['outcome'], string> = {
      binomial: conversionSums(before),
      valued: conversionSums(before),
      retention_d7: `SELECT u.user_id, 1 AS s FROM u WHERE EXISTS (
           SELECT 1 FROM user_activity ua WHERE ua.user_id = u.user_id
              AND ua.occurred_at >= u.exposed_at + interval '168 hours'
              AND ua.occurred_at < u.exposed_at + interval '192 hours' AND ${before.replace('%s', 'ua.occurred_at')})`,
      ltv: `SELECT u.user_id, sum(r.amount) AS s FROM u
           JOIN revenue_events r ON r.user_id = u.user_id AND r.occurred_at >= u.exposed_at
            AND r.occurred_at < u.exposed_at + make_interval(hours => :horizonH)
            AND ${before.replace('%s', 'r.occurred_at')}
          GROUP BY u.user_id`,
    };
    // Windowed metrics compare eligible users only: those whose window has ended by `now`.
    const windowHours = q.outcome === 'retention_d7' ? 192 : q.outcome === 'ltv' ? q.horizonHours! : null;
    const eligible =
      windowHours === null ? '' : ` AND exposed_at + make_interval(hours => :windowH) <= :now::timestamptz`;
    const outcome =
      q.outcome === 'binomial' || q.outcome === 'retention_d7'
        ? 'CASE WHEN y.user_id IS NULL THEN 0 ELSE 1 END'
        : 'coalesce(y.s, 0)';
    const { rows } = (await this.knex.raw(
      `WITH u AS (
         SELECT user_id, variant, exposed_at FROM assignments
          WHERE experiment_id = :id AND exposed_at IS NOT NULL AND holdout_id IS NULL${eligible}
       ), y AS (${outcomes[q.outcome]}
       ), x AS (${covariate}
       ), per_user AS (
         SELECT u.variant, (${outcome})::numeric AS y, coalesce(x.v, 0)::numeric AS x
           FROM u LEFT JOIN y ON y.user_id = u.user_id LEFT JOIN x ON x.user_id = u.user_id
       )
       SELECT variant, count(*)::int AS n, sum(y)::float8 AS "sumY", sum(y * y)::float8 AS "sumY2",
              sum(x)::float8 AS "sumX", sum(x * x)::float8 AS "sumX2", sum(x * y)::float8 AS "sumXY"
         FROM per_user GROUP BY variant`,
      {
        id: q.experimentId,
        metric: q.metric,
        completedAt: q.completedAt?.toISOString() ?? null,
        days: q.lookbackDays,
        now: (q.now ?? new Date()).toISOString(),
        horizonH: q.horizonHours ?? 0,
        windowH: windowHours ?? 0,
      },
    )) as { rows: CupedVariantSums[] };
    return rows;
  }
}
