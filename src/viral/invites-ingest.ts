import type { Knex } from 'knex';
import { CLICK_TOUCHES, lockVisitors } from './signup-touches.js';
import { DUPLICATE, type InviteRow, type Outcome, STORED, reject } from './types.js';

export interface InviteItem {
  inviteId: string;
  referrerId: string;
  source: string;
  sentAt: Date;
  /** Whether the client gave sentAt (a repeat without one matches any stored time). */
  sentAtGiven: boolean;
}

export interface ClickItem {
  inviteId: string;
  clickId: string;
  at: Date;
  visitorId?: string | undefined;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

export async function invitesById(
  knex: Knex,
  ids: string[],
  forUpdate = false,
): Promise<Map<string, InviteRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = (await knex.raw(
    `SELECT invite_id, referrer_id, source, sent_at, click_count, first_clicked_at, signup_user_id, signed_up_at
       FROM invites WHERE invite_id = ANY(?::text[]) ORDER BY invite_id${forUpdate ? ' FOR UPDATE' : ''}`,
    [[...new Set(ids)]],
  )) as { rows: InviteRow[] };
  return new Map(rows.map((r) => [r.invite_id, r]));
}

/** Invites in one statement; a repeated id with the same fields is a duplicate, with others a conflict. */
export async function applyInvites(knex: Knex, items: InviteItem[]): Promise<Outcome[]> {
  const { rows } = (await knex.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[])
     ON CONFLICT (invite_id) DO NOTHING
     RETURNING invite_id`,
    [
      items.map((i) => i.inviteId),
      items.map((i) => i.referrerId),
      items.map((i) => i.source),
      iso(items.map((i) => i.sentAt)),
    ],
  )) as { rows: { invite_id: string }[] };
  const created = new Set(rows.map((r) => r.invite_id));
  // Ids stored before this statement are compared with the database; an id repeated within the batch is compared
  // with its first occurrence, which is what this statement stored.
  const stored = await invitesById(
    knex,
    items.filter((i) => !created.has(i.inviteId)).map((i) => i.inviteId),
  );
  const firstOf = new Map<string, InviteItem>();
  return items.map((i) => {
    const first = firstOf.get(i.inviteId);
    if (!first && created.has(i.inviteId)) {
      firstOf.set(i.inviteId, i);
      return STORED;
    }
    const s = first
      ? { referrer_id: first.referrerId, source: first.source, sent_at: first.sentAt }
      : stored.get(i.inviteId)!;
    const same =
      s.referrer_id === i.referrerId &&
      s.source === i.source &&
      (!i.sentAtGiven || s.sent_at.getTime() === i.sentAt.getTime());
    return same
      ? DUPLICATE
      : reject(
          'invite_conflict',
          'inviteId',
          `Invite "${i.inviteId}" exists with other referrerId, source or sentAt.`,
        );
  });
}

/**
 * Clicks in one statement; the invite keeps its click count and its earliest click time, and the attribution touches
 * of signups the clicks belong to follow (signup-touches.ts).
 */
export async function applyClicks(knex: Knex, items: ClickItem[]): Promise<Outcome[]> {
  const invites = await invitesById(
    knex,
    items.map((i) => i.inviteId),
  );
  const outcomes: (Outcome | null)[] = items.map((i) => {
    const inv = invites.get(i.inviteId);
    if (!inv) return reject('invite_not_found', 'inviteId', `No invite "${i.inviteId}".`);
    if (i.at < inv.sent_at)
      return reject('validation_failed', 'occurredAt', 'must not be before the invite was sent');
    return null;
  });
  const valid = items.filter((_, k) => outcomes[k] === null);
  if (valid.length === 0) return outcomes as Outcome[];
  const store = async (db: Knex) =>
    (await db.raw(
      `WITH ins AS (
         INSERT INTO invite_clicks (invite_id, click_id, occurred_at, visitor_id)
         SELECT * FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[])
         ON CONFLICT (invite_id, click_id) DO NOTHING
         RETURNING invite_id, click_id, occurred_at, visitor_id
       ), counted AS (
         UPDATE invites i
            SET click_count = i.click_count + c.n,
                first_clicked_at = LEAST(coalesce(i.first_clicked_at, c.first), c.first)
           FROM (SELECT invite_id, count(*)::int AS n, min(occurred_at) AS first FROM ins GROUP BY invite_id) c
          WHERE i.invite_id = c.invite_id
         RETURNING i.invite_id, i.source, i.referrer_id, i.signup_user_id, i.signed_up_at, i.first_clicked_at
       ), ${CLICK_TOUCHES}
       SELECT invite_id, click_id FROM ins`,
      [
        valid.map((i) => i.inviteId),
        valid.map((i) => i.clickId),
        iso(valid.map((i) => i.at)),
        valid.map((i) => i.visitorId ?? null) as unknown as Knex.Value,
      ],
    )) as { rows: { invite_id: string; click_id: string }[] };
  // A visitor's clicks may be touches of signups stored before them: serialised with that visitor's signups.
  const visitors = valid.map((i) => i.visitorId);
  const { rows } = visitors.some((v) => v !== undefined)
    ? await knex.transaction(async (trx) => {
        await lockVisitors(trx, visitors);
        return store(trx);
      })
    : await store(knex);
  const created = new Set(rows.map((r) => `${r.invite_id}\u0000${r.click_id}`));
  return items.map(
    (i, k) => outcomes[k] ?? (created.delete(`${i.inviteId}\u0000${i.clickId}`) ? STORED : DUPLICATE),
  );
}
