import type { Knex } from 'knex';

const STATEMENTS = [
  `
    CREATE TABLE experiments (
      id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key             text NOT NULL UNIQUE,
      name            text NOT NULL,
      description     text,
      hypothesis      text,
      status          text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'running', 'paused', 'completed')),
      variants        jsonb NOT NULL,
      control_variant text NOT NULL,
      target_metric   text NOT NULL DEFAULT 'conversion',
      traffic_percent numeric NOT NULL DEFAULT 100 CHECK (traffic_percent BETWEEN 0 AND 100),
      hash_seed       text NOT NULL,
      winner          text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      started_at      timestamptz,
      stopped_at      timestamptz,
      completed_at    timestamptz
    )
  `,
  `
    CREATE INDEX experiments_status_key ON experiments (status, key)
  `,
  `
    -- One row per (experiment, user): the primary key is what makes first assignments race-safe.
    CREATE TABLE assignments (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      user_id       text NOT NULL,
      variant       text NOT NULL,
      assigned_at   timestamptz NOT NULL DEFAULT now(),
      exposed_at    timestamptz,
      PRIMARY KEY (experiment_id, user_id)
    )
  `,
  `
    -- event_id '' stands for "no event id": one conversion per (experiment, user, metric) then.
    CREATE TABLE conversions (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      metric        text NOT NULL,
      user_id       text NOT NULL,
      event_id      text NOT NULL DEFAULT '',
      value         numeric,
      occurred_at   timestamptz NOT NULL,
      received_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (experiment_id, metric, user_id, event_id)
    )
  `,
  `
    CREATE INDEX conversions_experiment_user ON conversions (experiment_id, user_id)
  `,
  `
    -- The audit trail outlives a deleted draft, so it names the experiment by key.
    CREATE TABLE experiment_history (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      experiment_key text NOT NULL,
      action         text NOT NULL,
      actor          text NOT NULL,
      at             timestamptz NOT NULL DEFAULT now(),
      details        jsonb NOT NULL DEFAULT '{}'::jsonb
    )
  `,
  `
    CREATE INDEX experiment_history_key ON experiment_history (experiment_key, id)
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE experiment_history, conversions, assignments, experiments');
}
