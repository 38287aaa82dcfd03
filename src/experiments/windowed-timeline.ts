import type { ResultsQuery } from './results-service.js';
import type { TimelineVariant } from './timeline-service.js';
import { armsByDay, dayTest } from './timeline-days.js';
import type { Experiment } from './types.js';
import { valueStats } from './value-stats.js';
import type { WindowedDay, WindowedMetric, WindowedTimelineStore } from './windowed-timeline-store.js';

export interface WindowedFields {
  /** Exposed users whose window had ended by the end of the day: the n of the day's comparison. */
  eligible: number;
  /** ltv: Welch's test of the eligible users' revenue against control (null on the control row). */
  value?: { meanDifference: number | null; pValue: number | null; ci: [number, number] | null } | null;
}

type Arm = Omit<WindowedDay, 'day' | 'variant'>;
const EMPTY: Arm = { exposed: 0, eligible: 0, converted: 0, valueSum: 0, valueSquares: 0 };

/** Sample variance from Σ and Σ² (null below two users, as var_samp in the results). */
const variance = (a: Arm): number | null =>
  a.eligible < 2
    ? null
    : Math.max(0, (a.valueSquares - (a.valueSum * a.valueSum) / a.eligible) / (a.eligible - 1));

/** Day by day, retention_d7 or ltv results as they stood at the end of each day (in tz). */
export async function windowedTimelineDays(
  store: WindowedTimelineStore,
  e: Experiment,
  metric: WindowedMetric,
  q: ResultsQuery & { tz: string },
) {
  const rows = await store.daily(
    e.id,
    metric,
    e.status === 'completed' ? e.completedAt : null,
    q.tz,
    new Date(),
  );
  return armsByDay(rows, e, EMPTY, (r): Arm => r).map(({ date, keys, arms: counts }) => {
    const control = counts[0]!;
    const test = dayTest(
      counts.map((a) => ({ n: a.eligible, conversions: a.converted })),
      q,
    );
    const arm = (label: string, a: Arm) => ({
      label,
      users: a.eligible,
      valueSum: a.valueSum,
      valueVariance: variance(a),
    });
    return {
      date,
      variants: keys.map((variant, i): TimelineVariant & WindowedFields => {
        const a = counts[i]!;
        const s = test.variants[i]!;
        let value: WindowedFields['value'];
        if (metric.kind === 'ltv') {
          const v =
            i === 0
              ? null
              : valueStats(arm(variant, a), arm(keys[0]!, control), {
                  alpha: q.alpha,
                  ...(q.method === 'sequential' ? { sequential: { tuning: q.sequentialTuning } } : {}),
                  warnings: [],
                });
          value = v && { meanDifference: v.meanDifference, pValue: v.pValue, ci: v.ci };
        }
        return {
          variant,
          exposed: a.exposed,
          eligible: a.eligible,
          converted: a.converted,
          conversionRate: s.conversionRate,
          absoluteLift: s.absoluteLift,
          relativeLift: s.relativeLift,
          pValue: s.pValueAdjusted,
          ci: { absolute: s.ci.absolute, relative: s.ci.relative },
          ...(metric.kind === 'ltv' ? { value } : {}),
        };
      }),
    };
  });
}
