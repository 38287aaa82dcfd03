/**
 * Robust weekday-adjusted z-scores for daily series (a modified z-score after Iglewicz & Hoaglin, 1993, on values
 * divided by weekday factors). Pure: plain numbers in, plain objects out.
 */

export type AnomalyStatus = 'normal' | 'drop' | 'spike' | 'insufficient_data' | 'incomplete';

export interface AnomalyPoint {
  /** Local calendar day, YYYY-MM-DD. */
  date: string;
  value: number;
  /** The day has ended (and, for K, its conversion window has passed). */
  complete: boolean;
  /** False for days before the metric's first data: such days are never history. */
  hasData: boolean;
  /** When false, the day may not be called a drop (K on days with fewer than 30 invites). */
  dropAllowed: boolean;
}

export interface AnomalyDay {
  date: string;
  value: number;
  expected: number | null;
  z: number | null;
  status: AnomalyStatus;
}

const ANOMALY = {
  historyDays: 28,
  minHistory: 14,
  minHistoryForWeekdays: 21,
  threshold: 3.5,
  dropRatio: 0.8,
  spikeRatio: 1.2,
  /** 0.6745 = Φ⁻¹(0.75): MAD × 1/0.6745 estimates σ for normal data. */
  madScale: 0.6745,
  /** √(π/2): the mean absolute deviation × 1.2533 estimates σ for normal data. */
  meanAdScale: 1.2533,
} as const;

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 0 = Sunday … 6 = Saturday, of a YYYY-MM-DD calendar day. */
const weekdayOf = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/**
 * s_d = median(history on weekday d) / median(history), 1 when either median is 0 or the weekday has no history
 * value; all 1 with fewer than 21 history days.
 */
export function weekdayFactors(history: readonly { date: string; value: number }[]): number[] {
  const factors = [1, 1, 1, 1, 1, 1, 1];
  if (history.length < ANOMALY.minHistoryForWeekdays) return factors;
  const all = median(history.map((h) => h.value));
  for (let d = 0; d < 7; d++) {
    const onDay = history.filter((h) => weekdayOf(h.date) === d).map((h) => h.value);
    if (onDay.length === 0) continue;
    const m = median(onDay);
    if (m !== 0 && all !== 0) factors[d] = m / all;
  }
  return factors;
}

/**
 * z = 0.6745 (a_t − m) / MAD(a), or (a_t − m) / (1.2533 × mean |a − m|) when MAD is 0, null when both are 0;
 * a = values divided by their weekday factor, m = median of the adjusted history.
 */
export function robustZ(
  target: { date: string; value: number },
  history: readonly { date: string; value: number }[],
): { z: number | null; expected: number; adjusted: number; center: number } {
  const s = weekdayFactors(history);
  const adjust = (p: { date: string; value: number }) => p.value / s[weekdayOf(p.date)]!;
  const a = history.map(adjust);
  const m = median(a);
  const adjusted = adjust(target);
  const deviations = a.map((v) => Math.abs(v - m));
  const mad = median(deviations);
  const expected = m * s[weekdayOf(target.date)]!;
  if (mad > 0) return { z: (ANOMALY.madScale * (adjusted - m)) / mad, expected, adjusted, center: m };
  const meanAd = deviations.reduce((x, y) => x + y, 0) / deviations.length;
  if (meanAd > 0)
    return { z: (adjusted - m) / (ANOMALY.meanAdScale * meanAd), expected, adjusted, center: m };
  return { z: null, expected, adjusted, center: m };
}

/** drop: z ≤ −3.5 and a_t ≤ 0.8 m (when allowed); spike: z ≥ 3.5 and a_t ≥ 1.2 m; else normal. */
function classify(
  z: number | null,
  adjusted: number,
  center: number,
  dropAllowed: boolean,
): 'normal' | 'drop' | 'spike' {
  if (z === null) return 'normal';
  if (dropAllowed && z <= -ANOMALY.threshold && adjusted <= ANOMALY.dropRatio * center) return 'drop';
  if (z >= ANOMALY.threshold && adjusted >= ANOMALY.spikeRatio * center) return 'spike';
  return 'normal';
}

/**
 * Scores a chronological daily series. Each complete day's history is the up to 28 most recent earlier complete
 * days with data that were not flagged (drop or spike); fewer than 14 → insufficient_data.
 */
export function detectAnomalies(points: readonly AnomalyPoint[]): AnomalyDay[] {
  const pool: { date: string; value: number }[] = [];
  return points.map((p) => {
    const base = { date: p.date, value: p.value, expected: null, z: null };
    if (!p.complete) return { ...base, status: 'incomplete' as const };
    const history = pool.slice(-ANOMALY.historyDays);
    let day: AnomalyDay;
    if (history.length < ANOMALY.minHistory) {
      day = { ...base, status: 'insufficient_data' };
    } else {
      const r = robustZ(p, history);
      day = {
        ...base,
        expected: r.expected,
        z: r.z,
        status: classify(r.z, r.adjusted, r.center, p.dropAllowed),
      };
    }
    if (p.hasData && (day.status === 'normal' || day.status === 'insufficient_data')) {
      pool.push({ date: p.date, value: p.value });
    }
    return day;
  });
}
