import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';
import { FIRST_IN_WINDOW } from '../viral/metrics-store.js';
import { DAY, WINDOW_MEMBERS, rows, windowParams } from './sql.js';

export interface GeoRow {
  country: string | null;
  signups: number;
  referredSignups: number;
  invites: number;
  senders: number;
  conversions: number;
}

export interface FlowRow {
  fromCountry: string;
  toCountry: string;
  signups: number;
}

/** Signups of the window by the user's country; invites of the window by the referrer's country. */
export class GeoStore {
  constructor(private readonly knex: Knex) {}

  async countries(w: Window): Promise<GeoRow[]> {
    return rows<GeoRow>(
      this.knex,
      `WITH parts AS (
         SELECT country, count(*) AS signups, count(referred_by_invite) AS referred, 0 AS invites, 0 AS senders,
                0 AS conversions
           FROM (${WINDOW_MEMBERS}) m GROUP BY country
         UNION ALL
         -- A referrer who is not a registered user has no country. A referrer has one country, so counting each
         -- once overall (at the window's first invite, by its predecessor) counts them once per country.
         SELECT u.country, 0, 0, count(*), ${FIRST_IN_WINDOW('prev_sent_at')},
                count(*) FILTER (WHERE i.signed_up_at IS NOT NULL AND i.signed_up_at <= i.sent_at + :cw * ${DAY})
           FROM invites i LEFT JOIN users u ON u.user_id = i.referrer_id
          WHERE i.sent_at >= :from AND i.sent_at < :to
          GROUP BY u.country
       )
       SELECT country, sum(signups)::int AS signups, sum(referred)::int AS "referredSignups",
              sum(invites)::int AS invites, sum(senders)::int AS senders, sum(conversions)::int AS conversions
         FROM parts GROUP BY country
        ORDER BY signups DESC, invites DESC, country NULLS LAST`,
      windowParams(w),
    );
  }

  /**
   * Referred signups of the window by referrer's country → invitee's country, both known; the 50 largest. A referred
   * user's invite holds the same signup time and the user's id, so the window's converted invites (a range of
   * invites_signed_up_at) name the referred members without a probe per member or a scan of every invite.
   */
  async flows(w: Window): Promise<FlowRow[]> {
    return rows<FlowRow>(
      this.knex,
      `SELECT r.country AS "fromCountry", m.country AS "toCountry", count(*)::int AS signups
         FROM (${WINDOW_MEMBERS}) m
         JOIN invites i ON i.signup_user_id = m.user_id
         JOIN users r ON r.user_id = i.referrer_id
        WHERE i.signed_up_at >= :from AND i.signed_up_at < :to
          AND m.country IS NOT NULL AND r.country IS NOT NULL
        GROUP BY 1, 2
        ORDER BY signups DESC, 1, 2
        LIMIT 50`,
      windowParams(w),
    );
  }
}
