import { welchTest } from '../stats/means.js';
import { sequentialInterval } from '../stats/sequential.js';
import type { Interval } from '../stats/types.js';
import type { KFactorDay, KFactorTimelineStore } from './k-factor-timeline-store.js';
import type { ResultsQuery } from './results-service.js';
import type { TimelineVariant } from './timeline-service.js';
import { armsByDay, dayTest } from './timeline-days.js';
import type { Experiment } from './types.js';

export interface KFactorFields {
  invites: number;
  signups: number;
  /** signups ÷ exposed users, as it stood at the end of the day. */
  kFactor: number | null;
  /** Welch's test of the per-user signup counts against control (always-valid with method=sequential). */
  value: { meanDifference: number | null; pValue: number | null; ci: Interval | null } | null;
}
export type KFactorTimelineVariant = TimelineVariant & KFactorFields;

type Arm = Omit<KFactorDay, 'day' | 'variant'>;
const EMPTY: Arm = { exposed: 0, converted: 0, invites: 0, signups: 0, signupsSquared: 0 };

/** Sample variance of the per-user counts from their sum and sum of squares (0 below two users, as in results). */
const variance = (a: Arm): number =>
  a.exposed < 2 ? 0 : Math.max(0, (a.signupsSquared - (a.signups * a.signups) / a.exposed) / (a.exposed - 1));

/** The same comparison as the results' `value` for k_factor: Welch, or its confidence sequence. */
function compareK(control: Arm, arm: Arm, q: ResultsQuery): KFactorFields['value'] {
  if (control.exposed === 0 || arm.exposed === 0) return { meanDifference: null, pValue: null, ci: null };
  const w = welchTest(
    { n: control.exposed, mean: control.signups / control.exposed, variance: variance(control) },
    { n: arm.exposed, mean: arm.signups / arm.exposed, variance: variance(arm) },
    q.alpha,
  );
  if (q.method === 'sequential' && w.meanDifference !== null && w.standardError !== null) {
    const seq = sequentialInterval(
      w.meanDifference,
      w.standardError,
      arm.exposed + control.exposed,
      q.alpha,
      q.sequentialTuning,
    );
    return { meanDifference: w.meanDifference, pValue: w.pValue === null ? null : seq.pValue, ci: seq.ci };
  }
  return { meanDifference: w.meanDifference, pValue: w.pValue, ci: w.ci.absolute };
}

/** Day by day, the k_factor results as they stood at the end of each day: the data behind the K chart. */
export async function kFactorTimelineDays(
  store: KFactorTimelineStore,
  e: Experiment,
  q: ResultsQuery & { tz: string },
) {
  const rows = await store.daily(
    e.id,
    e.status === 'completed' ? e.completedAt : null,
    q.conversionWindowDays ?? 14,
    q.tz,
  );
  return armsByDay(rows, e, EMPTY, (r): Arm => r).map(({ date, keys, arms: counts }) => {
    const control = counts[0]!;
    const test = dayTest(
      counts.map((a) => ({ n: a.exposed, conversions: a.converted })),
      q,
    );
    return {
      date,
      variants: keys.map((variant, i): KFactorTimelineVariant => {
        const a = counts[i]!;
        const s = test.variants[i]!;
        return {
          variant,
          exposed: a.exposed,
          converted: a.converted,
          conversionRate: s.conversionRate,
          absoluteLift: s.absoluteLift,
          relativeLift: s.relativeLift,
          pValue: s.pValueAdjusted,
          ci: { absolute: s.ci.absolute, relative: s.ci.relative },
          invites: a.invites,
          signups: a.signups,
          kFactor: a.exposed > 0 ? a.signups / a.exposed : null,
          value: i === 0 ? null : compareK(control, a, q),
        };
      }),
    };
  });
}
