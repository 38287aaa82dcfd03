import type { Cohorts } from '../api.js';
import { fmtDate, fmtInt, fmtK, fmtNumber, fmtPct } from '../format.js';

/** Users by signup week: how many invites they sent and how many of those converted. */
export function CohortTable({ cohorts }: { cohorts: Cohorts['cohorts'] }) {
  if (cohorts.every((c) => c.size === 0)) return <p class="empty">No signups in the last 12 weeks.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Weekly signup cohorts (last 12 weeks)</caption>
        <thead>
          <tr>
            <th scope="col">Week of</th>
            <th scope="col" class="num">
              Users
            </th>
            <th scope="col" class="num">
              Invites
            </th>
            <th scope="col" class="num">
              Invites / user
            </th>
            <th scope="col" class="num">
              Conversion
            </th>
            <th scope="col" class="num">
              K
            </th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.weekStart}>
              <th scope="row" class="nowrap">
                {fmtDate(c.weekStart)}
              </th>
              <td class="num">{fmtInt(c.size)}</td>
              <td class="num">{fmtInt(c.invites)}</td>
              <td class="num">{fmtNumber(c.avgInvitesPerUser)}</td>
              <td class="num">{fmtPct(c.conversionRate)}</td>
              <td class="num">{fmtK(c.kFactor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
