import { PERIODS, type Period } from '../route.js';

/**
 * 7 / 14 / 30 / 90 days, as radio buttons (arrow keys move between them). `name` keeps the radio groups of a page
 * apart; `legend` names the group.
 */
export function PeriodSelector({
  days,
  onChange,
  name = 'period',
  legend = 'Period',
}: {
  days: Period;
  onChange: (d: Period) => void;
  name?: string;
  legend?: string;
}) {
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      {PERIODS.map((p) => (
        <label key={p}>
          <input type="radio" name={name} value={p} checked={p === days} onChange={() => onChange(p)} />
          <span>{p} days</span>
        </label>
      ))}
    </fieldset>
  );
}
