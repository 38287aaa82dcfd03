import type { Knex } from 'knex';
import type { AlertType } from '../schemas/alerts.js';

export interface AlertRule {
  id: string;
  name: string;
  type: AlertType;
  params: Record<string, unknown>;
  cooldownMinutes: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface SubjectState {
  subject: string;
  state: 'ok' | 'firing';
  since: Date;
  lastNotifiedAt: Date | null;
  evaluatedAt: Date;
  details: Record<string, unknown>;
}

export interface AlertEvent {
  id: number;
  subject: string;
  kind: 'firing' | 'reminder' | 'resolved';
  occurredAt: Date;
  details: Record<string, unknown>;
}

const RULE_COLUMNS = {
  id: 'id',
  name: 'name',
  type: 'type',
  params: 'params',
  cooldownMinutes: 'cooldown_minutes',
  enabled: 'enabled',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const STATE_COLUMNS = {
  subject: 'subject',
  state: 'state',
  since: 'since',
  lastNotifiedAt: 'last_notified_at',
  evaluatedAt: 'evaluated_at',
  details: 'details',
};

export class AlertStore {
  constructor(private readonly knex: Knex) {}

  async insert(rule: AlertRule, trx: Knex = this.knex): Promise<void> {
    await trx('alert_rules').insert({
      id: rule.id,
      name: rule.name,
      type: rule.type,
      params: JSON.stringify(rule.params),
      cooldown_minutes: rule.cooldownMinutes,
      enabled: rule.enabled,
      created_at: rule.createdAt,
      updated_at: rule.updatedAt,
    });
  }

  async find(id: string, trx: Knex = this.knex, forUpdate = false): Promise<AlertRule | null> {
    const q = trx('alert_rules').select(RULE_COLUMNS).where({ id }).first();
    return ((await (forUpdate ? q.forUpdate() : q)) as AlertRule | undefined) ?? null;
  }

  /** By id, after `after` (keyset pagination). */
  async list(limit: number, after?: string, enabledOnly = false): Promise<AlertRule[]> {
    const q = this.knex('alert_rules').select(RULE_COLUMNS).orderBy('id').limit(limit);
    if (after) q.where('id', '>', after);
    if (enabledOnly) q.where({ enabled: true });
    return (await q) as AlertRule[];
  }

  async update(
    id: string,
    changes: Partial<Pick<AlertRule, 'name' | 'params' | 'cooldownMinutes' | 'enabled'>>,
    at: Date,
    trx: Knex,
  ): Promise<void> {
    await trx('alert_rules')
      .where({ id })
      .update({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.params !== undefined ? { params: JSON.stringify(changes.params) } : {}),
        ...(changes.cooldownMinutes !== undefined ? { cooldown_minutes: changes.cooldownMinutes } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        updated_at: at,
      });
  }

  async delete(id: string, trx: Knex): Promise<boolean> {
    return (await trx('alert_rules').where({ id }).delete().returning('id')).length > 0;
  }

  async states(ruleIds: string[], trx: Knex = this.knex): Promise<Map<string, SubjectState[]>> {
    const out = new Map<string, SubjectState[]>(ruleIds.map((id) => [id, []]));
    if (ruleIds.length === 0) return out;
    const rows = (await trx('alert_states')
      .select({ ruleId: 'rule_id', ...STATE_COLUMNS })
      .whereIn('rule_id', ruleIds)
      .orderBy(['rule_id', 'subject'])) as (SubjectState & { ruleId: string })[];
    for (const { ruleId, ...s } of rows) out.get(ruleId)!.push(s);
    return out;
  }

  /** Creates the subject's state in `ok` unless it exists; then locks it for this transaction. */
  async lockState(ruleId: string, subject: string, now: Date, trx: Knex): Promise<SubjectState> {
    await trx('alert_states')
      .insert({ rule_id: ruleId, subject, state: 'ok', since: now, evaluated_at: now, details: '{}' })
      .onConflict(['rule_id', 'subject'])
      .ignore();
    return (await trx('alert_states')
      .select(STATE_COLUMNS)
      .where({ rule_id: ruleId, subject })
      .forUpdate()
      .first()) as SubjectState;
  }

  async saveState(ruleId: string, s: SubjectState, trx: Knex): Promise<void> {
    await trx('alert_states')
      .where({ rule_id: ruleId, subject: s.subject })
      .update({
        state: s.state,
        since: s.since,
        last_notified_at: s.lastNotifiedAt,
        evaluated_at: s.evaluatedAt,
        details: JSON.stringify(s.details),
      });
  }

  async addEvent(ruleId: string, e: Omit<AlertEvent, 'id'>, trx: Knex): Promise<number> {
    const [row] = (await trx('alert_events')
      .insert({
        rule_id: ruleId,
        subject: e.subject,
        kind: e.kind,
        occurred_at: e.occurredAt,
        details: JSON.stringify(e.details),
      })
      .returning('id')) as { id: number }[];
    return Number(row!.id);
  }

  async events(ruleId: string, limit: number, before?: number): Promise<AlertEvent[]> {
    const q = this.knex('alert_events')
      .select({ id: 'id', subject: 'subject', kind: 'kind', occurredAt: 'occurred_at', details: 'details' })
      .where({ rule_id: ruleId })
      .orderBy('id', 'desc')
      .limit(limit);
    if (before !== undefined) q.where('id', '<', before);
    return ((await q) as AlertEvent[]).map((e) => ({ ...e, id: Number(e.id) }));
  }
}
