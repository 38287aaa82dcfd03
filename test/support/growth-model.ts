// A seeded random stream for §8 (users with countries, invites, multi-touch clicks, invite signups with visitors,
// activity on and next to period boundaries, revenue with refunds and amounts on the horizon edge), kept as plain
// JavaScript data for the independent definitions in growth-expected.ts.
import { DAY, prng } from './viral-model.js';

export interface GUser {
  userId: string;
  signedUpAt: number;
  country: string | null;
  /** The invite the user signed up through. */
  invite: GInvite | null;
  visitorId: string | null;
  activity: number[];
  /** Revenue as [time, cents]. */
  revenue: [number, number][];
}

export interface GInvite {
  inviteId: string;
  referrerId: string;
  source: string;
  sentAt: number;
  clicks: { at: number; visitorId: string | null }[];
  signup: { userId: string; at: number } | null;
}

export interface GModel {
  users: Map<string, GUser>;
  invites: GInvite[];
  events: Record<string, unknown>[];
}

const COUNTRIES = ['DE', 'US', 'FR', 'BR', 'IN', null] as const;
const SOURCES = ['gift', 'streak', 'duo'];
const iso = (ms: number) => new Date(ms).toISOString();

export function generateGrowth(seed: number, now: number): GModel {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const sec = (ms: number) => Math.floor(ms / 1000) * 1000;
  const past = (ms: number) => Math.min(sec(ms), sec(now - 60_000));
  const base = Math.floor(now / DAY) * DAY - 120 * DAY;
  const users = new Map<string, GUser>();
  const invites: GInvite[] = [];
  const visitors = Array.from({ length: 30 }, (_, k) => `v${k}`);
  const newUser = (userId: string, at: number, invite: GInvite | null, visitorId: string | null): GUser => {
    const u = {
      userId,
      signedUpAt: at,
      country: pick(COUNTRIES),
      invite,
      visitorId,
      activity: [],
      revenue: [],
    };
    users.set(userId, u);
    return u;
  };
  for (let k = 0; k < 70; k++) newUser(`o${k}`, sec(base + rnd() * 118 * DAY), null, null);
  // Two generations of invites: from the organic users, then from those their invites brought.
  let senders = [...users.values(), { userId: 'outsider', signedUpAt: base } as GUser];
  for (let round = 0; round < 2; round++) {
    const brought: GUser[] = [];
    for (let k = 0; k < (round === 0 ? 160 : 80); k++) {
      const from = pick(senders);
      const sentAt = past(from.signedUpAt + rnd() * 25 * DAY);
      const inv: GInvite = {
        inviteId: `i${round}-${String(k).padStart(3, '0')}`,
        referrerId: from.userId,
        source: pick(SOURCES),
        sentAt,
        clicks: [],
        signup: null,
      };
      invites.push(inv);
      const clicks = Math.floor(rnd() * 4);
      for (let c = 0; c < clicks; c++) {
        inv.clicks.push({
          at: past(sentAt + rnd() * 6 * DAY),
          visitorId: rnd() < 0.85 ? pick(visitors) : null,
        });
      }
      if (rnd() < 0.45) {
        const at = past(sentAt + rnd() * (rnd() < 0.8 ? 6 : 30) * DAY);
        const visitorId = rnd() < 0.75 ? pick(visitors) : null;
        const u = newUser(`r${round}-${k}`, at, inv, visitorId);
        inv.signup = { userId: u.userId, at };
        brought.push(u);
      }
    }
    senders = brought;
  }
  for (const u of users.values()) {
    const n = Math.floor(rnd() * 14);
    for (let k = 0; k < n; k++) {
      const r = rnd();
      // A fifth of the activity sits on a day or week boundary of the user's periods, or a second before one.
      const at =
        r < 0.1
          ? u.signedUpAt + Math.floor(rnd() * 10) * (rnd() < 0.5 ? DAY : 7 * DAY)
          : r < 0.2
            ? u.signedUpAt + (1 + Math.floor(rnd() * 10)) * DAY - 1000
            : u.signedUpAt + rnd() * rnd() * 70 * DAY;
      if (at < now - 60_000 && !u.activity.includes(sec(at))) u.activity.push(sec(at));
    }
    const m = Math.floor(rnd() * 4);
    for (let k = 0; k < m; k++) {
      const at =
        rnd() < 0.15 ? u.signedUpAt + 30 * DAY - (rnd() < 0.5 ? 0 : 1000) : u.signedUpAt + rnd() * 45 * DAY;
      if (at < now - 60_000) u.revenue.push([sec(at), Math.round(rnd() * 7000) - 2000]);
    }
  }
  const events: Record<string, unknown>[] = [];
  const organic = [...users.values()].filter((u) => !u.invite);
  for (const u of organic) {
    events.push({
      type: 'user_signed_up',
      userId: u.userId,
      occurredAt: iso(u.signedUpAt),
      ...(u.country ? { country: u.country } : {}),
    });
  }
  for (const inv of invites) {
    events.push({
      type: 'invite_sent',
      inviteId: inv.inviteId,
      referrerId: inv.referrerId,
      source: inv.source,
      occurredAt: iso(inv.sentAt),
    });
  }
  for (const inv of invites) {
    for (const c of inv.clicks) {
      events.push({
        type: 'invite_clicked',
        inviteId: inv.inviteId,
        occurredAt: iso(c.at),
        ...(c.visitorId ? { visitorId: c.visitorId } : {}),
      });
    }
  }
  for (const inv of invites) {
    if (!inv.signup) continue;
    const u = users.get(inv.signup.userId)!;
    events.push({
      type: 'invite_signed_up',
      inviteId: inv.inviteId,
      userId: u.userId,
      occurredAt: iso(u.signedUpAt),
      ...(u.country ? { country: u.country } : {}),
      ...(u.visitorId ? { visitorId: u.visitorId } : {}),
    });
  }
  let eventNo = 0;
  for (const u of users.values()) {
    for (const at of u.activity) events.push({ type: 'user_active', userId: u.userId, occurredAt: iso(at) });
    for (const [at, cents] of u.revenue) {
      events.push({
        type: 'revenue',
        userId: u.userId,
        eventId: `e${eventNo++}`,
        amount: cents / 100,
        occurredAt: iso(at),
      });
    }
  }
  return { users, invites, events };
}
