import type { Knex } from 'knex';

/*
 * The loop a user came from, on the user's row. Retention, LTV and geography group the window's users by source;
 * reading it from the referring invite was one invite-key probe (or a hash of every invite) per user, more than the
 * rest of the query at 10 M invites. Both referred_by_invite and the invite's source are fixed once written, so the
 * copy cannot drift; the check keeps every writer (ingest, demo, bench seed) from leaving it out.
 */
const STATEMENTS = [
  `
    ALTER TABLE users ADD COLUMN invite_source text
  `,
  `
    UPDATE users u SET invite_source = i.source FROM invites i WHERE i.invite_id = u.referred_by_invite
  `,
  `
    ALTER TABLE users ADD CONSTRAINT users_invite_source_check
      CHECK ((invite_source IS NULL) = (referred_by_invite IS NULL))
  `,
  `
    -- The window's users with everything the growth metrics group them by, index-only.
    CREATE INDEX users_signed_up_at_members ON users (signed_up_at)
      INCLUDE (user_id, country, referred_by_invite, invite_source)
  `,
  `
    DROP INDEX users_signed_up_at_country
  `,
  `
    -- Statistics for the new column and index now, not whenever autovacuum (if it runs) gets to the table.
    ANALYZE users
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX users_signed_up_at_country ON users (signed_up_at) INCLUDE (country, referred_by_invite)`,
  );
  await knex.raw('DROP INDEX users_signed_up_at_members');
  await knex.raw('ALTER TABLE users DROP COLUMN invite_source');
}
