import type { Knex } from 'knex';

/*
 * LTV sums each matured user's revenue in [signedUpAt, signedUpAt + horizon) per acquisition source. It joined the
 * window's users with their revenue (a hash of up to 2 M users at 10 M rows, 2–3 s over 90 days). A user's signup time
 * and source never change once written, so each revenue row carries copies of both (written by the revenue statement
 * from the user's row) and the window's revenue is one index range on them.
 */
const STATEMENTS = [
  `
    ALTER TABLE revenue_events ADD COLUMN user_signed_up_at timestamptz, ADD COLUMN user_source text
  `,
  `
    UPDATE revenue_events r SET user_signed_up_at = u.signed_up_at, user_source = coalesce(u.invite_source, 'organic')
      FROM users u WHERE u.user_id = r.user_id
  `,
  `
    ALTER TABLE revenue_events ALTER COLUMN user_signed_up_at SET NOT NULL, ALTER COLUMN user_source SET NOT NULL
  `,
  `
    CREATE INDEX revenue_events_user_signed_up_at ON revenue_events (user_signed_up_at)
      INCLUDE (user_id, user_source, occurred_at, amount)
  `,
  `
    ANALYZE revenue_events
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX revenue_events_user_signed_up_at');
  await knex.raw('ALTER TABLE revenue_events DROP COLUMN user_signed_up_at, DROP COLUMN user_source');
}
