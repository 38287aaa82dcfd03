import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError, ValidationError } from '../errors.js';
import { alertParams, type CreateAlertInput, type PatchAlertInput } from '../schemas/alerts.js';
import type { AlertEvaluator, Condition } from './alert-evaluator.js';
import type { AlertRule, AlertStore, SubjectState } from './alert-store.js';
import type { ChannelStore } from './channel-store.js';
import type { DeliveryStore } from './delivery-store.js';
import { checkChannelInput } from './channel-rules.js';
import type { Channel, Clock } from './types.js';

const ALERT_OWNER = 'alert';

export interface AlertView {
  rule: AlertRule;
  channels: Channel[];
  subjects: SubjectState[];
  /** Secrets of channels created by this call: shown once. */
  showSecrets: boolean;
}

const alertNotFound = (id: string) => new AppError('alert_not_found', `Alert rule ${id} does not exist.`);

export interface AlertServiceOptions {
  publicUrl: string;
  allowHttp: boolean;
  emailEnabled: boolean;
}

/** Alert rules, their per-subject state machine (ok ⇄ firing, reminders after the cooldown) and notifications. */
export class AlertService {
  constructor(
    private readonly knex: Knex,
    private readonly store: AlertStore,
    private readonly channels: ChannelStore,
    private readonly deliveries: DeliveryStore,
    private readonly evaluator: AlertEvaluator,
    private readonly clock: Clock,
    private readonly opts: AlertServiceOptions,
    /** Called after notifications were queued, so the delivery worker starts at once. */
    private readonly onQueued: () => void = () => {},
  ) {}

  async create(input: CreateAlertInput): Promise<AlertView> {
    checkChannelInput(input.channels, this.opts);
    const now = this.clock.now();
    const rule: AlertRule = {
      id: randomUUID(),
      name: input.name,
      type: input.type,
      params: input.params,
      cooldownMinutes: input.cooldownMinutes,
      enabled: input.enabled,
      createdAt: now,
      updatedAt: now,
    };
    const channels = await this.knex.transaction(async (trx) => {
      await this.store.insert(rule, trx);
      return this.channels.replace(ALERT_OWNER, rule.id, input.channels, trx);
    });
    return { rule, channels, subjects: [], showSecrets: true };
  }

  async get(id: string): Promise<AlertView> {
    const rule = await this.store.find(id);
    if (!rule) throw alertNotFound(id);
    const [channels, states] = await Promise.all([
      this.channels.byOwners(ALERT_OWNER, [id]),
      this.store.states([id]),
    ]);
    return { rule, channels, subjects: states.get(id)!, showSecrets: false };
  }

