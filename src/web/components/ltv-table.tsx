import type { Ltv } from '../api.js';
import { fmtAmount, fmtInt, fmtPct, words } from '../format.js';

type Row = Ltv['total'];

function Cells({ r }: { r: Row }) {
  return (
    <>
      <td class="num">{fmtInt(r.users)}</td>
      <td class="num">{fmtInt(r.matured)}</td>
      <td class="num">{fmtAmount(r.revenue)}</td>
      <td class="num">{r.ltv === null ? 'not yet' : fmtAmount(r.ltv)}</td>
      <td class="num">{r.payingShare === null ? 'not yet' : fmtPct(r.payingShare)}</td>
    </>
  );
}

/** Revenue per user in the first horizonDays after signup, per acquisition loop. */
export function LtvTable({ l }: { l: Ltv }) {
  if (l.total.users === 0) return <p class="empty">No signups in this period.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>
          Revenue in the first {l.horizonDays} days after signup, per user whose {l.horizonDays} days have
          passed (matured); refunds included
        </caption>
        <thead>
          <tr>
            <th scope="col">Loop</th>
            <th scope="col" class="num">
              Users
            </th>
            <th scope="col" class="num">
              Matured
            </th>
            <th scope="col" class="num">
              Revenue
            </th>
            <th scope="col" class="num">
              LTV
            </th>
            <th scope="col" class="num">
              Paying
            </th>
          </tr>
        </thead>
        <tbody>
          {l.sources.map((s) => (
            <tr key={s.source}>
              <th scope="row">{words(s.source)}</th>
              <Cells r={s} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All loops</th>
            <Cells r={l.total} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
