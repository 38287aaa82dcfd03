import { useMemo } from 'preact/hooks';
import type { ResultsTimeline } from '../api.js';
import { type Dataset, LineChart, PALETTE } from './line-chart.js';

type Day = ResultsTimeline['days'][number];
type Arm = Day['variants'][number];

/** What the line of each variant is, by metric: the timeline answers a rate, K, or (ltv) a difference in mean. */
interface Outcome {
  /** Legend suffix of a variant's line. */
  legend: string;
  /** The y axis title. */
  axis: string;
  /** For the chart's accessible name: "Cumulative … and exposed users per variant". */
  what: string;
  point: (v: Arm) => number | null;
  /** ltv: the control has no line of its own (it is the zero the others are measured from). */
  controlLine: boolean;
  /** What the line shows, in words under the chart (null: the legend says it all). */
  note: string | null;
}

const outcomeOf = (t: ResultsTimeline, valued: boolean): Outcome => {
  const rate = (v: Arm) => (v.conversionRate === null ? null : v.conversionRate * 100);
  if (t.metric === 'k_factor') {
    return {
      legend: 'K',
      axis: 'K (signups per exposed user)',
      what: 'K',
      point: (v) => v.kFactor ?? null,
      controlLine: true,
      note: null,
    };
  }
  if (t.metric === 'ltv') {
    const h = t.horizonDays ?? 30;
    return {
      legend: `difference in mean vs ${t.controlVariant}`,
      axis: 'difference in mean LTV',
      what: `difference in mean ${h}-day LTV`,
      point: (v) => v.value?.meanDifference ?? null,
      controlLine: false,
      note:
        `Each treatment's line is its mean revenue per user in the first ${h} days after exposure minus ` +
        `${t.controlVariant}'s (0 = no difference), counting only users whose ${h} days had passed by that day.`,
    };
  }
  if (t.metric === 'retention_d7') {
    return {
      legend: 'day-7 retention %',
      axis: 'day-7 retention %',
      what: 'day-7 retention',
      point: rate,
      controlLine: true,
      note: 'Retention is over the users whose first 7 days after exposure had passed by that day.',
    };
  }
  return {
    legend: 'conversion %',
    axis: 'conversion %',
    what: 'conversion rate',
    point: rate,
    controlLine: true,
    note: valued
      ? `The line is the share of exposed users with a ${t.metric} conversion; the mean value per user is in the table above.`
      : null,
  };
};

/**
 * Day by day, the cumulative outcome of each variant (rate %, K, or for ltv the difference in mean against the
 * control) and its exposed users. `valued`: the results compare a mean value (the timeline still charts the rate).
 */
export function ResultsTimelineChart({ t, valued = false }: { t: ResultsTimeline; valued?: boolean }) {
  const o = useMemo(() => outcomeOf(t, valued), [t, valued]);
  const labels = useMemo(() => t.days.map((d) => d.date.slice(0, 10)), [t]);
  const datasets = useMemo<Dataset[]>(() => {
    const variants = t.days[0]?.variants.map((v) => v.variant) ?? [];
    return variants.flatMap((name, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const at = (d: Day) => d.variants.find((v) => v.variant === name);
      const exposed: Dataset = {
        type: 'line',
        label: `${name}: exposed`,
        data: t.days.map((d) => at(d)?.exposed ?? null),
        borderColor: colour,
        backgroundColor: colour,
        borderDash: [4, 4],
        pointRadius: 0,
        yAxisID: 'y1',
      };
      if (name === t.controlVariant && !o.controlLine) return [exposed];
      return [
        {
          type: 'line',
          label: `${name}: ${o.legend}`,
          data: t.days.map((d) => {
            const v = at(d);
            return v ? o.point(v) : null;
          }),
          borderColor: colour,
          backgroundColor: colour,
          pointRadius: 2,
        },
        exposed,
      ] satisfies Dataset[];
    });
  }, [t, o]);
  if (t.days.length === 0) return <p class="empty">No exposures yet, so nothing to chart.</p>;
  return (
    <>
      <LineChart
        label={`Cumulative ${o.what} and exposed users per variant, ${labels[0]} to ${labels[labels.length - 1]}`}
        labels={labels}
        datasets={datasets}
        yTitle={o.axis}
        y1Title="exposed users"
      />
      {o.note ? <p class="hint chart-note">{o.note}</p> : null}
    </>
  );
}
