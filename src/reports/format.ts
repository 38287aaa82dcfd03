// The dashboard's number formats (K with 2 decimals, rates as percentages, counts as integers), for report files.
// PDF text uses the standard Helvetica font, whose WinAnsi encoding has no glyphs beyond Latin-1: other characters
// print as "?".
const NONE = '-';
const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export const fmtK = (x: number | null | undefined): string => (finite(x) ? x.toFixed(2) : NONE);

export const fmtPct = (x: number | null | undefined, digits = 1): string =>
  finite(x) ? `${(x * 100).toFixed(digits)} %` : NONE;

export const fmtLift = (x: number | null | undefined, digits = 1): string =>
  finite(x) ? `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)} %` : NONE;

export const fmtInt = (x: number | null | undefined): string =>
  finite(x) ? Math.round(x).toLocaleString('en-US') : NONE;

export const fmtNumber = (x: number | null | undefined, digits = 2): string =>
  finite(x) ? x.toFixed(digits) : NONE;

export const fmtP = (p: number | null | undefined): string =>
  !finite(p) ? NONE : p < 0.001 ? '< 0.001' : p.toFixed(3);

export const fmtDuration = (s: number | null | undefined): string => {
  if (!finite(s)) return NONE;
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
};

/** The calendar date of an instant in a time zone (YYYY-MM-DD). */
export const fmtDay = (iso: string | Date, tz: string): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));

export const fmtDateTime = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Text the standard PDF fonts can show, cut to `max` characters. */
export const pdfText = (s: string, max = 200): string => {
  const t = s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};
