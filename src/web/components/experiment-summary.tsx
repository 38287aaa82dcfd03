import type { Experiment } from '../api.js';
import { fmtDateTime, fmtPct, metricName } from '../format.js';

/** What the experiment tests and how it is set up. */
export function ExperimentSummary({ e }: { e: Experiment }) {
  const total = e.variants.reduce((s, v) => s + v.weight, 0);
  return (
    <dl class="setup">
      {e.hypothesis ? (
        <>
          <dt>Hypothesis</dt>
          <dd>{e.hypothesis}</dd>
        </>
      ) : null}
      <dt>Variants</dt>
      <dd>
        {e.variants
          .map(
            (v) => `${v.key}${v.key === e.controlVariant ? ' (control)' : ''} ${fmtPct(v.weight / total, 0)}`,
          )
          .join(', ')}
      </dd>
      <dt>Traffic</dt>
      <dd>{fmtPct(e.trafficPercent / 100, 0)}</dd>
      <dt>Target metric</dt>
      <dd>{metricName(e.targetMetric)}</dd>
      <dt>Started</dt>
      <dd>{fmtDateTime(e.startedAt)}</dd>
      {e.winner ? (
        <>
          <dt>Winner</dt>
          <dd>
            <strong>{e.winner}</strong> ({fmtDateTime(e.completedAt)})
          </dd>
        </>
      ) : null}
    </dl>
  );
}
