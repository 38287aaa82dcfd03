import type { Knex } from 'knex';

/*
 * Attribution's touches, maintained by the statements that store invite signups and clicks, so that the query reads
 * the window's signups' rows instead of joining them with every click of their visitors and with the invites.
 * One row per referred signup and invite: the converting invite always, and every invite the signup's visitor
 * clicked in [signedUpAt − 365 × 24 h, signedUpAt] (the longest look-back), with the visitor's latest click on it in
 * that range. The converting invite's row also keeps the invite's first click by anyone (it may be after the
 * signup, and an earlier click arriving late moves it back). Source and referrer are copied from the invite.
 */
const STATEMENTS = [
  `
    -- The key, in byte order, keeps each signup's touches together in signup order: attribution reads the window's
    -- from the index alone and ranks them per signup without sorting the window.
    CREATE TABLE signup_touches (
      signed_up_at     timestamptz NOT NULL,
      user_id          text COLLATE "C" NOT NULL,
      invite_id        text COLLATE "C" NOT NULL,
      converting       boolean NOT NULL,
      clicked_at       timestamptz,
      first_clicked_at timestamptz,
      source           text NOT NULL,
      referrer_id      text NOT NULL,
      PRIMARY KEY (signed_up_at, user_id, invite_id)
        INCLUDE (converting, clicked_at, first_clicked_at, source, referrer_id)
    )
  `,
  `
    -- Late clicks find the signups of their visitor.
    CREATE INDEX users_visitor ON users (visitor_id) WHERE visitor_id IS NOT NULL
  `,
  `
    INSERT INTO signup_touches
      (user_id, invite_id, signed_up_at, converting, clicked_at, first_clicked_at, source, referrer_id)
    WITH s AS (
      SELECT user_id, signed_up_at, referred_by_invite, visitor_id FROM users WHERE referred_by_invite IS NOT NULL
    ), visited AS (
      SELECT s.user_id, c.invite_id, max(c.occurred_at) AS clicked_at
        FROM s JOIN invite_clicks c ON c.visitor_id = s.visitor_id
         AND c.occurred_at >= s.signed_up_at - 365 * interval '24 hours' AND c.occurred_at <= s.signed_up_at
       GROUP BY s.user_id, c.invite_id
    ), keyed AS (
      SELECT user_id, invite_id, v.clicked_at
        FROM visited v FULL JOIN (SELECT user_id, referred_by_invite AS invite_id FROM s) c USING (user_id, invite_id)
    )
    SELECT k.user_id, k.invite_id, s.signed_up_at, k.invite_id = s.referred_by_invite, k.clicked_at,
           CASE WHEN k.invite_id = s.referred_by_invite THEN i.first_clicked_at END, i.source, i.referrer_id
      FROM keyed k JOIN s USING (user_id) JOIN invites i ON i.invite_id = k.invite_id
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX users_visitor');
  await knex.raw('DROP TABLE signup_touches');
}
