import { fmtLift, fmtNumber } from '../format.js';

interface LiftBarProps {
  interval: [number, number] | null;
  estimate: number | null;
  /** Half-width of the shared axis, so the bars of one table compare. */
  scale: number;
  /** Lifts are fractions shown as %, mean differences as plain numbers. */
  percent: boolean;
  level: number;
}

/** The confidence interval of a lift as a bar around zero: green above, red below, grey across it. */
export function LiftBar({ interval, estimate, scale, percent, level }: LiftBarProps) {
  if (!interval || estimate === null) return <span class="sub">—</span>;
  const [lo, hi] = interval;
  const fmt = (x: number) => (percent ? fmtLift(x) : fmtNumber(x, 3));
  const x = (v: number) => 50 + (Math.max(-scale, Math.min(scale, v)) / scale) * 48;
  const tone = lo > 0 ? 'up' : hi < 0 ? 'down' : 'flat';
  return (
    <svg
      class={`lift-bar lift-${tone}`}
      viewBox="0 0 100 16"
      preserveAspectRatio="none"
      role="img"
      aria-label={`${Math.round(level * 100)} % interval ${fmt(lo)} to ${fmt(hi)}, estimate ${fmt(estimate)}`}
    >
      <line class="zero" x1="50" x2="50" y1="0" y2="16" />
      <rect x={x(lo)} y="5" width={Math.max(x(hi) - x(lo), 0.8)} height="6" rx="2" />
      <line class="estimate" x1={x(estimate)} x2={x(estimate)} y1="2" y2="14" />
    </svg>
  );
}
