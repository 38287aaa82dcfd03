import { PERIODS, type Period } from '../route.js';

/** 7 / 14 / 30 / 90 days, as radio buttons (arrow keys move between them). */
export function PeriodSelector({ days, onChange }: { days: Period; onChange: (d: Period) => void }) {
  return (
    <fieldset class="segmented">
      <legend>Period</legend>
      {PERIODS.map((p) => (
        <label key={p}>
          <input type="radio" name="period" value={p} checked={p === days} onChange={() => onChange(p)} />
          <span>{p} days</span>
        </label>
      ))}
    </fieldset>
  );
}
