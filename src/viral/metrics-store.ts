import type { Knex } from 'knex';
import type { Window } from './window.js';

/** The window's invites with the "converted" flag: signed up within conversionWindowDays of sending. */
const WINDOW_INVITES = (bySource: boolean) => `
  SELECT referrer_id, source, sent_at, first_clicked_at, signup_user_id, signed_up_at, prev_sent_at, prev_source_sent_at,
         (signed_up_at IS NOT NULL AND signed_up_at <= sent_at + make_interval(days => :cw)) AS converted
    FROM invites
   WHERE sent_at >= :from AND sent_at < :to${bySource ? ' AND source = :source' : ''}`;

const params = (w: Window, extra: Record<string, unknown> = {}) => ({
  from: w.from.toISOString(),
  to: w.to.toISOString(),
  cw: w.conversionWindowDays,
  tz: w.tz,
  ...extra,
});

/** How many rows of the window are their referrer's first in it, by the named predecessor column. */
export const FIRST_IN_WINDOW = (prev: 'prev_sent_at' | 'prev_source_sent_at') =>
  `count(*) FILTER (WHERE ${prev} IS NULL OR ${prev} < :from)`;

export interface Counts {
  invites: number;
  senders: number;
  conversions: number;
}

export interface CycleTimes {
  conversions: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
  fullLoopCount: number;
  fullLoopP50Seconds: number | null;
}

export interface PeriodRow extends Counts {
  periodStart: Date;
  clicks: number;
  organicSignups: number;
  referredSignups: number;
  fvm: number;
}

export interface CohortRow {
  weekStart: Date;
  size: number;
  invites: number;
  conversions: number;
}

export interface FunnelRow {
  invites: number;
  clicked: number;
  signedUp: number;
  fvm: number;
  medianSentToClick: number | null;
  medianClickToSignup: number | null;
  medianSignupToFvm: number | null;
}

/** Every viral metric as one or a few set-based queries over indexed tables. */
export class MetricsStore {
  constructor(private readonly knex: Knex) {}

  private async rows<T>(sql: string, bindings: Record<string, unknown>): Promise<T[]> {
    return ((await this.knex.raw(sql, bindings as Knex.ValueDict)) as { rows: T[] }).rows;
  }

