import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { IntervalJob } from '../alerts/interval-job.js';
import { LOCK_KEYS } from '../alerts/leader-lock.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: { alerts: IntervalJob; decisions: IntervalJob; bandits: IntervalJob; reports: IntervalJob };
  }
}

/** Decision policies are applied to running experiments every hour. */
const DECISION_INTERVAL_MS = 3_600_000;

/** How often the schedule looks for bandits due for an update (each has its own updateEveryMinutes ≥ 15). */
const BANDIT_CHECK_MS = 60_000;

export interface BackgroundOptions {
  /** 0 = rules are evaluated only on demand. */
  alertIntervalSeconds: number;
  /** How often report schedules are checked; 0 = scheduled runs are off (render and run on demand only). */
  reportIntervalSeconds: number;
}

/**
 * Background work: the delivery worker (every instance; rows are claimed with SKIP LOCKED), the alert
 * evaluation, decision policies, bandit updates and report schedules (each one instance at a time, advisory lock).
 * Started when the app is ready, stopped on close before the database goes away; an attempt in flight finishes and
 * is recorded, queued rows wait for the next start.
 */
export default fp<BackgroundOptions>(
  async function background(app: FastifyInstance, opts: BackgroundOptions) {
    const { alerts, deliveries, decisions, bandits, reports } = app.services;
    let stopping = false;
    const alertJob = new IntervalJob(
      'alerts',
      app.db,
      LOCK_KEYS.alerts,
      opts.alertIntervalSeconds * 1000,
      async () => {
        await alerts.evaluateAll((rule, err) =>
          app.log.error({ err, rule: rule.id }, 'alert rule evaluation failed'),
        );
      },
      app.log,
    );
    const decisionJob = new IntervalJob(
      'decisions',
      app.db,
      LOCK_KEYS.decisions,
      DECISION_INTERVAL_MS,
      () =>
        decisions.decideAll((key, err) => app.log.error({ err, experiment: key }, 'decision policy failed')),
      app.log,
    );
    const banditJob = new IntervalJob(
      'bandits',
      app.db,
      LOCK_KEYS.bandits,
      BANDIT_CHECK_MS,
      () => bandits.updateDue((key, err) => app.log.error({ err, experiment: key }, 'bandit update failed')),
      app.log,
    );
    const reportJob = new IntervalJob(
      'reports',
      app.db,
      LOCK_KEYS.reports,
      opts.reportIntervalSeconds * 1000,
      () =>
        reports.tick(
          () => stopping,
          (err) => app.log.error({ err }, 'report run failed'),
        ),
      app.log,
    );
    app.decorate('jobs', {
      alerts: alertJob,
      decisions: decisionJob,
      bandits: banditJob,
      reports: reportJob,
    });
    app.addHook('onReady', async () => {
      deliveries.start();
      alertJob.start();
      decisionJob.start();
      banditJob.start();
      reportJob.start();
    });
    app.addHook('onClose', async () => {
      // The report run in progress finishes (its file and deliveries are committed together); the pending runs
      // after it wait for the next start.
      stopping = true;
      await Promise.all([alertJob.stop(), decisionJob.stop(), banditJob.stop(), reportJob.stop()]);
      await deliveries.stop();
    });
  },
  { name: 'background', dependencies: ['services', 'db'] },
);
