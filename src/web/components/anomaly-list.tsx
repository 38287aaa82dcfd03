import type { Anomalies } from '../api.js';
import { fmtInt, fmtK, fmtNumber, words } from '../format.js';

export type Flagged = Anomalies['days'][number] & { metric: Anomalies['metric'] };

const METRIC_NAMES: Record<Anomalies['metric'], string> = {
  signups: 'signups',
  invites: 'invites',
  k_factor: 'K (1-day window)',
};

/** Days of the period the anomaly rule flags (a drop or a spike against the weekday-adjusted history). */
export const flaggedDays = (series: Anomalies[]): Flagged[] =>
  series
    .flatMap((s) => s.days.map((d) => ({ ...d, metric: s.metric })))
    .filter((d) => d.status === 'drop' || d.status === 'spike')
    .sort((a, b) => a.date.localeCompare(b.date) || a.metric.localeCompare(b.metric));

/** The anomaly markers of the chart, in words. */
export function AnomalyList({ flagged }: { flagged: Flagged[] }) {
  if (flagged.length === 0) return <p class="sub">No anomalies flagged in this period.</p>;
  const fmt = (metric: Flagged['metric'], v: number | null) => (metric === 'k_factor' ? fmtK(v) : fmtInt(v));
  return (
    <ul class="anomalies" aria-label="Anomalies">
      {flagged.map((d) => (
        <li key={`${d.metric}-${d.date}`} class={`anomaly-${d.status}`}>
          <span aria-hidden="true">{d.status === 'drop' ? '▼' : '▲'}</span> {d.date}: {METRIC_NAMES[d.metric]}{' '}
          {words(d.status)} — {fmt(d.metric, d.value)} against {fmt(d.metric, d.expected)} expected (z{' '}
          {fmtNumber(d.z)})
        </li>
      ))}
    </ul>
  );
}
