import { useState } from 'preact/hooks';
import { ApiError, type Experiment, api } from '../api.js';
import { Message } from './message.js';

/** Start a draft, pause a running experiment, resume a paused one. */
export function LifecycleControls({ e, onChanged }: { e: Experiment; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = (call: () => Promise<Experiment>) => async () => {
    setBusy(true);
    try {
      await call();
      setError(null);
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.failure.detail : String(err));
    } finally {
      setBusy(false);
    }
  };
  const action =
    e.status === 'draft'
      ? { label: 'Start experiment', run: () => api.start(e.key) }
      : e.status === 'running'
        ? { label: 'Pause experiment', run: () => api.pause(e.key) }
        : e.status === 'paused'
          ? { label: 'Resume experiment', run: () => api.start(e.key) }
          : null;
  if (!action) return null;
  return (
    <div class="actions">
      <button type="button" disabled={busy} onClick={act(action.run)}>
        {action.label}
      </button>
      {error ? (
        <Message kind="error" title="The action failed">
          {error}
        </Message>
      ) : null}
    </div>
  );
}
