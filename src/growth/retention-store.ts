import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';
import { DAY, SOURCE_OF, rows, windowParams } from './sql.js';

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

/** Retention from activity_periods per slice of the window; LTV from the revenue side. */
export class RetentionStore {
  constructor(private readonly knex: Knex) {}

  /**
   * One row per cohort × period. Period k of a user is [s + k·P, s + (k+1)·P); a member is eligible at k when
   * s + (k+1)·P ≤ now, i.e. s ≤ now − (k+1)·P. The window is cut into spans at its whole hours and at those
   * thresholds (+1 µs), so within a span every member has the same last elapsed period e (capped at periods − 1). A
   * span whose ends have the same cohort and the same UTC offset in tz holds one cohort (local time runs on evenly
   * inside it); any other span (a local midnight at :30 or :45, an offset change inside the hour) is grouped member by
   * member. Per span: its members are one index-only count of users; its retained members per period one pass over
   * activity_periods' rows of the span (the periods each user was active in as bits, the period of their latest
   * activity), counting for k = 1 … periods − 1 those with bit k set (`on`) or a latest activity in period ≥ k
   * (`on_or_after`), kept for k ≤ e. Members with no activity have no row there and count at period 0 only.
   */
  async retention(w: Window, q: RetentionQuery, now: Date): Promise<RetentionCell[]> {
    const p = `(:hours * interval '1 hour')`;
    const hit = (k: number) => {
      if (q.mode === 'on_or_after') return `${q.granularity === 'week' ? 'last_week' : 'last_day'} >= ${k}`;
      if (q.granularity === 'week') return `(weeks & ${1n << BigInt(k)}) <> 0`;
      return k < 63 ? `(days_lo & ${1n << BigInt(k)}) <> 0` : `(days_hi & ${1n << BigInt(k - 63)}) <> 0`;
    };
    const ks = Array.from({ length: q.periods - 1 }, (_, i) => i + 1);
    const hits =
      ks.length === 0
        ? `'{}'::bigint[]`
        : `ARRAY[${ks.map((k) => `count(*) FILTER (WHERE ${hit(k)})`).join(', ')}]`;
    // Rows with no hit at any k ≥ 1 (most users are active in their first period only) are skipped by one test.
    const mask = (from: number, to: number) => {
      let m = 0n;
      for (let k = from; k <= to; k++) m |= 1n << BigInt(k);
      return m;
    };
    const last = q.periods - 1;
    const anyHit =
      q.mode === 'on_or_after'
        ? hit(1)
        : q.granularity === 'week'
          ? `(weeks & ${mask(1, last)}) <> 0`
          : `((days_lo & ${mask(1, Math.min(last, 62))}) <> 0 OR (days_hi & ${mask(0, last - 63)}) <> 0)`;
    const offsetAt = (col: string) => `(${col} AT TIME ZONE :tz) - (${col} AT TIME ZONE 'UTC')`;
    const cohortOf = (col: string) => `date_trunc(:granularity, ${col} AT TIME ZONE :tz)`;
    const inSpan = (t: string) =>
      `${t}.signed_up_at >= s.lo AND ${t}.signed_up_at < s.hi AND (:source::text IS NULL OR ${
        t === 'u' ? SOURCE_OF('u') : 'a.source'
      } = :source)`;
    return rows<RetentionCell>(
      this.knex,
      `WITH edges AS (
         SELECT t FROM (
           SELECT :from::timestamptz AS t
           UNION SELECT :to::timestamptz
           UNION SELECT generate_series(date_trunc('hour', :from::timestamptz, 'UTC'), :to::timestamptz, interval '1 hour')
           UNION SELECT :now::timestamptz - (k + 1) * ${p} + interval '1 microsecond' FROM generate_series(0, :periods - 1) k
         ) x WHERE t >= :from::timestamptz AND t <= :to::timestamptz
       ), spans AS (
         SELECT lo, hi, ${cohortOf('lo')} AS cohort,
                ${cohortOf('lo')} = ${cohortOf(`(hi - interval '1 microsecond')`)}
                  AND ${offsetAt('lo')} = ${offsetAt(`(hi - interval '1 microsecond')`)} AS whole,
                least(:periods - 1, floor(extract(epoch FROM :now::timestamptz - lo) / (:hours * 3600))::int - 1) AS e
           FROM (SELECT t AS lo, lead(t) OVER (ORDER BY t) AS hi FROM edges) x
          WHERE hi IS NOT NULL
       ), ks AS (
         SELECT generate_series(0, :periods - 1) AS k
       ), elapsed AS (
         SELECT s.cohort, s.e, c.n
           FROM spans s CROSS JOIN LATERAL (SELECT count(*) AS n FROM users u WHERE ${inSpan('u')}) c
          WHERE s.whole AND c.n > 0
         UNION ALL
         SELECT ${cohortOf('u.signed_up_at')}, s.e, count(*)
           FROM spans s JOIN users u ON ${inSpan('u')}
          WHERE NOT s.whole
          GROUP BY 1, 2
       ), sizes AS (
         SELECT cohort, sum(n)::int AS size FROM elapsed GROUP BY cohort
       ), eligible AS (
         SELECT x.cohort, ks.k, sum(x.n) FILTER (WHERE ks.k = 0 OR x.e >= ks.k) AS n
           FROM elapsed x CROSS JOIN ks GROUP BY x.cohort, ks.k
       ), retained AS (
         SELECT r.cohort, h.k, sum(h.n) AS n
           FROM (SELECT s.cohort, s.e, c.hits
                   FROM spans s CROSS JOIN LATERAL (SELECT ${hits} AS hits FROM activity_periods a WHERE ${inSpan('a')} AND ${anyHit}) c
                  WHERE s.whole AND s.e >= 1
                 UNION ALL
                 SELECT ${cohortOf('a.signed_up_at')}, s.e, ${hits}
                   FROM spans s JOIN activity_periods a ON ${inSpan('a')} AND ${anyHit}
                  WHERE NOT s.whole AND s.e >= 1
                  GROUP BY 1, 2) r
          CROSS JOIN LATERAL unnest(r.hits) WITH ORDINALITY AS h(n, k)
          WHERE h.k <= r.e
          GROUP BY r.cohort, h.k
       )
       SELECT s.cohort AT TIME ZONE :tz AS "cohortStart", s.size, g.k AS period,
              coalesce(g.n, 0)::int AS eligible,
              (CASE WHEN g.k = 0 THEN s.size ELSE coalesce(r.n, 0) END)::int AS retained
         FROM sizes s JOIN eligible g USING (cohort) LEFT JOIN retained r ON r.cohort = g.cohort AND r.k = g.k
        ORDER BY s.cohort, g.k`,
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
   * [s, s + horizon) and how many of them have a positive net. Users are counted per source on their signup index;
   * the net per matured user is summed from the revenue rows of the window's users (each row carries its user's
   * signup time and source: one index range, no join with the users). Numeric sums, converted at the end.
   */
  async ltv(w: Window, horizonDays: number, now: Date): Promise<LtvRow[]> {
    return rows<LtvRow>(
      this.knex,
      `WITH sizes AS (
         SELECT ${SOURCE_OF('u')} AS source, count(*) AS users,
                count(*) FILTER (WHERE u.signed_up_at <= :now::timestamptz - :h * ${DAY}) AS matured
           FROM users u
          WHERE u.signed_up_at >= :from AND u.signed_up_at < :to
          GROUP BY 1
       ), net AS (
         SELECT r.user_source AS source, r.user_id, sum(r.amount) AS net
           FROM revenue_events r
          WHERE r.user_signed_up_at >= :from AND r.user_signed_up_at < :to
            AND r.user_signed_up_at <= :now::timestamptz - :h * ${DAY}
            AND r.occurred_at >= r.user_signed_up_at AND r.occurred_at < r.user_signed_up_at + :h * ${DAY}
          GROUP BY r.user_source, r.user_id
       ), paid AS (
         SELECT source, sum(net) AS revenue, count(*) FILTER (WHERE net > 0) AS paying FROM net GROUP BY source
       )
       SELECT s.source, coalesce(sum(s.users), 0)::int AS users, coalesce(sum(s.matured), 0)::int AS matured,
              coalesce(sum(p.revenue), 0)::float8 AS revenue, coalesce(sum(p.paying), 0)::int AS paying
         FROM sizes s LEFT JOIN paid p USING (source)
        GROUP BY GROUPING SETS ((s.source), ())
        ORDER BY s.source COLLATE "C" NULLS LAST`,
      windowParams(w, { h: horizonDays, now: now.toISOString() }),
    );
  }
}
