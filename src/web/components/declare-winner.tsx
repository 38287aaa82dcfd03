import { useRef, useState } from 'preact/hooks';
import { ApiError, type Experiment, api } from '../api.js';
import { Message } from './message.js';

/** Completes the experiment with a winner, in two steps: the first click only asks for confirmation. */
export function DeclareWinner({ e, onChanged }: { e: Experiment; onChanged: () => void }) {
  const [variant, setVariant] = useState(e.variants.find((v) => v.key !== e.controlVariant)?.key ?? '');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const declare = async () => {
    try {
      await api.declareWinner(e.key, variant);
      setConfirming(false);
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.failure.detail : String(err));
    }
  };
  return (
    <section class="panel" aria-labelledby="h-winner">
      <h2 id="h-winner">Declare a winner</h2>
      <div class="actions">
        <label class="inline-field">
          Winning variant
          <select value={variant} disabled={confirming} onChange={(ev) => setVariant(ev.currentTarget.value)}>
            {e.variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key}
              </option>
            ))}
          </select>
        </label>
        {confirming ? null : (
          <button
            type="button"
            onClick={() => {
              setConfirming(true);
              setTimeout(() => confirmButton.current?.focus());
            }}
          >
            Declare winner…
          </button>
        )}
      </div>
      {confirming ? (
        <div class="confirm" role="group" aria-label="Confirm the winner">
          <p>
            Declare <strong>{variant}</strong> the winner? This completes the experiment: every user is then
            sent to {variant}, and it cannot be undone.
          </p>
          <button type="button" class="danger" ref={confirmButton} onClick={() => void declare()}>
            Yes, declare {variant} the winner
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      {error ? (
        <Message kind="error" title="The winner was not declared">
          {error}
        </Message>
      ) : null}
    </section>
  );
}
