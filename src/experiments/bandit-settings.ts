import { fieldError } from '../errors.js';
import type { BanditSettings, ExperimentType } from './types.js';

/** SPEC §10.1 defaults. */
const BANDIT_DEFAULTS = {
  explorationHours: 24,
  updateEveryMinutes: 60,
  minWeight: 0.01,
  minUsersPerVariant: 100,
} as const;

/** Metrics without a Beta posterior: a bandit cannot follow them. */
const NOT_BINOMIAL = new Set(['k_factor', 'ltv']);

/** The metric a bandit follows: the one named in its settings, else the experiment's targetMetric. */
export const banditMetric = (e: { bandit: BanditSettings | null; targetMetric: string }): string =>
  e.bandit?.metric ?? e.targetMetric;

/**
 * The settings an experiment ends up with after a create or a patch: null for type ab (settings are refused
 * there), the given or kept settings with defaults for type bandit. Checks what needs the whole experiment: the
 * metric must be binomial and minWeight × variants < 1.
 */
export function resolveBandit(o: {
  type: ExperimentType;
  given: Partial<BanditSettings> | undefined;
  current: BanditSettings | null;
  targetMetric: string;
  variants: number;
}): BanditSettings | null {
  if (o.type === 'ab') {
    if (o.given) throw fieldError('bandit', 'is only for type "bandit"');
    return null;
  }
  const base = o.given ?? o.current ?? {};
  // `metric` is kept only when named, so that it follows targetMetric otherwise.
  const settings: BanditSettings = {
    ...(base.metric === undefined ? {} : { metric: base.metric }),
    explorationHours: base.explorationHours ?? BANDIT_DEFAULTS.explorationHours,
    updateEveryMinutes: base.updateEveryMinutes ?? BANDIT_DEFAULTS.updateEveryMinutes,
    minWeight: base.minWeight ?? BANDIT_DEFAULTS.minWeight,
    minUsersPerVariant: base.minUsersPerVariant ?? BANDIT_DEFAULTS.minUsersPerVariant,
  };
  const metric = settings.metric ?? o.targetMetric;
  if (NOT_BINOMIAL.has(metric)) {
    throw fieldError(
      settings.metric === undefined ? 'targetMetric' : 'bandit.metric',
      `a bandit needs a binomial metric, not "${metric}" (name one in bandit.metric)`,
    );
  }
  if (settings.minWeight * o.variants >= 1) {
    throw fieldError(
      'bandit.minWeight',
      `minWeight × variants must be < 1 (${settings.minWeight} × ${o.variants})`,
    );
  }
  return settings;
}
