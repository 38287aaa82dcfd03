import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ChannelIn } from '../schemas/channels.js';
import type { Channel, ChannelType } from './types.js';

interface ChannelRow {
  id: string;
  owner_kind: string;
  owner_id: string;
  type: ChannelType;
  config: { url?: string; to?: string[] };
  secret: string | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
}

const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  ownerKind: r.owner_kind,
  ownerId: r.owner_id,
  type: r.type,
  url: r.config.url ?? null,
  to: r.config.to ?? null,
  secret: r.secret,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
});

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export class ChannelStore {
  constructor(private readonly knex: Knex) {}

  /** Replaces the owner's channels; webhook channels get a generated secret when none is given. */
  async replace(
    ownerKind: string,
    ownerId: string,
    input: ChannelIn[],
    trx: Knex = this.knex,
  ): Promise<Channel[]> {
    await trx('channels').where({ owner_kind: ownerKind, owner_id: ownerId }).delete();
    if (input.length === 0) return [];
    const rows = await trx('channels')
      .insert(
        input.map((c, position) => ({
          id: randomUUID(),
          owner_kind: ownerKind,
          owner_id: ownerId,
          position,
          type: c.type,
          config: JSON.stringify(c.type === 'email' ? { to: c.to } : { url: c.url }),
          secret: c.type === 'webhook' ? (c.secret ?? generateSecret()) : null,
        })),
      )
      .returning('*');
    return (rows as ChannelRow[]).map(toChannel);
  }

  async byOwners(ownerKind: string, ownerIds: string[], trx: Knex = this.knex): Promise<Channel[]> {
    if (ownerIds.length === 0) return [];
    const rows = (await trx('channels')
      .where({ owner_kind: ownerKind })
      .whereIn('owner_id', ownerIds)
      .orderBy(['owner_id', 'position'])) as ChannelRow[];
    return rows.map(toChannel);
  }

  async byId(id: string): Promise<Channel | null> {
    const row = (await this.knex('channels').where({ id }).first()) as ChannelRow | undefined;
    return row ? toChannel(row) : null;
  }

  async deleteOwner(ownerKind: string, ownerId: string, trx: Knex = this.knex): Promise<void> {
    await trx('channels').where({ owner_kind: ownerKind, owner_id: ownerId }).delete();
  }

  /** 410 Gone: the target asked never to be called again. */
  async disable(id: string, reason: string, at: Date): Promise<void> {
    await this.knex('channels')
      .where({ id })
      .whereNull('disabled_at')
      .update({ disabled_at: at, disabled_reason: reason });
  }
}
