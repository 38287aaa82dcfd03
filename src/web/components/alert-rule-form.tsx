import { useState } from 'preact/hooks';
import { type AlertInput, type AlertRule, ApiError, type ChannelIn, api } from '../api.js';
import { Message } from './message.js';

const TYPES: { value: AlertRule['type']; label: string }[] = [
  { value: 'k_factor_below', label: 'K below a threshold' },
  { value: 'anomaly', label: 'Anomaly (drop or spike)' },
  { value: 'srm', label: 'Sample-ratio mismatch' },
  { value: 'significant', label: 'Significant result' },
];

interface Values {
  name: string;
  type: AlertRule['type'];
  threshold: string;
  days: string;
  metric: string;
  direction: string;
  experimentKey: string;
  cooldownMinutes: string;
  enabled: boolean;
  webhookUrl: string;
  emailTo: string;
}

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
const str = (v: unknown, def = '') => (v === undefined || v === null ? def : String(v));

const initial = (rule: AlertRule | null): Values => ({
  name: rule?.name ?? '',
  type: rule?.type ?? 'k_factor_below',
  threshold: str(rule?.params.threshold, '0.8'),
  days: str(rule?.params.days, '7'),
  metric: str(rule?.params.metric, 'k_factor'),
  direction: str(rule?.params.direction, 'drop'),
  experimentKey: str(rule?.params.experimentKey),
  cooldownMinutes: str(rule?.cooldownMinutes, '60'),
  enabled: rule?.enabled ?? true,
  webhookUrl: '',
  emailTo: '',
});

function params(v: Values): Record<string, unknown> {
  if (v.type === 'k_factor_below') return { threshold: num(v.threshold), days: num(v.days) };
  if (v.type === 'anomaly') return { metric: v.metric, direction: v.direction };
  return v.experimentKey.trim() ? { experimentKey: v.experimentKey.trim() } : {};
}

function channels(v: Values): ChannelIn[] {
  const out: ChannelIn[] = [];
  if (v.webhookUrl.trim()) out.push({ type: 'webhook', url: v.webhookUrl.trim() });
  const to = v.emailTo
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (to.length) out.push({ type: 'email', to });
  return out;
}

type Field = keyof Values;

/**
 * Which field an API error path names: params.threshold → threshold, channels.1.to.0 → the channel sent at index 1
 * (webhook first, then email, as `channels` builds them). Null: no field of this form (shown at the top).
 */
function fieldOf(path: string, sent: ChannelIn[]): Field | null {
  const [head, second] = path.split('.');
  if (head === 'params') {
    const p = second ?? '';
    return (
      (['threshold', 'days', 'metric', 'direction', 'experimentKey'] as const).find((f) => f === p) ?? null
    );
  }
  if (head === 'channels') {
    const type = sent[Number(second)]?.type;
    return type === 'email' ? 'emailTo' : 'webhookUrl';
  }
  if (head === 'name' || head === 'cooldownMinutes' || head === 'enabled' || head === 'type') return head;
  return null;
}

interface Errors {
  fields: Partial<Record<Field, string[]>>;
  form: string[];
}

