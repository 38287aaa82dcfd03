import type { Knex } from 'knex';

/*
 * Retention read every member's activity: one index probe per user who signed up in the window (1.9 M probes over 90
 * days at 10 M rows, several seconds). activity_periods keeps, per active user, the periods relative to the signup
 * that hold an activity, as bit sets (bit k: an activity in [signedUpAt + k·P, signedUpAt + (k+1)·P); days 0–125 in
 * two words, weeks 0–62), and the period of the latest activity. The activity statement merges its rows in with OR and
 * greatest(), which commute, so replays and concurrent writers of the same user leave the same row. Rows are keyed by
 * user and read by signup time: retention counts the members of each slice of the window from this table's rows
 * (heap in signup order; fillfactor leaves room for in-page updates) instead of probing user_activity per member.
 */
const STATEMENTS = [
  `
    CREATE TABLE activity_periods (
      user_id      text PRIMARY KEY REFERENCES users (user_id),
      signed_up_at timestamptz NOT NULL,
      source       text NOT NULL,
      days_lo      bigint NOT NULL,
      days_hi      bigint NOT NULL,
      weeks        bigint NOT NULL,
      last_day     integer NOT NULL,
      last_week    integer NOT NULL
    ) WITH (fillfactor = 70)
  `,
  `
    INSERT INTO activity_periods
    SELECT u.user_id, u.signed_up_at, coalesce(u.invite_source, 'organic'),
           bit_or(CASE WHEN p.d < 63 THEN 1::bigint << p.d ELSE 0 END),
           bit_or(CASE WHEN p.d >= 63 AND p.d < 126 THEN 1::bigint << (p.d - 63) ELSE 0 END),
           bit_or(CASE WHEN p.d / 7 < 63 THEN 1::bigint << (p.d / 7) ELSE 0 END),
           max(p.d), max(p.d / 7)
      FROM user_activity a JOIN users u USING (user_id),
           LATERAL (SELECT floor(extract(epoch FROM a.occurred_at - u.signed_up_at) / 86400)::int AS d) p
     GROUP BY u.user_id
     ORDER BY u.signed_up_at
  `,
  `
    CREATE INDEX activity_periods_signed_up_at ON activity_periods (signed_up_at)
  `,
  `
    ANALYZE activity_periods
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE activity_periods');
}
