import type { Summary } from '../api.js';
import { fmtInt, fmtPct } from '../format.js';

export function TopReferrersTable({ referrers }: { referrers: Summary['topReferrers'] }) {
  if (referrers.length === 0) return <p class="empty">No referrer sent an invite in this period.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Top 10 referrers by conversions</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">Referrer</th>
            <th scope="col" class="num">
              Invites
            </th>
            <th scope="col" class="num">
              Conversions
            </th>
            <th scope="col" class="num">
              Conversion
            </th>
          </tr>
        </thead>
        <tbody>
          {referrers.map((r) => (
            <tr key={r.referrerId}>
              <td class="num">{fmtInt(r.rank)}</td>
              <th scope="row" class="id">
                {r.referrerId}
              </th>
              <td class="num">{fmtInt(r.invites)}</td>
              <td class="num">{fmtInt(r.conversions)}</td>
              <td class="num">{fmtPct(r.conversionRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