/** Creates a rule, or changes one (its type stays; channels are replaced only when some are filled in). */
export function AlertRuleForm({
  rule,
  onSaved,
  onCancel,
}: {
  rule: AlertRule | null;
  onSaved: (saved: AlertRule) => void;
  onCancel?: () => void;
}) {
  const [v, setV] = useState<Values>(() => initial(rule));
  const [errors, setErrors] = useState<Errors>({ fields: {}, form: [] });
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Values>) => setV({ ...v, ...patch });
  const prefix = rule ? `edit-${rule.id.slice(0, 8)}` : 'new-alert';

  const submit = async () => {
    setBusy(true);
    const body: AlertInput = {
      name: v.name.trim(),
      type: v.type,
      params: params(v),
      cooldownMinutes: num(v.cooldownMinutes),
      enabled: v.enabled,
    };
    const ch = channels(v);
    try {
      const saved = rule
        ? await api.patchAlert(rule.id, {
            name: body.name,
            params: body.params,
            cooldownMinutes: body.cooldownMinutes,
            enabled: body.enabled,
            ...(ch.length ? { channels: ch } : {}),
          })
        : await api.createAlert({ ...body, channels: ch });
      setErrors({ fields: {}, form: [] });
      if (!rule) setV(initial(null));
      onSaved(saved);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const f = err.failure;
      const fields: Errors['fields'] = {};
      const form: string[] = [];
      for (const e of f.kind === 'problem' ? f.errors : []) {
        const field = fieldOf(e.path, ch);
        if (field) (fields[field] ??= []).push(e.message);
        else form.push(`${e.path}: ${e.message}`);
      }
      // The top says that (and how many) fields need a change; each error sits beside its field.
      const placed = Object.keys(fields).length;
      const summary = placed
        ? `${placed === 1 ? 'A field below needs' : `${placed} fields below need`} a change.`
        : f.detail;
      setErrors({ fields, form: [summary, ...form] });
    } finally {
      setBusy(false);
    }
  };

  /** A field's error under it, and what its control needs to point at it. */
  const problem = (name: Field, hint?: string) => {
    const errs = errors.fields[name];
    const id = `${prefix}-${name}`;
    const described = [hint ? `${id}-hint` : '', errs ? `${id}-error` : ''].filter(Boolean).join(' ');
    return {
      attrs: {
        'aria-invalid': errs ? ('true' as const) : undefined,
        'aria-describedby': described || undefined,
      },
      note: errs ? (
        <p id={`${id}-error`} class="field-error">
          {errs.join('; ')}
        </p>
      ) : null,
    };
  };
  const input = (name: Exclude<Field, 'enabled' | 'type'>, label: string, hint?: string) => {
    const pr = problem(name, hint);
    return (
      <div class="field">
        <label for={`${prefix}-${name}`}>{label}</label>
        <input
          id={`${prefix}-${name}`}
          type="text"
          value={String(v[name])}
          {...pr.attrs}
          onInput={(e) => set({ [name]: e.currentTarget.value })}
        />
        {hint ? (
          <p id={`${prefix}-${name}-hint`} class="hint">
            {hint}
          </p>
        ) : null}
        {pr.note}
      </div>
    );
  };
  const select = (
    name: 'type' | 'metric' | 'direction',
    label: string,
    options: { value: string; label: string }[],
  ) => {
    const pr = problem(name);
    return (
      <div class="field">
        <label for={`${prefix}-${name}`}>{label}</label>
        <select
          id={`${prefix}-${name}`}
          value={v[name]}
          disabled={name === 'type' && rule !== null}
          {...pr.attrs}
          onChange={(e) => set({ [name]: e.currentTarget.value })}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {pr.note}
      </div>
    );
  };
  const title = rule ? `Edit ${rule.name}` : 'New alert rule';
  return (
    <form
      class="create-form"
      aria-label={title}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{title}</h3>
      {errors.form.length ? (
        <Message kind="error" title={rule ? 'The rule was not changed' : 'The rule was not created'}>
          <ul>
            {errors.form.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </Message>
      ) : null}
      <div class="form-grid">
        {input('name', 'Name')}
        {select('type', 'Type', TYPES)}
        {v.type === 'k_factor_below' ? (
          <>
            {input('threshold', 'K threshold', 'Fires while K of the last days is below this.')}
            {input('days', 'Days', '1–365')}
          </>
        ) : null}
        {v.type === 'anomaly' ? (
          <>
            {select('metric', 'Metric', [
              { value: 'k_factor', label: 'K' },
              { value: 'signups', label: 'Signups' },
              { value: 'invites', label: 'Invites' },
            ])}
            {select('direction', 'Direction', [
              { value: 'drop', label: 'Drops' },
              { value: 'both', label: 'Drops and spikes' },
            ])}
          </>
        ) : null}
        {v.type === 'srm' || v.type === 'significant'
          ? input('experimentKey', 'Experiment key', 'Empty: every running experiment.')
          : null}
        {input('cooldownMinutes', 'Cooldown (minutes)', 'A reminder while still firing after this long.')}
        {input(
          'webhookUrl',
          'Webhook URL',
          rule ? 'Filled in: replaces the channels.' : 'https; signed per Standard Webhooks.',
        )}
        {input('emailTo', 'Email to', 'Comma-separated addresses (needs SMTP_URL).')}
        <div class="field">
          <label>
            <input
              type="checkbox"
              checked={v.enabled}
              onChange={(e) => set({ enabled: e.currentTarget.checked })}
            />{' '}
            Enabled
          </label>
          {problem('enabled').note}
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {rule ? 'Save rule' : 'Create rule'}
      </button>{' '}
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
