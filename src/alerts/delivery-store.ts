import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Channel, EventType } from './types.js';

export interface Attachment {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
}

export interface Delivery {
  id: string;
  channelId: string;
  eventType: EventType;
  payload: { id: string; type: EventType; occurredAt: string; data: Record<string, unknown> };
  attachment: Attachment | null;
  attempts: number;
}

export interface DeliveryView {
  id: string;
  channelId: string;
  channelType: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: { at: string; statusCode: number | null; error: string | null; durationMs: number }[];
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Enqueue {
  ownerKind: string;
  ownerId: string;
  /** One delivery per event key and channel, however many evaluators reach the same event. */
  eventKey: string;
  eventType: EventType;
  data: Record<string, unknown>;
  channels: Channel[];
  attachment?: Attachment;
  now: Date;
}

/** The durable delivery queue: rows survive restarts; a claim is a lease, so a crashed sender's work is retried. */
export class DeliveryStore {
  constructor(private readonly knex: Knex) {}

  async enqueue(e: Enqueue, trx: Knex = this.knex): Promise<number> {
    const targets = e.channels.filter((c) => c.disabledAt === null);
    if (targets.length === 0) return 0;
    const rows = targets.map((c) => {
      const id = randomUUID();
      return {
        id,
        channel_id: c.id,
        owner_kind: e.ownerKind,
        owner_id: e.ownerId,
        event_key: e.eventKey,
        event_type: e.eventType,
        payload: JSON.stringify({ id, type: e.eventType, occurredAt: e.now.toISOString(), data: e.data }),
        attachment: e.attachment ? JSON.stringify(e.attachment) : null,
        status: 'pending',
        next_attempt_at: e.now,
        created_at: e.now,
      };
    });
    const inserted = await trx('deliveries')
      .insert(rows)
      .onConflict(['event_key', 'channel_id'])
      .ignore()
      .returning('id');
    return inserted.length;
  }

  /** Leases up to `limit` due deliveries (SKIP LOCKED: concurrent workers take different rows). */
  async claim(now: Date, leaseUntil: Date, limit: number): Promise<Delivery[]> {
    const { rows } = (await this.knex.raw(
      `UPDATE deliveries SET locked_until = :lease
        WHERE id IN (SELECT id FROM deliveries
                      WHERE status = 'pending' AND next_attempt_at <= :now
                        AND (locked_until IS NULL OR locked_until <= :now)
                      ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)
       RETURNING id, channel_id AS "channelId", event_type AS "eventType", payload, attachment, attempts`,
      { now: now.toISOString(), lease: leaseUntil.toISOString(), limit },
    )) as { rows: Delivery[] };
    return rows;
  }

  /** Records one attempt and the delivery's next state in one transaction. */
  async recordAttempt(
    id: string,
    attempt: { at: Date; statusCode: number | null; error: string | null; durationMs: number },
    next: { status: 'pending' | 'succeeded' | 'failed'; nextAttemptAt: Date | null },
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('delivery_attempts').insert({
        delivery_id: id,
        at: attempt.at,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: Math.round(attempt.durationMs),
      });
      await trx('deliveries')
        .where({ id })
        .update({
          attempts: trx.raw('attempts + 1'),
          status: next.status,
          locked_until: null,
          ...(next.nextAttemptAt ? { next_attempt_at: next.nextAttemptAt } : {}),
          completed_at: next.status === 'pending' ? null : attempt.at,
        });
    });
  }

  /** The earliest time a pending delivery becomes due, or null without one. */
  async nextDue(): Promise<Date | null> {
    const row = (await this.knex('deliveries')
      .where({ status: 'pending' })
      .min({ at: this.knex.raw('greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))') })
      .first()) as { at: Date | null } | undefined;
    return row?.at ?? null;
  }

  /** Newest first, with their attempts. */
  async list(ownerKind: string, ownerId: string, limit: number, before?: string): Promise<DeliveryView[]> {
    const { rows } = (await this.knex.raw(
      `SELECT d.id, d.channel_id AS "channelId", c.type AS "channelType", d.event_type AS "eventType", d.status,
              coalesce((SELECT json_agg(json_build_object('at', a.at, 'statusCode', a.status_code, 'error', a.error,
                                                          'durationMs', a.duration_ms) ORDER BY a.id)
                          FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempts,
              CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS "nextAttemptAt",
              d.created_at AS "createdAt", d.completed_at AS "completedAt"
         FROM deliveries d JOIN channels c ON c.id = d.channel_id
        WHERE d.owner_kind = :kind AND d.owner_id = :owner
          AND (:before::text IS NULL OR (d.created_at, d.id::text) < (SELECT created_at, id::text FROM deliveries WHERE id::text = :before))
        ORDER BY d.created_at DESC, d.id::text DESC
        LIMIT :limit`,
      { kind: ownerKind, owner: ownerId, limit, before: before ?? null },
    )) as {
      rows: (Omit<DeliveryView, 'createdAt' | 'completedAt' | 'nextAttemptAt' | 'attempts'> & {
        attempts: { at: string; statusCode: number | null; error: string | null; durationMs: number }[];
        createdAt: Date;
        completedAt: Date | null;
        nextAttemptAt: Date | null;
      })[];
    };
    return rows.map((r) => ({
      ...r,
      attempts: r.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
      createdAt: r.createdAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
      nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
    }));
  }
}
