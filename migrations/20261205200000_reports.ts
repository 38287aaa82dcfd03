import type { Knex } from 'knex';

const STATEMENTS = [
  `
    -- Report definitions; their channels live in channels (owner 'report'). next_run_at is the next occurrence of
    -- the schedule not yet run (NULL without a schedule): the scheduler claims reports whose time has come.
    CREATE TABLE reports (
      id             uuid PRIMARY KEY,
      name           text NOT NULL,
      kind           text NOT NULL,
      experiment_key text,
      days           integer NOT NULL,
      format         text NOT NULL,
      schedule       text,
      timezone       text NOT NULL,
      next_run_at    timestamptz,
      created_at     timestamptz NOT NULL,
      updated_at     timestamptz NOT NULL
    )
  `,
  `
    CREATE INDEX reports_due ON reports (next_run_at) WHERE next_run_at IS NOT NULL
  `,
  `
    -- One row per run: recorded (pending) before rendering, so a run cut short by a restart is rendered afterwards.
    -- scheduled_for is unique per report, so one occurrence is run once however many schedulers reach it.
    CREATE TABLE report_runs (
      id            uuid PRIMARY KEY,
      report_id     uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
      trigger       text NOT NULL,
      scheduled_for timestamptz NOT NULL,
      skipped       integer NOT NULL DEFAULT 0,
      status        text NOT NULL,
      attempts      integer NOT NULL DEFAULT 0,
      error         text,
      format        text NOT NULL,
      filename      text,
      content_type  text,
      content       bytea,
      size_bytes    integer,
      sha256        text,
      deliveries    integer NOT NULL DEFAULT 0,
      created_at    timestamptz NOT NULL,
      completed_at  timestamptz,
      UNIQUE (report_id, scheduled_for)
    )
  `,
  `
    CREATE INDEX report_runs_pending ON report_runs (created_at) WHERE status = 'pending'
  `,
  `
    CREATE INDEX report_runs_report ON report_runs (report_id, created_at DESC)
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE report_runs, reports');
}
