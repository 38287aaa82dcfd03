import { useState } from 'preact/hooks';
import type { Method } from '../api.js';
import { TARGET_METRICS } from './create-experiment-form.js';

interface ResultsControlsProps {
  metric: string;
  targetMetric: string;
  method: Method;
  /** null: CUPED does not apply (bandits, k_factor) and the switch is not shown. */
  cuped: boolean | null;
  onChange: (metric: string, method: Method, cuped: boolean) => void;
}

/**
 * Which metric to judge the variants on, fixed-horizon or sequential (always-valid) statistics, and whether to
 * adjust for what users did before the test (CUPED).
 */
export function ResultsControls({ metric, targetMetric, method, cuped, onChange }: ResultsControlsProps) {
  const [draft, setDraft] = useState(metric);
  return (
    <div class="actions">
      <form
        class="inline-field"
        onSubmit={(e) => {
          e.preventDefault();
          onChange(draft.trim() || targetMetric, method, cuped ?? false);
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
              onChange={() => onChange(metric, m, cuped ?? false)}
            />
            <span>{m === 'fixed' ? 'Fixed horizon' : 'Sequential'}</span>
          </label>
        ))}
      </fieldset>
      {cuped === null ? null : (
        <label class="inline-field">
          <input
            type="checkbox"
            checked={cuped}
            onChange={(e) => onChange(metric, method, e.currentTarget.checked)}
          />
          <span>CUPED (variance reduction)</span>
        </label>
      )}
    </div>
  );
}
