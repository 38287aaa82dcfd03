import { api } from '../api.js';
import { CreateExperimentForm } from '../components/create-experiment-form.js';
import { ExperimentList } from '../components/experiment-list.js';
import { Panel } from '../components/panel.js';
import { StatusFilter } from '../components/status-filter.js';
import { useApi } from '../refresh.js';
import { navigate } from '../route.js';
import type { Status } from '../api.js';
import { canWrite } from '../session.js';

/** The product team's list: every experiment with its status, a filter, and (for admins) a way to add one. */
export function ExperimentsView({ status }: { status: Status | null }) {
  const list = useApi(() => api.experiments(status ?? undefined), [status]);
  return (
    <>
      <div class="view-head">
        <h1>Experiments</h1>
        <StatusFilter status={status} onChange={(s) => navigate({ view: 'experiments', status: s }, true)} />
      </div>
      <Panel title="All experiments" loaded={list}>
        {(d) => <ExperimentList items={d.items} filtered={status !== null} />}
      </Panel>
      {canWrite.value ? (
        <section class="panel">
          <CreateExperimentForm
            onCreated={(e) => navigate({ view: 'experiment', key: e.key, metric: null, method: 'fixed' })}
          />
        </section>
      ) : null}
    </>
  );
}
