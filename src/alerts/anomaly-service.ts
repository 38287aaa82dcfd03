import { type AnomalyDay, detectAnomalies } from '../stats/anomaly.js';
import type { AnomalyMetric, AnomalyStore } from './anomaly-store.js';

/** K days with fewer invites than this are never called drops (one converted invite moves K too much). */
const K_MIN_INVITES = 30;
/**
 * Days scored before the first listed one, so that early listed days have history: 28 days of history plus
 * room for up to eight weeks of flagged or missing days.
 */
const LOOKBACK_DAYS = 84;

export interface AnomalyQuery {
  metric: AnomalyMetric;
  source?: string;
  tz: string;
  conversionWindowDays: number;
  days: number;
  from?: Date;
  to?: Date;
}

export interface AnomalyReport {
  metric: AnomalyMetric;
  source: string | null;
  tz: string;
  conversionWindowDays: number;
  days: AnomalyDay[];
}

export class AnomalyService {
  constructor(private readonly store: AnomalyStore) {}

  /** §9.1: the daily series in tz, each complete day scored against its unflagged history. */
  async anomalies(q: AnomalyQuery, now = new Date()): Promise<AnomalyReport> {
    const source = q.metric === 'signups' ? undefined : q.source;
    const rows = await this.store.daily({
      ...q,
      source,
      to: q.to ?? now,
      lookbackDays: LOOKBACK_DAYS,
      now,
    });
    const scored = detectAnomalies(
      rows.map((r) => ({
        date: r.date,
        value: r.value,
        complete: r.complete,
        hasData: r.hasData,
        dropAllowed: q.metric !== 'k_factor' || r.invites >= K_MIN_INVITES,
      })),
    );
    return {
      metric: q.metric,
      source: source ?? null,
      tz: q.tz,
      conversionWindowDays: q.conversionWindowDays,
      days: scored.filter((_, i) => rows[i]!.listed),
    };
  }

  /** The latest complete day of the metric (what an anomaly alert rule judges), or null without one. */
  async latestComplete(
    q: Omit<AnomalyQuery, 'days' | 'from' | 'to'>,
    now = new Date(),
  ): Promise<AnomalyDay | null> {
    const { days } = await this.anomalies({ ...q, days: q.conversionWindowDays + 2 }, now);
    return days.filter((d) => d.status !== 'incomplete').at(-1) ?? null;
  }
}
