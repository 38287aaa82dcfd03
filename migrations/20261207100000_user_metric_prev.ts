import type { Knex } from 'knex';

/*
 * What a user's metric row held before the statement that last changed it (as prev_first_at already does), so
 * the ingest statements read how the counters moved from the row's RETURNING instead of joining it back to their
 * input. A fresh row held nothing (0). Adding columns with a constant default rewrites no rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE result_user_metrics
      ADD COLUMN prev_counted integer NOT NULL DEFAULT 0,
      ADD COLUMN prev_valued integer NOT NULL DEFAULT 0,
      ADD COLUMN prev_value_sum numeric NOT NULL DEFAULT 0
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE result_user_metrics DROP COLUMN prev_counted, DROP COLUMN prev_valued, DROP COLUMN prev_value_sum
  `);
}
