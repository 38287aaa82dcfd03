import { type ProportionsVariant, proportionsTest } from '../stats/proportions.js';
import { holdoutNotFound } from './holdout-service.js';
import type { GroupAggregate, HoldoutResultsStore } from './holdout-results-store.js';
import type { HoldoutStore } from './holdout-store.js';
import { K_FACTOR } from './results-service.js';
import { type ValueStats, valueStats } from './value-stats.js';

export interface HoldoutResultsQuery {
  metric: string;
  alpha: number;
  conversionWindowDays: number;
  horizonDays: number;
}

/** A holdout row: the calculator's comparison fields, with users and converted in place of n and conversions. */
export interface GroupResult extends Omit<ProportionsVariant, 'n' | 'conversions'> {
  variant: 'holdout' | 'treated';
  users: number;
  converted: number;
  value: ValueStats | null;
  invites?: number;
  signups?: number;
  kFactor?: number | null;
  pending?: number;
}

const EMPTY = (variant: GroupAggregate['variant']): GroupAggregate => ({
  variant,
  users: 0,
  converted: 0,
  valueSum: 0,
  valued: 0,
  valueVariance: null,
});

/** The holdout's own results: held-out users (as control) against treated users, with the tests of §3.5. */
export class HoldoutResultsService {
  constructor(
    private readonly holdouts: HoldoutStore,
    private readonly store: HoldoutResultsStore,
  ) {}

  async results(key: string, q: HoldoutResultsQuery) {
    const [h] = await this.holdouts.list({ key, limit: 1 });
    if (!h) throw holdoutNotFound(key);
    const now = new Date();
    const rows =
      q.metric === K_FACTOR
        ? await this.store.kFactor(h.id, q.conversionWindowDays)
        : q.metric === 'retention_d7'
          ? await this.store.retentionD7(h.id, now)
          : q.metric === 'ltv'
            ? await this.store.ltv(h.id, q.horizonDays, now)
            : await this.store.conversions(h.id, q.metric);
    const windowed = q.metric === 'retention_d7' || q.metric === 'ltv';
    const by = new Map(rows.map((r) => [r.variant, r]));
    const held = by.get('holdout') ?? EMPTY('holdout');
    const treated = by.get('treated') ?? EMPTY('treated');
    const test = proportionsTest({
      control: { n: held.users, conversions: held.converted },
      treatments: [{ n: treated.users, conversions: treated.converted }],
      alpha: q.alpha,
      correction: 'none',
      labels: ['holdout', 'treated'],
    });
    const warnings = [...test.warnings];
    const valued = q.metric === K_FACTOR || q.metric === 'ltv' || rows.some((r) => r.valued > 0);
    const variants: GroupResult[] = [held, treated].map((agg, i) => {
      const s = test.variants[i]!;
      return {
        variant: agg.variant,
        isControl: i === 0,
        users: agg.users,
        converted: agg.converted,
        conversionRate: s.conversionRate,
        absoluteLift: s.absoluteLift,
        relativeLift: s.relativeLift,
        zScore: s.zScore,
        pValue: s.pValue,
        pValueAdjusted: s.pValueAdjusted,
        significant: s.significant,
        ci: s.ci,
        chanceToBeatControl: valued ? null : s.chanceToBeatControl,
        expectedLoss: valued ? null : s.expectedLoss,
        value: valued
          ? valueStats(valueArm('treated', agg), i === 0 ? null : valueArm('holdout', held), {
              alpha: q.alpha,
              warnings,
            })
          : null,
        ...(q.metric !== K_FACTOR
          ? {}
          : {
              invites: agg.invites ?? 0,
              signups: agg.valueSum,
              kFactor: agg.users > 0 ? agg.valueSum / agg.users : null,
            }),
        ...(windowed ? { pending: agg.pending ?? 0 } : {}),
      };
    });
    return {
      holdoutKey: h.key,
      metric: q.metric,
      alpha: q.alpha,
      computedAt: now,
      variants,
      warnings,
    };
  }
}

const valueArm = (label: string, a: GroupAggregate) => ({
  label,
  users: a.users,
  valueSum: a.valueSum,
  valueVariance: a.valueVariance,
});
