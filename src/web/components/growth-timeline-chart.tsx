import { useMemo } from 'preact/hooks';
import type { GrowthTimeline } from '../api.js';
import { type Dataset, LineChart, PALETTE } from './line-chart.js';

/** Invites and signups (organic vs referred) per day as bars, K of each day's invites as a line. */
export function GrowthTimelineChart({ t, onDrawn }: { t: GrowthTimeline; onDrawn?: () => void }) {
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
    ],
    [t],
  );
  if (t.periods.length === 0) return <p class="empty">Nothing happened in this period.</p>;
  return (
    <LineChart
      label={`Growth timeline per day, ${labels[0]} to ${labels[labels.length - 1]}: invites, organic and referred signups, and K`}
      labels={labels}
      datasets={datasets}
      yTitle="per day"
      y1Title="K"
      onDrawn={onDrawn}
    />
  );
}
