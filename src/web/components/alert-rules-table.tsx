import { useState } from 'preact/hooks';
import { type AlertRule, ApiError, api } from '../api.js';
import { fmtDateTime, words } from '../format.js';
import { useApi } from '../refresh.js';
import { AlertRuleForm } from './alert-rule-form.js';
import { Message } from './message.js';

const condition = (r: AlertRule): string => {
  const p = r.params;
  if (r.type === 'k_factor_below') return `K of the last ${String(p.days)} days below ${String(p.threshold)}`;
  if (r.type === 'anomaly') return `${String(p.metric)} ${p.direction === 'both' ? 'drop or spike' : 'drop'}`;
  const key = p.experimentKey ? String(p.experimentKey) : 'every running experiment';
  return r.type === 'srm'
    ? `sample-ratio mismatch in ${key}`
    : `significant result in ${key} (α ${String(p.alpha)})`;
};

/** The rule's last notifications: status and the answer of their last attempt. */
function LastDeliveries({ id }: { id: string }) {
  const d = useApi(() => api.alertDeliveries(id, 3), [id]);
  if (d.error) return <span class="sub">{d.error.detail}</span>;
  if (!d.data) return <span class="sub">…</span>;
  if (d.data.items.length === 0) return <span class="sub">none yet</span>;
  return (
    <ul class="plain">
      {d.data.items.map((x) => {
        const last = x.attempts.at(-1);
        return (
          <li key={x.id}>
            <span class={`badge delivery-${x.status}`}>{x.status}</span> {x.channelType} {words(x.eventType)}
            {last ? ` — ${last.statusCode ?? last.error ?? ''} at ${fmtDateTime(last.at)}` : ''}
          </li>
        );
      })}
    </ul>
  );
}

/** Two steps: the first click only asks. */
function DeleteRule({ rule, onDeleted }: { rule: AlertRule; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Delete…
      </button>
    );
  return (
    <span role="group" aria-label={`Confirm deleting ${rule.name}`}>
      <button
        type="button"
        class="danger"
        onClick={() =>
          void api
            .deleteAlert(rule.id)
            .then(onDeleted, (err: unknown) =>
              setError(err instanceof ApiError ? err.failure.detail : String(err)),
            )
        }
      >
        Yes, delete {rule.name}
      </button>{' '}
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error ? <span class="field-error">{error}</span> : null}
    </span>
  );
}

/** Alert rules with their state, channels and last deliveries; edit and delete for admin keys. */
export function AlertRulesTable({ rules, onChanged }: { rules: AlertRule[]; onChanged: () => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  // A deleted rule leaves at once, so that the refresh does not ask for its deliveries.
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  rules = rules.filter((r) => !deleted.has(r.id));
  if (rules.length === 0) return <p class="empty">No alert rules yet.</p>;
  const rule = rules.find((r) => r.id === editing) ?? null;
  return (
    <>
      <div class="table-wrap">
        <table>
          <caption>Alert rules and their state</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Condition</th>
              <th scope="col">State</th>
              <th scope="col">Channels</th>
              <th scope="col">Last deliveries</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  {r.name}
                  {r.enabled ? null : <span class="sub"> (disabled)</span>}
                </th>
                <td>{condition(r)}</td>
                <td>
                  <span class={`badge alert-${r.state}`}>{r.state}</span>
                </td>
                <td>
                  {r.channels.length === 0
                    ? 'none'
                    : r.channels.map((c) => `${c.type}${c.disabled ? ' (disabled: 410)' : ''}`).join(', ')}
                </td>
                <td>
                  <LastDeliveries id={r.id} />
                </td>
                <td class="actions-cell">
                  <button type="button" onClick={() => setEditing(r.id)} aria-label={`Edit ${r.name}`}>
                    Edit
                  </button>{' '}
                  <DeleteRule
                    rule={r}
                    onDeleted={() => {
                      setDeleted(new Set([...deleted, r.id]));
                      onChanged();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {secret ? (
        <Message kind="info" title="Webhook secret (shown once)">
          <code>{secret}</code>
        </Message>
      ) : null}
      {rule ? (
        <AlertRuleForm
          key={rule.id}
          rule={rule}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setSecret(saved.channels.find((c) => c.secret)?.secret ?? null);
            onChanged();
          }}
        />
      ) : null}
    </>
  );
}
