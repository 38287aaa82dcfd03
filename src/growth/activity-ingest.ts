import type { Knex } from 'knex';
import { MERGE_ACTIVITY_PERIODS } from './activity-periods.js';
import { SOURCE_OF } from './sql.js';
import { DUPLICATE, type Outcome, type Rejection, STORED, reject } from '../viral/types.js';

export interface ActivityItem {
  userId: string;
  at: Date;
}

export interface RevenueItem {
  userId: string;
  eventId: string;
  amount: number;
  currency?: string | undefined;
  at: Date;
  /** Whether the client gave the time (a replay without one matches any stored time). */
  atGiven: boolean;
}

export interface RevenueRow {
  event_id: string;
  user_id: string;
  amount: string;
  currency: string;
  occurred_at: Date;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

/** The users' signup times, to reject unknown users and events before the signup. */
async function signupTimes(knex: Knex, ids: string[]): Promise<Map<string, Date>> {
  const { rows } = (await knex.raw(`SELECT user_id, signed_up_at FROM users WHERE user_id = ANY(?::text[])`, [
    [...new Set(ids)],
  ])) as { rows: { user_id: string; signed_up_at: Date }[] };
  return new Map(rows.map((r) => [r.user_id, r.signed_up_at]));
}

/** The rules both event kinds share: a known user, and a time not before the signup. */
function checkUser(users: Map<string, Date>, userId: string, at: Date): Rejection | null {
  const signedUpAt = users.get(userId);
  if (!signedUpAt) {
    return reject('user_not_found', 'userId', `No user "${userId}"; register the signup first.`);
  }
  if (at < signedUpAt)
    return reject('validation_failed', 'occurredAt', 'must not be before the user signed up');
  return null;
}

/**
 * Activity in one statement: stored per (user, time), an identical replay is a duplicate; the new rows' periods are
 * merged into activity_periods (retention's per-user summary) by the same statement. Rows go in in key order: two
 * batches storing the same activity in different orders would each wait for the other's key (a deadlock).
 */
export async function applyActivity(knex: Knex, items: ActivityItem[]): Promise<Outcome[]> {
  const users = await signupTimes(
    knex,
    items.map((i) => i.userId),
  );
  const outcomes = items.map((i) => checkUser(users, i.userId, i.at));
  const valid = items.filter((_, k) => outcomes[k] === null);
  if (valid.length === 0) return outcomes as Outcome[];
  const { rows } = (await knex.raw(
    `WITH ins AS (
       INSERT INTO user_activity (user_id, occurred_at)
       SELECT * FROM unnest(?::text[], ?::timestamptz[]) AS v(user_id, occurred_at) ORDER BY 1, 2
       ON CONFLICT (user_id, occurred_at) DO NOTHING
       RETURNING user_id, occurred_at
     ), periods AS (${MERGE_ACTIVITY_PERIODS('SELECT user_id, occurred_at FROM ins')})
     SELECT user_id, occurred_at FROM ins`,
    [valid.map((i) => i.userId), iso(valid.map((i) => i.at))],
  )) as { rows: { user_id: string; occurred_at: Date }[] };
  const created = new Set(rows.map((r) => `${r.user_id}\u0000${r.occurred_at.getTime()}`));
  return items.map(
    (i, k) => outcomes[k] ?? (created.delete(`${i.userId}\u0000${i.at.getTime()}`) ? STORED : DUPLICATE),
  );
}

export async function revenueById(knex: Knex, ids: string[]): Promise<Map<string, RevenueRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = (await knex.raw(
    `SELECT event_id, user_id, amount::text AS amount, currency, occurred_at
       FROM revenue_events WHERE event_id = ANY(?::text[])`,
    [[...new Set(ids)]],
  )) as { rows: RevenueRow[] };
  return new Map(rows.map((r) => [r.event_id, r]));
}

/**
 * Revenue in one statement, each row with copies of its user's signup time and source (fixed once written; LTV reads
 * the window's revenue by them). Rows go in in eventId order (two batches holding the same ids in different orders
 * would each wait for the other's key), in batch order within an id, so the first of two events with one eventId is
 * the stored one. `currency`, when given, must be the configured one. An eventId stored before (or earlier in the
 * batch) with the same user, amount and currency — and time, when given — is a duplicate; with other fields it is
 * `409 event_conflict`.
 */
export async function applyRevenue(knex: Knex, items: RevenueItem[], currency: string): Promise<Outcome[]> {
  const users = await signupTimes(
    knex,
    items.map((i) => i.userId),
  );
  const outcomes = items.map((i) =>
    i.currency !== undefined && i.currency !== currency
      ? reject('validation_failed', 'currency', `must be ${currency} (REVENUE_CURRENCY)`)
      : checkUser(users, i.userId, i.at),
  );
  const valid = items.filter((_, k) => outcomes[k] === null);
  if (valid.length === 0) return outcomes as Outcome[];
  const { rows } = (await knex.raw(
    `INSERT INTO revenue_events (event_id, user_id, amount, currency, occurred_at, user_signed_up_at, user_source)
     SELECT e.event_id, e.user_id, e.amount, ?::text, e.at, u.signed_up_at, ${SOURCE_OF('u')}
       FROM unnest(?::text[], ?::text[], ?::numeric[], ?::timestamptz[]) WITH ORDINALITY
              AS e(event_id, user_id, amount, at, n)
       JOIN users u ON u.user_id = e.user_id
      ORDER BY e.event_id, e.n
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [
      currency,
      valid.map((i) => i.eventId),
      valid.map((i) => i.userId),
      valid.map((i) => String(i.amount)),
      iso(valid.map((i) => i.at)),
    ],
  )) as { rows: { event_id: string }[] };
  const created = new Set(rows.map((r) => r.event_id));
  const stored = await revenueById(
    knex,
    valid.filter((i) => !created.has(i.eventId)).map((i) => i.eventId),
  );
  const firstOf = new Map<string, RevenueItem>();
  return items.map((i, k) => {
    const o = outcomes[k];
    if (o) return o;
    const first = firstOf.get(i.eventId);
    if (!first && created.has(i.eventId)) {
      firstOf.set(i.eventId, i);
      return STORED;
    }
    const s = first
      ? { userId: first.userId, amount: first.amount, currency, at: first.at }
      : (({ user_id, amount, currency: c, occurred_at }) => ({
          userId: user_id,
          amount: Number(amount),
          currency: c,
          at: occurred_at,
        }))(stored.get(i.eventId)!);
    const same =
      s.userId === i.userId &&
      s.amount === i.amount &&
      s.currency === currency &&
      (!i.atGiven || s.at.getTime() === i.at.getTime());
    return same
      ? DUPLICATE
      : reject('event_conflict', 'eventId', `Revenue event "${i.eventId}" exists with other fields.`);
  });
}
