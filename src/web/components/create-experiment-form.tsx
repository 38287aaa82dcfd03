import { useState } from 'preact/hooks';
import { ApiError, type CreateExperiment, type Experiment, type FieldError, api } from '../api.js';
import { Message } from './message.js';

const FIELDS = ['key', 'name', 'hypothesis', 'weights', 'trafficPercent', 'targetMetric'] as const;
type Field = (typeof FIELDS)[number];
/** The metrics the service computes from its own events; any other name counts conversions of that metric. */
export const TARGET_METRICS = ['conversion', 'k_factor', 'retention_d7', 'ltv'] as const;

/** Which form field an API error path belongs to (variants.1.weight → the weights field). */
const fieldOf = (path: string): Field | null => {
  const head = path.split('.')[0] ?? '';
  if (head === 'variants' || head === 'controlVariant') return 'weights';
  return FIELDS.find((f) => f === head) ?? null;
};

/** "control:50, variant_a:50" → variants; anything malformed is sent as written so the API names it. */
const parseWeights = (text: string): CreateExperiment['variants'] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.lastIndexOf(':');
      if (colon < 0) return { key: part };
      const weight = part.slice(colon + 1).trim();
      return { key: part.slice(0, colon).trim(), weight: weight === '' ? Number.NaN : Number(weight) };
    });

