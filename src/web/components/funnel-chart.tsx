import type { Funnel } from '../api.js';
import { fmtDuration, fmtInt, fmtPct, words } from '../format.js';

/** Invited → clicked → signed up → first value, each bar as wide as its share of the top, drop-offs between. */
export function FunnelChart({ stages }: { stages: Funnel['stages'] }) {
  const top = stages[0]?.count ?? 0;
  if (top === 0) return <p class="empty">No invites in this period, so the funnel is empty.</p>;
  return (
    <ol class="funnel" aria-label="Invite funnel">
      {stages.map((s, i) => (
        <li key={s.stage}>
          {i > 0 && s.conversionFromPrevious !== null ? (
            <p class="dropoff">
              ↓ {fmtPct(1 - s.conversionFromPrevious)} drop-off
              {s.medianSecondsFromPrevious !== null
                ? `, median ${fmtDuration(s.medianSecondsFromPrevious)}`
                : ''}
            </p>
          ) : null}
          <div class="funnel-row">
            <span class="funnel-label">{words(s.stage)}</span>
            <span class="funnel-track">
              <span class="funnel-bar" style={{ width: `${Math.max(s.conversionFromTop * 100, 0.5)}%` }} />
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
