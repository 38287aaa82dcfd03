import type { Knex } from 'knex';

const STATEMENTS = [
  `
    -- The user base: organic signups and invite signups. referred_by_invite is set for the latter.
    CREATE TABLE users (
      user_id            text PRIMARY KEY,
      signed_up_at       timestamptz NOT NULL,
      referred_by_invite text,
      fvm_at             timestamptz,
      created_at         timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE INDEX users_signed_up_at ON users (signed_up_at)
  `,
  `
    CREATE INDEX users_fvm_at ON users (fvm_at) WHERE fvm_at IS NOT NULL
  `,
  `
    -- One row per invite (attribution link). Its signup is stored on the row: one signup per invite.
    CREATE TABLE invites (
      invite_id         text PRIMARY KEY,
      referrer_id       text NOT NULL,
      source            text NOT NULL,
      sent_at           timestamptz NOT NULL,
      first_clicked_at  timestamptz,
      click_count       integer NOT NULL DEFAULT 0,
      signup_user_id    text UNIQUE,
      signed_up_at      timestamptz,
      created_at        timestamptz NOT NULL DEFAULT now(),
      CHECK ((signup_user_id IS NULL) = (signed_up_at IS NULL))
    )
  `,
  `
    -- Window metrics scan invites by send time; the covering columns keep them index-only where possible.
    CREATE INDEX invites_sent_at ON invites (sent_at) INCLUDE (referrer_id, source, signed_up_at, first_clicked_at)
  `,
  `
    CREATE INDEX invites_referrer_sent_at ON invites (referrer_id, sent_at)
  `,
  `
    CREATE INDEX invites_signed_up_at ON invites (signed_up_at) WHERE signed_up_at IS NOT NULL
  `,
  `
    -- Every click, for the timeline; a client clickId makes a repeat count once.
    CREATE TABLE invite_clicks (
      invite_id   text NOT NULL REFERENCES invites (invite_id),
      click_id    text NOT NULL,
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (invite_id, click_id)
    )
  `,
  `
    CREATE INDEX invite_clicks_occurred_at ON invite_clicks (occurred_at)
  `,
  `
    -- Fraud signals that are not derivable from the other tables (rejected self-referrals).
    CREATE TABLE self_referral_attempts (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      invite_id   text NOT NULL,
      referrer_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      sent_at     timestamptz NOT NULL
    )
  `,
  `
    CREATE INDEX self_referral_attempts_referrer ON self_referral_attempts (referrer_id)
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE self_referral_attempts, invite_clicks, invites, users');
}
