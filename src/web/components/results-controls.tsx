import { useState } from 'preact/hooks';
import type { Method } from '../api.js';
import { TARGET_METRICS } from './create-experiment-form.js';

interface ResultsControlsProps {
  metric: string;
  targetMetric: string;
  method: Method;
  onChange: (metric: string, method: Method) => void;
}

/** Which metric to judge the variants on, and fixed-horizon or sequential (always-valid) statistics. */
export function ResultsControls({ metric, targetMetric, method, onChange }: ResultsControlsProps) {
  const [draft, setDraft] = useState(metric);
  return (
    <div class="actions">
      <form
        class="inline-field"
        onSubmit={(e) => {
          e.preventDefault();
          onChange(draft.trim() || targetMetric, method);
        }}
      >
        <label for="metric">Metric</label>
        <input
          id="metric"
          list="metric-names"
          value={draft}
          pattern="[a-z0-9_]{1,64}"
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <datalist id="metric-names">
          {[...new Set([targetMetric, ...TARGET_METRICS])].map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <button type="submit">Show</button>
      </form>
      <fieldset class="segmented">
        <legend>Method</legend>
        {(['fixed', 'sequential'] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              name="method"
              value={m}
              checked={method === m}
              onChange={() => onChange(metric, m)}
            />
            <span>{m === 'fixed' ? 'Fixed horizon' : 'Sequential'}</span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
