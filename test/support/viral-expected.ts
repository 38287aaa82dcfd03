// The SPEC §4.2/§4.4 definitions over a Model, written from the text of the SPEC, not from the SQL.
import {
  DAY,
  HOUR,
  type Model,
  type ModelInvite,
  converted,
  kStatus,
  mean,
  percentileCont,
  ratio,
} from './viral-model.js';

export interface W {
  from: number;
  to: number;
  cw: number;
}

const inWindow = (m: Model, w: W, source?: string) =>
  m.invites.filter(
    (i) => i.sentAt >= w.from && i.sentAt < w.to && (source === undefined || i.source === source),
  );

function kFigures(invites: ModelInvite[], cw: number) {
  const senders = new Set(invites.map((i) => i.referrerId)).size;
  const conversions = invites.filter((i) => converted(i, cw)).length;
  const invitesPerSender = ratio(invites.length, senders);
  const conversionRate = ratio(conversions, invites.length);
  const kFactor = ratio(conversions, senders);
  return {
    invites: invites.length,
    senders,
    conversions,
    invitesPerSender,
    conversionRate,
    kFactor,
    status: kStatus(kFactor),
  };
}

export function kFactor(m: Model, w: W) {
  const k = kFigures(inWindow(m, w), w.cw);
  const userBase = [...m.users.values()].filter((u) => u.signedUpAt < w.to).length;
  return {
    ...k,
    userBase,
    viralCoefficient: ratio(k.conversions, userBase),
    inviterShare: ratio(k.senders, userBase),
  };
}

export function bySource(m: Model, w: W) {
  const sources = [...new Set(inWindow(m, w).map((i) => i.source))].sort();
  return sources.map((source) => ({ source, ...kFigures(inWindow(m, w, source), w.cw) }));
}

export function loopEfficiency(m: Model, w: W) {
  return bySource(m, w)
    .map((s) => ({
      source: s.source,
      kFactor: s.kFactor,
      conversionRate: s.conversionRate,
      efficiencyScore: s.kFactor * s.conversionRate,
      roi: ratio(s.conversions, s.senders),
      recommendation:
        s.kFactor >= 1.2
          ? 'scale_aggressively'
          : s.kFactor >= 1
            ? 'continue_investing'
            : s.kFactor >= 0.8
              ? 'optimize'
              : 'deprioritize',
    }))
    .sort((a, b) => b.efficiencyScore - a.efficiencyScore || (a.source < b.source ? -1 : 1));
}

export function cycleTime(m: Model, w: W) {
  const conv = inWindow(m, w).filter((i) => converted(i, w.cw));
  const secs = conv.map((i) => (i.signup!.at - i.sentAt) / 1000);
  const loops = conv.flatMap((i) => {
    const own = m.invites.filter((j) => j.referrerId === i.signup!.userId).map((j) => j.sentAt);
    return own.length === 0 ? [] : [(Math.min(...own) - i.sentAt) / 1000];
  });
  return {
    conversions: conv.length,
    p50Seconds: percentileCont(secs, 0.5),
    p90Seconds: percentileCont(secs, 0.9),
    meanSeconds: mean(secs),
    fullLoop: { count: loops.length, p50Seconds: percentileCont(loops, 0.5) },
  };
}

export function topReferrers(m: Model, w: W, limit: number) {
  const by = new Map<string, { invites: number; conversions: number }>();
  for (const i of inWindow(m, w)) {
    const r = by.get(i.referrerId) ?? { invites: 0, conversions: 0 };
    r.invites++;
    if (converted(i, w.cw)) r.conversions++;
    by.set(i.referrerId, r);
  }
  return [...by.entries()]
    .sort(([a, x], [b, y]) => y.conversions - x.conversions || y.invites - x.invites || (a < b ? -1 : 1))
    .slice(0, limit)
    .map(([referrerId, r], k) => ({
      rank: k + 1,
      referrerId,
      ...r,
      conversionRate: ratio(r.conversions, r.invites),
    }));
}

export function funnel(m: Model, w: W, source?: string) {
  const inv = inWindow(m, w, source);
  const clicked = inv.filter((i) => i.clicks.length > 0);
  const signed = inv.filter((i) => converted(i, w.cw));
  const fvm = signed.filter((i) => m.users.get(i.signup!.userId)!.fvmAt !== null);
  const first = (i: ModelInvite) => Math.min(...i.clicks);
  const stage = (stage: string, count: number, prev: number | null, median: number | null) => ({
    stage,
    count,
    conversionFromPrevious: prev === null ? null : ratio(count, prev),
    conversionFromTop: ratio(count, inv.length),
    medianSecondsFromPrevious: median,
  });
  return [
    stage('invited', inv.length, null, null),
    stage(
      'clicked',
      clicked.length,
      inv.length,
      percentileCont(
        clicked.map((i) => (first(i) - i.sentAt) / 1000),
        0.5,
      ),
    ),
    stage(
      'signed_up',
      signed.length,
      clicked.length,
      percentileCont(
        signed.filter((i) => i.clicks.length > 0).map((i) => (i.signup!.at - first(i)) / 1000),
        0.5,
      ),
    ),
    stage(
      'fvm_reached',
      fvm.length,
      signed.length,
      percentileCont(
        fvm.map((i) => (m.users.get(i.signup!.userId)!.fvmAt! - i.signup!.at) / 1000),
        0.5,
      ),
    ),
  ];
}

