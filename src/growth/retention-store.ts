import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';
import { DAY, WINDOW_MEMBERS, rows, windowParams } from './sql.js';

export interface RetentionCell {
  cohortStart: Date;
  size: number;
  period: number;
  eligible: number;
  retained: number;
}

export interface RetentionQuery {
  granularity: 'day' | 'week';
  periods: number;
  mode: 'on' | 'on_or_after';
  source?: string | undefined;
}

export interface LtvRow {
  /** null for the total row. */
  source: string | null;
  users: number;
  matured: number;
  revenue: number;
  paying: number;
}

/** Retention and LTV: per-user range scans on user_activity and revenue_events keys. */
export class RetentionStore {
  constructor(private readonly knex: Knex) {}

  /**
   * One row per cohort × period. Period k of a user is [s + k·P, s + (k+1)·P); it counts when it has fully elapsed.
   * `on` finds the periods each member was active in (one pass over their activity before s + N·P); `on_or_after`
   * needs only each member's last activity (one backward index probe per member).
   */
  async retention(w: Window, q: RetentionQuery, now: Date): Promise<RetentionCell[]> {
    const p = `(:hours * interval '1 hour')`;
    const hits =
      q.mode === 'on'
        ? `SELECT DISTINCT a.user_id, floor(extract(epoch FROM a.occurred_at - m.signed_up_at) / (:hours * 3600))::int AS k
             FROM members m JOIN user_activity a ON a.user_id = m.user_id
              AND a.occurred_at >= m.signed_up_at + ${p} AND a.occurred_at < m.signed_up_at + :periods * ${p}`
        : `SELECT m.user_id, k.k FROM members m
             CROSS JOIN LATERAL (SELECT max(occurred_at) AS last FROM user_activity a WHERE a.user_id = m.user_id) l
             JOIN ks k ON k.k >= 1 AND l.last >= m.signed_up_at + k.k * ${p}`;
    return rows<RetentionCell>(
      this.knex,
      `WITH members AS (
         SELECT user_id, signed_up_at, date_trunc(:granularity, signed_up_at AT TIME ZONE :tz) AS cohort
           FROM (${WINDOW_MEMBERS}) m
          WHERE :source::text IS NULL OR source = :source
       ), ks AS (
         SELECT generate_series(0, :periods - 1) AS k
       ), hits AS (${hits}),
       cells AS (
         SELECT m.cohort, ks.k,
                count(*) FILTER (WHERE ks.k = 0 OR m.signed_up_at + (ks.k + 1) * ${p} <= :now) AS eligible,
                count(*) FILTER (WHERE ks.k = 0 OR (m.signed_up_at + (ks.k + 1) * ${p} <= :now AND h.user_id IS NOT NULL))
                  AS retained
           FROM members m CROSS JOIN ks LEFT JOIN hits h ON h.user_id = m.user_id AND h.k = ks.k
          GROUP BY m.cohort, ks.k
       )
       SELECT c.cohort AT TIME ZONE :tz AS "cohortStart", s.size, c.k AS period,
              c.eligible::int AS eligible, c.retained::int AS retained
         FROM cells c JOIN (SELECT cohort, count(*)::int AS size FROM members GROUP BY cohort) s USING (cohort)
        ORDER BY c.cohort, c.k`,
      windowParams(w, {
        granularity: q.granularity,
        hours: q.granularity === 'day' ? 24 : 168,
        periods: q.periods,
        source: q.source ?? null,
        now: now.toISOString(),
      }),
    );
  }

  /**
   * Per source and in total: the window's users, those matured (s + horizon ≤ now), the matured users' net revenue in
   * [s, s + horizon) and how many of them have a positive net. Numeric sums, converted to a number at the end.
   */
  async ltv(w: Window, horizonDays: number, now: Date): Promise<LtvRow[]> {
    return rows<LtvRow>(
      this.knex,
      `WITH members AS (
         SELECT m.user_id, m.source, m.signed_up_at + :h * ${DAY} <= :now AS matured,
                CASE WHEN m.signed_up_at + :h * ${DAY} <= :now THEN
                  (SELECT coalesce(sum(r.amount), 0) FROM revenue_events r
                    WHERE r.user_id = m.user_id AND r.occurred_at >= m.signed_up_at
                      AND r.occurred_at < m.signed_up_at + :h * ${DAY})
                END AS net
           FROM (${WINDOW_MEMBERS}) m
       )
       SELECT source, count(*)::int AS users, count(*) FILTER (WHERE matured)::int AS matured,
              coalesce(sum(net), 0)::float8 AS revenue, count(*) FILTER (WHERE net > 0)::int AS paying
         FROM members
        GROUP BY GROUPING SETS ((source), ())
        ORDER BY source COLLATE "C" NULLS LAST`,
      windowParams(w, { h: horizonDays, now: now.toISOString() }),
    );
  }
}