  /** True unless an unconverted invite of the window can still convert (sent less than the window ago). */
  async complete(w: Window, now: Date, source?: string): Promise<boolean> {
    const [r] = await this.rows<{ pending: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM invites
          WHERE sent_at >= greatest(:from::timestamptz, :now::timestamptz - make_interval(days => :cw))
            AND sent_at < :to AND signed_up_at IS NULL${source ? ' AND source = :source' : ''}
       ) AS pending`,
      params(w, { now: now.toISOString(), source: source ?? null }),
    );
    return !r!.pending;
  }

  async totals(w: Window, source?: string): Promise<Counts & { userBase: number }> {
    // A referrer counts once: at the window's invite whose predecessor (of the same loop, when one is asked for) was
    // sent before the window or not at all (migration 20261208100000).
    const prev = source === undefined ? 'prev_sent_at' : 'prev_source_sent_at';
    const [r] = await this.rows<Counts & { userBase: number }>(
      `SELECT count(*)::int AS invites, ${FIRST_IN_WINDOW(prev)}::int AS senders,
              (count(*) FILTER (WHERE converted))::int AS conversions,
              (SELECT count(*)::int FROM users WHERE signed_up_at < :to) AS "userBase"
         FROM (${WINDOW_INVITES(source !== undefined)}) w`,
      params(w, { source: source ?? null }),
    );
    return r!;
  }

  async bySource(w: Window): Promise<(Counts & { source: string })[]> {
    return (await this.windowCounts(w)).sources;
  }

  /** Totals and per-loop counts in one pass over the window's index range, with no grouping by referrer. */
  async windowCounts(
    w: Window,
  ): Promise<{ totals: Counts & { userBase: number }; sources: (Counts & { source: string })[] }> {
    const [sources, [u]] = await Promise.all([
      this.rows<Counts & { source: string; firsts: number }>(
        `SELECT source, count(*)::int AS invites, ${FIRST_IN_WINDOW('prev_source_sent_at')}::int AS senders,
              (count(*) FILTER (WHERE converted))::int AS conversions, ${FIRST_IN_WINDOW('prev_sent_at')}::int AS firsts
         FROM (${WINDOW_INVITES(false)}) w GROUP BY source ORDER BY source`,
        params(w),
      ),
      this.rows<{ userBase: number }>(
        `SELECT count(*)::int AS "userBase" FROM users WHERE signed_up_at < :to`,
        params(w),
      ),
    ]);
    const sum = (f: (r: (typeof sources)[number]) => number) => sources.reduce((a, r) => a + f(r), 0);
    return {
      // Each referrer's first invite of the window is in exactly one loop.
      totals: {
        invites: sum((r) => r.invites),
        senders: sum((r) => r.firsts),
        conversions: sum((r) => r.conversions),
        userBase: u!.userBase,
      },
      sources: sources.map(({ firsts: _firsts, ...r }) => r),
    };
  }

  /**
   * Send-to-signup times of the window's conversions and, with `fullLoop`, each invitee's time to its own first invite
   * (one index probe per conversion, computed once per row: OFFSET 0 keeps the subquery from being inlined into each
   * aggregate that reads it). Without `fullLoop` the loop fields are 0 and null.
   */
  async cycleTimes(w: Window, fullLoop = true): Promise<CycleTimes> {
    const loop = fullLoop
      ? `(SELECT extract(epoch FROM min(j.sent_at) - w.sent_at)::float8
            FROM invites j WHERE j.referrer_id = w.signup_user_id)`
      : 'NULL::float8';
    const [r] = await this.rows<CycleTimes>(
      `WITH c AS (
         SELECT extract(epoch FROM signed_up_at - sent_at)::float8 AS secs, ${loop} AS loop_secs
           FROM (${WINDOW_INVITES(false)}) w
          WHERE converted
         OFFSET 0
       )
       SELECT count(*)::int AS conversions,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS "p50Seconds",
              percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) AS "p90Seconds",
              avg(secs)::float8 AS "meanSeconds",
              count(loop_secs)::int AS "fullLoopCount",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY loop_secs) AS "fullLoopP50Seconds"
         FROM c`,
      params(w),
    );
    return r!;
  }

  /**
   * The referrers ranked by conversions, invites and id. Only a referrer with at least the limit-th highest
   * conversion count can rank, so the window's converted invites (a partial index) name the candidates and an index
   * probe counts each one's invites; when fewer than `limit` referrers converted, or ties make the candidates many,
   * every referrer of the window is grouped instead.
   */
  async topReferrers(w: Window, limit: number): Promise<(Counts & { referrerId: string })[]> {
    const fast = await this.rows<Counts & { referrerId: string }>(
      `WITH conv AS (
         SELECT referrer_id, count(*)::int AS c FROM invites
          WHERE sent_at >= :from AND sent_at < :to AND signed_up_at IS NOT NULL
            AND signed_up_at <= sent_at + make_interval(days => :cw)
          GROUP BY referrer_id
       ), cand AS (
         SELECT referrer_id, c FROM conv
          WHERE c >= (SELECT c FROM conv ORDER BY c DESC OFFSET :offset LIMIT 1)
       )
       SELECT referrer_id AS "referrerId", invites, 1 AS senders, c AS conversions
         FROM cand, LATERAL (
           SELECT count(*)::int AS invites FROM invites i
            WHERE i.referrer_id = cand.referrer_id AND i.sent_at >= :from AND i.sent_at < :to
         ) n
        WHERE (SELECT count(*) FROM cand) <= :most
        ORDER BY conversions DESC, invites DESC, referrer_id
        LIMIT :limit`,
      params(w, { limit, offset: limit - 1, most: Math.max(1000, 4 * limit) }),
    );
    if (fast.length === limit) return fast;
    return this.rows(
      `WITH w AS (${WINDOW_INVITES(false)})
       SELECT referrer_id AS "referrerId", count(*)::int AS invites, 1 AS senders,
              count(*) FILTER (WHERE converted)::int AS conversions
         FROM w GROUP BY referrer_id
        ORDER BY conversions DESC, invites DESC, referrer_id
        LIMIT :limit`,
      params(w, { limit }),
    );
  }

  /** Per day or ISO week in tz: what occurred in the period, and the K of the invites sent in it. */
  async timeline(w: Window, granularity: 'day' | 'week'): Promise<PeriodRow[]> {
    const bucket = (col: string) => `date_trunc('${granularity}', (${col}) AT TIME ZONE :tz)`;
    const inWindow = (col: string) => `${col} >= :from AND ${col} < :to`;
    return this.rows(
      `WITH periods AS (
         SELECT generate_series(${bucket(':from::timestamptz')}, ${bucket(`:to::timestamptz - interval '1 microsecond'`)},
                                interval '1 ${granularity}') AS p
       ), inv AS (
         -- A referrer counts in a period at its invite whose predecessor lies before the window or the period.
         SELECT ${bucket('sent_at')} AS p, count(*)::int AS invites,
                count(*) FILTER (WHERE prev_sent_at IS NULL OR prev_sent_at < :from
                                    OR ${bucket('prev_sent_at')} <> ${bucket('sent_at')})::int AS senders,
                count(*) FILTER (WHERE signed_up_at IS NOT NULL AND signed_up_at <= sent_at + make_interval(days => :cw))::int AS conversions
           FROM invites WHERE ${inWindow('sent_at')} GROUP BY 1
       ), clk AS (
         SELECT ${bucket('occurred_at')} AS p, count(*)::int AS n FROM invite_clicks WHERE ${inWindow('occurred_at')} GROUP BY 1
       ), usr AS (
         SELECT ${bucket('signed_up_at')} AS p,
                count(*) FILTER (WHERE referred_by_invite IS NULL)::int AS organic,
                count(*) FILTER (WHERE referred_by_invite IS NOT NULL)::int AS referred
           FROM users WHERE ${inWindow('signed_up_at')} GROUP BY 1
       ), fv AS (
         SELECT ${bucket('fvm_at')} AS p, count(*)::int AS n FROM users WHERE ${inWindow('fvm_at')} GROUP BY 1
       )
       SELECT periods.p AT TIME ZONE :tz AS "periodStart",
              coalesce(inv.invites, 0) AS invites, coalesce(inv.senders, 0) AS senders,
              coalesce(inv.conversions, 0) AS conversions, coalesce(clk.n, 0) AS clicks,
              coalesce(usr.organic, 0) AS "organicSignups", coalesce(usr.referred, 0) AS "referredSignups",
              coalesce(fv.n, 0) AS fvm
         FROM periods
         LEFT JOIN inv USING (p) LEFT JOIN clk USING (p) LEFT JOIN usr USING (p) LEFT JOIN fv USING (p)
        ORDER BY periods.p`,
      params(w),
    );
  }

  /** Users by signup week (ISO, Monday 00:00 in tz) since `start`; what their invites ever did. */
  async cohorts(tz: string, cw: number, weeks: number, now: Date): Promise<CohortRow[]> {
    return this.rows(
      `WITH bounds AS (
         SELECT date_trunc('week', :now::timestamptz AT TIME ZONE :tz) AS cur
       ), weeks AS (
         SELECT generate_series(cur - (:weeks - 1) * interval '1 week', cur, interval '1 week') AS wk FROM bounds
       ), members AS (
         SELECT u.user_id, date_trunc('week', u.signed_up_at AT TIME ZONE :tz) AS wk
           FROM users u, bounds
          WHERE u.signed_up_at >= (bounds.cur - (:weeks - 1) * interval '1 week') AT TIME ZONE :tz
       ), sizes AS (
         SELECT wk, count(*)::int AS size FROM members GROUP BY wk
       ), sent AS (
         SELECT m.wk, count(*)::int AS invites,
                count(*) FILTER (WHERE i.signed_up_at IS NOT NULL AND i.signed_up_at <= i.sent_at + make_interval(days => :cw))::int AS conversions
           FROM members m JOIN invites i ON i.referrer_id = m.user_id GROUP BY m.wk
       )
       SELECT weeks.wk AT TIME ZONE :tz AS "weekStart", coalesce(sizes.size, 0) AS size,
              coalesce(sent.invites, 0) AS invites, coalesce(sent.conversions, 0) AS conversions
         FROM weeks LEFT JOIN sizes USING (wk) LEFT JOIN sent USING (wk)
        ORDER BY weeks.wk`,
      { tz, cw, weeks, now: now.toISOString() },
    );
  }

  async funnel(w: Window, source?: string): Promise<FunnelRow> {
    const [r] = await this.rows<FunnelRow>(
      `WITH w AS (${WINDOW_INVITES(source !== undefined)}),
       f AS (
         -- A converted invite's first-value moment by one key probe, computed once per row (OFFSET 0 keeps the
         -- subquery from being flattened into the aggregates). A left join to users was planned as a hash of the
         -- window's invites on signup_user_id, NULL for the unconverted majority: one hash bucket that no batching
         -- can split (10 M invites: 20 s for 7 days, 77 s for 30).
         SELECT w.*, CASE WHEN w.converted THEN (SELECT u.fvm_at FROM users u WHERE u.user_id = w.signup_user_id) END
                  AS fvm_at
           FROM w OFFSET 0
       )
       SELECT count(*)::int AS invites,
              count(first_clicked_at)::int AS clicked,
              count(*) FILTER (WHERE converted)::int AS "signedUp",
              count(fvm_at)::int AS fvm,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_clicked_at - sent_at)) AS "medianSentToClick",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM signed_up_at - first_clicked_at))
                FILTER (WHERE converted) AS "medianClickToSignup",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fvm_at - signed_up_at)) AS "medianSignupToFvm"
         FROM f`,
      params(w, { source: source ?? null }),
    );
    return r!;
  }

  /** Fraud signals over all data, or over the invites sent in the window when one is given. */
  async fraud(w: Window | null, fastSeconds: number, burstPerHour: number) {
    const inWindow = (col: string) => (w ? `AND ${col} >= :from AND ${col} < :to` : '');
    return this.rows<{ type: string; referrerId: string; count: number }>(
      `SELECT 'self_referral' AS type, referrer_id AS "referrerId", count(*)::int AS count
         FROM self_referral_attempts WHERE true ${inWindow('sent_at')} GROUP BY referrer_id
       UNION ALL
       SELECT 'fast_conversion', referrer_id, count(*)::int
         FROM invites
        WHERE signed_up_at IS NOT NULL AND signed_up_at < sent_at + make_interval(secs => :fast) ${inWindow('sent_at')}
        GROUP BY referrer_id
       UNION ALL
       SELECT 'signup_burst', referrer_id, max(n)::int FROM (
         SELECT referrer_id, count(*) OVER (
                  PARTITION BY referrer_id ORDER BY signed_up_at
                  RANGE BETWEEN CURRENT ROW AND interval '1 hour' - interval '1 microsecond' FOLLOWING) AS n
           FROM invites WHERE signed_up_at IS NOT NULL ${inWindow('sent_at')}
       ) b GROUP BY referrer_id HAVING max(n) > :burst
       ORDER BY type, count DESC, "referrerId"`,
      {
        ...(w ? { from: w.from.toISOString(), to: w.to.toISOString() } : {}),
        fast: fastSeconds,
        burst: burstPerHour,
      },
    );
  }
}
