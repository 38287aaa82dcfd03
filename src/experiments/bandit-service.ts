import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import { banditProbabilities, banditWeights } from '../stats/bandit.js';
import { banditMetric } from './bandit-settings.js';
import type { BanditPeriod, BanditStore } from './bandit-store.js';
import { experimentNotFound } from './experiment-service.js';
import type { ExperimentStore } from './experiment-store.js';
import type { Experiment } from './types.js';

/** P(best) at or above which a variant leads (SPEC §10.1). */
const LEADER_P_BEST = 0.95;

export type UpdateReason = 'opened' | 'exploring' | 'too_few_users';

export interface BanditView {
  experiment: Experiment;
  metric: string;
  /** Every period, the first (equal weights from the start) included; empty before the start. */
  periods: (Omit<BanditPeriod, 'pBest' | 'counts' | 'seed'> & Partial<BanditPeriod>)[];
  exploring: boolean;
  nextUpdateAt: Date | null;
  update?: { opened: boolean; reason: UpdateReason };
}

const notBandit = (key: string) =>
  new AppError('bandit_not_found', `Experiment "${key}" is not a bandit (type "ab").`);

/**
 * Thompson-sampling updates of bandit experiments (SPEC §10.1). An update locks the experiment's row, so updates
 * of one experiment from the schedule (one instance, advisory lock) and from the admin call never interleave;
 * it opens a weight period only after exploration, once every variant has minUsersPerVariant exposed users.
 */
export class BanditService {
  constructor(
    private readonly knex: Knex,
    private readonly experiments: ExperimentStore,
    private readonly store: BanditStore,
    /** Told after an update opened a period, so this instance buckets with the new weights at once. */
    private readonly changed: (key: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async update(key: string, actor: string): Promise<BanditView> {
    const result = await this.knex.transaction(async (trx) => {
      const e = await this.experiments.findByKey(key, trx, true);
      if (!e) throw experimentNotFound(key);
      if (e.type !== 'bandit' || !e.bandit) throw notBandit(key);
      if (e.status !== 'running') {
        throw new AppError(
          'experiment_not_running',
          `A bandit updates only while running (it is ${e.status}).`,
        );
      }
      const now = this.now();
      const metric = banditMetric(e);
      let reason: UpdateReason = 'opened';
      if (this.exploring(e, now)) reason = 'exploring';
      const byVariant = await this.store.counts(e.id, metric, trx);
      const counts = e.variants.map((v) => byVariant.get(v.key) ?? { exposed: 0, converted: 0 });
      if (reason === 'opened' && counts.some((c) => c.exposed < e.bandit!.minUsersPerVariant))
        reason = 'too_few_users';
      if (reason !== 'opened') {
        await this.store.touch(e.id, now, trx);
        return { opened: false, reason };
      }
      const seed = randomInt(0, 2 ** 32);
      const pBest = banditProbabilities(
        counts.map((c) => ({ n: c.exposed, conversions: c.converted })),
        seed,
      );
      const weights = banditWeights(pBest, e.bandit.minWeight);
      const period = e.banditState.period + 1;
      await this.store.open(e.id, { period, startedAt: now, weights, pBest, counts, seed }, trx);
      await this.experiments.addHistory(
        key,
        { action: 'bandit_updated', actor, details: { period, weights, pBest, seed } },
        trx,
      );
      return { opened: true, reason };
    });
    if (result.opened) this.changed(key);
    return { ...(await this.view(key)), update: result };
  }

  /** Updates every running bandit that is due; one failure does not stop the others. */
  async updateDue(onError: (key: string, err: unknown) => void): Promise<void> {
    for (const key of await this.store.due(this.now())) {
      try {
        await this.update(key, 'scheduler');
      } catch (err) {
        onError(key, err);
      }
    }
  }

  async view(key: string): Promise<BanditView> {
    const e = await this.experiments.findByKey(key);
    if (!e) throw experimentNotFound(key);
    if (e.type !== 'bandit' || !e.bandit) throw notBandit(key);
    const stored = await this.store.periods(e.id);
    const equal = e.variants.map(() => 1 / e.variants.length);
    const periods: BanditView['periods'] = [
      ...(e.startedAt ? [{ period: 0, startedAt: e.startedAt, weights: equal }] : []),
      ...stored,
    ];
    const last = e.banditState.updatedAt ?? e.startedAt;
    return {
      experiment: e,
      metric: banditMetric(e),
      periods,
      // Weights move only once exploration ended and every variant had its minimum: at the first opened period.
      exploring: stored.length === 0,
      nextUpdateAt:
        e.status === 'running' && last
          ? new Date(last.getTime() + e.bandit.updateEveryMinutes * 60_000)
          : null,
    };
  }

  private exploring(e: Experiment, now: Date): boolean {
    const start = e.startedAt?.getTime() ?? now.getTime();
    return now.getTime() < start + e.bandit!.explorationHours * 3_600_000;
  }
}

/** The variant whose P(best) reaches 0.95, else null. */
export const leaderOf = (variants: string[], pBest: number[] | undefined): string | null => {
  const i = pBest?.findIndex((p) => p >= LEADER_P_BEST) ?? -1;
  return i >= 0 ? variants[i]! : null;
};
