import type { LoopEfficiency } from '../api.js';
import { fmtInt, fmtK, fmtPct, words } from '../format.js';

/** K of each viral loop, and what to do about the loop. */
export function LoopTable({ loops }: { loops: LoopEfficiency['loops'] }) {
  if (loops.length === 0) return <p class="empty">No invites in this period, so no loop to rank.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>K by loop, best first</caption>
        <thead>
          <tr>
            <th scope="col">Loop</th>
            <th scope="col" class="num">
              K
            </th>
            <th scope="col" class="num">
              Conversion
            </th>
            <th scope="col" class="num">
              Invites
            </th>
            <th scope="col">Recommendation</th>
          </tr>
        </thead>
        <tbody>
          {loops.map((l) => (
            <tr key={l.source}>
              <th scope="row">{words(l.source)}</th>
              <td class="num">{fmtK(l.kFactor)}</td>
              <td class="num">{fmtPct(l.conversionRate)}</td>
              <td class="num">{fmtInt(l.invites)}</td>
              <td>
                <span class={`badge rec-${l.recommendation}`}>{words(l.recommendation)}</span>{' '}
                <span class="sub">{l.recommendationText}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
