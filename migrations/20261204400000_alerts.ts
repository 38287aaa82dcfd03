import type { Knex } from 'knex';

const STATEMENTS = [
  `
    CREATE TABLE alert_rules (
      id               uuid PRIMARY KEY,
      name             text NOT NULL,
      type             text NOT NULL,
      params           jsonb NOT NULL,
      cooldown_minutes integer NOT NULL,
      enabled          boolean NOT NULL,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL
    )
  `,
  `
    -- Where notifications go. owner_kind/owner_id name the alert rule (or report, or experiment) they belong to.
    CREATE TABLE channels (
      id          uuid PRIMARY KEY,
      owner_kind  text NOT NULL,
      owner_id    text NOT NULL,
      position    integer NOT NULL,
      type        text NOT NULL,
      config      jsonb NOT NULL,
      secret      text,
      disabled_at timestamptz,
      disabled_reason text
    )
  `,
  `
    CREATE INDEX channels_owner ON channels (owner_kind, owner_id, position)
  `,
  `
    -- The state of a rule per subject ('' for rules on one series, the experiment key for srm/significant).
    -- Transitions are compare-and-set updates, so two evaluators never record one change twice.
    CREATE TABLE alert_states (
      rule_id          uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
      subject          text NOT NULL,
      state            text NOT NULL,
      since            timestamptz NOT NULL,
      last_notified_at timestamptz,
      details          jsonb NOT NULL,
      evaluated_at     timestamptz NOT NULL,
      PRIMARY KEY (rule_id, subject)
    )
  `,
  `
    CREATE TABLE alert_events (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      rule_id     uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
      subject     text NOT NULL,
      kind        text NOT NULL,
      occurred_at timestamptz NOT NULL,
      details     jsonb NOT NULL
    )
  `,
  `
    CREATE INDEX alert_events_rule ON alert_events (rule_id, id DESC)
  `,
  `
    -- The durable delivery queue: one row per notification and channel; id is the webhook-id of every attempt.
    CREATE TABLE deliveries (
      id              uuid PRIMARY KEY,
      channel_id      uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
      owner_kind      text NOT NULL,
      owner_id        text NOT NULL,
      event_key       text NOT NULL,
      event_type      text NOT NULL,
      payload         jsonb NOT NULL,
      attachment      jsonb,
      status          text NOT NULL,
      attempts        integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      locked_until    timestamptz,
      created_at      timestamptz NOT NULL,
      completed_at    timestamptz,
      UNIQUE (event_key, channel_id)
    )
  `,
  `
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'
  `,
  `
    CREATE INDEX deliveries_owner ON deliveries (owner_kind, owner_id, created_at DESC)
  `,
  `
    CREATE TABLE delivery_attempts (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
      at          timestamptz NOT NULL,
      status_code integer,
      error       text,
      duration_ms integer NOT NULL
    )
  `,
  `
    CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id)
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'DROP TABLE delivery_attempts, deliveries, alert_events, alert_states, channels, alert_rules',
  );
}
