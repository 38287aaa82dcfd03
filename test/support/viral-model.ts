// A random but seeded viral event stream, and the SPEC §4.2/§4.4 metrics computed from it in plain JavaScript,
// independently of the SQL, for the cross-check test.

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface ModelUser {
  userId: string;
  signedUpAt: number;
  referred: boolean;
  fvmAt: number | null;
}

export interface ModelInvite {
  inviteId: string;
  referrerId: string;
  source: string;
  sentAt: number;
  clicks: number[];
  signup: { userId: string; at: number } | null;
}

export interface Model {
  users: Map<string, ModelUser>;
  invites: ModelInvite[];
  selfReferrals: { referrerId: string; sentAt: number }[];
  events: Record<string, unknown>[];
}

/** mulberry32: a tiny seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const pad = (n: number) => String(n).padStart(3, '0');

/** About 1,000 events over the last 60 days; every event valid except deliberate self-referrals and taken users. */
export function generate(seed: number, now: number): Model {
  const rnd = prng(seed);
  const sec = (ms: number) => Math.floor(ms / 1000) * 1000;
  const base = Math.floor(now / DAY) * DAY - 60 * DAY;
  const users = new Map<string, ModelUser>();
  const invites: ModelInvite[] = [];
  const selfReferrals: Model['selfReferrals'] = [];
  const events: Record<string, unknown>[] = [];
  for (let k = 0; k < 40; k++) {
    const u = {
      userId: `u${pad(k)}`,
      signedUpAt: sec(base + rnd() * 58 * DAY),
      referred: false,
      fvmAt: null,
    };
    users.set(u.userId, u);
    events.push({ type: 'user_signed_up', userId: u.userId, occurredAt: iso(u.signedUpAt) });
  }
  const sources = ['buddy', 'gift', 'streak'];
  let clickSeq = 0;
  const addInvite = (referrerId: string, source: string, sentAt: number) => {
    const inv: ModelInvite = {
      inviteId: `i${pad(invites.length)}`,
      referrerId,
      source,
      sentAt,
      clicks: [],
      signup: null,
    };
    invites.push(inv);
    events.push({ type: 'invite_sent', inviteId: inv.inviteId, referrerId, source, occurredAt: iso(sentAt) });
    return inv;
  };
  const signup = (inv: ModelInvite, userId: string, at: number) => {
    events.push({ type: 'invite_signed_up', inviteId: inv.inviteId, userId, occurredAt: iso(at) });
    if (userId === inv.referrerId) selfReferrals.push({ referrerId: userId, sentAt: inv.sentAt });
    else if (!users.has(userId)) {
      inv.signup = { userId, at };
      users.set(userId, { userId, signedUpAt: at, referred: true, fvmAt: null });
    }
  };
  for (let k = 0; k < 180; k++) {
    const pool = [...users.keys()];
    const referrerId = rnd() < 0.9 ? pool[Math.floor(rnd() * pool.length)]! : `ext${pad(k)}`;
    const source = sources[Math.floor(rnd() * (k % 7 === 0 ? 1 : 3))]!;
    const inv = addInvite(referrerId, source, sec(base + 20 * DAY + rnd() * 38 * DAY));
    if (rnd() < 0.65) {
      for (let c = 1 + Math.floor(rnd() * 3); c > 0; c--) {
        const at = sec(inv.sentAt + rnd() ** 2 * 2 * DAY);
        if (at > now - HOUR) continue;
        const clickId = `c${clickSeq++}`;
        inv.clicks.push(at);
        events.push({ type: 'invite_clicked', inviteId: inv.inviteId, clickId, occurredAt: iso(at) });
        if (rnd() < 0.2)
          events.push({ type: 'invite_clicked', inviteId: inv.inviteId, clickId, occurredAt: iso(at) });
      }
    }
    if (rnd() < 0.6) {
      const kind = rnd();
      const delay = kind < 0.1 ? rnd() * 12_000 : kind < 0.7 ? rnd() * 48 * HOUR : rnd() * 20 * DAY;
      const at = sec(inv.sentAt + delay);
      if (at > now - HOUR) continue;
      const who = rnd();
      const userId = who < 0.04 ? referrerId : who < 0.08 ? `u${pad(Math.floor(rnd() * 40))}` : `n${pad(k)}`;
      signup(inv, userId, at);
      if (inv.signup && rnd() < 0.5) {
        const fvm = sec(at + rnd() * 72 * HOUR);
        if (fvm < now - HOUR) {
          users.get(userId)!.fvmAt = fvm;
          events.push({ type: 'fvm_reached', userId, occurredAt: iso(fvm) });
        }
      }
    }
  }
  // Edges: signups exactly 14 days (converted) and 14 days + 1 s after sending, 9 s (fast) and 10 s (not), bursts.
  signup(addInvite('u002', 'gift', base + 30 * DAY), 'edge-in', base + 44 * DAY);
  signup(addInvite('u002', 'gift', base + 30 * DAY), 'edge-out', base + 44 * DAY + 1000);
  signup(addInvite('u003', 'streak', base + 31 * DAY), 'fast-in', base + 31 * DAY + 9_000);
  signup(addInvite('u003', 'streak', base + 31 * DAY), 'fast-out', base + 31 * DAY + 10_000);
  // u004: 20 signups within 19 minutes and one exactly an hour after the first: at most 20 in any hour.
  for (let k = 0; k <= 20; k++) {
    const sent = base + 52 * DAY;
    signup(addInvite('u004', 'gift', sent), `hour${pad(k)}`, sent + 600_000 + (k < 20 ? k * 60_000 : HOUR));
  }
  for (let k = 0; k < 22; k++) {
    const inv = addInvite('u001', 'buddy', base + 50 * DAY + k * 60_000);
    signup(inv, `burst${pad(k)}`, base + 50 * DAY + k * 60_000 + (k % 2 === 0 ? 5_000 : 600_000));
  }
  return { users, invites, selfReferrals, events };
}

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks; null over no values. */
export function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
export const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length);
export const kStatus = (k: number) =>
  k >= 1.2 ? 'excellent' : k >= 1 ? 'good' : k >= 0.8 ? 'warning' : 'poor';
export const converted = (i: ModelInvite, cw: number) =>
  i.signup !== null && i.signup.at - i.sentAt <= cw * DAY;
export { DAY, HOUR };
