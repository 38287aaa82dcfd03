import type { Knex } from 'knex';

export const ANOMALY_METRICS = ['k_factor', 'signups', 'invites'] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

export interface DailyQuery {
  metric: AnomalyMetric;
  source?: string;
  tz: string;
  /** k_factor only: a signup counts when within this many days of its invite. */
  conversionWindowDays: number;
  /** The last listed day is the local day of `to − 1 µs`. */
  to: Date;
  /** The first listed day: the local day of `from`, or `days − 1` days before the last. */
  from?: Date;
  days: number;
  /** Days fetched before the first listed one, so that its history can reach before the window. */
  lookbackDays: number;
  now: Date;
}

export interface DailyRow {
  date: string;
  value: number;
  invites: number;
  complete: boolean;
  hasData: boolean;
  listed: boolean;
}

/** Per local day: the count (or K) of the day, whether it is complete, and whether the metric had data by then. */
const DAILY = (metric: AnomalyMetric, bySource: boolean) => {
  const table = metric === 'signups' ? 'users' : 'invites';
  const at = metric === 'signups' ? 'signed_up_at' : 'sent_at';
  const source = bySource && metric !== 'signups' ? ' AND source = :source' : '';
  // A referrer counts once a day, at its first invite of the day: the one whose predecessor (in the same loop when
  // filtered by one) was sent on an earlier local day, or never. One pass over the covering index on sent_at, no
  // grouping by referrer.
  const prev = bySource ? 'prev_source_sent_at' : 'prev_sent_at';
  const perDay =
    metric === 'k_factor'
      ? `SELECT (sent_at AT TIME ZONE :tz)::date AS day, count(*)::int AS invites,
                count(*) FILTER (WHERE ${prev} IS NULL
                                    OR (${prev} AT TIME ZONE :tz)::date <> (sent_at AT TIME ZONE :tz)::date)::int AS senders,
                count(*) FILTER (WHERE signed_up_at IS NOT NULL
                                   AND signed_up_at <= sent_at + make_interval(days => :cw::int))::int AS conversions
           FROM invites
          WHERE sent_at >= (SELECT lo FROM bounds) AND sent_at < (SELECT hi FROM bounds)${source}
          GROUP BY 1`
      : `SELECT (${at} AT TIME ZONE :tz)::date AS day, count(*)::int AS invites, 0 AS senders, 0 AS conversions
           FROM ${table}
          WHERE ${at} >= (SELECT lo FROM bounds) AND ${at} < (SELECT hi FROM bounds)${source}
          GROUP BY 1`;
  const value =
    metric === 'k_factor'
      ? `CASE WHEN coalesce(a.senders, 0) = 0 THEN 0 ELSE a.conversions::float8 / a.senders END`
      : `coalesce(a.invites, 0)::float8`;
  return `
    WITH last_day AS (
      SELECT ((:to::timestamptz - interval '1 microsecond') AT TIME ZONE :tz)::date AS d
    ), first_day AS (
      SELECT coalesce((:from::timestamptz AT TIME ZONE :tz)::date, (SELECT d FROM last_day) - (:days::int - 1)) AS d
    ), bounds AS (
      SELECT ((SELECT d FROM first_day) - :lookback::int)::timestamp AT TIME ZONE :tz AS lo,
             ((SELECT d FROM last_day) + 1)::timestamp AT TIME ZONE :tz AS hi
    ), first_data AS (
      SELECT (min(${at}) AT TIME ZONE :tz)::date AS d FROM ${table} WHERE true${source}
    ), days AS (
      SELECT g::date AS day
        FROM generate_series((SELECT d FROM first_day) - :lookback::int, (SELECT d FROM last_day), interval '1 day') g
    ), a AS (${perDay})
    SELECT to_char(days.day, 'YYYY-MM-DD') AS date, ${value} AS value, coalesce(a.invites, 0) AS invites,
           ((days.day + 1)::timestamp AT TIME ZONE :tz) + make_interval(days => :cwComplete::int) <= :now::timestamptz
             AS complete,
           coalesce(days.day >= (SELECT d FROM first_data), false) AS "hasData",
           days.day >= (SELECT d FROM first_day) AS listed
      FROM days LEFT JOIN a USING (day)
     ORDER BY days.day`;
};

/** Daily series for anomaly detection, aggregated in SQL over the indexed event times. */
export class AnomalyStore {
  constructor(private readonly knex: Knex) {}

  async daily(q: DailyQuery): Promise<DailyRow[]> {
    const result = (await this.knex.raw(DAILY(q.metric, q.source !== undefined), {
      tz: q.tz,
      to: q.to.toISOString(),
      from: q.from ? q.from.toISOString() : null,
      days: q.days,
      lookback: q.lookbackDays,
      cw: q.conversionWindowDays,
      cwComplete: q.metric === 'k_factor' ? q.conversionWindowDays : 0,
      now: q.now.toISOString(),
      source: q.source ?? null,
    })) as { rows: DailyRow[] };
    return result.rows;
  }
}
