import type { Results } from '../api.js';
import { fmtNumber, fmtPct } from '../format.js';

/** What CUPED did to each comparison: the covariate, θ, the adjusted means and how much variance it removed. */
export function CupedSummary({ r }: { r: Results }) {
  if (!r.cuped) return null;
  const covariate = r.cuped.covariate === 'revenue' ? 'revenue' : 'days with activity';
  const control = r.variants.find((v) => v.isControl);
  return (
    <div class="cuped-summary">
      <p>
        CUPED adjusts for each user’s {covariate} in the {r.cuped.lookbackDays} days before first exposure.
        Lifts, p-values and intervals below are the adjusted ones.
      </p>
      <div class="table-wrap">
        <table>
          <caption>CUPED adjustment per comparison with {control?.variant ?? 'the control'}</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">θ</th>
              <th scope="col">Adjusted mean</th>
              <th scope="col">Control adjusted</th>
              <th scope="col">Variance reduction</th>
            </tr>
          </thead>
          <tbody>
            {r.variants
              .filter((v) => !v.isControl)
              .map((v) => (
                <tr key={v.variant}>
                  <th scope="row">{v.variant}</th>
                  <td>{fmtNumber(v.cuped?.theta, 4)}</td>
                  <td>{fmtNumber(v.cuped?.adjustedMean, 4)}</td>
                  <td>{fmtNumber(v.cuped?.controlAdjustedMean, 4)}</td>
                  <td>{fmtPct(v.cuped?.varianceReduction)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
