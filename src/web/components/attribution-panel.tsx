import type { Attribution, AttributionModel } from '../api.js';
import { fmtAmount, fmtInt, fmtPct, words } from '../format.js';
import { MODELS } from '../route.js';

const LABELS: Record<AttributionModel, string> = {
  first_touch: 'First touch',
  last_touch: 'Last touch',
  linear: 'Linear',
  time_decay: 'Time decay',
  position_based: 'Position based',
};

/** The attribution model switch (radio buttons, kept in the URL). */
export function ModelSwitch({
  model,
  onChange,
}: {
  model: AttributionModel;
  onChange: (m: AttributionModel) => void;
}) {
  return (
    <fieldset class="segmented">
      <legend>Attribution model</legend>
      {MODELS.map((m) => (
        <label key={m}>
          <input type="radio" name="model" value={m} checked={m === model} onChange={() => onChange(m)} />
          <span>{LABELS[m]}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Credit for referred signups per loop and per referrer under the chosen model. */
export function AttributionTables({ a }: { a: Attribution }) {
  if (a.signups === 0) return <p class="empty">No referred signups in this period.</p>;
  return (
    <>
      <p class="window">
        {fmtInt(a.signups)} referred signups, {fmtInt(a.multiTouchSignups)} with more than one touch
        (look-back {a.lookbackDays} days)
      </p>
      <div class="grid-2">
        <div class="table-wrap">
          <table class="attribution-sources">
            <caption>Credit by loop ({LABELS[a.model]})</caption>
            <thead>
              <tr>
                <th scope="col">Loop</th>
                <th scope="col" class="num">
                  Credit
                </th>
                <th scope="col" class="num">
                  Share
                </th>
                <th scope="col">
                  <span class="visually-hidden">Share bar</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {a.bySource.map((s) => (
                <tr key={s.source}>
                  <th scope="row">{words(s.source)}</th>
                  <td class="num">{fmtAmount(s.credit)}</td>
                  <td class="num">{fmtPct(s.share)}</td>
                  <td class="bar-cell">
                    <span class="share-bar" style={{ width: `${Math.round(s.share * 100)}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-wrap">
          <table class="attribution-referrers">
            <caption>Top referrers by credit</caption>
            <thead>
              <tr>
                <th scope="col">Referrer</th>
                <th scope="col" class="num">
                  Credit
                </th>
              </tr>
            </thead>
            <tbody>
              {a.byReferrer.map((r) => (
                <tr key={r.referrerId}>
                  <th scope="row" class="id">
                    {r.referrerId}
                  </th>
                  <td class="num">{fmtAmount(r.credit)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
