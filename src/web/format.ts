// Every number on screen goes through here, so none can show as NaN, undefined or null.
const DASH = '—';
const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** K-factor and other ratios: 2 decimals. */
export const fmtK = (x: number | null | undefined): string => (finite(x) ? x.toFixed(2) : DASH);

/** A fraction as a percentage (0.253 → "25.3 %"). */
export const fmtPct = (x: number | null | undefined, digits = 1): string =>
  finite(x) ? `${(x * 100).toFixed(digits)} %` : DASH;

/** A signed percentage for lifts (+3.2 %). */
export const fmtLift = (x: number | null | undefined, digits = 1): string =>
  finite(x) ? `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)} %` : DASH;

/** Counts: integers with thousands separators. */
export const fmtInt = (x: number | null | undefined): string =>
  finite(x) ? Math.round(x).toLocaleString('en-US') : DASH;

export const fmtNumber = (x: number | null | undefined, digits = 2): string =>
  finite(x) ? x.toFixed(digits) : DASH;

// One formatter per number of decimals; 'en-US' so the page reads the same on every machine (1,234.50).
const amountFormats = new Map<number, Intl.NumberFormat>();
/** Money and other amounts that can run into thousands (revenue, LTV, attribution credit): 12,345.67. */
export const fmtAmount = (x: number | null | undefined, digits = 2): string => {
  if (!finite(x)) return DASH;
  let f = amountFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    amountFormats.set(digits, f);
  }
  return f.format(x);
};

export const fmtP = (p: number | null | undefined): string =>
  !finite(p) ? DASH : p < 0.001 ? '< 0.001' : p.toFixed(3);

/** A p-value in a sentence: "p < 0.001" for tiny ones (never "p = < 0.001" or 1e-12), else "p = 0.042". */
export const fmtPIs = (p: number | null | undefined): string =>
  !finite(p) ? `p ${DASH}` : p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;

/** Durations given in seconds, in the unit that reads best. */
export const fmtDuration = (s: number | null | undefined): string => {
  if (!finite(s)) return DASH;
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
};

export const fmtDate = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toISOString().slice(0, 10) : DASH;

export const fmtDateTime = (iso: string | null | undefined): string =>
  iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : DASH;

export const fmtTime = (d: Date): string => d.toTimeString().slice(0, 8);

/** snake_case API words as text ("scale_aggressively" → "scale aggressively"). */
export const words = (s: string): string => s.replaceAll('_', ' ');

const METRIC_NAMES: Record<string, string> = {
  k_factor: 'K-factor',
  retention_d7: 'day-7 retention',
  ltv: 'LTV',
};
/** A metric's name for people ("retention_d7" → "day-7 retention"); other names as written, in words. */
export const metricName = (m: string): string => METRIC_NAMES[m] ?? words(m);
