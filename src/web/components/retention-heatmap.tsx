import type { Retention } from '../api.js';
import { fmtDate, fmtInt, fmtPct } from '../format.js';

type Period = Retention['overall'][number];

/** Light (0 %) to mid blue (100 %); dark text stays readable on every shade. */
const shade = (rate: number) => ({ backgroundColor: `hsl(212 75% ${Math.round(97 - rate * 37)}%)` });

function Cell({ p }: { p: Period | undefined }) {
  if (!p || p.eligible === 0 || p.rate === null) {
    return (
      <td class="num heat pending" title="Nobody in this cohort has completed this period yet">
        not yet
      </td>
    );
  }
  const title = `${fmtInt(p.retained)} retained of ${fmtInt(p.eligible)} eligible`;
  return (
    <td class="num heat" style={shade(p.rate)} title={title} aria-label={`${fmtPct(p.rate)}, ${title}`}>
      {fmtPct(p.rate)}
    </td>
  );
}

/** Cohort × period retention: colour by rate, eligible and retained counts on hover (and for screen readers). */
export function RetentionHeatmap({ r }: { r: Retention }) {
  if (r.cohorts.every((c) => c.size === 0)) return <p class="empty">No signups in this period.</p>;
  const periods = r.overall.map((p) => p.period);
  const unit = r.granularity === 'week' ? 'Week' : 'Day';
  return (
    <div class="table-wrap">
      <table class="heatmap">
        <caption>
          Share of each signup {r.granularity === 'week' ? 'week' : 'day'} active in {unit.toLowerCase()} k
          after signing up ({r.mode === 'on' ? 'active in that period' : 'active then or later'}); “not yet”
          until the period has fully elapsed
        </caption>
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col" class="num">
              Users
            </th>
            {periods.map((k) => (
              <th key={k} scope="col" class="num">
                {unit} {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {r.cohorts.map((c) => (
            <tr key={c.cohortStart}>
              <th scope="row" class="nowrap">
                {fmtDate(c.cohortStart)}
              </th>
              <td class="num">{fmtInt(c.size)}</td>
              {periods.map((k) => (
                <Cell key={k} p={c.periods.find((p) => p.period === k)} />
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All cohorts</th>
            <td class="num">{fmtInt(r.cohorts.reduce((s, c) => s + c.size, 0))}</td>
            {r.overall.map((p) => (
              <Cell key={p.period} p={p} />
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
