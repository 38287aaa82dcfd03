import type { Knex } from 'knex';
import type { CupedSums } from '../stats/cuped.js';
import { COUNTED_PER_USER } from './result-aggregates.js';

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
 * [firstExposure − L days, firstExposure): revenue, or the number of distinct UTC days with activity. A user with
 * Y = 0 and X = 0 adds nothing but to n, so the sums run over the users with an outcome or a covariate only (full
 * join of the two), and n is a plain count: no per-user arithmetic for the many who did neither. Sums are exact
 * numerics until the end. Y of a conversion metric comes from result_user_metrics (the users who converted);
 * X through revenue_events (user_id, occurred_at) or user_activity's primary key.
 */
export class CupedStore {
  constructor(private readonly knex: Knex) {}

  async sums(q: CupedQuery): Promise<CupedVariantSums[]> {
    // Windowed metrics compare eligible users only: those whose window has ended by `now`.
    const windowHours = q.outcome === 'retention_d7' ? 192 : q.outcome === 'ltv' ? q.horizonHours! : null;
    const eligible =
      windowHours === null ? '' : ` AND exposed_at + make_interval(hours => :windowH) <= :now::timestamptz`;
    // Inlined where it is used (a CTE named twice would be materialised: every exposed user copied once more).
    const u = `(SELECT user_id, variant, exposed_at FROM assignments
                 WHERE experiment_id = :id AND exposed_at IS NOT NULL AND holdout_id IS NULL${eligible}) u`;
    const covariate =
      q.covariate === 'revenue'
        ? `SELECT u.user_id, u.variant, sum(r.amount) AS v FROM ${u}
             JOIN revenue_events r ON r.user_id = u.user_id
              AND r.occurred_at >= u.exposed_at - make_interval(days => :days) AND r.occurred_at < u.exposed_at
            GROUP BY u.user_id, u.variant`
        : `SELECT u.user_id, u.variant, count(DISTINCT date_trunc('day', ua.occurred_at AT TIME ZONE 'UTC')) AS v
             FROM ${u}
             JOIN user_activity ua ON ua.user_id = u.user_id
              AND ua.occurred_at >= u.exposed_at - make_interval(days => :days) AND ua.occurred_at < u.exposed_at
            GROUP BY u.user_id, u.variant`;
    const before = `(:completedAt::timestamptz IS NULL OR %s < :completedAt::timestamptz)`;
    // Rows (user_id, variant, s) for the users whose Y may be nonzero.
    const outcomes: Record<CupedQuery['outcome'], string> = {
      binomial: COUNTED_PER_USER,
      valued: COUNTED_PER_USER,
      retention_d7: `SELECT u.user_id, u.variant, 1 AS s FROM ${u} WHERE EXISTS (
           SELECT 1 FROM user_activity ua WHERE ua.user_id = u.user_id
              AND ua.occurred_at >= u.exposed_at + interval '168 hours'
              AND ua.occurred_at < u.exposed_at + interval '192 hours' AND ${before.replace('%s', 'ua.occurred_at')})`,
      ltv: `SELECT u.user_id, u.variant, sum(r.amount) AS s FROM ${u}
           JOIN revenue_events r ON r.user_id = u.user_id AND r.occurred_at >= u.exposed_at
            AND r.occurred_at < u.exposed_at + make_interval(hours => :horizonH)
            AND ${before.replace('%s', 'r.occurred_at')}
          GROUP BY u.user_id, u.variant`,
    };
    const outcome =
      q.outcome === 'binomial' || q.outcome === 'retention_d7'
        ? 'CASE WHEN y.user_id IS NULL THEN 0 ELSE 1 END'
        : 'coalesce(y.s, 0)';
    const { rows } = (await this.knex.raw(
      `WITH n AS (
         SELECT variant, count(*) AS n FROM ${u} GROUP BY variant
       ), y AS (${outcomes[q.outcome]}
       ), x AS (${covariate}
       ), per_user AS (
         SELECT coalesce(y.variant, x.variant) AS variant, (${outcome})::numeric AS y, coalesce(x.v, 0)::numeric AS x
           FROM y FULL JOIN x ON x.user_id = y.user_id
       ), sums AS (
         SELECT variant, sum(y) AS sy, sum(y * y) AS sy2, sum(x) AS sx, sum(x * x) AS sx2, sum(x * y) AS sxy
           FROM per_user GROUP BY variant
       )
       SELECT n.variant, n.n::int AS n, coalesce(sy, 0)::float8 AS "sumY", coalesce(sy2, 0)::float8 AS "sumY2",
              coalesce(sx, 0)::float8 AS "sumX", coalesce(sx2, 0)::float8 AS "sumX2",
              coalesce(sxy, 0)::float8 AS "sumXY"
         FROM n LEFT JOIN sums USING (variant)`,
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
