import type { Knex } from 'knex';
import { fieldError, AppError } from '../errors.js';
import type { CreateExperimentInput, PatchExperimentInput } from '../schemas/experiments.js';
import { resolveBandit } from './bandit-settings.js';
import { type ExperimentStore } from './experiment-store.js';
import type { Experiment, ExperimentStatus, HistoryEntry } from './types.js';

const DRAFT_ONLY = [
  'variants',
  'hashSeed',
  'controlVariant',
  'targetMetric',
  'namespace',
  'type',
  'bandit',
] as const;

/** Which statuses each action may start from, and the columns it sets. */
const TRANSITIONS: Record<'start' | 'stop' | 'winner', { from: ExperimentStatus[]; to: ExperimentStatus }> = {
  start: { from: ['draft', 'paused'], to: 'running' },
  stop: { from: ['running'], to: 'paused' },
  winner: { from: ['running', 'paused'], to: 'completed' },
};

const PAST = { stop: 'paused', winner: 'completed' } as const;

export const experimentNotFound = (key: string) =>
  new AppError('experiment_not_found', `No experiment with key "${key}".`);

export const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string): string => {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(key))
    throw fieldError('cursor', 'is not a cursor this service issued');
  return key;
};

export class ExperimentService {
  constructor(
    private readonly knex: Knex,
    private readonly store: ExperimentStore,
    /** Told after every committed change, so caches of this instance drop the definition at once. */
    private readonly changed: (key: string) => void = () => undefined,
  ) {}

  private async write<T>(key: string, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const result = await this.knex.transaction(work);
    this.changed(key);
    return result;
  }

  async create(input: CreateExperimentInput, actor: string): Promise<Experiment> {
    return this.write(input.key, async (trx) => {
      await this.requireNamespace(input.namespace?.key, trx);
      const bandit = resolveBandit({
        type: input.type,
        given: input.bandit,
        current: null,
        targetMetric: input.targetMetric,
        variants: input.variants.length,
      });
      const created = await this.store.insert(
        {
          key: input.key,
          name: input.name ?? input.key,
          description: input.description ?? null,
          hypothesis: input.hypothesis ?? null,
          variants: input.variants.map((v) => ({
            key: v.key,
            weight: v.weight,
            description: v.description ?? null,
          })),
          controlVariant: input.controlVariant ?? input.variants[0]!.key,
          targetMetric: input.targetMetric,
          trafficPercent: input.trafficPercent,
          hashSeed: input.hashSeed ?? input.key,
          namespace: input.namespace ?? null,
          type: input.type,
          bandit,
        },
        trx,
      );
      if (!created)
        throw new AppError('experiment_exists', `An experiment with key "${input.key}" already exists.`);
      await this.store.addHistory(created.key, { action: 'created', actor, details: { ...input } }, trx);
      return created;
    });
  }

  async get(key: string): Promise<Experiment> {
    const e = await this.store.findByKey(key);
    if (!e) throw experimentNotFound(key);
    return e;
  }

