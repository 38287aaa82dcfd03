import type { Counts, MetricsStore } from './metrics-store.js';
import { type Window, kStatus, ratio, windowEcho } from './window.js';

const RECOMMENDATIONS = [
  {
    min: 1.2,
    recommendation: 'scale_aggressively',
    text: 'K ≥ 1.2: the loop grows on its own — put more traffic into it.',
  },
  {
    min: 1.0,
    recommendation: 'continue_investing',
    text: 'K ≥ 1.0: the loop sustains itself — keep investing and test improvements.',
  },
  {
    min: 0.8,
    recommendation: 'optimize',
    text: 'K ≥ 0.8: close to self-sustaining — optimise the invite flow and its conversion.',
  },
  {
    min: -Infinity,
    recommendation: 'deprioritize',
    text: 'K < 0.8: the loop does not pay back — fix it or move effort elsewhere.',
  },
] as const;

/**
 * K-factor figures from counts: invitesPerSender = invites/senders, conversionRate = conversions/invites, and
 * kFactor = their product, computed as the equal conversions/senders so that a K of exactly 1 is 1 (the product
 * of the two rounded ratios can land at 0.9999999999999999 and flip the status).
 */
function kFigures(c: Counts) {
  const invitesPerSender = ratio(c.invites, c.senders);
  const conversionRate = ratio(c.conversions, c.invites);
  const kFactor = ratio(c.conversions, c.senders);
  return { ...c, invitesPerSender, conversionRate, kFactor, status: kStatus(kFactor) };
}

const seconds = (v: number | null) => (v === null ? null : Number(v));

export class MetricsService {
  constructor(
    private readonly store: MetricsStore,
    private readonly fraudConfig: { fastSeconds: number; burstPerHour: number },
  ) {}

  async kFactor(w: Window, now = new Date()) {
    const [t, complete] = await Promise.all([this.store.totals(w), this.store.complete(w, now)]);
    return {
      ...windowEcho(w, complete),
      ...kFigures(t),
      userBase: t.userBase,
      viralCoefficient: ratio(t.conversions, t.userBase),
      inviterShare: ratio(t.senders, t.userBase),
    };
  }

  async bySource(w: Window, now = new Date()) {
    const [rows, complete] = await Promise.all([this.store.bySource(w), this.store.complete(w, now)]);
    return { ...windowEcho(w, complete), sources: rows.map((r) => ({ source: r.source, ...kFigures(r) })) };
  }

  async cycleTime(w: Window, now = new Date()) {
    const [c, complete] = await Promise.all([this.store.cycleTimes(w), this.store.complete(w, now)]);
    return {
      ...windowEcho(w, complete),
      conversions: c.conversions,
      p50Seconds: seconds(c.p50Seconds),
      p90Seconds: seconds(c.p90Seconds),
      meanSeconds: seconds(c.meanSeconds),
      fullLoop: { count: c.fullLoopCount, p50Seconds: seconds(c.fullLoopP50Seconds) },
    };
  }

  async topReferrers(w: Window, limit: number, now = new Date()) {
    const [rows, complete] = await Promise.all([
      this.store.topReferrers(w, limit),
      this.store.complete(w, now),
    ]);
    return {
      ...windowEcho(w, complete),
      referrers: rows.map((r, i) => ({
        rank: i + 1,
        referrerId: r.referrerId,
        invites: r.invites,
        conversions: r.conversions,
        conversionRate: ratio(r.conversions, r.invites),
      })),
    };
  }

  async timeline(w: Window, granularity: 'day' | 'week', now = new Date()) {
    const [rows, complete] = await Promise.all([
      this.store.timeline(w, granularity),
      this.store.complete(w, now),
    ]);
    return {
      ...windowEcho(w, complete),
      granularity,
      periods: rows.map((r) => ({
        periodStart: r.periodStart.toISOString(),
        invites: r.invites,
        clicks: r.clicks,
        signups: r.organicSignups + r.referredSignups,
        organicSignups: r.organicSignups,
        referredSignups: r.referredSignups,
        fvm: r.fvm,
        senders: r.senders,
        conversions: r.conversions,
        kFactor: ratio(r.conversions, r.senders),
      })),
    };
  }

