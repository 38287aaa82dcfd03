import type { Knex } from 'knex';
import { DUPLICATE, type Outcome, STORED, reject } from './types.js';

export interface SignupItem {
  userId: string;
  at: Date;
  country?: string | undefined;
}

export interface FvmItem {
  userId: string;
  at: Date;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

/**
 * Organic signups in one statement; a user who exists already (organic or referred) is a duplicate. Rows go in in
 * key order (the batch's first row of a repeated id first): two batches creating the same new users in opposite
 * orders would each wait for a key the other holds.
 */
export async function applyUserSignups(knex: Knex, items: SignupItem[]): Promise<Outcome[]> {
  const { rows } = (await knex.raw(
    `INSERT INTO users (user_id, signed_up_at, country)
     SELECT user_id, signed_up_at, country
       FROM unnest(?::text[], ?::timestamptz[], ?::text[]) WITH ORDINALITY AS x(user_id, signed_up_at, country, ord)
      ORDER BY user_id, ord
     ON CONFLICT (user_id) DO NOTHING
     RETURNING user_id`,
    [
      items.map((i) => i.userId),
      iso(items.map((i) => i.at)),
      items.map((i) => i.country ?? null) as unknown as Knex.Value,
    ],
  )) as { rows: { user_id: string }[] };
  const created = new Set(rows.map((r) => r.user_id));
  return items.map((i) => (created.delete(i.userId) ? STORED : DUPLICATE));
}

/** First-value moments in one statement; the earliest one is kept. */
export async function applyFvm(knex: Knex, items: FvmItem[]): Promise<Outcome[]> {
  const ids = [...new Set(items.map((i) => i.userId))];
  const { rows: users } = (await knex.raw(
    `SELECT user_id, signed_up_at, fvm_at FROM users WHERE user_id = ANY(?::text[])`,
    [ids],
  )) as { rows: { user_id: string; signed_up_at: Date; fvm_at: Date | null }[] };
  const known = new Map(users.map((u) => [u.user_id, u]));
  const outcomes: Outcome[] = [];
  const updates = new Map<string, Date>();
  for (const i of items) {
    const u = known.get(i.userId);
    if (!u) {
      outcomes.push(reject('user_not_found', 'userId', `No user "${i.userId}"; register the signup first.`));
    } else if (i.at < u.signed_up_at) {
      outcomes.push(reject('validation_failed', 'occurredAt', 'must not be before the user signed up'));
    } else {
      const current = updates.get(i.userId) ?? u.fvm_at;
      if (current && current <= i.at) outcomes.push(DUPLICATE);
      else {
        outcomes.push(current ? DUPLICATE : STORED);
        updates.set(i.userId, i.at);
      }
    }
  }
  if (updates.size > 0) {
    await knex.raw(
      `UPDATE users u SET fvm_at = x.at
         FROM unnest(?::text[], ?::timestamptz[]) AS x(user_id, at)
        WHERE u.user_id = x.user_id AND (u.fvm_at IS NULL OR u.fvm_at > x.at)`,
      [[...updates.keys()], iso([...updates.values()])],
    );
  }
  return outcomes;
}
