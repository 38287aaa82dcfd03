import { useMemo } from 'preact/hooks';
import type { GrowthTimeline } from '../api.js';
import type { Flagged } from './anomaly-list.js';
import { type Dataset, LineChart, PALETTE } from './line-chart.js';

/**
 * A marker at each flagged day of one metric, triangles only (no line): at the day's value of the series it
 * belongs to. K's markers sit on the K line (its axis, y1) at the line's K for that day, since the anomaly rule's
 * K uses a 1-day conversion window and would float off the line; the list under the chart gives the rule's value.
 */
function markers(
  labels: string[],
  flagged: Flagged[],
  metric: Flagged['metric'],
  label: string,
  onLine?: (i: number) => number | null,
): Dataset | null {
  const mine = flagged.filter((d) => d.metric === metric);
  if (mine.length === 0) return null;
  const byDate = new Map(mine.map((d) => [d.date, d]));
  return {
    type: 'line',
    label,
    data: labels.map((l, i) => {
      const d = byDate.get(l);
      return d ? (onLine?.(i) ?? d.value ?? null) : null;
    }),
    showLine: false,
    pointStyle: 'triangle',
    pointRadius: labels.map((l) => (byDate.has(l) ? 8 : 0)),
    pointRotation: labels.map((l) => (byDate.get(l)?.status === 'drop' ? 180 : 0)),
    borderColor: '#b91c1c',
    backgroundColor: '#b91c1c',
    yAxisID: metric === 'k_factor' ? 'y1' : 'y',
  };
}

/** No invites and no signups on any day: a chart would be a flat line at zero. */
export const quiet = (t: GrowthTimeline): boolean =>
  t.periods.every((p) => p.invites === 0 && p.organicSignups === 0 && p.referredSignups === 0);

/**
 * Invites and signups (organic vs referred) per day as bars, K of each day's invites as a line, and red triangles
 * on the days the anomaly rule flags (▲ spike, ▼ drop).
 */
export function GrowthTimelineChart({
  t,
  flagged = [],
  onDrawn,
}: {
  t: GrowthTimeline;
  flagged?: Flagged[];
  onDrawn?: () => void;
}) {
  const labels = useMemo(() => t.periods.map((p) => p.periodStart.slice(0, 10)), [t]);
  const datasets = useMemo<Dataset[]>(
    () => [
      { type: 'bar', label: 'Invites', data: t.periods.map((p) => p.invites), backgroundColor: '#cbd5e1' },
      {
        type: 'bar',
        label: 'Organic signups',
        data: t.periods.map((p) => p.organicSignups),
        backgroundColor: PALETTE[2],
      },
      {
        type: 'bar',
        label: 'Referred signups',
        data: t.periods.map((p) => p.referredSignups),
        backgroundColor: PALETTE[0],
      },
      {
        type: 'line',
        label: 'K',
        data: t.periods.map((p) => p.kFactor),
        borderColor: PALETTE[1],
        backgroundColor: PALETTE[1],
        yAxisID: 'y1',
        pointRadius: 2,
      },
      ...[
        markers(labels, flagged, 'signups', 'Anomaly: signups'),
        markers(labels, flagged, 'invites', 'Anomaly: invites'),
        markers(labels, flagged, 'k_factor', 'Anomaly: K', (i) => t.periods[i]?.kFactor ?? null),
      ].filter((d): d is Dataset => d !== null),
    ],
    [t, labels, flagged],
  );
  if (quiet(t)) return <p class="empty">No invites or signups in this period, so nothing to chart.</p>;
  return (
    <LineChart
      label={`Growth timeline per day, ${labels[0]} to ${labels[labels.length - 1]}: invites, organic and referred signups, and K${flagged.length ? `, with ${flagged.length} anomalies marked` : ''}`}
      labels={labels}
      datasets={datasets}
      yTitle="per day"
      y1Title="K"
      onDrawn={onDrawn}
    />
  );
}
