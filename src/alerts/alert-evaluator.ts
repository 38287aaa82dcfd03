import type { ExperimentService } from '../experiments/experiment-service.js';
import type { ResultsService } from '../experiments/results-service.js';
import type { MetricsService } from '../viral/metrics-service.js';
import type { AnomalyService } from './anomaly-service.js';
import type { AnomalyMetric } from './anomaly-store.js';
import type { AlertRule } from './alert-store.js';

/** One subject's verdict: firing, not firing, or null when there is not enough data to judge (state kept). */
export interface Condition {
  subject: string;
  firing: boolean | null;
  summary: string;
  details: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? 'n/a' : x.toFixed(digits);

/** Turns a rule into verdicts by calling the public metric and results services (their SQL stays theirs). */
export class AlertEvaluator {
  constructor(
    private readonly metrics: MetricsService,
    private readonly anomalies: AnomalyService,
    private readonly experiments: ExperimentService,
    private readonly results: ResultsService,
  ) {}

  async evaluate(rule: AlertRule, now: Date): Promise<Condition[]> {
    const p = rule.params;
    switch (rule.type) {
      case 'k_factor_below':
        return [
          await this.kFactorBelow(
            p as { threshold: number; days: number; source?: string; minInvites: number },
            now,
          ),
        ];
      case 'anomaly':
        return [
          await this.anomaly(
            p as { metric: AnomalyMetric; source?: string; direction: 'drop' | 'both' },
            now,
          ),
        ];
      case 'srm':
        return this.perExperiment(p.experimentKey as string | undefined, (key) => this.srm(key));
      case 'significant':
        return this.perExperiment(p.experimentKey as string | undefined, (key) =>
          this.significant(key, p as { metric?: string; alpha: number }),
        );
    }
  }

  private async kFactorBelow(
    p: { threshold: number; days: number; source?: string; minInvites: number },
    now: Date,
  ): Promise<Condition> {
    const w = {
      from: new Date(now.getTime() - p.days * DAY_MS),
      to: now,
      tz: 'UTC',
      conversionWindowDays: 14,
    };
    const figures = p.source
      ? ((await this.metrics.bySource(w, now)).sources.find((s) => s.source === p.source) ?? {
          invites: 0,
          senders: 0,
          conversions: 0,
          kFactor: 0,
        })
      : await this.metrics.kFactor(w, now);
    const details = {
      kFactor: figures.kFactor,
      invites: figures.invites,
      senders: figures.senders,
      conversions: figures.conversions,
      threshold: p.threshold,
      days: p.days,
      source: p.source ?? null,
    };
    const enough = figures.invites >= p.minInvites;
    return {
      subject: '',
      firing: enough ? figures.kFactor < p.threshold : null,
      summary: enough
        ? `K over the last ${p.days} days${p.source ? ` (${p.source})` : ''} is ${fmt(figures.kFactor)} (threshold ${p.threshold}, ${figures.invites} invites).`
        : `Only ${figures.invites} invites in the last ${p.days} days (fewer than ${p.minInvites}): not judged.`,
      details,
    };
  }

  private async anomaly(
    p: { metric: AnomalyMetric; source?: string; direction: 'drop' | 'both' },
    now: Date,
  ): Promise<Condition> {
    const day = await this.anomalies.latestComplete(
      { metric: p.metric, source: p.source, tz: 'UTC', conversionWindowDays: 1 },
      now,
    );
    const judged =
      day !== null && (day.status === 'normal' || day.status === 'drop' || day.status === 'spike');
    const firing = day?.status === 'drop' || (p.direction === 'both' && day?.status === 'spike');
    return {
      subject: '',
      firing: judged ? firing : null,
      summary: day
        ? `${p.metric}${p.source ? ` (${p.source})` : ''} on ${day.date}: ${fmt(day.value)} against ${fmt(day.expected)} expected (z ${fmt(day.z)}): ${day.status}.`
        : `${p.metric}: no complete day yet.`,
      details: { metric: p.metric, source: p.source ?? null, ...(day ?? {}) },
    };
  }

  /** One verdict per running experiment, or for the named one (any status but draft). */
  private async perExperiment(
    key: string | undefined,
    judge: (key: string) => Promise<Condition>,
  ): Promise<Condition[]> {
    const keys: string[] = [];
    if (key) {
      const e = await this.experiments.get(key).catch(() => null);
      if (e && e.status !== 'draft') keys.push(key);
    } else {
      let cursor: string | undefined;
      do {
        const page = await this.experiments.list({ status: 'running', limit: 500, cursor });
        keys.push(...page.items.map((e) => e.key));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    const out: Condition[] = [];
    for (const k of keys) out.push(await judge(k));
    return out;
  }

  private async srm(key: string): Promise<Condition> {
    const r = await this.results.results(key, { alpha: 0.05, correction: 'holm', method: 'fixed' });
    return {
      subject: key,
      firing: r.srm.mismatch,
      summary: `Experiment ${key}: sample-ratio mismatch ${r.srm.mismatch ? 'detected' : 'not detected'} (χ² p = ${fmt(r.srm.pValue, 6)}; exposed ${r.variants.map((v) => `${v.variant} ${v.exposed}`).join(', ')}).`,
      details: {
        experimentKey: key,
        chiSquare: r.srm.chiSquare,
        pValue: r.srm.pValue,
        exposed: Object.fromEntries(r.variants.map((v) => [v.variant, v.exposed])),
      },
    };
  }

  private async significant(key: string, p: { metric?: string; alpha: number }): Promise<Condition> {
    const r = await this.results.results(key, {
      metric: p.metric,
      alpha: p.alpha,
      correction: 'holm',
      method: 'sequential',
    });
    const treatments = r.variants.filter((v) => !v.isControl);
    const winners = treatments.filter((v) => v.pValueAdjusted !== null && v.pValueAdjusted < p.alpha);
    const judged = treatments.some((v) => v.pValueAdjusted !== null);
    return {
      subject: key,
      firing: judged ? winners.length > 0 : null,
      summary: winners.length
        ? `Experiment ${key} (${r.metric}): ${winners.map((v) => `${v.variant} ${fmt((v.relativeLift ?? 0) * 100, 1)} % (adjusted p ${fmt(v.pValueAdjusted, 4)})`).join(', ')} significant at α = ${p.alpha} (sequential, Holm).`
        : `Experiment ${key} (${r.metric}): no treatment significant at α = ${p.alpha} (sequential, Holm).`,
      details: {
        experimentKey: key,
        metric: r.metric,
        alpha: p.alpha,
        variants: treatments.map((v) => ({
          variant: v.variant,
          relativeLift: v.relativeLift,
          pValueAdjusted: v.pValueAdjusted,
          significant: v.pValueAdjusted !== null && v.pValueAdjusted < p.alpha,
        })),
      },
    };
  }
}
