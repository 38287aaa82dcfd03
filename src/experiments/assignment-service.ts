import { ConflictError } from '../errors.js';
import type { AssignmentStore, ExperimentWithAssignment, NewAssignment } from './assignment-store.js';
import { bucketUser } from './bucketing.js';
import type { Experiment } from './types.js';

export type AssignmentReason =
  | 'new_assignment'
  | 'existing_assignment'
  | 'traffic_excluded'
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
});

const mismatch = (e: Experiment, stored: string, claimed: string) =>
  new ConflictError('variant_mismatch', `User is in variant "${stored}" of "${e.key}", not "${claimed}".`);

/** Sticky GrowthBook-compatible assignment; first assignments are made race-safe by the database. */
export class AssignmentService {
  constructor(private readonly store: AssignmentStore) {}

  /** Assigns one user to experiments by key (unknown keys answer `unknown_experiment`), or to all running ones. */
  async assign(userId: string, keys: string[] | null, opts: ResolveOptions): Promise<Assignment[]> {
    const found = await this.store.lookup(userId, keys);
    const resolved = await this.resolve(userId, found, opts);
    if (keys === null) return found.map((f) => resolved.get(f.experiment.key)!);
    return keys.map(
      (key) =>
        resolved.get(key) ?? {
          experimentKey: key,
          userId,
          variant: 'control',
          inExperiment: false,
          reason: 'unknown_experiment',
          assignedAt: null,
          exposedAt: null,
          firstExposure: false,
        },
    );
  }

  private async resolve(
    userId: string,
    found: ExperimentWithAssignment[],
    opts: ResolveOptions,
    retry = true,
  ): Promise<Map<string, Assignment>> {
    const out = new Map<string, Assignment>();
    const pending: { experiment: Experiment; row: NewAssignment }[] = [];
    // An assignment made with its exposure carries the exposure's time, so exposedAt is never before assignedAt.
    const now = opts.exposeAt ?? new Date();
    for (const { experiment: e, assignment: a } of found) {
      if (e.status === 'completed') {
        out.set(e.key, answer(e, userId, 'winner', e.winner ?? e.controlVariant, a ?? undefined));
      } else if (a) {
        if (opts.expectVariant !== undefined && opts.expectVariant !== a.variant) {
          throw mismatch(e, a.variant, opts.expectVariant);
        }
        const result = answer(e, userId, 'existing_assignment', a.variant, a);
        if (opts.exposeAt) {
          const exposure = await this.store.expose(e.id, userId, opts.exposeAt);
          if (exposure) Object.assign(result, exposure);
        }
        out.set(e.key, result);
      } else if (e.status !== 'running') {
        out.set(e.key, answer(e, userId, 'not_running', e.controlVariant));
      } else {
        const index = bucketUser({
          hashSeed: e.hashSeed,
          userId,
          weights: e.variants.map((v) => v.weight),
          trafficPercent: e.trafficPercent,
        });
        const variant = e.variants[index]?.key;
        if (variant === undefined) {
          out.set(e.key, answer(e, userId, 'traffic_excluded', e.controlVariant));
          continue;
        }
        if (opts.expectVariant !== undefined && opts.expectVariant !== variant) {
          throw mismatch(e, variant, opts.expectVariant);
        }
        pending.push({
          experiment: e,
          row: { experimentId: e.id, userId, variant, assignedAt: now, exposedAt: opts.exposeAt },
        });
      }
    }
    const inserted = await Promise.all(pending.map((p) => this.store.insert(p.row)));
    const lost: string[] = [];
    for (const [i, { experiment: e }] of pending.entries()) {
      const stored = inserted[i];
      if (!stored) {
        if (retry) lost.push(e.key);
        else out.set(e.key, answer(e, userId, 'not_running', e.controlVariant));
        continue;
      }
      const result = answer(e, userId, 'new_assignment', stored.variant, stored);
      result.firstExposure = stored.exposedAt !== null;
      out.set(e.key, result);
    }
    // Another caller stored the assignment first (or the experiment stopped): answer with what is stored now.
    if (lost.length > 0) {
      const again = await this.resolve(userId, await this.store.lookup(userId, lost), opts, false);
      for (const [k, v] of again) out.set(k, v);
    }
    return out;
  }
}
