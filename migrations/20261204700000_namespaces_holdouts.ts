import type { Knex } from 'knex';

const STATEMENTS = [
  `
    CREATE TABLE namespaces (
      id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key        text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    ALTER TABLE experiments
      ADD COLUMN namespace_key   text REFERENCES namespaces (key),
      ADD COLUMN namespace_start numeric,
      ADD COLUMN namespace_end   numeric,
      ADD CONSTRAINT experiments_namespace_range CHECK (
        (namespace_key IS NULL AND namespace_start IS NULL AND namespace_end IS NULL)
        OR (namespace_key IS NOT NULL AND 0 <= namespace_start AND namespace_start < namespace_end
            AND namespace_end <= 1)
      )
  `,
  `
    -- The overlap check at start reads the live experiments of one namespace.
    CREATE INDEX experiments_namespace ON experiments (namespace_key, status) WHERE namespace_key IS NOT NULL
  `,
  `
    CREATE TABLE holdouts (
      id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key             text NOT NULL UNIQUE,
      percent         numeric NOT NULL CHECK (percent > 0 AND percent <= 0.2),
      all_experiments boolean NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE holdout_experiments (
      holdout_id    integer NOT NULL REFERENCES holdouts (id) ON DELETE CASCADE,
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      PRIMARY KEY (holdout_id, experiment_id)
    )
  `,
  `
    -- A held-out user is stored as an assignment to control naming the holdout; deleting the holdout deletes
    -- those rows, so the users are assigned normally on their next call.
    ALTER TABLE assignments ADD COLUMN holdout_id integer REFERENCES holdouts (id) ON DELETE CASCADE
  `,
  `
    CREATE INDEX assignments_holdout ON assignments (holdout_id, user_id) WHERE holdout_id IS NOT NULL
  `,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE assignments DROP COLUMN holdout_id');
  await knex.raw('DROP TABLE holdout_experiments, holdouts');
  await knex.raw(
    'ALTER TABLE experiments DROP COLUMN namespace_key, DROP COLUMN namespace_start, DROP COLUMN namespace_end',
  );
  await knex.raw('DROP TABLE namespaces');
}
