import type { Knex } from 'knex';

const STATEMENTS = [
  `
    -- type 'bandit' moves traffic by Thompson sampling (SPEC §10.1). bandit holds its settings; bandit_period and
    -- bandit_weights the period new users are bucketed in and its weights (null: equal weights, period 0), so the
    -- assignment path reads them with the definition; bandit_updated_at is the last update, done or skipped.
    ALTER TABLE experiments
      ADD COLUMN type              text NOT NULL DEFAULT 'ab' CHECK (type IN ('ab', 'bandit')),
      ADD COLUMN bandit            jsonb,
      ADD COLUMN bandit_period     integer NOT NULL DEFAULT 0,
      ADD COLUMN bandit_weights    jsonb,
      ADD COLUMN bandit_updated_at timestamptz,
      ADD CONSTRAINT experiments_bandit_settings CHECK ((type = 'bandit') = (bandit IS NOT NULL))
  `,
  `
    -- One row per weight period after the first (period 0 is the equal split from the start): when it began, the
    -- weights and P(best) of the update that opened it, the counts they came from and the seed of its draws, so
    -- that any update can be replayed.
    CREATE TABLE bandit_periods (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      period        integer NOT NULL CHECK (period > 0),
      started_at    timestamptz NOT NULL,
      weights       jsonb NOT NULL,
      p_best        jsonb NOT NULL,
      counts        jsonb NOT NULL,
      seed          bigint NOT NULL,
      PRIMARY KEY (experiment_id, period)
    )
  `,
  `
    -- The weight period a user was bucketed in (null for fixed-split experiments).
    ALTER TABLE assignments ADD COLUMN bandit_period integer
  `,
  `
    -- The scheduler looks for running bandits.
    CREATE INDEX experiments_running_bandits ON experiments (id) WHERE type = 'bandit' AND status = 'running'
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE assignments DROP COLUMN bandit_period');
  await knex.raw('DROP TABLE bandit_periods');
  await knex.raw('DROP INDEX experiments_running_bandits');
  await knex.raw(
    'ALTER TABLE experiments DROP COLUMN type, DROP COLUMN bandit, DROP COLUMN bandit_period, ' +
      'DROP COLUMN bandit_weights, DROP COLUMN bandit_updated_at',
  );
}