// The API's own patterns (src/schemas): checked here first so obvious slips are named before anything is sent.
const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const VARIANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Obvious mistakes in what was typed, per field, before the API sees it (the API still has the last word). */
function precheck(values: Record<Field, string>): Partial<Record<Field, string[]>> {
  const out: Partial<Record<Field, string[]>> = {};
  const key = values.key.trim();
  if (key === '') out.key = ['Enter a key, e.g. cta_copy.'];
  else if (!KEY_PATTERN.test(key)) {
    out.key = [
      key.length > 64
        ? 'At most 64 characters.'
        : `Use lowercase letters, digits, "_" and "-", starting with a letter or digit${/[A-Z]/.test(key) ? ` (e.g. ${key.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')})` : ''}.`,
    ];
  }
  const parts = values.weights.split(',').map((p) => p.trim());
  const bad = parts.filter((part) => {
    const colon = part.lastIndexOf(':');
    const name = colon < 0 ? part : part.slice(0, colon).trim();
    const weight = colon < 0 ? '1' : part.slice(colon + 1).trim();
    return !VARIANT_PATTERN.test(name) || !/^\d+(\.\d+)?$/.test(weight) || Number(weight) <= 0;
  });
  if (values.weights.trim() === '') out.weights = ['Enter the variants, e.g. control:50,variant_a:50.'];
  else if (bad.length) {
    out.weights = [
      `Write each variant as key:weight with a positive weight, e.g. control:50,variant_a:50 (check ${bad.map((b) => `"${b}"`).join(', ')}).`,
    ];
  }
  const traffic = values.trafficPercent.trim();
  const pct = Number(traffic);
  if (traffic === '' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
    out.trafficPercent = ['Enter a share between 0 and 100 (without "%").'];
  }
  return out;
}

interface Errors {
  fields: Partial<Record<Field, string[]>>;
  form: string | null;
}

/**
 * A new experiment (draft). Obvious slips (key pattern, weights syntax, traffic 0–100) are named beside their field
 * before anything is sent; the API validates the rest, and each of its errors is shown next to its field too.
 */
export function CreateExperimentForm({ onCreated }: { onCreated: (e: Experiment) => void }) {
  const [values, setValues] = useState<Record<Field, string>>({
    key: '',
    name: '',
    hypothesis: '',
    weights: 'control:50,variant_a:50',
    trafficPercent: '100',
    targetMetric: 'conversion',
  });
  const [errors, setErrors] = useState<Errors>({ fields: {}, form: null });
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const obvious = precheck(values);
    if (Object.keys(obvious).length) {
      setErrors({ fields: obvious, form: null });
      document.getElementById(`new-${Object.keys(obvious)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    const body: CreateExperiment = {
      key: values.key.trim(),
      variants: parseWeights(values.weights),
      trafficPercent: values.trafficPercent.trim() === '' ? Number.NaN : Number(values.trafficPercent),
    };
    if (values.name.trim()) body.name = values.name.trim();
    if (values.hypothesis.trim()) body.hypothesis = values.hypothesis.trim();
    if (values.targetMetric.trim()) body.targetMetric = values.targetMetric.trim();
    try {
      const created = await api.create(body);
      setErrors({ fields: {}, form: null });
      onCreated(created);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const f = err.failure;
      const list: FieldError[] =
        f.kind === 'problem' && f.code === 'experiment_exists'
          ? [
              {
                path: 'key',
                message: `"${body.key}" is taken by an existing experiment: choose another key.`,
              },
            ]
          : f.kind === 'problem'
            ? f.errors
            : [];
      const fields: Errors['fields'] = {};
      const unplaced: string[] = [];
      for (const e of list) {
        const field = fieldOf(e.path);
        if (field) (fields[field] ??= []).push(field === 'weights' ? `${e.path}: ${e.message}` : e.message);
        else unplaced.push(`${e.path}: ${e.message}`);
      }
      setErrors({
        fields,
        form: list.length === 0 || unplaced.length ? [f.detail, ...unplaced].join(' ') : null,
      });
    } finally {
      setBusy(false);
    }
  };

  /** Typing in a field clears its error (it is checked again at the next submit). */
  const edit = (name: Field, value: string) => {
    setValues({ ...values, [name]: value });
    if (errors.fields[name]) {
      const { [name]: _gone, ...rest } = errors.fields;
      setErrors({ ...errors, fields: rest });
    }
  };

  const field = (name: Field, label: string, hint?: string) => {
    const errs = errors.fields[name];
    const id = `new-${name}`;
    const described = [hint ? `${id}-hint` : '', errs ? `${id}-error` : ''].filter(Boolean).join(' ');
    return (
      <div class="field">
        <label for={id}>{label}</label>
        {name === 'hypothesis' ? (
          <textarea
            id={id}
            rows={2}
            value={values[name]}
            aria-invalid={errs ? 'true' : undefined}
            aria-describedby={described || undefined}
            onInput={(e) => edit(name, e.currentTarget.value)}
          />
        ) : (
          <input
            id={id}
            type="text"
            inputMode={name === 'trafficPercent' ? 'decimal' : undefined}
            list={name === 'targetMetric' ? 'target-metrics' : undefined}
            value={values[name]}
            aria-invalid={errs ? 'true' : undefined}
            aria-describedby={described || undefined}
            onInput={(e) => edit(name, e.currentTarget.value)}
          />
        )}
        {hint ? (
          <p id={`${id}-hint`} class="hint">
            {hint}
          </p>
        ) : null}
        {errs ? (
          <p id={`${id}-error`} class="field-error">
            {errs.join('; ')}
          </p>
        ) : null}
      </div>
    );
  };

  return (
    <form
      class="create-form"
      aria-labelledby="h-new-experiment"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="h-new-experiment">New experiment</h2>
      {errors.form ? (
        <Message kind="error" title="The experiment was not created">
          {errors.form}
        </Message>
      ) : null}
      <div class="form-grid">
        {field('key', 'Key', 'Lowercase letters, digits, "_" and "-"; cannot change later.')}
        {field('name', 'Name', 'Defaults to the key.')}
        {field('hypothesis', 'Hypothesis')}
        {field(
          'weights',
          'Variants and weights',
          'key:weight pairs, the control first: control:50,variant_a:50',
        )}
        {field('trafficPercent', 'Traffic (%)', 'Share of users who enter the experiment, 0–100.')}
        {field(
          'targetMetric',
          'Target metric',
          'conversion, k_factor, retention_d7, ltv or any metric name.',
        )}
        <datalist id="target-metrics">
          {TARGET_METRICS.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </div>
      <button type="submit" disabled={busy}>
        Create experiment
      </button>
    </form>
  );
}
