import type { Correction, Interval } from '../stats/types.js';
import type { ExperimentStore } from './experiment-store.js';
import { type KFactorFields, kFactorTimelineDays } from './k-factor-timeline.js';
import type { KFactorTimelineStore } from './k-factor-timeline-store.js';
import { experimentNotFound } from './experiment-service.js';
import { K_FACTOR, LTV, RETENTION_D7, type ResultsQuery } from './results-service.js';
import type { ResultsStore } from './results-store.js';
import { armsByDay, dayTest } from './timeline-days.js';
import { type WindowedFields, windowedTimelineDays } from './windowed-timeline.js';
import type { WindowedMetric, WindowedTimelineStore } from './windowed-timeline-store.js';

export interface TimelineVariant {
  variant: string;
  exposed: number;
  converted: number;
  conversionRate: number | null;
  absoluteLift: number | null;
  relativeLift: number | null;
  pValue: number | null;
  ci: { absolute: Interval | null; relative: Interval | null };
}

export interface ResultsTimeline {
  experimentKey: string;
  metric: string;
  method: ResultsQuery['method'];
  alpha: number;
  correction: Correction;
  tz: string;
  controlVariant: string;
  horizonDays?: number;
  /** k_factor rows carry the KFactorFields too; retention_d7 and ltv rows the WindowedFields. */
  days: {
    date: string;
    variants: (TimelineVariant & Partial<Omit<KFactorFields, 'value'>> & Partial<WindowedFields>)[];
  }[];
}

/** Day by day, the results as they stood at the end of each day: the data behind the results chart. */
export class TimelineService {
  constructor(
    private readonly experiments: ExperimentStore,
    private readonly store: ResultsStore,
    private readonly kFactor: KFactorTimelineStore,
    private readonly windowed: WindowedTimelineStore,
  ) {}

  async timeline(key: string, q: ResultsQuery & { tz: string }): Promise<ResultsTimeline> {
    const e = await this.experiments.findByKey(key);
    if (!e) throw experimentNotFound(key);
    const metric = q.metric ?? e.targetMetric;
    const echo = {
      experimentKey: e.key,
      metric,
      method: q.method,
      alpha: q.alpha,
      correction: q.correction,
      tz: q.tz,
      controlVariant: e.controlVariant,
    };
    if (metric === K_FACTOR) return { ...echo, days: await kFactorTimelineDays(this.kFactor, e, q) };
    if (metric === RETENTION_D7 || metric === LTV) {
      const m = metric === LTV ? { kind: LTV, horizonDays: q.horizonDays ?? 30 } : { kind: RETENTION_D7 };
      return {
        ...echo,
        ...(metric === LTV ? { horizonDays: q.horizonDays ?? 30 } : {}),
        days: await windowedTimelineDays(this.windowed, e, m as WindowedMetric, q),
      };
    }
    const rows = await this.store.daily(e.id, metric, e.status === 'completed' ? e.completedAt : null, q.tz);
    const days = armsByDay(rows, e, { exposed: 0, converted: 0 }, (r) => ({
      exposed: r.exposed,
      converted: r.converted,
    })).map(({ date, keys, arms }) => {
      const test = dayTest(
        arms.map((a) => ({ n: a.exposed, conversions: a.converted })),
        q,
      );
      return {
        date,
        variants: keys.map((variant, i): TimelineVariant => ({
          variant,
          exposed: arms[i]!.exposed,
          converted: arms[i]!.converted,
          conversionRate: test.variants[i]!.conversionRate,
          absoluteLift: test.variants[i]!.absoluteLift,
          relativeLift: test.variants[i]!.relativeLift,
          pValue: test.variants[i]!.pValueAdjusted,
          ci: { absolute: test.variants[i]!.ci.absolute, relative: test.variants[i]!.ci.relative },
        })),
      };
    });
    return { ...echo, days };
  }
}
