import type { ExperimentResults } from '../experiments/results-service.js';

export type Decision = 'invalid' | 'wait' | 'rollback' | 'ship' | 'inconclusive' | 'continue';

export interface Policy {
  primaryMetric: string;
  guardrails: { metric: string; direction: 'higher_is_better' | 'lower_is_better' }[];
  minDays: number;
  minUsersPerVariant: number;
  maxDays: number | null;
  autoDeclare: boolean;
}

const SRM_INVALID_P = 0.001;
export const DECISION_ALPHA = 0.05;

/** The always-valid interval of a treatment's difference: the value CI for valued metrics, else the rate CI. */
const intervalOf = (v: ExperimentResults['variants'][number]) => v.value?.ci ?? v.ci.absolute;

/**
 * First match wins: invalid (SRM p < 0.001); wait (fewer than minDays since start, or fewer than
 * minUsersPerVariant exposed in some variant); rollback (a guardrail's always-valid interval at α/#guardrails
 * excludes 0 on the harmful side for a treatment); ship (a treatment significantly better on the primary metric,
 * Holm-adjusted sequential p < α, without a harmful guardrail; the largest lower bound wins); inconclusive
 * (maxDays passed); else continue.
 */
export function decide(
  policy: Policy,
  daysRunning: number,
  primary: ExperimentResults,
  guardrails: {
    metric: string;
    direction: Policy['guardrails'][number]['direction'];
    results: ExperimentResults;
  }[],
): { decision: Decision; variant?: string; reasons: string[] } {
  if (primary.srm.pValue !== null && primary.srm.pValue < SRM_INVALID_P) {
    return {
      decision: 'invalid',
      reasons: [`sample-ratio mismatch: χ² p = ${primary.srm.pValue.toExponential(2)} < ${SRM_INVALID_P}`],
    };
  }
  const short = primary.variants.filter((v) => v.exposed < policy.minUsersPerVariant);
  if (daysRunning < policy.minDays || short.length > 0) {
    const reasons: string[] = [];
    if (daysRunning < policy.minDays) {
      reasons.push(`running ${daysRunning.toFixed(1)} of the minimum ${policy.minDays} days`);
    }
    for (const v of short)
      reasons.push(`${v.variant}: ${v.exposed} of ${policy.minUsersPerVariant} exposed users`);
    return { decision: 'wait', reasons };
  }
  const harmed = new Map<string, string[]>();
  for (const g of guardrails) {
    for (const v of g.results.variants.filter((x) => !x.isControl)) {
      const ci = intervalOf(v);
      if (!ci) continue;
      const harm = g.direction === 'higher_is_better' ? ci[1] < 0 : ci[0] > 0;
      if (harm) {
        const list = harmed.get(v.variant) ?? [];
        list.push(
          `guardrail ${g.metric} (${g.direction}) harmed: interval [${ci[0].toPrecision(3)}, ${ci[1].toPrecision(3)}]`,
        );
        harmed.set(v.variant, list);
      }
    }
  }
  if (harmed.size > 0) {
    return {
      decision: 'rollback',
      variant: [...harmed.keys()][0]!,
      reasons: [...harmed.entries()].flatMap(([variant, list]) => list.map((r) => `${variant}: ${r}`)),
    };
  }
  const winners = primary.variants
    .filter((v) => !v.isControl && v.pValueAdjusted !== null && v.pValueAdjusted < DECISION_ALPHA)
    .filter((v) => {
      const ci = intervalOf(v);
      return ci !== null && ci[0] > 0;
    })
    .sort((a, b) => intervalOf(b)![0] - intervalOf(a)![0]);
  if (winners.length > 0) {
    const best = winners[0]!;
    const ci = intervalOf(best)!;
    return {
      decision: 'ship',
      variant: best.variant,
      reasons: [
        `${best.variant} is better on ${primary.metric}: Holm-adjusted sequential p = ${best.pValueAdjusted!.toPrecision(3)} < ${DECISION_ALPHA}, always-valid interval [${ci[0].toPrecision(3)}, ${ci[1].toPrecision(3)}]`,
        ...(policy.guardrails.length ? ['no guardrail harmed'] : []),
      ],
    };
  }
  if (policy.maxDays !== null && daysRunning >= policy.maxDays) {
    return {
      decision: 'inconclusive',
      reasons: [`maxDays ${policy.maxDays} passed without a significant winner`],
    };
  }
  return { decision: 'continue', reasons: ['no treatment is significantly better yet'] };
}
