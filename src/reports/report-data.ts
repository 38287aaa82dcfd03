import type { DecisionService } from '../decisions/decision-service.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { ExperimentResults, ResultsService } from '../experiments/results-service.js';
import type { Experiment } from '../experiments/types.js';
import type { MetricsService } from '../viral/metrics-service.js';
import type { Window } from '../viral/window.js';
import type { Report } from './report-store.js';

const DAY_MS = 86_400_000;
/** The metrics API's defaults: a report shows what GET /v1/metrics/* and …/results answer by default. */
const CONVERSION_WINDOW_DAYS = 14;
const COHORT_WEEKS = 12;
const TOP_REFERRERS = 10;
const RESULTS_QUERY = { alpha: 0.05, correction: 'holm', method: 'fixed' } as const;

type M = MetricsService;

export interface GrowthData {
  kind: 'growth';
  name: string;
  generatedAt: Date;
  window: Window;
  summary: Awaited<ReturnType<M['summary']>>;
  loops: Awaited<ReturnType<M['loopEfficiency']>>['loops'];
  funnel: Awaited<ReturnType<M['funnel']>>['stages'];
  cohorts: Awaited<ReturnType<M['cohorts']>>['cohorts'];
  timeline: Awaited<ReturnType<M['timeline']>>['periods'];
}

export interface ExperimentData {
  kind: 'experiment';
  name: string;
  generatedAt: Date;
  experiment: Experiment;
  results: ExperimentResults[];
  decision: Awaited<ReturnType<DecisionService['decide']>>;
}

export type ReportData = GrowthData | ExperimentData;

/** Collects a report's figures from the services behind the metrics and results API, so the numbers are the same. */
export class ReportCollector {
  constructor(
    private readonly metrics: MetricsService,
    private readonly experiments: ExperimentService,
    private readonly results: ResultsService,
    private readonly decisions: DecisionService,
  ) {}

  /** The report as of `asOf` (a growth window ends there: a scheduled run's occurrence, or now). */
  async collect(report: Report, asOf: Date, generatedAt: Date): Promise<ReportData> {
    if (report.kind === 'growth') return this.growth(report, asOf, generatedAt);
    return this.experiment(report, generatedAt);
  }

  private async growth(report: Report, asOf: Date, generatedAt: Date): Promise<GrowthData> {
    const w: Window = {
      from: new Date(asOf.getTime() - report.days * DAY_MS),
      to: asOf,
      tz: report.timezone,
      conversionWindowDays: CONVERSION_WINDOW_DAYS,
    };
    const [summary, loops, funnel, cohorts, timeline] = await Promise.all([
      this.metrics.summary(w),
      this.metrics.loopEfficiency(w),
      this.metrics.funnel(w, undefined),
      this.metrics.cohorts(w.tz, w.conversionWindowDays, COHORT_WEEKS, w.to),
      this.metrics.timeline(w, 'day'),
    ]);
    return {
      kind: 'growth',
      name: report.name,
      generatedAt,
      window: w,
      summary: { ...summary, topReferrers: summary.topReferrers.slice(0, TOP_REFERRERS) },
      loops: loops.loops,
      funnel: funnel.stages,
      cohorts: cohorts.cohorts,
      timeline: timeline.periods,
    };
  }

  private async experiment(report: Report, generatedAt: Date): Promise<ExperimentData> {
    const key = report.experimentKey!;
    const experiment = await this.experiments.get(key);
    const { policy } = await this.decisions.policy(experiment);
    const metrics = [
      ...new Set([experiment.targetMetric, policy.primaryMetric, ...policy.guardrails.map((g) => g.metric)]),
    ];
    const results: ExperimentResults[] = [];
    for (const metric of metrics) results.push(await this.results.results(key, { ...RESULTS_QUERY, metric }));
    const decision = await this.decisions.decide(key, { declare: false });
    return { kind: 'experiment', name: report.name, generatedAt, experiment, results, decision };
  }
}
