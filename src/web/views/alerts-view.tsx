import { api } from '../api.js';
import { AlertRuleForm } from '../components/alert-rule-form.js';
import { AlertRulesTable } from '../components/alert-rules-table.js';
import { Message } from '../components/message.js';
import { Panel } from '../components/panel.js';
import { ReportList } from '../components/report-list.js';
import { refreshNow, useApi } from '../refresh.js';
import { me } from '../session.js';

/** Alert rules need an admin key (every /v1/alerts route); a read key sees the reports and renders them. */
function AlertRules() {
  const rules = useApi(() => api.alerts(), []);
  return (
    <>
      <Panel title="Alert rules" loaded={rules}>
        {(d) => <AlertRulesTable rules={d.items} onChanged={refreshNow} />}
      </Panel>
      <section class="panel" aria-label="New alert rule">
        <AlertRuleForm rule={null} onSaved={refreshNow} />
      </section>
    </>
  );
}

export function AlertsView() {
  const admin = me.value?.scope === 'admin';
  const reports = useApi(() => api.reports(), []);
  return (
    <>
      <div class="view-head">
        <h1>Alerts &amp; reports</h1>
      </div>
      {admin ? (
        <AlertRules />
      ) : (
        <Message kind="info" title="Alert rules need an admin key">
          This key has the read scope: it sees the reports below and renders them, but not the alert rules.
        </Message>
      )}
      <Panel title="Report schedules" loaded={reports}>
        {(d) => <ReportList reports={d.items} />}
      </Panel>
    </>
  );
}
