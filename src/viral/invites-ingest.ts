import type { Knex } from 'knex';
import { namedStatement } from '../db/prepared.js';
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

/** The referrer's previous invite before each of `f`'s rows (alias f), in (sent_at, invite_id) order; `same` narrows. */
const STORED_PREV = (same: string) => `(
  SELECT max(j.sent_at) FROM invites j
   WHERE j.referrer_id = f.referrer_id${same} AND j.sent_at <= f.sent_at
     AND (j.sent_at, j.invite_id COLLATE "C") < (f.sent_at, f.invite_id COLLATE "C"))`;

/** The stored invite right after each of `f`'s rows (alias f): the one whose predecessor a new invite may become. */
const STORED_NEXT = (same: string) => `(
  SELECT j.invite_id FROM invites j
   WHERE j.referrer_id = f.referrer_id${same} AND j.sent_at >= f.sent_at
     AND (j.sent_at, j.invite_id COLLATE "C") > (f.sent_at, f.invite_id COLLATE "C")
   ORDER BY j.sent_at, j.invite_id COLLATE "C" LIMIT 1)`;

/**
 * New invites with their referrer's previous send time, overall and per loop (migration 20261208100000), from the
 * stored invites and the batch's own; a stored invite that a late arrival now precedes moves its predecessor up.
 * Runs while the batch's referrers are locked, so every stored invite of theirs is visible to it. Each referrer and
 * loop of the batch is probed once for its latest stored send time: a new invite sent after it (the usual case)
 * follows every stored one, so its stored predecessor is that time and it has no stored successor; only the others
 * are probed one by one. Each invite notes whether its referrer is a user already, and that user's country
 * (migration 20261212100000; geography looks up the others) and signup time (20261213100000, for the forecast).
 */
const INSERT_INVITES = `
  WITH input AS (
    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[])
      WITH ORDINALITY AS x(invite_id, referrer_id, source, sent_at, ord)
  ), fresh AS (
    SELECT DISTINCT ON (invite_id) invite_id, referrer_id, source, sent_at
      FROM input x WHERE NOT EXISTS (SELECT 1 FROM invites i WHERE i.invite_id = x.invite_id)
     ORDER BY invite_id, ord
  ), latest AS (
    SELECT k.referrer_id, k.source,
           (SELECT max(j.sent_at) FROM invites j WHERE j.referrer_id = k.referrer_id) AS sent_at,
           (SELECT max(j.sent_at) FROM invites j WHERE j.referrer_id = k.referrer_id AND j.source = k.source)
             AS source_sent_at,
           u.user_id IS NOT NULL AS referrer_known, u.country AS referrer_country,
           u.signed_up_at AS referrer_signed_up_at
      FROM (SELECT DISTINCT referrer_id, source FROM fresh) k LEFT JOIN users u ON u.user_id = k.referrer_id
  ), placed AS (
    SELECT f.*, l.sent_at AS latest_at, l.source_sent_at AS latest_source_at, l.referrer_known, l.referrer_country,
           l.referrer_signed_up_at
      FROM fresh f JOIN latest l USING (referrer_id, source)
  ), ranked AS (
    SELECT f.invite_id, f.referrer_id, f.source, f.sent_at, f.referrer_known, f.referrer_country,
           f.referrer_signed_up_at,
           greatest(CASE WHEN f.latest_at IS NULL OR f.sent_at > f.latest_at THEN f.latest_at
                         ELSE ${STORED_PREV('')} END,
                    lag(f.sent_at) OVER (PARTITION BY f.referrer_id ORDER BY f.sent_at, f.invite_id COLLATE "C"))
             AS prev_sent_at,
           greatest(CASE WHEN f.latest_source_at IS NULL OR f.sent_at > f.latest_source_at THEN f.latest_source_at
                         ELSE ${STORED_PREV(' AND j.source = f.source')} END,
                    lag(f.sent_at) OVER (PARTITION BY f.referrer_id, f.source
                                         ORDER BY f.sent_at, f.invite_id COLLATE "C")) AS prev_source_sent_at
      FROM placed f
  ), next AS (
    SELECT n.invite_id, max(f.sent_at) AS sent_at, max(f.sent_at) FILTER (WHERE n.same_source) AS source_sent_at
      FROM placed f
     CROSS JOIN LATERAL (
       SELECT CASE WHEN f.sent_at <= f.latest_at THEN ${STORED_NEXT('')} END AS invite_id, false AS same_source
       UNION ALL
       SELECT CASE WHEN f.sent_at <= f.latest_source_at THEN ${STORED_NEXT(' AND j.source = f.source')} END, true
     ) n
     WHERE n.invite_id IS NOT NULL
     GROUP BY n.invite_id
  ), ins AS (
    INSERT INTO invites
      (invite_id, referrer_id, source, sent_at, prev_sent_at, prev_source_sent_at, referrer_known, referrer_country,
       referrer_signed_up_at)
    SELECT invite_id, referrer_id, source, sent_at, prev_sent_at, prev_source_sent_at, referrer_known, referrer_country,
           referrer_signed_up_at
      FROM ranked
     ORDER BY invite_id -- key order: batches of other referrers with the same new ids would deadlock
    ON CONFLICT (invite_id) DO NOTHING
    RETURNING invite_id
  ), moved AS (
    UPDATE invites i
       SET prev_sent_at = greatest(i.prev_sent_at, n.sent_at),
           prev_source_sent_at = greatest(i.prev_source_sent_at, n.source_sent_at)
      FROM next n WHERE i.invite_id = n.invite_id
  )
  SELECT invite_id, (SELECT count(*) FROM fresh)::int AS fresh FROM ins
  UNION ALL
  SELECT NULL, (SELECT count(*) FROM fresh)::int`;

