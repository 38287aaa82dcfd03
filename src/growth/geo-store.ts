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

/**
 * The window's invites (of `range`, a condition on alias i) with their referrer's country: the copy the invite
 * statement stored when the referrer was a user already (a user's country never changes), else the referrer's user row
 * (NULL when the referrer is not a user or gave no country), read for those invites only.
 */
const withReferrerCountry = (range: string, columns: string) => `
  SELECT i.referrer_country AS referrer_country, ${columns} FROM invites i WHERE ${range} AND i.referrer_known
  UNION ALL
  SELECT r.country, ${columns} FROM invites i LEFT JOIN users r ON r.user_id = i.referrer_id
   WHERE ${range} AND NOT i.referrer_known`;

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
         -- A referrer has one country, so counting each once overall (at the window's first invite, by its
         -- predecessor) counts them once per country.
         SELECT referrer_country, 0, 0, count(*), ${FIRST_IN_WINDOW('prev_sent_at')},
                count(*) FILTER (WHERE signed_up_at IS NOT NULL AND signed_up_at <= sent_at + :cw * ${DAY})
           FROM (${withReferrerCountry('i.sent_at >= :from AND i.sent_at < :to', 'i.prev_sent_at, i.sent_at, i.signed_up_at')}) i
          GROUP BY referrer_country
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
      `SELECT i.referrer_country AS "fromCountry", m.country AS "toCountry", count(*)::int AS signups
         FROM (${WINDOW_MEMBERS}) m
         JOIN (${withReferrerCountry('i.signed_up_at >= :from AND i.signed_up_at < :to', 'i.signup_user_id')}) i
           ON i.signup_user_id = m.user_id
        WHERE m.country IS NOT NULL AND i.referrer_country IS NOT NULL
        GROUP BY 1, 2
        ORDER BY signups DESC, 1, 2
        LIMIT 50`,
      windowParams(w),
    );
  }
}
