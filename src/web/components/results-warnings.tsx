import type { Results } from '../api.js';
import { fmtPIs } from '../format.js';
import { Message } from './message.js';

/** Reasons not to trust the table yet: a sample-ratio mismatch, too little data, and the API's own warnings. */
export function ResultsWarnings({ r }: { r: Results }) {
  const treatments = r.variants.filter((v) => !v.isControl);
  const thin = r.totals.exposed === 0 || treatments.some((v) => v.pValue === null && v.value?.pValue == null);
  return (
    <>
      {r.srm.mismatch ? (
        <Message kind="warning" title="Sample ratio mismatch">
          Exposed users per variant differ from the weights (χ² {fmtPIs(r.srm.pValue)}). Check assignment and
          exposure logging before trusting these results.
        </Message>
      ) : null}
      {r.totals.exposed === 0 ? (
        <Message kind="info" title="Not enough data: no exposed users yet">
          Results appear once users are exposed (POST …/exposures or assignments with expose: true).
        </Message>
      ) : thin ? (
        <Message kind="info" title="Not enough data to compare every variant yet">
          Some statistics cannot be computed yet (shown as —).
        </Message>
      ) : null}
      {r.warnings.length > 0 ? (
        <details class="warnings">
          <summary>{r.warnings.length} warning(s) from the statistics</summary>
          <ul>
            {r.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}
