import type { Knex } from 'knex';

/*
 * signup_touches (attribution's touches, SPEC §8.4), kept by the statements that store invite signups and clicks:
 * one row per referred signup and invite, for the converting invite and for every invite the signup's visitor clicked
 * in [signedUpAt − 365 × 24 h, signedUpAt] (the longest look-back) at the visitor's latest click on it in that
 * range; the converting invite's row also keeps the invite's first click by anyone. Attribution applies the
 * request's look-back to these rows.
 */

/** The look-back a touch row covers: the parameter's upper bound. */
const TOUCH_RANGE = `365 * interval '24 hours'`;

/** Merging a row into a stored one keeps the latest visitor click and the earliest first click. */
const MERGE = `
  ON CONFLICT (signed_up_at, user_id, invite_id) DO UPDATE
     SET clicked_at = GREATEST(signup_touches.clicked_at, excluded.clicked_at),
         first_clicked_at = LEAST(signup_touches.first_clicked_at, excluded.first_clicked_at)`;

/** The touch rows of the referred users that `filter` (a condition on users) selects, computed from the clicks. */
const touchesOf = (filter: string) => `
  INSERT INTO signup_touches
    (user_id, invite_id, signed_up_at, converting, clicked_at, first_clicked_at, source, referrer_id)
  WITH s AS (
    SELECT user_id, signed_up_at, referred_by_invite, visitor_id FROM users
     WHERE referred_by_invite IS NOT NULL AND ${filter}
  ), visited AS (
    SELECT s.user_id, c.invite_id, max(c.occurred_at) AS clicked_at
      FROM s JOIN invite_clicks c ON c.visitor_id = s.visitor_id
       AND c.occurred_at >= s.signed_up_at - ${TOUCH_RANGE} AND c.occurred_at <= s.signed_up_at
     GROUP BY s.user_id, c.invite_id
  ), keyed AS (
    SELECT user_id, invite_id, v.clicked_at
      FROM visited v FULL JOIN (SELECT user_id, referred_by_invite AS invite_id FROM s) c USING (user_id, invite_id)
  )
  SELECT k.user_id, k.invite_id, s.signed_up_at, k.invite_id = s.referred_by_invite, k.clicked_at,
         CASE WHEN k.invite_id = s.referred_by_invite THEN i.first_clicked_at END, i.source, i.referrer_id
    FROM keyed k JOIN s USING (user_id) JOIN invites i ON i.invite_id = k.invite_id
  ${MERGE}`;

/** The touches of newly stored invite signups (inside their transaction, after the users rows). */
export async function storeSignupTouches(trx: Knex, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await trx.raw(touchesOf(`user_id = ANY(?::text[])`), [userIds]);
}

/**
 * The touch rows of every referred user, computed from users and clicks (for data loaded with direct SQL, as the
 * bench and demo do); rows already stored merge as the ingest statements merge them.
 */
export const REBUILD_SIGNUP_TOUCHES = touchesOf('true');

export async function rebuildSignupTouches(knex: Knex): Promise<void> {
  await knex.raw(REBUILD_SIGNUP_TOUCHES);
}

/**
 * Serialises the writers of these visitors' clicks and signups until the transaction ends (in one key order, so they
 * cannot deadlock), so that a click and a signup of the same visitor stored at the same time always see each other:
 * whichever comes second writes the touch. Take it before any row lock of the transaction.
 */
export async function lockVisitors(trx: Knex, visitorIds: (string | undefined)[]): Promise<void> {
  const ids = [...new Set(visitorIds.filter((v): v is string => v !== undefined))];
  if (ids.length === 0) return;
  await trx.raw(
    `SELECT count(pg_advisory_xact_lock(${VISITOR_LOCK_CLASS}, h))
       FROM (SELECT DISTINCT hashtext(v) AS h FROM unnest(?::text[]) v ORDER BY h) x`,
    [ids],
  );
}

/** The first key of the visitor locks (two-key advisory locks; the background jobs' single keys never collide). */
const VISITOR_LOCK_CLASS = 0x746f75; // 'tou'

/**
 * The click statement's CTEs after `ins` (the stored clicks: invite_id, occurred_at, visitor_id) and `counted` (their
 * invites after the update: invite_id, source, referrer_id, signup_user_id, signed_up_at, first_clicked_at):
 * touches of signups of the same visitor whose look-back range holds the click (a click stored after its signup),
 * and the converting invite's first click, which an earlier click arriving late moves back.
 */
export const CLICK_TOUCHES = `
  late AS (
    SELECT u.user_id, x.invite_id, u.signed_up_at, x.invite_id = u.referred_by_invite AS converting,
           max(x.occurred_at) AS clicked_at
      FROM ins x JOIN users u ON u.visitor_id = x.visitor_id AND u.referred_by_invite IS NOT NULL
       AND x.occurred_at >= u.signed_up_at - ${TOUCH_RANGE} AND x.occurred_at <= u.signed_up_at
     GROUP BY u.user_id, x.invite_id, u.signed_up_at, u.referred_by_invite
  ), touched AS (
    INSERT INTO signup_touches
      (user_id, invite_id, signed_up_at, converting, clicked_at, first_clicked_at, source, referrer_id)
    SELECT l.user_id, l.invite_id, l.signed_up_at, l.converting, l.clicked_at,
           CASE WHEN l.converting THEN i.first_clicked_at END, i.source, i.referrer_id
      FROM late l JOIN counted i ON i.invite_id = l.invite_id
    UNION ALL
    SELECT i.signup_user_id, i.invite_id, i.signed_up_at, true, NULL, i.first_clicked_at, i.source, i.referrer_id
      FROM counted i
     WHERE i.signup_user_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM late l WHERE l.user_id = i.signup_user_id AND l.invite_id = i.invite_id)
    ${MERGE}
  )`;
