import type { Knex } from 'knex';

const STATEMENTS = [
  `
    -- An experiment's decision policy (§ decisions); its notification channels live in channels (owner 'experiment').
    CREATE TABLE experiment_decision_policies (
      experiment_key text PRIMARY KEY REFERENCES experiments (key) ON DELETE CASCADE,
      policy         jsonb NOT NULL,
      updated_at     timestamptz NOT NULL
    )
  `,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE experiment_decision_policies');
}