  async list(limit: number, cursor?: string): Promise<{ items: AlertView[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rules = await this.store.list(limit + 1, after);
    const page = rules.slice(0, limit);
    const ids = page.map((r) => r.id);
    const [channels, states] = await Promise.all([
      this.channels.byOwners(ALERT_OWNER, ids),
      this.store.states(ids),
    ]);
    return {
      items: page.map((rule) => ({
        rule,
        channels: channels.filter((c) => c.ownerId === rule.id),
        subjects: states.get(rule.id)!,
        showSecrets: false,
      })),
      nextCursor: rules.length > limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null,
    };
  }

  async patch(id: string, input: PatchAlertInput): Promise<AlertView> {
    if (input.channels) checkChannelInput(input.channels, this.opts);
    const replaced = await this.knex.transaction(async (trx) => {
      const rule = await this.store.find(id, trx, true);
      if (!rule) throw alertNotFound(id);
      let params: Record<string, unknown> | undefined;
      if (input.params !== undefined) {
        const parsed = alertParams[rule.type].safeParse(input.params);
        if (!parsed.success) {
          throw new ValidationError(
            parsed.error.issues.map((i) => ({ path: ['params', ...i.path].join('.'), message: i.message })),
          );
        }
        params = parsed.data;
      }
      await this.store.update(id, { ...input, params }, this.clock.now(), trx);
      return input.channels ? this.channels.replace(ALERT_OWNER, id, input.channels, trx) : null;
    });
    const view = await this.get(id);
    return replaced ? { ...view, channels: replaced, showSecrets: true } : view;
  }

  async delete(id: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      if (!(await this.store.delete(id, trx))) throw alertNotFound(id);
      await this.channels.deleteOwner(ALERT_OWNER, id, trx);
    });
  }

  async events(id: string, limit: number, cursor?: string) {
    await this.get(id);
    const before = cursor === undefined ? undefined : Number(decodeCursor(cursor));
    if (before !== undefined && !Number.isSafeInteger(before)) throw badCursor();
    const rows = await this.store.events(id, limit + 1, before);
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? Buffer.from(String(items.at(-1)!.id)).toString('base64url') : null,
    };
  }

  async deliveryList(id: string, limit: number, cursor?: string) {
    await this.get(id);
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.deliveries.list(ALERT_OWNER, id, limit + 1, before);
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? Buffer.from(items.at(-1)!.id).toString('base64url') : null,
    };
  }

  /** POST …/evaluate: judge the rule now, record and notify what changed, answer its state. */
  async evaluateNow(id: string): Promise<AlertView> {
    const rule = await this.store.find(id);
    if (!rule) throw alertNotFound(id);
    if (!rule.enabled) throw new AppError('alert_disabled', `Alert rule ${id} is disabled; enable it first.`);
    await this.evaluate(rule);
    return this.get(id);
  }

  /** Every enabled rule once (the scheduler's tick). A failing rule is logged by the caller and skipped. */
  async evaluateAll(onError: (rule: AlertRule, err: unknown) => void): Promise<number> {
    let evaluated = 0;
    let after: string | undefined;
    for (;;) {
      const rules = await this.store.list(100, after, true);
      for (const rule of rules) {
        try {
          await this.evaluate(rule);
          evaluated++;
        } catch (err) {
          onError(rule, err);
        }
      }
      if (rules.length < 100) return evaluated;
      after = rules.at(-1)!.id;
    }
  }

  private async evaluate(rule: AlertRule): Promise<void> {
    const now = this.clock.now();
    const conditions = await this.evaluator.evaluate(rule, now);
    const known = (await this.store.states([rule.id])).get(rule.id)!;
    const judged = new Set(conditions.map((c) => c.subject));
    // A subject no longer judged (its experiment stopped running) resolves.
    const gone: Condition[] = known
      .filter((s) => s.state === 'firing' && !judged.has(s.subject))
      .map((s) => ({
        subject: s.subject,
        firing: false,
        summary: `Experiment ${s.subject} is no longer running.`,
        details: { ...s.details, reason: 'not_running' },
      }));
    let queued = 0;
    for (const c of [...conditions, ...gone]) queued += await this.transition(rule, c, now);
    if (queued > 0) this.onQueued();
  }

  /** One subject's state change under a row lock: concurrent evaluators serialise here, so one change = one event. */
  private async transition(rule: AlertRule, c: Condition, now: Date): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const s = await this.store.lockState(rule.id, c.subject, now, trx);
      const next: SubjectState = { ...s, evaluatedAt: now, details: { ...c.details, summary: c.summary } };
      let kind: 'firing' | 'reminder' | 'resolved' | null = null;
      if (c.firing === true && s.state === 'ok') {
        kind = 'firing';
        Object.assign(next, { state: 'firing', since: now, lastNotifiedAt: now });
      } else if (
        c.firing === true &&
        (s.lastNotifiedAt === null ||
          now.getTime() - s.lastNotifiedAt.getTime() >= rule.cooldownMinutes * 60_000)
      ) {
        kind = 'reminder';
        next.lastNotifiedAt = now;
      } else if (c.firing === false && s.state === 'firing') {
        kind = 'resolved';
        Object.assign(next, { state: 'ok', since: now, lastNotifiedAt: now });
      }
      await this.store.saveState(rule.id, next, trx);
      if (!kind) return 0;
      const eventId = await this.store.addEvent(
        rule.id,
        { subject: c.subject, kind, occurredAt: now, details: next.details },
        trx,
      );
      const channels = await this.channels.byOwners(ALERT_OWNER, [rule.id], trx);
      const link = `${this.opts.publicUrl}/v1/alerts/${rule.id}`;
      const state = kind === 'resolved' ? 'resolved' : 'firing';
      return this.deliveries.enqueue(
        {
          ownerKind: ALERT_OWNER,
          ownerId: rule.id,
          eventKey: `alert-event:${eventId}`,
          eventType: kind === 'resolved' ? 'alert.resolved' : 'alert.firing',
          data: {
            title: `${state === 'firing' ? '🔴 Firing' : '✅ Resolved'}: ${rule.name}${c.subject ? ` (${c.subject})` : ''}`,
            text: c.summary,
            link,
            rule: { id: rule.id, name: rule.name, type: rule.type, params: rule.params },
            subject: c.subject,
            state,
            reminder: kind === 'reminder',
            eventId,
            since: next.since.toISOString(),
            details: c.details,
          },
          channels,
          now,
        },
        trx,
      );
    });
  }
}

const badCursor = () =>
  new ValidationError([{ path: 'cursor', message: 'is not a cursor this service issued' }]);

function decodeCursor(cursor: string): string {
  const v = Buffer.from(cursor, 'base64url').toString('utf8');
  if (v === '' || Buffer.from(v).toString('base64url') !== cursor) throw badCursor();
  return v;
}
