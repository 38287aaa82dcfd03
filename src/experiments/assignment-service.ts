import { fieldError, AppError } from '../errors.js';
import type { AssignmentCache } from './assignment-cache.js';
import type { AssignmentStore, NewAssignment, StoredAssignment } from './assignment-store.js';
import { bucketUser, inNamespace } from './bucketing.js';
import type { ExperimentCache } from './experiment-cache.js';
import { covers, type HoldoutCache, type HoldoutSnapshot, userHoldout } from './holdout-cache.js';
import type { Experiment } from './types.js';

export type AssignmentReason =
  | 'new_assignment'
  | 'existing_assignment'
  | 'traffic_excluded'
  | 'namespace_excluded'
  | 'holdout'
  | 'not_running'
  | 'winner'
  | 'unknown_experiment';

export interface Assignment {
  experimentKey: string;
  userId: string;
  variant: string;
  inExperiment: boolean;
  reason: AssignmentReason;
  assignedAt: Date | null;
  exposedAt: Date | null;
  /** True when this call stored the user's first exposure. */
  firstExposure: boolean;
  /** True when this call changed the stored exposure (the first one, or an earlier one than stored). */
  exposureChanged: boolean;
}

export interface ResolveOptions {
  /** Record an exposure at this time (the first one is kept). */
  exposeAt: Date | null;
  /** The variant the caller believes the user sees: a different stored or computed one is 409 variant_mismatch. */
  expectVariant?: string;
}

const answer = (
  e: Experiment,
  userId: string,
  reason: AssignmentReason,
  variant: string,
  stored: { assignedAt: Date | null; exposedAt: Date | null } = { assignedAt: null, exposedAt: null },
): Assignment => ({
  experimentKey: e.key,
  userId,
  variant,
  inExperiment: reason === 'new_assignment' || reason === 'existing_assignment',
  reason,
  assignedAt: stored.assignedAt,
  exposedAt: stored.exposedAt,
  firstExposure: false,
  exposureChanged: false,
});

/** The row of a first assignment (a first exposure too when exposeAt is given). */
const newRow = (
  e: Experiment,
  userId: string,
  variant: string,
  holdoutId: number | null,
  assignedAt: Date,
  exposeAt: Date | null,
): NewAssignment => ({
  experimentId: e.id,
  userId,
  variant,
  assignedAt,
  // Held-out users are never exposed: nothing of theirs can count in the experiment's results.
  exposedAt: holdoutId === null ? exposeAt : null,
  holdoutId,
  banditPeriod: e.type === 'bandit' ? e.banditState.period : null,
});

/** Where a user without a stored assignment lands in a running experiment: checks holdout → namespace → traffic. */
type Placement =
  | { variant: string; holdoutId: number | null }
  | { variant: undefined; reason: 'namespace_excluded' | 'traffic_excluded' };

const mismatch = (e: Experiment, stored: string, claimed: string) =>
  new AppError('variant_mismatch', `User is in variant "${stored}" of "${e.key}", not "${claimed}".`);

const unknown = (key: string, userId: string): Assignment => ({
  experimentKey: key,
  userId,
  variant: 'control',
  inExperiment: false,
  reason: 'unknown_experiment',
  assignedAt: null,
  exposedAt: null,
  firstExposure: false,
  exposureChanged: false,
});

/**
 * Sticky GrowthBook-compatible assignment. Definitions come from a short-lived cache and stored assignments from
 * an LRU (they never change), so an existing user costs no query; a new user costs one group-committed statement
 * that stores the assignment or returns the one stored before. Races are settled by the primary key.
 */
export class AssignmentService {
  constructor(
    private readonly store: AssignmentStore,
    private readonly experiments: ExperimentCache,
    private readonly cache: AssignmentCache,
    private readonly holdouts: HoldoutCache,
  ) {}

  /** Assigns one user to experiments by key (unknown keys answer `unknown_experiment`), or to all running ones. */
  async assign(userId: string, keys: string[] | null, opts: ResolveOptions): Promise<Assignment[]> {
    if (keys === null) {
      const running = await this.experiments.allRunning();
      const resolved = await this.resolve(userId, running, opts);
      return running.map((e) => resolved.get(e.key)!);
    }
    const found = await this.experiments.byKeys(keys);
    const resolved = await this.resolve(userId, [...found.values()], opts);
    return keys.map((key) => resolved.get(key) ?? unknown(key, userId));
  }

