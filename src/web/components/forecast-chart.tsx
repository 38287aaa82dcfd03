import { Chart, Filler } from 'chart.js';
import { useMemo } from 'preact/hooks';
import type { Forecast } from '../api.js';
import { fmtAmount, fmtDate, fmtInt, fmtK } from '../format.js';
import { type Dataset, LineChart } from './line-chart.js';

Chart.register(Filler);

/** Projected signups per day with the 80 % interval drawn as a band, and the figures the projection rests on. */
export function ForecastChart({ f }: { f: Forecast }) {
  const labels = useMemo(() => f.projection.map((p) => fmtDate(p.date)), [f]);
  const datasets = useMemo<Dataset[]>(
    () => [
      {
        label: '10th percentile',
        data: f.projection.map((p) => p.low),
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
      },
      {
        label: '80 % interval',
        data: f.projection.map((p) => p.high),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: 'rgba(37, 99, 235, 0.18)',
        fill: '-1',
      },
      {
        label: 'Expected signups per day',
        data: f.projection.map((p) => p.expected),
        borderColor: '#2563eb',
        backgroundColor: '#2563eb',
        pointRadius: 0,
      },
    ],
    [f],
  );
  const last = f.projection.at(-1);
  // Without signups the figures are zeros by definition and the band is rounding noise: say so, draw nothing.
  if (f.organic + f.referred === 0) {
    return <p class="empty">No signups in this window: the projection is flat at zero.</p>;
  }
  return (
    <>
      <dl class="facts">
        <div>
          <dt>K (this window)</dt>
          <dd>{fmtK(f.k)}</dd>
        </div>
        <div>
          <dt>Cycle</dt>
          <dd>
            {fmtInt(f.cycleDays)} {f.cycleDays === 1 ? 'day' : 'days'}
          </dd>
        </div>
        <div>
          <dt>Organic per day</dt>
          <dd>{fmtAmount(f.organicPerDay)}</dd>
        </div>
        <div>
          <dt>Steady state per day</dt>
          <dd>{f.viral ? 'none: K ≥ 1, growth compounds' : fmtAmount(f.steadyStatePerDay)}</dd>
        </div>
        <div>
          <dt>Signups in the next {f.horizonDays} days</dt>
          <dd>{fmtInt(last?.cumulativeExpected)}</dd>
        </div>
      </dl>
      <LineChart
        label={`Projected signups per day for the next ${f.horizonDays} days with an 80 % interval`}
        labels={labels}
        datasets={datasets}
        yTitle="Signups per day"
      />
    </>
  );
}