/** Every invite's previous send times recomputed from the invites (of the referrers bound by `where`, if given). */
const recomputePredecessors = (where = '') => `
  UPDATE invites i SET prev_sent_at = p.prev, prev_source_sent_at = p.prev_source
    FROM (SELECT invite_id,
                 lag(sent_at) OVER (PARTITION BY referrer_id ORDER BY sent_at, invite_id COLLATE "C") AS prev,
                 lag(sent_at) OVER (PARTITION BY referrer_id, source ORDER BY sent_at, invite_id COLLATE "C")
                   AS prev_source
            FROM invites${where}) p
   WHERE p.invite_id = i.invite_id
     AND (i.prev_sent_at IS DISTINCT FROM p.prev OR i.prev_source_sent_at IS DISTINCT FROM p.prev_source)`;

/** For bulk loads that insert invites directly (the demo, tests): run once afterwards. */
export const RECOMPUTE_INVITE_PREDECESSORS = recomputePredecessors();

// DO UPDATE … WHERE false updates nothing but locks every existing row it meets.
const lockReferrers = namedStatement(
  'liftoff_referrers_lock',
  `INSERT INTO referrers (referrer_id) SELECT unnest(?::text[])
   ON CONFLICT (referrer_id) DO UPDATE SET referrer_id = EXCLUDED.referrer_id WHERE false`,
);
const insertInvites = namedStatement<{ invite_id: string | null; fresh: number }>(
  'liftoff_invites_insert',
  INSERT_INVITES,
);

/**
 * Invites in one transaction: their referrers' rows locked (in one order, so concurrent batches cannot deadlock),
 * then one statement (both prepared: planning the statement took as long as running it for 100 invites). A
 * repeated id with the same fields is a duplicate, with others a conflict.
 */
export async function applyInvites(knex: Knex, items: InviteItem[]): Promise<Outcome[]> {
  const referrers = [...new Set(items.map((i) => i.referrerId))].sort();
  const rows = await knex.transaction(async (trx) => {
    await lockReferrers(trx, [referrers]);
    const result = await insertInvites(trx, [
      items.map((i) => i.inviteId),
      items.map((i) => i.referrerId),
      items.map((i) => i.source),
      iso(items.map((i) => i.sentAt)),
    ]);
    const inserted = result.filter((r) => r.invite_id !== null);
    // Rare: a new id went to a concurrent invite of another referrer after this batch counted it as a predecessor.
    if (inserted.length < result[0]!.fresh)
      await trx.raw(recomputePredecessors(' WHERE referrer_id = ANY(?::text[])'), [referrers]);
    return inserted as { invite_id: string }[];
  });
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
         SELECT invite_id, click_id, occurred_at, visitor_id
           FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[])
                WITH ORDINALITY AS x(invite_id, click_id, occurred_at, visitor_id, ord)
          ORDER BY invite_id, click_id, ord -- key order (see applyUserSignups), a repeated key's first row first
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
