import { api, type Method } from '../api.js';
import { AuditHistory } from '../components/audit-history.js';
import { BanditPanel } from '../components/bandit-panel.js';
import { CupedSummary } from '../components/cuped-summary.js';
import { DeclareWinner } from '../components/declare-winner.js';
import { ExperimentSummary } from '../components/experiment-summary.js';
import { LifecycleControls } from '../components/lifecycle-controls.js';
import { Link } from '../components/link.js';
import { FailureMessage, Loading } from '../components/message.js';
import { Panel } from '../components/panel.js';
import { ResultsControls } from '../components/results-controls.js';
import { ResultsTable } from '../components/results-table.js';
import { ResultsTimelineChart } from '../components/results-timeline-chart.js';
import { ResultsWarnings } from '../components/results-warnings.js';
import { StatusBadge } from '../components/status-badge.js';
import { refreshNow, useApi } from '../refresh.js';
import { navigate, remembered } from '../route.js';
import { canWrite } from '../session.js';

interface Props {
  experimentKey: string;
  metric: string | null;
  method: Method;
  cuped: boolean;
}

/** One experiment from draft to declared winner: its set-up, results, timeline and history. */
export function ExperimentDetailView({ experimentKey: key, metric, method, cuped }: Props) {
  const experiment = useApi(() => api.experiment(key), [key]);
  const e = experiment.data;
  const chosen = metric ?? e?.targetMetric ?? null;
  const params = { metric: chosen ?? '', method };
  const isBandit = e?.type === 'bandit';
  // CUPED applies to fixed splits, on any metric but k_factor.
  const canCuped = e !== null && !isBandit && chosen !== 'k_factor';
  const adjusted = cuped && canCuped;
  const results = useApi(
    () => (chosen ? api.results(key, { ...params, cuped: adjusted }) : Promise.resolve(null)),
    [key, chosen, method, adjusted],
  );
  const bandit = useApi(() => (isBandit ? api.bandit(key) : Promise.resolve(null)), [key, isBandit]);
  const timeline = useApi(
    () => (chosen ? api.resultsTimeline(key, params) : Promise.resolve(null)),
    [key, chosen, method],
  );
  const history = useApi(() => api.history(key), [key]);

  const back = (
    <p>
      <Link to={{ view: 'experiments', status: remembered.status }}>← All experiments</Link>
    </p>
  );
  if (!e) {
    return (
      <>
        {back}
        <h1>{key}</h1>
        {experiment.error ? (
          <FailureMessage failure={experiment.error} what="Experiment" />
        ) : (
          <Loading what="the experiment" />
        )}
      </>
    );
  }
  const writable = canWrite.value;
  return (
    <>
      {back}
      <div class="view-head">
        <h1>
          {e.name} <StatusBadge status={e.status} />
        </h1>
        {writable ? <LifecycleControls e={e} onChanged={refreshNow} /> : null}
      </div>
      {experiment.error ? <FailureMessage failure={experiment.error} what="Experiment" /> : null}
      <ExperimentSummary e={e} />
      <section class="panel" aria-labelledby="h-results">
        <h2 id="h-results">Results</h2>
        <ResultsControls
          key={chosen}
          metric={chosen ?? e.targetMetric}
          targetMetric={e.targetMetric}
          method={method}
          cuped={canCuped ? cuped : null}
          onChange={(m, meth, c) =>
            navigate(
              { view: 'experiment', key, metric: m === e.targetMetric ? null : m, method: meth, cuped: c },
              true,
            )
          }
        />
        {results.error ? <FailureMessage failure={results.error} what="Results" /> : null}
        {results.data ? (
          <>
            <ResultsWarnings r={results.data} />
            <CupedSummary r={results.data} />
            <ResultsTable r={results.data} />
          </>
        ) : results.error ? null : (
          <Loading what="results" />
        )}
      </section>
      {isBandit ? (
        <Panel title="Bandit weights" loaded={bandit}>
          {(d) => (d ? <BanditPanel b={d} /> : null)}
        </Panel>
      ) : null}
      <Panel title="Cumulative timeline" loaded={timeline}>
        {(d) =>
          d ? (
            <ResultsTimelineChart
              t={d}
              valued={results.data?.variants.some((v) => v.value !== null && v.value !== undefined) ?? false}
            />
          ) : null
        }
      </Panel>
      {writable && (e.status === 'running' || e.status === 'paused') ? (
        <DeclareWinner e={e} onChanged={refreshNow} />
      ) : null}
      <Panel title="History" loaded={history}>
        {(d) => <AuditHistory items={d.items} />}
      </Panel>
    </>
  );
}