  /**
   * First exposures of many users in one statement (POST /v1/events): each item whose user this instance holds no
   * assignment for, in a running experiment that places the user in a variant, is stored with its exposure by one
   * set-based INSERT shared by the whole call. The answer is whether that stored it (the first exposure); undefined
   * for an item this path does not settle (unknown or not running experiment, an exposure before the start, a
   * cached or previously stored assignment, an excluded user, a variant the caller did not expect, a user named
   * twice): the caller applies those one by one with assign(), whose rules are the same.
   */
  async exposeFirst(
    items: { experimentKey: string; userId: string; at: Date; expectVariant?: string | undefined }[],
  ): Promise<(boolean | undefined)[]> {
    const out: (boolean | undefined)[] = new Array(items.length).fill(undefined);
    const found = await this.experiments.byKeys([...new Set(items.map((i) => i.experimentKey))]);
    const holdouts = await this.holdouts.get();
    const named = new Map<string, number>();
    const candidates: { index: number; key: string; row: NewAssignment }[] = [];
    items.forEach((item, index) => {
      const key = `${item.experimentKey}\u0000${item.userId}`;
      named.set(key, (named.get(key) ?? 0) + 1);
      const e = found.get(item.experimentKey);
      if (!e || e.status !== 'running' || (e.startedAt !== null && item.at < e.startedAt)) return;
      if (this.cache.get(e.id, item.userId)) return;
      const holdout = holdouts.list.length > 0 ? userHoldout(item.userId, holdouts.list) : null;
      const p = this.place(e, item.userId, holdout);
      if (p.variant === undefined || (item.expectVariant !== undefined && item.expectVariant !== p.variant))
        return;
      candidates.push({ index, key, row: newRow(e, item.userId, p.variant, p.holdoutId, item.at, item.at) });
    });
    // A user named twice is applied in order by the caller, so none of its items is stored here.
    const once = candidates.filter((c) => named.get(c.key) === 1);
    if (once.length === 0) return out;
    const results = await this.store.insertMany(once.map((c) => c.row));
    once.forEach(({ index, row }, k) => {
      const r = results[k];
      if (!r) return;
      this.cache.set(row.experimentId, row.userId, r.stored);
      // Stored before: its exposure rules (an earlier time moves it) are the single path's.
      if (r.inserted) out[index] = r.stored.exposedAt !== null;
    });
    return out;
  }

  private async resolve(
    userId: string,
    list: Experiment[],
    opts: ResolveOptions,
  ): Promise<Map<string, Assignment>> {
    const { exposeAt } = opts;
    // Nothing from before an experiment started may count in it.
    const early = exposeAt && list.find((e) => e.startedAt !== null && exposeAt < e.startedAt);
    if (early) {
      throw fieldError(
        'occurredAt',
        `must not be before the experiment started (${early.startedAt!.toISOString()})`,
      );
    }
    const out = new Map<string, Assignment>();
    const known = new Map<number, StoredAssignment>();
    const unsure: Experiment[] = [];
    let holdouts: HoldoutSnapshot | undefined;
    for (const e of list) {
      const hit = this.cache.get(e.id, userId);
      // A held-out row outlives its deleted holdout only in this cache: such a user is placed afresh.
      if (hit && hit.holdoutId !== null) holdouts ??= await this.holdouts.get();
      if (hit && (hit.holdoutId === null || holdouts!.byId.has(hit.holdoutId))) known.set(e.id, hit);
      else unsure.push(e);
    }
    // Users whose assignment we cannot create here (not running, or excluded) may still have one stored.
    const placements = new Map<number, Placement>();
    const inserts: { e: Experiment; variant: string; holdoutId: number | null }[] = [];
    const lookups: Experiment[] = [];
    if (unsure.some((e) => e.status === 'running')) holdouts ??= await this.holdouts.get();
    const holdout = holdouts && holdouts.list.length > 0 ? userHoldout(userId, holdouts.list) : null;
    for (const e of unsure) {
      if (e.status !== 'running') {
        lookups.push(e);
        continue;
      }
      const p = this.place(e, userId, holdout);
      placements.set(e.id, p);
      if (p.variant === undefined) lookups.push(e);
      else inserts.push({ e, variant: p.variant, holdoutId: p.holdoutId });
    }
    // Experiments whose status the database confirmed for this call (the cached one may be stale).
    const current = new Map<number, Experiment>();
    const lookUp = async (experiments: Experiment[]) => {
      if (experiments.length === 0) return;
      const found = await this.store.find(
        userId,
        experiments.map((e) => e.id),
      );
      for (const e of experiments) {
        const state = found.get(e.id);
        if (!state) continue;
        current.set(e.id, { ...e, status: state.status, winner: state.winner });
        if (state.assignment) this.remember(e.id, userId, state.assignment, known);
      }
    };
    await lookUp(lookups);
    const now = opts.exposeAt ?? new Date();
    const results = await Promise.all(
      inserts.map(({ e, variant, holdoutId }) => {
        if (opts.expectVariant !== undefined && opts.expectVariant !== variant) return Promise.resolve(null);
        return this.store.insert(newRow(e, userId, variant, holdoutId, now, opts.exposeAt));
      }),
    );
    const retry: Experiment[] = [];
    inserts.forEach(({ e }, i) => {
      const r = results[i];
      // No row: the variant contradicts expectVariant, a concurrent caller won, or the experiment stopped.
      if (!r) {
        retry.push(e);
        return;
      }
      this.remember(e.id, userId, r.stored, known);
      if (r.inserted) {
        const held = r.stored.holdoutId !== null;
        const a = answer(e, userId, held ? 'holdout' : 'new_assignment', r.stored.variant, r.stored);
        a.firstExposure = r.stored.exposedAt !== null;
        a.exposureChanged = a.firstExposure;
        out.set(e.key, a);
      }
    });
    await lookUp(retry);
    for (const e of list) {
      if (out.has(e.key)) continue;
      out.set(
        e.key,
        await this.answerFor(current.get(e.id) ?? e, userId, known.get(e.id), opts, placements.get(e.id)),
      );
    }
    return out;
  }

