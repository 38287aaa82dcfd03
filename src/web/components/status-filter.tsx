import type { Status } from '../api.js';
import { STATUSES } from '../route.js';

export function StatusFilter({
  status,
  onChange,
}: {
  status: Status | null;
  onChange: (s: Status | null) => void;
}) {
  return (
    <label class="inline-field">
      Filter experiments by status
      <select
        title="Show only the experiments with this status"
        value={status ?? ''}
        onChange={(e) => onChange(STATUSES.find((s) => s === e.currentTarget.value) ?? null)}
      >
        <option value="">All statuses</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </label>
  );
}
