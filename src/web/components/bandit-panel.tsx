import { useMemo } from 'preact/hooks';
import type { BanditState } from '../api.js';
import { fmtDateTime, fmtPct } from '../format.js';
import { type Dataset, LineChart, PALETTE } from './line-chart.js';

/** A bandit's current allocation with P(best), and its weights period by period. */
export function BanditPanel({ b }: { b: BanditState }) {
  const labels = useMemo(
    () => b.periods.map((p) => `${p.period}: ${p.startedAt.slice(5, 16).replace('T', ' ')}`),
    [b],
  );
  const datasets = useMemo<Dataset[]>(
    () =>
      b.weights.map((w, i) => {
        const colour = PALETTE[i % PALETTE.length];
        return {
          type: 'line',
          label: `${w.variant}: weight %`,
          data: b.periods.map((p) => (p.weights[i]?.weight ?? 0) * 100),
          borderColor: colour,
          backgroundColor: colour,
          stepped: 'before',
          pointRadius: 3,
        } satisfies Dataset;
      }),
    [b],
  );
  return (
    <>
      <p>
        {b.exploring
          ? 'Exploring: weights stay equal until exploration ends and every variant has its minimum of users.'
          : b.leader
            ? `Leader: ${b.leader} (P(best) ≥ 95 %).`
            : 'No variant has P(best) ≥ 95 % yet.'}{' '}
        Next update {fmtDateTime(b.nextUpdateAt)}.
      </p>
      <table>
        <caption>Current weights (new users) and chance to be best, metric {b.metric}</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Weight</th>
            <th scope="col">P(best)</th>
          </tr>
        </thead>
        <tbody>
          {b.weights.map((w) => (
            <tr key={w.variant} class={w.variant === b.leader ? 'leader' : undefined}>
              <th scope="row">{w.variant}</th>
              <td>{fmtPct(w.weight)}</td>
              <td>{fmtPct(w.pBest)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <LineChart
        label={`Bandit weights per variant over ${b.periods.length} weight periods`}
        labels={labels}
        datasets={datasets}
        yTitle="weight %"
      />
    </>
  );
}
