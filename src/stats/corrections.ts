import type { Correction } from './types.js';

/**
 * Multiple-comparison adjustment over the non-null p-values (nulls are not part of the family and stay null):
 * Bonferroni min(1, m·p); Holm's step-down max_{j ≤ i} min(1, (m − j + 1)·p_(j)); none leaves p as is.
 */
export function adjustPValues(pValues: (number | null)[], correction: Correction): (number | null)[] {
  const present = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }]));
  const m = present.length;
  const out: (number | null)[] = pValues.map(() => null);
  if (correction === 'none') return [...pValues];
  if (correction === 'bonferroni') {
    for (const { p, i } of present) out[i] = Math.min(1, m * p);
    return out;
  }
  present.sort((a, b) => a.p - b.p);
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