type Granularity = 'day' | 'week';
const wallParts = new Map<string, Intl.DateTimeFormat>();

/** The offset of tz from UTC at an instant, in ms (from Intl, not from PostgreSQL). */
function offset(tz: string, t: number): number {
  let f = wallParts.get(tz);
  if (!f) {
    const opts = {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    } as const;
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', ...opts, second: 'numeric' });
    wallParts.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000;
}

/** The instant at which the local date (y, m, d) begins in tz (Date.UTC normalises day overflow). */
function midnight(tz: string, y: number, m: number, d: number): number {
  const wall = Date.UTC(y, m, d);
  return wall - offset(tz, wall - offset(tz, wall));
}

const localDate = (tz: string, t: number) => {
  const d = new Date(t + offset(tz, t));
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCDay()] as const;
};

/** The start of the local day or ISO week (Monday) holding t, and the start of the next one. */
export function bucket(tz: string, t: number, g: Granularity): [number, number] {
  const [y, m, d, weekday] = localDate(tz, t);
  const first = g === 'day' ? d : d - ((weekday + 6) % 7);
  return [midnight(tz, y, m, first), midnight(tz, y, m, first + (g === 'day' ? 1 : 7))];
}

/** Local days or ISO weeks in tz covering [from, to): what occurred in each, and the K of its invites. */
export function timeline(m: Model, w: W, g: Granularity, tz = 'UTC') {
  const periods = [];
  for (let [p, next] = bucket(tz, w.from, g); p < w.to; [p, next] = bucket(tz, next, g)) {
    const inP = (t: number | null) => t !== null && t >= Math.max(p, w.from) && t < Math.min(next, w.to);
    const users = [...m.users.values()];
    const k = kFigures(
      m.invites.filter((i) => inP(i.sentAt)),
      w.cw,
    );
    periods.push({
      periodStart: new Date(p).toISOString(),
      invites: k.invites,
      clicks: m.invites.reduce((n, i) => n + i.clicks.filter(inP).length, 0),
      signups: users.filter((u) => inP(u.signedUpAt)).length,
      organicSignups: users.filter((u) => !u.referred && inP(u.signedUpAt)).length,
      referredSignups: users.filter((u) => u.referred && inP(u.signedUpAt)).length,
      fvm: users.filter((u) => inP(u.fvmAt)).length,
      senders: k.senders,
      conversions: k.conversions,
      kFactor: k.kFactor,
    });
  }
  return periods;
}

/** The last `weeks` ISO weeks in tz up to the one holding `now`: users by signup week and their invites. */
export function cohorts(m: Model, now: number, weeks: number, cw: number, tz = 'UTC') {
  const starts = [bucket(tz, now, 'week')];
  while (starts.length < weeks) starts.unshift(bucket(tz, starts[0]![0] - 1, 'week'));
  return starts.map(([wk, next]) => {
    const members = new Set(
      [...m.users.values()].filter((u) => u.signedUpAt >= wk && u.signedUpAt < next).map((u) => u.userId),
    );
    const sent = m.invites.filter((i) => members.has(i.referrerId));
    const conversions = sent.filter((i) => converted(i, cw)).length;
    return {
      weekStart: new Date(wk).toISOString(),
      size: members.size,
      invites: sent.length,
      conversions,
      avgInvitesPerUser: ratio(sent.length, members.size),
      conversionRate: ratio(conversions, sent.length),
      kFactor: ratio(conversions, members.size),
    };
  });
}

export function fraud(m: Model, w: W | null, fastSeconds: number, burstPerHour: number) {
  const inv = w ? inWindow(m, w) : m.invites;
  const out: { type: string; referrerId: string; count: number }[] = [];
  const count = (type: string, ids: string[]) => {
    const by = new Map<string, number>();
    for (const id of ids) by.set(id, (by.get(id) ?? 0) + 1);
    for (const [referrerId, n] of by) out.push({ type, referrerId, count: n });
  };
  count(
    'self_referral',
    m.selfReferrals.filter((s) => !w || (s.sentAt >= w.from && s.sentAt < w.to)).map((s) => s.referrerId),
  );
  count(
    'fast_conversion',
    inv.filter((i) => i.signup && i.signup.at - i.sentAt < fastSeconds * 1000).map((i) => i.referrerId),
  );
  const signups = new Map<string, number[]>();
  for (const i of inv)
    if (i.signup) signups.set(i.referrerId, [...(signups.get(i.referrerId) ?? []), i.signup.at]);
  for (const [referrerId, times] of signups) {
    const most = Math.max(...times.map((t) => times.filter((x) => x >= t && x < t + HOUR).length));
    if (most > burstPerHour) out.push({ type: 'signup_burst', referrerId, count: most });
  }
  return out.sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : b.count - a.count || (a.referrerId < b.referrerId ? -1 : 1),
  );
}

export const pending = (m: Model, w: W, now: number) =>
  inWindow(m, w).some((i) => i.signup === null && i.sentAt + w.cw * DAY > now);
