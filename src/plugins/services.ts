import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AlertEvaluator } from '../alerts/alert-evaluator.js';
import { AlertService } from '../alerts/alert-service.js';
import { AlertStore } from '../alerts/alert-store.js';
import { AnomalyService } from '../alerts/anomaly-service.js';
import { AnomalyStore } from '../alerts/anomaly-store.js';
import { ChannelStore } from '../alerts/channel-store.js';
import { DeliveryStore } from '../alerts/delivery-store.js';
import { DeliveryWorker } from '../alerts/delivery-worker.js';
import { Senders } from '../alerts/senders.js';
import { type Clock, systemClock } from '../alerts/types.js';
import { AggregateCache } from '../experiments/aggregate-cache.js';
import type { BanditCells } from '../experiments/bandit-results.js';
import { BanditService } from '../experiments/bandit-service.js';
import { BanditStore } from '../experiments/bandit-store.js';
import { CupedStore, type CupedVariantSums } from '../experiments/cuped-store.js';
import { AssignmentCache } from '../experiments/assignment-cache.js';
import { AssignmentService } from '../experiments/assignment-service.js';
import { AssignmentStore } from '../experiments/assignment-store.js';
import { ConversionService } from '../experiments/conversion-service.js';
import { ConversionStore } from '../experiments/conversion-store.js';
import { ExperimentService } from '../experiments/experiment-service.js';
import { ExperimentCache } from '../experiments/experiment-cache.js';
import { ExperimentStore } from '../experiments/experiment-store.js';
import { HoldoutCache } from '../experiments/holdout-cache.js';
import { HoldoutResultsService } from '../experiments/holdout-results-service.js';
import { HoldoutResultsStore } from '../experiments/holdout-results-store.js';
import { HoldoutService } from '../experiments/holdout-service.js';
import { HoldoutStore } from '../experiments/holdout-store.js';
import { NamespaceService } from '../experiments/namespace-service.js';
import { NamespaceStore } from '../experiments/namespace-store.js';
import { KFactorTimelineStore } from '../experiments/k-factor-timeline-store.js';
import { ResultsService } from '../experiments/results-service.js';
import { ResultsStore } from '../experiments/results-store.js';
import { TimelineService } from '../experiments/timeline-service.js';
import { WindowedTimelineStore } from '../experiments/windowed-timeline-store.js';
import { AttributionStore } from '../growth/attribution-store.js';
import { ForecastStore } from '../growth/forecast-store.js';
import { GeoStore } from '../growth/geo-store.js';
import { GrowthMetricsService } from '../growth/growth-metrics-service.js';
import { GrowthService } from '../growth/growth-service.js';
import { RetentionStore } from '../growth/retention-store.js';
import { DecisionService } from '../decisions/decision-service.js';
import { ReportCollector } from '../reports/report-data.js';
import { ReportService } from '../reports/report-service.js';
import { ReportStore } from '../reports/report-store.js';
import { EventsService } from '../viral/events-service.js';
import { MetricsService } from '../viral/metrics-service.js';
import { MetricsStore } from '../viral/metrics-store.js';
import { ViralService } from '../viral/viral-service.js';

