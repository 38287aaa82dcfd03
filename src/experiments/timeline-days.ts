import { proportionsTest } from '../stats/proportions.js';
import type { Correction } from '../stats/types.js';
import type { ResultsQuery } from './results-service.js';
import type { Experiment } from './types.js';

/** The experiment's variant keys with the control first: the order of every results row. */
export const variantOrder = (e: Experiment): string[] => [
  e.controlVariant,
  ...e.variants.map((v) => v.key).filter((k) => k !== e.controlVariant),
];

/**
 * Timeline rows (one per day and variant) as days, each with its arms in the experiment's order; a variant without a
 * row that day gets `empty`.
 */
export function armsByDay<R extends { day: Date; variant: string }, A>(
  rows: R[],
  e: Experiment,
  empty: A,
  arm: (r: R) => A,
): { date: string; keys: string[]; arms: A[] }[] {
  const byDay = new Map<number, Map<string, A>>();
  for (const r of rows) {
    const day = byDay.get(r.day.getTime()) ?? new Map<string, A>();
    day.set(r.variant, arm(r));
    byDay.set(r.day.getTime(), day);
  }
  const keys = variantOrder(e);
  return [...byDay].map(([time, arms]) => ({
    date: new Date(time).toISOString(),
    keys,
    arms: keys.map((k) => arms.get(k) ?? empty),
  }));
}

/** One day's proportions test over n users and their conversions per arm, the control first. */
export const dayTest = (arms: { n: number; conversions: number }[], q: ResultsQuery) =>
  proportionsTest({
    control: arms[0]!,
    treatments: arms.slice(1),
    alpha: q.alpha,
    correction: q.correction as Correction,
    method: q.method,
    tuning: q.sequentialTuning,
  });
