import type { Knex } from 'knex';

/*
 * Geography counts the window's invites by their referrer's country. It joined every invite of the window with its
 * referrer's user row (a hash of every user: 0.9 s over 7 days at 10 M invites, 2.3 s over 30). A user's country
 * never changes once the user exists (users are insert-only), so the invite statement copies it from the referrer's
 * row onto the invite: `referrer_known` says the referrer was a user when the invite was stored, and
 * `referrer_country` is that user's country (NULL when they gave none). The query reads the user row only for
 * invites whose referrer was not a user yet, so a user created after (or concurrently with) their invites needs no
 * write to them.
 *
 * Invites stored before this migration keep referrer_known = false and are looked up as before: rewriting every
 * invite here took 10 minutes at 10 M invites, during which writes would wait (the index builds below take 11 s).
 * README (Upgrades) gives the statement that fills them in while the service runs.
 */
const STATEMENTS = [
  `
    ALTER TABLE invites ADD COLUMN referrer_country text, ADD COLUMN referrer_known boolean NOT NULL DEFAULT false
  `,
  `
    DROP INDEX invites_sent_at
  `,
  `
    -- Window metrics scan invites by send time; the covering columns keep them index-only where possible.
    CREATE INDEX invites_sent_at ON invites (sent_at)
      INCLUDE (referrer_id, source, signed_up_at, first_clicked_at, prev_sent_at, prev_source_sent_at,
               referrer_known, referrer_country)
  `,
  `
    DROP INDEX invites_signed_up_at
  `,
  `
    -- Flows: the window's converted invites with their invitee and referrer's country, index-only.
    CREATE INDEX invites_signed_up_at ON invites (signed_up_at)
      INCLUDE (signup_user_id, referrer_id, referrer_known, referrer_country) WHERE signed_up_at IS NOT NULL
  `,
  `
    -- The invites whose referrer's country is looked up (few once the copies are filled in), so that the window's
    -- known ones are not read twice to find them.
    CREATE INDEX invites_referrer_unknown ON invites (sent_at) INCLUDE (referrer_id, prev_sent_at, signed_up_at)
      WHERE NOT referrer_known
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX invites_referrer_unknown');
  await knex.raw('DROP INDEX invites_signed_up_at');
  await knex.raw('DROP INDEX invites_sent_at');
  await knex.raw('ALTER TABLE invites DROP COLUMN referrer_country, DROP COLUMN referrer_known');
  await knex.raw(
    `CREATE INDEX invites_sent_at ON invites (sent_at)
       INCLUDE (referrer_id, source, signed_up_at, first_clicked_at, prev_sent_at, prev_source_sent_at)`,
  );
  await knex.raw(
    'CREATE INDEX invites_signed_up_at ON invites (signed_up_at) WHERE signed_up_at IS NOT NULL',
  );
}
