import type { Knex } from 'knex';

/*
 * The forecast's K counts the converted invites of referrers who signed up in the window. It hashed the window's
 * users against every converted invite ever stored (1.4 M at 10 M invites) to find the few of those referrers.
 * A user's signup time never changes once the user exists (users are insert-only), so the invite statement copies it
 * onto the invite as `referrer_signed_up_at` (NULL while the referrer is not a user), as it copies the country
 * (migration 20261212100000). The forecast reads converted invites by that copy, a range of the first index below,
 * and looks the user row up only for converted invites without it (the second index): those whose referrer was not
 * a user when the invite was stored, and those stored before this migration.
 *
 * Nothing is rewritten here (the two partial index builds and the ANALYZE take seconds); README (Upgrades) gives the statement that
 * fills in the copy for stored invites while the service runs. Any non-NULL copy equals the referrer's signup time,
 * whenever it was written.
 */
const STATEMENTS = [
  `
    ALTER TABLE invites ADD COLUMN referrer_signed_up_at timestamptz
  `,
  `
    CREATE INDEX invites_converted_by_referrer_signup ON invites (referrer_signed_up_at) INCLUDE (sent_at, signed_up_at)
      WHERE signed_up_at IS NOT NULL AND referrer_signed_up_at IS NOT NULL
  `,
  `
    CREATE INDEX invites_converted_referrer_unset ON invites (referrer_id) INCLUDE (sent_at, signed_up_at)
      WHERE signed_up_at IS NOT NULL AND referrer_signed_up_at IS NULL
  `,
  `
    -- Statistics for the new column at once: without them the planner takes the unset index for a few hundred rows
    -- and probes users once per converted invite (5-7 s instead of 0.7 s at 10 M invites, all of them still unset).
    ANALYZE invites
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX invites_converted_referrer_unset');
  await knex.raw('DROP INDEX invites_converted_by_referrer_signup');
  await knex.raw('ALTER TABLE invites DROP COLUMN referrer_signed_up_at');
}
