import type { Funnel } from '../api.js';
import { fmtDuration, fmtInt, fmtPct, words } from '../format.js';

/** Between two stages: the share lost, or (when the later stage is larger, e.g. signups without a click) the growth. */
function Step({ s }: { s: Funnel['stages'][number] }) {
  const ratio = s.conversionFromPrevious;
  if (ratio === null) return null;
  const median =
    s.medianSecondsFromPrevious !== null ? `, median ${fmtDuration(s.medianSecondsFromPrevious)}` : '';
  if (ratio > 1) {
    return (
      <p class="dropoff growth">
        ↑ +{fmtPct(ratio - 1)} growth{median}
      </p>
    );
  }
  return (
    <p class="dropoff">
      ↓ {fmtPct(1 - ratio)} drop-off{median}
    </p>
  );
}

/** Invited → clicked → signed up → first value, each bar as wide as its share of the largest, drop-offs between. */
export function FunnelChart({ stages }: { stages: Funnel['stages'] }) {
  const top = stages[0]?.count ?? 0;
  if (top === 0) return <p class="empty">No invites in this period, so the funnel is empty.</p>;
  const widest = Math.max(...stages.map((s) => s.count));
  return (
    <ol class="funnel" aria-label="Invite funnel">
      {stages.map((s, i) => (
        <li key={s.stage}>
          {i > 0 ? <Step s={s} /> : null}
          <div class="funnel-row">
            <span class="funnel-label">{words(s.stage)}</span>
            <span class="funnel-track">
              <span class="funnel-bar" style={{ width: `${Math.max((s.count / widest) * 100, 0.5)}%` }} />
            </span>
            <span class="funnel-count">
              {fmtInt(s.count)} <span class="sub">({fmtPct(s.conversionFromTop)})</span>
            </span>
          </div>
        </li>
      ))}
    </ol>
  );
}
