import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { applyClicks, applyInvites, invitesById } from './invites-ingest.js';
import { applyInviteSignups } from './signups-ingest.js';
import { type Invite, type Outcome, type UserRow, type ViralUser, raise, toInvite, toUser } from './types.js';
import { applyFvm, applyUserSignups } from './users-ingest.js';

export type OutcomeListener = (type: string, outcome: Outcome['kind'], count?: number) => void;

/** The single-event ingestion calls: each is a batch of one through the same set-based code as /v1/events. */
export class ViralService {
  constructor(
    private readonly knex: Knex,
    private readonly listen: OutcomeListener = () => undefined,
  ) {}

  private settle(type: string, o: Outcome): boolean {
    this.listen(type, o.kind);
    raise(o);
    return o.kind === 'stored';
  }

  private async user(userId: string): Promise<ViralUser | null> {
    const row = (await this.knex('users')
      .select('user_id', 'signed_up_at', 'referred_by_invite', 'country', 'fvm_at')
      .where({ user_id: userId })
      .first()) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  private async invite(inviteId: string): Promise<Invite> {
    return toInvite((await invitesById(this.knex, [inviteId])).get(inviteId)!);
  }

  async registerUser(userId: string, at = new Date(), country?: string) {
    const [o] = await applyUserSignups(this.knex, [{ userId, at, country }]);
    const created = this.settle('user_signed_up', o!);
    return { ...(await this.user(userId))!, created };
  }

  async createInvite(input: { inviteId?: string; referrerId: string; source: string; sentAt?: Date }) {
    const inviteId = input.inviteId ?? randomUUID();
    const [o] = await applyInvites(this.knex, [
      { ...input, inviteId, sentAt: input.sentAt ?? new Date(), sentAtGiven: input.sentAt !== undefined },
    ]);
    const created = this.settle('invite_sent', o!);
    return { ...(await this.invite(inviteId)), created };
  }

  async click(inviteId: string, clickId: string = randomUUID(), at = new Date(), visitorId?: string) {
    const [o] = await applyClicks(this.knex, [{ inviteId, clickId, at, visitorId }]);
    const created = this.settle('invite_clicked', o!);
    return { ...(await this.invite(inviteId)), created };
  }

  async signup(
    inviteId: string,
    userId: string,
    at?: Date,
    extra: { country?: string | undefined; visitorId?: string | undefined } = {},
  ) {
    const [o] = await applyInviteSignups(this.knex, [
      { inviteId, userId, at: at ?? new Date(), atGiven: at !== undefined, ...extra },
    ]);
    const created = this.settle('invite_signed_up', o!);
    return { ...(await this.invite(inviteId)), created };
  }

  async fvm(userId: string, at = new Date()) {
    const [o] = await applyFvm(this.knex, [{ userId, at }]);
    const created = this.settle('fvm_reached', o!);
    return { ...(await this.user(userId))!, created };
  }
}
