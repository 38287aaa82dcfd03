import type { Experiment } from '../api.js';
import { fmtDate, fmtPct, metricName } from '../format.js';
import { Link } from './link.js';
import { StatusBadge } from './status-badge.js';

export function ExperimentList({ items, filtered }: { items: Experiment[]; filtered: boolean }) {
  if (items.length === 0) {
    return (
      <p class="empty">
        {filtered ? 'No experiment has this status.' : 'No experiments yet.'}
        {filtered ? '' : ' Create one with the form below or POST /v1/experiments.'}
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table>
        <caption>Experiments, by key</caption>
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            <th scope="col">Status</th>
            <th scope="col">Target metric</th>
            <th scope="col" class="num">
              Traffic
            </th>
            <th scope="col">Variants</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.key}>
              <th scope="row">
                <Link to={{ view: 'experiment', key: e.key, metric: null, method: 'fixed' }}>{e.name}</Link>
                {e.name !== e.key ? <span class="sub id"> {e.key}</span> : null}
              </th>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>{metricName(e.targetMetric)}</td>
              <td class="num">{fmtPct(e.trafficPercent / 100, 0)}</td>
              <td>{e.variants.map((v) => v.key).join(', ')}</td>
              <td class="nowrap">{fmtDate(e.startedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
