import { useState } from 'preact/hooks';
import { keyProblem, submitKey } from '../session.js';

/** Asks for an API key once per tab; the linked view shows as soon as the key is accepted. */
export function KeyPrompt() {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="key-prompt">
      <h1>Liftoff dashboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          setBusy(true);
          void submitKey(key).finally(() => setBusy(false));
        }}
      >
        <p>
          This service needs an API key. It is kept in this tab only (sessionStorage) until the tab closes.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          value={key}
          aria-invalid={keyProblem.value ? 'true' : undefined}
          aria-describedby={keyProblem.value ? 'api-key-error' : undefined}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        {keyProblem.value ? (
          <p id="api-key-error" class="field-error" role="alert">
            {keyProblem.value}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Open dashboard
        </button>
      </form>
    </main>
  );
}