  async list(q: { status?: ExperimentStatus; limit: number; cursor?: string }) {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await this.store.list({ status: q.status, after, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? encodeCursor(items[items.length - 1]!.key) : null;
    return { items, nextCursor };
  }

  async patch(key: string, input: PatchExperimentInput, actor: string): Promise<Experiment> {
    return this.write(key, async (trx) => {
      const current = await this.store.findByKey(key, trx, true);
      if (!current) throw experimentNotFound(key);
      const draftOnly = DRAFT_ONLY.filter((f) => input[f] !== undefined);
      if (draftOnly.length > 0 && current.status !== 'draft') {
        throw new AppError(
          'experiment_not_draft',
          `${draftOnly.join(', ')} can change only while the experiment is a draft (it is ${current.status}).`,
        );
      }
      const variants = input.variants?.map((v) => ({
        key: v.key,
        weight: v.weight,
        description: v.description ?? null,
      }));
      const controlVariant = input.controlVariant;
      const keys = (variants ?? current.variants).map((v) => v.key);
      if (controlVariant !== undefined && !keys.includes(controlVariant)) {
        throw fieldError('controlVariant', 'must be one of the variant keys');
      }
      if (controlVariant === undefined && !keys.includes(current.controlVariant)) {
        throw fieldError(
          'controlVariant',
          `the new variants drop the control "${current.controlVariant}": name the new control in the same change`,
        );
      }
      await this.requireNamespace(input.namespace?.key, trx);
      const type = input.type ?? current.type;
      const bandit =
        input.type === undefined &&
        input.bandit === undefined &&
        input.variants === undefined &&
        input.targetMetric === undefined
          ? undefined
          : resolveBandit({
              type,
              given: input.bandit,
              current: current.bandit,
              targetMetric: input.targetMetric ?? current.targetMetric,
              variants: keys.length,
            });
      const updated = await this.store.update(
        current.id,
        { ...input, variants, controlVariant, type, bandit },
        {},
        trx,
      );
      await this.store.addHistory(key, { action: 'updated', actor, details: { ...input } }, trx);
      return updated;
    });
  }

  async delete(key: string, actor: string): Promise<void> {
    await this.write(key, async (trx) => {
      const current = await this.store.findByKey(key, trx, true);
      if (!current) throw experimentNotFound(key);
      if (current.status !== 'draft') {
        throw new AppError('experiment_not_draft', `Only a draft can be deleted (it is ${current.status}).`);
      }
      await this.store.delete(current.id, trx);
      await this.store.addHistory(key, { action: 'deleted', actor, details: {} }, trx);
    });
  }

  async transition(
    key: string,
    action: 'start' | 'stop' | 'winner',
    actor: string,
    opts: { winner?: { variant: string; note?: string }; startedAt?: Date | undefined } = {},
  ): Promise<Experiment> {
    const { winner, startedAt } = opts;
    return this.write(key, async (trx) => {
      const current = await this.store.findByKey(key, trx, true);
      if (!current) throw experimentNotFound(key);
      const rule = TRANSITIONS[action];
      if (!rule.from.includes(current.status)) {
        throw new AppError(
          'invalid_transition',
          `Cannot ${action} an experiment that is ${current.status} (allowed from ${rule.from.join(' or ')}).`,
        );
      }
      if (startedAt && current.status !== 'draft') {
        throw fieldError('startedAt', `can be given only when starting a draft (it is ${current.status})`);
      }
      if (winner && !current.variants.some((v) => v.key === winner.variant)) {
        throw fieldError('variant', `must be one of ${current.variants.map((v) => v.key).join(', ')}`);
      }
      if (action === 'start' && current.namespace) {
        await this.store.lockNamespace(current.namespace.key, trx, 'update');
        const other = await this.store.findOverlapping(current, trx);
        if (other !== null) {
          throw new AppError(
            'namespace_overlap',
            `"${other}" is live in namespace "${current.namespace.key}" with a range that overlaps ` +
              `[${current.namespace.range.join(', ')}).`,
          );
        }
      }
      const now = trx.fn.now();
      const extra: Record<string, unknown> = { status: rule.to };
      if (action === 'start') extra.started_at = current.startedAt ?? startedAt?.toISOString() ?? now;
      if (action === 'stop') extra.stopped_at = now;
      if (action === 'winner') Object.assign(extra, { winner: winner!.variant, completed_at: now });
      const updated = await this.store.update(current.id, {}, extra, trx);
      const logged =
        action === 'start' ? (current.status === 'paused' ? 'resumed' : 'started') : PAST[action];
      await this.store.addHistory(
        key,
        {
          action: logged,
          actor,
          details: {
            from: current.status,
            to: rule.to,
            ...(winner ?? {}),
            ...(startedAt ? { startedAt: startedAt.toISOString() } : {}),
          },
        },
        trx,
      );
      return updated;
    });
  }

  private async requireNamespace(key: string | undefined, trx: Knex): Promise<void> {
    if (key !== undefined && !(await this.store.lockNamespace(key, trx, 'share')))
      throw fieldError('namespace.key', `no namespace "${key}" (create it with POST /v1/namespaces)`);
  }

  async history(key: string): Promise<HistoryEntry[]> {
    const items = await this.store.history(key);
    if (items.length === 0 && !(await this.store.findByKey(key))) throw experimentNotFound(key);
    return items;
  }
}