  private place(e: Experiment, userId: string, holdout: ReturnType<typeof userHoldout>): Placement {
    if (holdout && covers(holdout, e.id)) return { variant: e.controlVariant, holdoutId: holdout.id };
    if (e.namespace && !inNamespace(userId, [e.namespace.key, e.namespace.range[0], e.namespace.range[1]]))
      return { variant: undefined, reason: 'namespace_excluded' };
    const variant = this.bucket(e, userId);
    return variant === undefined ? { variant, reason: 'traffic_excluded' } : { variant, holdoutId: null };
  }

  /** A bandit buckets new users with its current period's weights (equal before the first update). */
  private bucket(e: Experiment, userId: string): string | undefined {
    const weights =
      e.type === 'bandit'
        ? (e.banditState.weights ?? e.variants.map(() => 1))
        : e.variants.map((v) => v.weight);
    const index = bucketUser({
      hashSeed: e.hashSeed,
      userId,
      weights,
      trafficPercent: e.trafficPercent,
    });
    return e.variants[index]?.key;
  }

  private remember(id: number, userId: string, a: StoredAssignment, known: Map<number, StoredAssignment>) {
    this.cache.set(id, userId, a);
    known.set(id, a);
  }

  /** The answer for a user with a stored assignment (or none), recording the exposure when asked. */
  private async answerFor(
    e: Experiment,
    userId: string,
    a: StoredAssignment | undefined,
    opts: ResolveOptions,
    placement: Placement | undefined,
  ): Promise<Assignment> {
    if (e.status === 'completed') return answer(e, userId, 'winner', e.winner ?? e.controlVariant, a);
    if (!a) {
      // Not placed: this instance's definition said not running until the database said otherwise a moment ago.
      if (e.status !== 'running' || !placement) return answer(e, userId, 'not_running', e.controlVariant);
      const p = placement;
      if (opts.expectVariant !== undefined && p.variant !== undefined && p.variant !== opts.expectVariant)
        throw mismatch(e, p.variant, opts.expectVariant);
      // Nothing stored for a placed user: the holdout went away or the experiment stopped meanwhile.
      const reason =
        p.variant === undefined ? p.reason : p.holdoutId !== null ? 'holdout' : 'traffic_excluded';
      return answer(e, userId, reason, e.controlVariant);
    }
    if (opts.expectVariant !== undefined && opts.expectVariant !== a.variant)
      throw mismatch(e, a.variant, opts.expectVariant);
    if (a.holdoutId !== null) return answer(e, userId, 'holdout', a.variant, { ...a, exposedAt: null });
    const result = answer(e, userId, 'existing_assignment', a.variant, a);
    if (opts.exposeAt && (a.exposedAt === null || a.exposedAt > opts.exposeAt)) {
      const exposure = await this.store.expose(e.id, userId, opts.exposeAt);
      if (exposure) {
        Object.assign(result, exposure);
        this.cache.set(e.id, userId, { ...a, exposedAt: exposure.exposedAt });
      }
    }
    return result;
  }
}
