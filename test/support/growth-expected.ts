// SPEC §8.2–§8.6 computed from the generated stream in plain JavaScript, independently of the SQL.
import { forecast as band } from '../../src/stats/forecast.js';
import type { GInvite, GModel, GUser } from './growth-model.js';
import { bucket } from './viral-expected.js';
import { DAY, percentileCont, ratio } from './viral-model.js';

export interface GW {
  from: number;
  to: number;
  cw: number;
  tz: string;
}

const members = (m: GModel, w: GW) =>
  [...m.users.values()].filter((u) => u.signedUpAt >= w.from && u.signedUpAt < w.to);
const sourceOf = (u: GUser) => u.invite?.source ?? 'organic';
const converted = (i: GInvite, cw: number) => i.signup !== null && i.signup.at - i.sentAt <= cw * DAY;
const rate = (r: number, e: number) => (e === 0 ? null : r / e);

export function retention(
  m: GModel,
  w: GW,
  q: { granularity: 'day' | 'week'; periods: number; mode: 'on' | 'on_or_after'; source?: string },
  now: number,
) {
  const P = q.granularity === 'day' ? DAY : 7 * DAY;
  const cohorts = new Map<number, GUser[]>();
  for (const u of members(m, w)) {
    if (q.source && sourceOf(u) !== q.source) continue;
    const start = bucket(w.tz, u.signedUpAt, q.granularity)[0];
    cohorts.set(start, [...(cohorts.get(start) ?? []), u]);
  }
  const cell = (us: GUser[], k: number) => {
    if (k === 0)
      return { period: 0, eligible: us.length, retained: us.length, rate: rate(us.length, us.length) };
    const eligible = us.filter((u) => u.signedUpAt + (k + 1) * P <= now);
    const retained = eligible.filter((u) =>
      u.activity.some((a) =>
        q.mode === 'on'
          ? a >= u.signedUpAt + k * P && a < u.signedUpAt + (k + 1) * P
          : a >= u.signedUpAt + k * P,
      ),
    );
    return {
      period: k,
      eligible: eligible.length,
      retained: retained.length,
      rate: rate(retained.length, eligible.length),
    };
  };
  const ks = Array.from({ length: q.periods }, (_, k) => k);
  const list = [...cohorts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, us]) => ({
      cohortStart: new Date(start).toISOString(),
      size: us.length,
      periods: ks.map((k) => cell(us, k)),
    }));
  const overall = ks.map((k) => {
    const eligible = list.reduce((s, c) => s + c.periods[k]!.eligible, 0);
    const retained = list.reduce((s, c) => s + c.periods[k]!.retained, 0);
    return { period: k, eligible, retained, rate: rate(retained, eligible) };
  });
  return { cohorts: list, overall };
}

export function ltv(m: GModel, w: GW, horizonDays: number, now: number) {
  const H = horizonDays * DAY;
  const figures = (us: GUser[]) => {
    const matured = us.filter((u) => u.signedUpAt + H <= now);
    const nets = matured.map((u) =>
      u.revenue.filter(([at]) => at >= u.signedUpAt && at < u.signedUpAt + H).reduce((s, [, c]) => s + c, 0),
    );
    const cents = nets.reduce((s, c) => s + c, 0);
    return {
      users: us.length,
      matured: matured.length,
      revenue: cents / 100,
      ltv: matured.length === 0 ? null : cents / 100 / matured.length,
      payingShare: matured.length === 0 ? null : nets.filter((c) => c > 0).length / matured.length,
    };
  };
  const all = members(m, w);
  const sources = [...new Set(all.map(sourceOf))].sort();
  return {
    sources: sources.map((source) => ({ source, ...figures(all.filter((u) => sourceOf(u) === source)) })),
    total: figures(all),
  };
}

type Model = 'first_touch' | 'last_touch' | 'linear' | 'time_decay' | 'position_based';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function attribution(
  m: GModel,
  w: GW,
  q: { model: Model; lookbackDays: number; halfLifeDays: number; limit: number },
) {
  const bySource = new Map<string, number>();
  const byReferrer = new Map<string, number>();
  let signups = 0;
  let multi = 0;
  const inviteOf = new Map(m.invites.map((i) => [i.inviteId, i]));
  for (const u of members(m, w)) {
    if (!u.invite) continue;
    signups++;
    const s = u.signedUpAt;
    const touches = new Map<string, number>();
    if (u.visitorId) {
      for (const inv of m.invites) {
        for (const c of inv.clicks) {
          if (c.visitorId !== u.visitorId || c.at < s - q.lookbackDays * DAY || c.at > s) continue;
          touches.set(inv.inviteId, Math.max(touches.get(inv.inviteId) ?? -Infinity, c.at));
        }
      }
    }
    if (!touches.has(u.invite.inviteId)) {
      const first = u.invite.clicks.length === 0 ? null : Math.min(...u.invite.clicks.map((c) => c.at));
      touches.set(u.invite.inviteId, first !== null && first <= s ? first : s);
    }
    const list = [...touches.entries()].sort((a, b) => a[1] - b[1] || byteOrder(a[0], b[0]));
    const n = list.length;
    if (n > 1) multi++;
    // time_decay's weights relative to the latest touch: the same proportions, without underflow.
    const latest = list[n - 1]![1];
    const weights = list.map(([, at], k) => {
      switch (q.model) {
        case 'first_touch':
          return k === 0 ? 1 : 0;
        case 'last_touch':
          return k === n - 1 ? 1 : 0;
        case 'linear':
          return 1 / n;
        case 'time_decay':
          return 2 ** (-(latest - at) / (q.halfLifeDays * DAY));
        case 'position_based':
          return n === 1 ? 1 : n === 2 ? 0.5 : k === 0 || k === n - 1 ? 0.4 : 0.2 / (n - 2);
      }
    });
    const total = q.model === 'time_decay' ? weights.reduce((a, b) => a + b, 0) : 1;
    list.forEach(([id], k) => {
      const credit = weights[k]! / total;
      if (!(credit > 0)) return;
      const inv = inviteOf.get(id)!;
      bySource.set(inv.source, (bySource.get(inv.source) ?? 0) + credit);
      byReferrer.set(inv.referrerId, (byReferrer.get(inv.referrerId) ?? 0) + credit);
    });
  }
  const ranked = <K extends string>(map: Map<string, number>, key: K) =>
    [...map.entries()]
      .sort((a, b) => Math.round(b[1] * 1e9) - Math.round(a[1] * 1e9) || byteOrder(a[0], b[0]))
      .map(([id, credit]) => ({ [key]: id, credit }) as Record<K, string> & { credit: number });
  return {
    signups,
    multiTouchSignups: multi,
    bySource: ranked(bySource, 'source').map((s) => ({ ...s, share: ratio(s.credit, signups) })),
    byReferrer: ranked(byReferrer, 'referrerId').slice(0, q.limit),
  };
}

