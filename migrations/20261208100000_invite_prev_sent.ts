import type { Knex } from 'knex';

/*
 * Senders without grouping by referrer. Each invite keeps the send time of its referrer's previous invite
 * (prev_sent_at) and of the previous one from the same loop (prev_source_sent_at), in (sent_at, invite_id) order with
 * invite ids in byte order; NULL for the first. A referrer sent in [from, to) exactly once counted: by the invite of
 * the window whose predecessor is NULL or earlier than from. Distinct senders become a filtered count over the
 * window's index range, where they were a hash of every referrer in it.
 *
 * The ingest statement keeps both columns under a lock on the referrer's row in `referrers` (one row per referrer,
 * locked with ON CONFLICT … DO UPDATE … WHERE false), and repairs the successor of an invite that arrives out of
 * order.
 */
const STATEMENTS = [
  `
    CREATE TABLE referrers (
      referrer_id text PRIMARY KEY
    )
  `,
  `
    INSERT INTO referrers (referrer_id) SELECT DISTINCT referrer_id FROM invites
  `,
  `
    ALTER TABLE invites ADD COLUMN prev_sent_at timestamptz, ADD COLUMN prev_source_sent_at timestamptz
  `,
  `
    DROP INDEX invites_sent_at
  `,
  `
    UPDATE invites i SET prev_sent_at = p.prev, prev_source_sent_at = p.prev_source
      FROM (SELECT invite_id,
                   lag(sent_at) OVER (PARTITION BY referrer_id ORDER BY sent_at, invite_id COLLATE "C") AS prev,
                   lag(sent_at) OVER (PARTITION BY referrer_id, source ORDER BY sent_at, invite_id COLLATE "C")
                     AS prev_source
              FROM invites) p
     WHERE p.invite_id = i.invite_id AND (p.prev IS NOT NULL OR p.prev_source IS NOT NULL)
  `,
  `
    -- Window metrics scan invites by send time; the covering columns keep them index-only where possible.
    CREATE INDEX invites_sent_at ON invites (sent_at)
      INCLUDE (referrer_id, source, signed_up_at, first_clicked_at, prev_sent_at, prev_source_sent_at)
  `,
  `
    -- The update above rewrote every row out of send-time order; window scans that leave the index (the funnel
    -- reads signup ids) depend on that order, so the table is put back in it once.
    CLUSTER invites USING invites_sent_at
  `,
  `
    -- Top referrers start from the window's converted invites only.
    CREATE INDEX invites_signed_up_sent_at ON invites (sent_at) INCLUDE (referrer_id, signed_up_at)
     WHERE signed_up_at IS NOT NULL
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX invites_signed_up_sent_at');
  await knex.raw('DROP INDEX invites_sent_at');
  await knex.raw('ALTER TABLE invites DROP COLUMN prev_sent_at, DROP COLUMN prev_source_sent_at');
  await knex.raw(
    'CREATE INDEX invites_sent_at ON invites (sent_at) INCLUDE (referrer_id, source, signed_up_at, first_clicked_at)',
  );
  await knex.raw('DROP TABLE referrers');
}
