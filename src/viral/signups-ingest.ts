import type { Knex } from 'knex';
import { invitesById } from './invites-ingest.js';
import { lockVisitors, storeSignupTouches } from './signup-touches.js';
import { DUPLICATE, type Outcome, STORED, reject } from './types.js';

export interface InviteSignupItem {
  inviteId: string;
  userId: string;
  at: Date;
  /** Whether the client gave the time (a repeat without one matches any stored time). */
  atGiven: boolean;
  country?: string | undefined;
  /** The anonymous visitor whose earlier clicks become this signup's touches (multi-touch attribution). */
  visitorId?: string | undefined;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

/**
 * Invite signups, set-based inside one transaction: the run's visitors, then its invites are locked (in key and id
 * order, so concurrent runs cannot deadlock), every rule is checked in event order, then users, conversions, the
 * signups' attribution touches and self-referral attempts are written with one statement each. A user created
 * meanwhile by another caller loses on the users primary key.
 */
export async function applyInviteSignups(knex: Knex, items: InviteSignupItem[]): Promise<Outcome[]> {
  return knex.transaction(async (trx) => {
    await lockVisitors(
      trx,
      items.map((i) => i.visitorId),
    );
    const invites = await invitesById(
      trx,
      items.map((i) => i.inviteId),
      true,
    );
    const { rows: existing } = (await trx.raw(`SELECT user_id FROM users WHERE user_id = ANY(?::text[])`, [
      [...new Set(items.map((i) => i.userId))],
    ])) as { rows: { user_id: string }[] };
    const users = new Set(existing.map((u) => u.user_id));
    const converted = new Map<string, { userId: string; at: Date }>();
    for (const inv of invites.values()) {
      if (inv.signup_user_id)
        converted.set(inv.invite_id, { userId: inv.signup_user_id, at: inv.signed_up_at! });
    }
    const selfReferrals: { inviteId: string; referrerId: string; at: Date; sentAt: Date }[] = [];
    const accepted = new Map<number, InviteSignupItem>();
    const outcomes: Outcome[] = items.map((i, k) => {
      const inv = invites.get(i.inviteId);
      if (!inv) return reject('invite_not_found', 'inviteId', `No invite "${i.inviteId}".`);
      if (i.at < inv.sent_at)
        return reject('validation_failed', 'occurredAt', 'must not be before the invite was sent');
      if (i.userId === inv.referrer_id) {
        selfReferrals.push({
          inviteId: i.inviteId,
          referrerId: inv.referrer_id,
          at: i.at,
          sentAt: inv.sent_at,
        });
        return reject('self_referral', 'userId', 'The invitee is the referrer: recorded as a fraud signal.');
      }
      const done = converted.get(i.inviteId);
      if (done) {
        return done.userId === i.userId && (!i.atGiven || done.at.getTime() === i.at.getTime())
          ? DUPLICATE
          : reject('already_converted', 'inviteId', `Invite "${i.inviteId}" already has a signup.`);
      }
      if (users.has(i.userId)) {
        return reject(
          'user_exists',
          'userId',
          `User "${i.userId}" already exists; the invite stays unconverted.`,
        );
      }
      users.add(i.userId);
      converted.set(i.inviteId, { userId: i.userId, at: i.at });
      accepted.set(k, i);
      return STORED;
    });
    const rows = [...accepted.values()];
    if (rows.length > 0) {
      const { rows: created } = (await trx.raw(
        `INSERT INTO users (user_id, signed_up_at, referred_by_invite, invite_source, country, visitor_id)
         SELECT * FROM unnest(?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[])
          ORDER BY 1 -- key order: batches creating the same new users in opposite orders would deadlock
         ON CONFLICT (user_id) DO NOTHING
         RETURNING user_id`,
        [
          rows.map((r) => r.userId),
          iso(rows.map((r) => r.at)),
          rows.map((r) => r.inviteId),
          rows.map((r) => invites.get(r.inviteId)!.source),
          rows.map((r) => r.country ?? null) as unknown as Knex.Value,
          rows.map((r) => r.visitorId ?? null) as unknown as Knex.Value,
        ],
      )) as { rows: { user_id: string }[] };
      const made = new Set(created.map((r) => r.user_id));
      for (const [k, i] of accepted) {
        if (made.has(i.userId)) continue;
        accepted.delete(k);
        outcomes[k] = reject(
          'user_exists',
          'userId',
          `User "${i.userId}" already exists; the invite stays unconverted.`,
        );
      }
      const won = [...accepted.values()];
      await trx.raw(
        `UPDATE invites i SET signup_user_id = x.user_id, signed_up_at = x.at
           FROM unnest(?::text[], ?::text[], ?::timestamptz[]) AS x(invite_id, user_id, at)
          WHERE i.invite_id = x.invite_id`,
        [won.map((r) => r.inviteId), won.map((r) => r.userId), iso(won.map((r) => r.at))],
      );
      await storeSignupTouches(
        trx,
        won.map((r) => r.userId),
      );
    }
    if (selfReferrals.length > 0) {
      await trx.raw(
        `INSERT INTO self_referral_attempts (invite_id, referrer_id, occurred_at, sent_at)
         SELECT * FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])`,
        [
          selfReferrals.map((s) => s.inviteId),
          selfReferrals.map((s) => s.referrerId),
          iso(selfReferrals.map((s) => s.at)),
          iso(selfReferrals.map((s) => s.sentAt)),
        ],
      );
    }
    return outcomes;
  });
}