  async cohorts(tz: string, conversionWindowDays: number, weeks: number, now = new Date()) {
    const rows = await this.store.cohorts(tz, conversionWindowDays, weeks, now);
    const from = rows[0]!.weekStart;
    const w: Window = { from, to: now, tz, conversionWindowDays };
    const complete = await this.store.complete({ ...w, from: new Date(0) }, now);
    return {
      ...windowEcho(w, complete),
      weeks,
      cohorts: rows.map((r) => ({
        weekStart: r.weekStart.toISOString(),
        size: r.size,
        invites: r.invites,
        conversions: r.conversions,
        avgInvitesPerUser: ratio(r.invites, r.size),
        conversionRate: ratio(r.conversions, r.invites),
        kFactor: ratio(r.conversions, r.size),
      })),
    };
  }

  async funnel(w: Window, source: string | undefined, now = new Date()) {
    const [f, complete] = await Promise.all([
      this.store.funnel(w, source),
      this.store.complete(w, now, source),
    ]);
    const stages = [
      { stage: 'invited', count: f.invites, median: null },
      { stage: 'clicked', count: f.clicked, median: f.medianSentToClick },
      { stage: 'signed_up', count: f.signedUp, median: f.medianClickToSignup },
      { stage: 'fvm_reached', count: f.fvm, median: f.medianSignupToFvm },
    ];
    return {
      ...windowEcho(w, complete),
      source: source ?? null,
      stages: stages.map((s, i) => ({
        stage: s.stage,
        count: s.count,
        conversionFromPrevious: i === 0 ? null : ratio(s.count, stages[i - 1]!.count),
        conversionFromTop: ratio(s.count, f.invites),
        medianSecondsFromPrevious: seconds(s.median),
      })),
    };
  }

  async loopEfficiency(w: Window, now = new Date()) {
    const { sources, ...echo } = await this.bySource(w, now);
    const loops = sources
      .map((s) => {
        const rec = RECOMMENDATIONS.find((r) => s.kFactor >= r.min)!;
        return {
          source: s.source,
          invites: s.invites,
          senders: s.senders,
          conversions: s.conversions,
          kFactor: s.kFactor,
          conversionRate: s.conversionRate,
          efficiencyScore: s.kFactor * s.conversionRate,
          roi: ratio(s.conversions, s.senders),
          recommendation: rec.recommendation,
          recommendationText: rec.text,
        };
      })
      .sort((a, b) => b.efficiencyScore - a.efficiencyScore || a.source.localeCompare(b.source));
    return { ...echo, loops };
  }

  /** The dashboard's cards: K, cycle time, loops and top referrers of one window, queried side by side. */
  async summary(w: Window, now = new Date()) {
    const [counts, top, cycle, complete] = await Promise.all([
      this.store.windowCounts(w),
      this.store.topReferrers(w, 10),
      this.store.cycleTimes(w, false), // the summary shows no full-loop time
      this.store.complete(w, now),
    ]);
    const t = counts.totals;
    return {
      ...windowEcho(w, complete),
      ...kFigures(t),
      userBase: t.userBase,
      viralCoefficient: ratio(t.conversions, t.userBase),
      inviterShare: ratio(t.senders, t.userBase),
      cycleTime: {
        p50Seconds: seconds(cycle.p50Seconds),
        p90Seconds: seconds(cycle.p90Seconds),
        meanSeconds: seconds(cycle.meanSeconds),
      },
      activeReferrers: t.senders,
      sources: counts.sources.map((r) => ({ source: r.source, ...kFigures(r) })),
      topReferrers: top.map((r, i) => ({
        rank: i + 1,
        referrerId: r.referrerId,
        invites: r.invites,
        conversions: r.conversions,
        conversionRate: ratio(r.conversions, r.invites),
      })),
    };
  }

  async fraud(w: Window | null) {
    const rows = await this.store.fraud(w, this.fraudConfig.fastSeconds, this.fraudConfig.burstPerHour);
    return { signals: rows };
  }
}