export function geo(m: GModel, w: GW) {
  const rows = new Map<
    string | null,
    { signups: number; referredSignups: number; invites: number; senders: Set<string>; conversions: number }
  >();
  const row = (c: string | null) => {
    if (!rows.has(c))
      rows.set(c, { signups: 0, referredSignups: 0, invites: 0, senders: new Set(), conversions: 0 });
    return rows.get(c)!;
  };
  const flows = new Map<string, number>();
  for (const u of members(m, w)) {
    const r = row(u.country);
    r.signups++;
    if (!u.invite) continue;
    r.referredSignups++;
    const from = m.users.get(u.invite.referrerId)?.country ?? null;
    if (from && u.country) flows.set(`${from}>${u.country}`, (flows.get(`${from}>${u.country}`) ?? 0) + 1);
  }
  for (const inv of m.invites) {
    if (inv.sentAt < w.from || inv.sentAt >= w.to) continue;
    const r = row(m.users.get(inv.referrerId)?.country ?? null);
    r.invites++;
    r.senders.add(inv.referrerId);
    if (converted(inv, w.cw)) r.conversions++;
  }
  const countries = [...rows.entries()]
    .map(([country, r]) => ({
      country,
      signups: r.signups,
      referredSignups: r.referredSignups,
      invites: r.invites,
      senders: r.senders.size,
      conversions: r.conversions,
      kFactor: ratio(r.conversions, r.senders.size),
    }))
    .sort(
      (a, b) =>
        b.signups - a.signups ||
        b.invites - a.invites ||
        (a.country === null ? 1 : b.country === null ? -1 : a.country < b.country ? -1 : 1),
    );
  const flowList = [...flows.entries()]
    .map(([k, signups]) => ({ fromCountry: k.slice(0, 2), toCountry: k.slice(3), signups }))
    .sort(
      (a, b) => b.signups - a.signups || (a.fromCountry + a.toCountry < b.fromCountry + b.toCountry ? -1 : 1),
    )
    .slice(0, 50);
  return { countries, flows: flowList };
}

export function forecast(m: GModel, w: GW, horizonDays: number) {
  const cohort = members(m, w);
  const ids = new Set(cohort.map((u) => u.userId));
  const referred = m.invites.filter(
    (i) => ids.has(i.referrerId) && i.signup !== null && i.signup.at < w.to && converted(i, w.cw),
  );
  const cycles = referred.map((i) => (i.signup!.at - m.users.get(i.referrerId)!.signedUpAt) / DAY);
  const p50 = percentileCont(cycles, 0.5);
  const cycleDays = p50 === null ? 1 : Math.max(1, Math.floor(p50 + 0.5));
  const observed = Array.from(
    { length: cycleDays },
    (_, d) =>
      [...m.users.values()].filter(
        (u) => u.signedUpAt >= w.to - (d + 1) * DAY && u.signedUpAt < w.to - d * DAY,
      ).length,
  );
  const organic = cohort.filter((u) => !u.invite).length;
  const windowDays = (w.to - w.from) / DAY;
  const O = organic / windowDays;
  const k = cohort.length === 0 ? 0 : referred.length / cohort.length;
  const n = [...observed].reverse();
  const expected: number[] = [];
  for (let d = 1; d <= horizonDays; d++) {
    n.push(O + k * n[n.length - cycleDays]!);
    expected.push(n.at(-1)!);
  }
  // The band's sampler is checked against scipy in test/unit/stats/forecast.test.ts; here its inputs are.
  const b = band({
    organic,
    windowDays,
    referred: referred.length,
    users: cohort.length,
    cycleDays,
    observed,
    horizon: horizonDays,
  });
  let cumulative = 0;
  return {
    k,
    cycleDays,
    organicPerDay: O,
    users: cohort.length,
    referred: referred.length,
    organic,
    viral: k >= 1,
    steadyStatePerDay: k < 1 ? O / (1 - k) : null,
    projection: expected.map((e, d) => ({
      date: new Date(w.to + d * DAY).toISOString(),
      expected: e,
      low: b.steps[d]!.low,
      high: b.steps[d]!.high,
      cumulativeExpected: (cumulative += e),
    })),
  };
}
