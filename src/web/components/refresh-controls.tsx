import { fmtTime } from '../format.js';
import { lastUpdated, paused, refreshNow } from '../refresh.js';

/** When the data was last loaded, a pause switch for the 60 s refresh, and a refresh-now button. */
export function RefreshControls() {
  return (
    <div class="refresh">
      <span role="status" aria-live="polite">
        {lastUpdated.value ? `Last updated ${fmtTime(lastUpdated.value)}` : 'Loading…'}
      </span>
      <label class="switch">
        <input
          type="checkbox"
          role="switch"
          checked={!paused.value}
          onChange={(e) => (paused.value = !e.currentTarget.checked)}
        />
        Auto-refresh (60 s)
      </label>
      <button type="button" onClick={refreshNow}>
        Refresh now
      </button>
    </div>
  );
}
