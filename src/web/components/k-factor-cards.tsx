import type { ComponentChildren } from 'preact';
import type { Summary } from '../api.js';
import { fmtDuration, fmtInt, fmtK, fmtNumber, fmtPct } from '../format.js';

function Card({ label, children, tone }: { label: string; children: ComponentChildren; tone?: string }) {
  return (
    <div class={`card${tone ? ` tone-${tone}` : ''}`} role="group" aria-label={label}>
      <h3>{label}</h3>
      {children}
    </div>
  );
}

/**
 * The headline figures of the period: K with its status, and what K is made of. Ratios over no invites (or no
 * users) are not 0 but unknown: they show "—" and say why, and K gets no status word.
 */
export function KFactorCards({ s }: { s: Summary }) {
  const noInvites = s.invites === 0;
  const noInvitesHint = <p class="sub">no invites in this period</p>;
  return (
    <section class="cards" aria-label="Key figures">
      <Card label="K-factor" tone={noInvites ? undefined : s.status}>
        <p class="value">{noInvites ? '—' : fmtK(s.kFactor)}</p>
        {noInvites ? noInvitesHint : <p class={`status status-${s.status}`}>{s.status}</p>}
      </Card>
      <Card label="Viral coefficient">
        <p class="value">{s.userBase === 0 ? '—' : fmtK(s.viralCoefficient)}</p>
        <p class="sub">
          {s.userBase === 0 ? 'no users yet' : `conversions ÷ user base (${fmtInt(s.userBase)})`}
        </p>
      </Card>
      <Card label="Conversion rate">
        <p class="value">{noInvites ? '—' : fmtPct(s.conversionRate)}</p>
        {noInvites ? (
          noInvitesHint
        ) : (
          <p class="sub">
            {fmtInt(s.conversions)} of {fmtInt(s.invites)} invites
          </p>
        )}
      </Card>
      <Card label="Cycle time">
        <p class="value">
          <span aria-label="median">p50 {fmtDuration(s.cycleTime.p50Seconds)}</span>
        </p>
        <p class="sub">
          {s.cycleTime.p50Seconds === null
            ? 'no converted invites yet'
            : `p90 ${fmtDuration(s.cycleTime.p90Seconds)}`}
        </p>
      </Card>
      <Card label="Active referrers">
        <p class="value">{fmtInt(s.activeReferrers)}</p>
        <p class="sub">users who sent an invite</p>
      </Card>
      <Card label="Invites per sender">
        <p class="value">{noInvites ? '—' : fmtNumber(s.invitesPerSender)}</p>
        {noInvites ? noInvitesHint : <p class="sub">invites ÷ active referrers</p>}
      </Card>
    </section>
  );
}
