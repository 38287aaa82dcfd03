import type { Knex } from 'knex';
import { ALERT_OWNER_EXPERIMENT } from './owners.js';
import type { ChannelStore } from '../alerts/channel-store.js';
import { checkChannelInput } from '../alerts/channel-rules.js';
import type { DeliveryStore } from '../alerts/delivery-store.js';
import type { Channel, Clock } from '../alerts/types.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { ResultsService } from '../experiments/results-service.js';
import type { Experiment } from '../experiments/types.js';
import type { DecisionPolicyIn } from '../schemas/decisions.js';
import { type Decision, DECISION_ALPHA, decide, type Policy } from './decide.js';

const DECISION_ACTOR = 'system:decision-policy';
const DAY_MS = 86_400_000;

export interface DecisionResult {
  decision: Decision;
  variant?: string;
  reasons: string[];
  evaluatedAt: string;
  declared: boolean;
}

/** Stored policies (defaults filled at read), the decision rules on sequential results, and auto-declaration. */
export class DecisionService {
  constructor(
    private readonly knex: Knex,
    private readonly experiments: ExperimentService,
    private readonly results: ResultsService,
    private readonly channels: ChannelStore,
    private readonly deliveries: DeliveryStore,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly onQueued: () => void,
    private readonly channelRules: { allowHttp: boolean; emailEnabled: boolean },
  ) {}

  /** Deployment rules of the policy's channels, checked before anything is written. */
  validate(input: DecisionPolicyIn): void {
    checkChannelInput(input.channels, this.channelRules);
  }

  /** Saves (replaces) the policy; its channels are replaced too. Returns the created channels (secrets shown). */
  async setPolicy(key: string, input: DecisionPolicyIn): Promise<Channel[]> {
    const { channels, ...policy } = input;
    return this.knex.transaction(async (trx) => {
      await trx('experiment_decision_policies')
        .insert({ experiment_key: key, policy: JSON.stringify(policy), updated_at: this.clock.now() })
        .onConflict('experiment_key')
        .merge();
      return this.channels.replace(ALERT_OWNER_EXPERIMENT, key, channels, trx);
    });
  }

  /** The policy with its defaults filled in (the defaults alone when none was set). */
  async policy(e: Experiment): Promise<{ policy: Policy; channels: Channel[]; stored: boolean }> {
    const row = (await this.knex('experiment_decision_policies').where({ experiment_key: e.key }).first()) as
      { policy: Partial<Policy> } | undefined;
    const p = row?.policy ?? {};
    return {
      policy: {
        primaryMetric: p.primaryMetric ?? e.targetMetric,
        guardrails: (p.guardrails ?? []).map((g) => ({
          metric: g.metric,
          direction: g.direction ?? 'higher_is_better',
        })),
        minDays: p.minDays ?? 7,
        minUsersPerVariant: p.minUsersPerVariant ?? 100,
        maxDays: p.maxDays ?? null,
        autoDeclare: p.autoDeclare ?? false,
      },
      channels: await this.channels.byOwners(ALERT_OWNER_EXPERIMENT, [e.key]),
      stored: row !== undefined,
    };
  }

  /**
   * GET …/decision: judge now; with autoDeclare (stored policy, running experiment) a ship declares the winner.
   * Reports judge with `declare: false`: rendering a report never changes an experiment.
   */
  async decide(key: string, opts: { declare: boolean } = { declare: true }): Promise<DecisionResult> {
    const e = await this.experiments.get(key);
    const { policy, channels, stored } = await this.policy(e);
    const now = this.clock.now();
    const daysRunning = e.startedAt ? (now.getTime() - e.startedAt.getTime()) / DAY_MS : 0;
    const primary = await this.results.results(key, {
      metric: policy.primaryMetric,
      alpha: DECISION_ALPHA,
      correction: 'holm',
      method: 'sequential',
    });
    const alphaG = DECISION_ALPHA / Math.max(1, policy.guardrails.length);
    const guardrails = [];
    for (const g of policy.guardrails) {
      guardrails.push({
        ...g,
        results: await this.results.results(key, {
          metric: g.metric,
          alpha: alphaG,
          correction: 'none',
          method: 'sequential',
        }),
      });
    }
    const verdict = decide(policy, daysRunning, primary, guardrails);
    let declared = false;
    if (
      opts.declare &&
      verdict.decision === 'ship' &&
      policy.autoDeclare &&
      stored &&
      e.status === 'running'
    ) {
      declared = await this.declare(e, verdict.variant!, verdict.reasons, channels, now);
    }
    return { ...verdict, evaluatedAt: now.toISOString(), declared };
  }

  /** The hourly job: every running experiment with a stored policy. */
  async decideAll(onError: (key: string, err: unknown) => void): Promise<void> {
    const keys = (await this.knex('experiment_decision_policies as p')
      .join('experiments as e', 'e.key', 'p.experiment_key')
      .where('e.status', 'running')
      .orderBy('p.experiment_key')
      .pluck('p.experiment_key')) as string[];
    for (const key of keys) {
      try {
        await this.decide(key);
      } catch (err) {
        onError(key, err);
      }
    }
  }

  private async declare(e: Experiment, variant: string, reasons: string[], channels: Channel[], now: Date) {
    try {
      await this.experiments.transition(e.key, 'winner', DECISION_ACTOR, {
        winner: { variant, note: `Declared by the decision policy: ${reasons[0]}` },
      });
    } catch (err) {
      // Another evaluator declared it first: one declaration, one notification.
      if ((err as { code?: string }).code === 'invalid_transition') return false;
      throw err;
    }
    const queued = await this.deliveries.enqueue({
      ownerKind: ALERT_OWNER_EXPERIMENT,
      ownerId: e.key,
      eventKey: `experiment-decided:${e.key}:${e.startedAt?.toISOString() ?? ''}`,
      eventType: 'experiment.decided',
      data: {
        title: `🏁 ${e.key}: ${variant} declared the winner`,
        text: reasons.join('\n'),
        link: `${this.publicUrl}/v1/experiments/${e.key}`,
        experimentKey: e.key,
        decision: 'ship',
        variant,
        reasons,
        actor: DECISION_ACTOR,
      },
      channels,
      now,
    });
    if (queued > 0) this.onQueued();
    return true;
  }
}