export interface Services {
  experiments: ExperimentService;
  namespaces: NamespaceService;
  bandits: BanditService;
  holdouts: HoldoutService;
  holdoutResults: HoldoutResultsService;
  assignments: AssignmentService;
  conversions: ConversionService;
  results: ResultsService;
  timeline: TimelineService;
  viral: ViralService;
  events: EventsService;
  metrics: MetricsService;
  growth: GrowthService;
  growthMetrics: GrowthMetricsService;
  anomalies: AnomalyService;
  alerts: AlertService;
  deliveries: DeliveryWorker;
  decisions: DecisionService;
  reports: ReportService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** The composition root: stores on the app's database, services on the stores. */
function createServices(app: FastifyInstance, opts: ServicesOptions): Services {
  const knex = app.db.knex;
  // Read-only analytics (results, timelines, viral, growth and holdout metrics) may run on a streaming replica;
  // everything that writes, and the definitions that decide assignments, stays on the primary.
  const analytics = app.db.analytics ?? knex;
  const experimentStore = new ExperimentStore(knex);
  const assignmentStore = new AssignmentStore(knex);
  const resultsStore = new ResultsStore(analytics);
  const definitions = new ExperimentCache(experimentStore);
  const holdoutStore = new HoldoutStore(knex);
  const holdoutDefinitions = new HoldoutCache(holdoutStore);
  const assignments = new AssignmentService(
    assignmentStore,
    definitions,
    new AssignmentCache(),
    holdoutDefinitions,
  );
  const conversions = new ConversionService(definitions, new ConversionStore(knex));
  const metricsStore = new MetricsStore(analytics);
  const countEvent = (type: string, outcome: string, count = 1) =>
    app.metrics.events.inc({ type, outcome }, count);
  const experiments = new ExperimentService(knex, experimentStore, (key) => definitions.invalidate(key));
  const cacheOptions = { ttlMs: opts.resultsCacheSeconds * 1000, minCostMs: 200, maxEntries: 100 };
  const results = new ResultsService(
    experimentStore,
    resultsStore,
    new BanditStore(analytics),
    new AggregateCache(cacheOptions),
    new AggregateCache<BanditCells>(cacheOptions),
    new CupedStore(analytics),
    new AggregateCache<CupedVariantSums[]>(cacheOptions),
  );
  const metrics = new MetricsService(metricsStore, opts.fraud);
  const anomalies = new AnomalyService(new AnomalyStore(knex));
  const a = opts.alerts;
  const clock = a.clock ?? systemClock;
  const channelStore = new ChannelStore(knex);
  const deliveryStore = new DeliveryStore(knex);
  const deliveries = new DeliveryWorker(
    deliveryStore,
    channelStore,
    new Senders({ ...a, timeoutMs: a.timeoutMs ?? 10_000 }),
    clock,
    app.log,
    { maxAttempts: a.maxAttempts, timeoutMs: a.timeoutMs ?? 10_000, random: a.random },
  );
  const channelRules = { allowHttp: a.allowHttp, emailEnabled: a.smtpUrl !== undefined };
  const decisions = new DecisionService(
    knex,
    experiments,
    results,
    channelStore,
    deliveryStore,
    clock,
    a.publicUrl,
    () => deliveries.kick(),
    channelRules,
  );
  return {
    experiments,
    namespaces: new NamespaceService(new NamespaceStore(knex)),
    bandits: new BanditService(knex, experimentStore, new BanditStore(knex), (key) =>
      definitions.invalidate(key),
    ),
    holdouts: new HoldoutService(knex, holdoutStore, () => holdoutDefinitions.invalidate()),
    holdoutResults: new HoldoutResultsService(holdoutStore, new HoldoutResultsStore(analytics)),
    assignments,
    conversions,
    results,
    timeline: new TimelineService(
      experimentStore,
      resultsStore,
      new KFactorTimelineStore(analytics),
      new WindowedTimelineStore(analytics),
    ),
    viral: new ViralService(knex, countEvent),
    events: new EventsService(knex, assignments, conversions, countEvent, opts.revenueCurrency),
    metrics,
    growth: new GrowthService(knex, opts.revenueCurrency, countEvent),
    growthMetrics: new GrowthMetricsService({
      retention: new RetentionStore(analytics),
      attribution: new AttributionStore(analytics),
      geo: new GeoStore(analytics),
      forecast: new ForecastStore(analytics),
      viral: metricsStore,
    }),
    anomalies,
    alerts: new AlertService(
      knex,
      new AlertStore(knex),
      channelStore,
      deliveryStore,
      new AlertEvaluator(metrics, anomalies, experiments, results),
      clock,
      { publicUrl: a.publicUrl, allowHttp: a.allowHttp, emailEnabled: a.smtpUrl !== undefined },
      () => deliveries.kick(),
    ),
    deliveries,
    decisions,
    reports: new ReportService(
      knex,
      new ReportStore(knex),
      new ReportCollector(metrics, experiments, results, decisions),
      experiments,
      channelStore,
      deliveryStore,
      clock,
      { publicUrl: a.publicUrl, ...channelRules },
      () => deliveries.kick(),
    ),
  };
}

export interface ServicesOptions {
  fraud: { fastSeconds: number; burstPerHour: number };
  resultsCacheSeconds: number;
  revenueCurrency: string;
  alerts: AlertsOptions;
}

export interface AlertsOptions {
  publicUrl: string;
  allowHttp: boolean;
  allowPrivate: boolean;
  smtpUrl?: string;
  emailFrom: string;
  maxAttempts: number;
  /** Per attempt (10 s; tests shorten it). */
  timeoutMs?: number;
  clock?: Clock;
  /** Jitter source of the retry backoff. */
  random?: () => number;
}

export default fp<ServicesOptions>(
  async function services(app: FastifyInstance, opts: ServicesOptions) {
    app.decorate('services', createServices(app, opts));
  },
  { name: 'services', dependencies: ['db', 'metrics'] },
);
