import type { Knex } from 'knex';

const STATEMENTS = [
  `
    -- ISO 3166-1 alpha-2 country (validated by the API), and the anonymous visitor an invite signup came from.
    ALTER TABLE users ADD COLUMN country text, ADD COLUMN visitor_id text
  `,
  `
    -- Geography groups users by country; the window's users are found by signed_up_at first.
    CREATE INDEX users_signed_up_at_country ON users (signed_up_at) INCLUDE (country, referred_by_invite)
  `,
  `
    ALTER TABLE invite_clicks ADD COLUMN visitor_id text
  `,
  `
    -- Multi-touch attribution: every click of one visitor in a look-back range.
    CREATE INDEX invite_clicks_visitor ON invite_clicks (visitor_id, occurred_at) INCLUDE (invite_id)
      WHERE visitor_id IS NOT NULL
  `,
  `
    -- One row per (user, time): an identical replay is a duplicate. The key serves retention's per-user range
    -- scans (activity of a user in [a, b), or the user's last activity) without touching the heap.
    CREATE TABLE user_activity (
      user_id     text NOT NULL REFERENCES users (user_id),
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, occurred_at)
    )
  `,
  `
    -- Money from a user; refunds are negative amounts. event_id is unique across all revenue events.
    CREATE TABLE revenue_events (
      event_id    text PRIMARY KEY,
      user_id     text NOT NULL REFERENCES users (user_id),
      amount      numeric NOT NULL,
      currency    text NOT NULL,
      occurred_at timestamptz NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    -- LTV sums a user's revenue in [signedUpAt, signedUpAt + horizon): an index-only range scan per user.
    CREATE INDEX revenue_events_user_time ON revenue_events (user_id, occurred_at) INCLUDE (amount)
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE revenue_events, user_activity');
  await knex.raw('DROP INDEX invite_clicks_visitor');
  await knex.raw('ALTER TABLE invite_clicks DROP COLUMN visitor_id');
  await knex.raw('DROP INDEX users_signed_up_at_country');
  await knex.raw('ALTER TABLE users DROP COLUMN country, DROP COLUMN visitor_id');
}
