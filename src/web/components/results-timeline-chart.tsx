import { useMemo } from 'preact/hooks';
import type { ResultsTimeline } from '../api.js';
import { type Dataset, LineChart, PALETTE } from './line-chart.js';

/** Day by day, the cumulative outcome of each variant (rate %, or K for k_factor) and its exposed users. */
export function ResultsTimelineChart({ t }: { t: ResultsTimeline }) {
  const isK = t.metric === 'k_factor';
  const labels = useMemo(() => t.days.map((d) => d.date.slice(0, 10)), [t]);
  const datasets = useMemo<Dataset[]>(() => {
    const variants = t.days[0]?.variants.map((v) => v.variant) ?? [];
    return variants.flatMap((name, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const at = (d: ResultsTimeline['days'][number]) => d.variants.find((v) => v.variant === name);
      return [
        {
          type: 'line',
          label: `${name}: ${isK ? 'K' : 'conversion %'}`,
          data: t.days.map((d) => {
            const v = at(d);
            if (!v) return null;
            if (isK) return v.kFactor ?? null;
            return v.conversionRate === null ? null : v.conversionRate * 100;
          }),
          borderColor: colour,
          backgroundColor: colour,
          pointRadius: 2,
        },
        {
          type: 'line',
          label: `${name}: exposed`,
          data: t.days.map((d) => at(d)?.exposed ?? null),
          borderColor: colour,
          backgroundColor: colour,
          borderDash: [4, 4],
          pointRadius: 0,
          yAxisID: 'y1',
        },
      ] satisfies Dataset[];
    });
  }, [t, isK]);
  if (t.days.length === 0) return <p class="empty">No exposures yet, so nothing to chart.</p>;
  return (
    <LineChart
      label={`Cumulative ${isK ? 'K' : 'conversion rate'} and exposed users per variant, ${labels[0]} to ${labels[labels.length - 1]}`}
      labels={labels}
      datasets={datasets}
      yTitle={isK ? 'K (signups per exposed user)' : 'conversion %'}
      y1Title="exposed users"
    />
  );
}
