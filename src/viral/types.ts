import { AppError, statusOf, type ErrorCode } from '../errors.js';
export interface ViralUser {
  userId: string;
  signedUpAt: Date;
  referredByInvite: string | null;
  country: string | null;
  fvmAt: Date | null;
}

export interface Invite {
  inviteId: string;
  referrerId: string;
  source: string;
  sentAt: Date;
  clicks: number;
  firstClickedAt: Date | null;
  signupUserId: string | null;
  signedUpAt: Date | null;
}

export interface Rejection {
  kind: 'rejected';
  status: number;
  code: ErrorCode;
  /** The field the problem is about. */
  path: string;
  detail: string;
}

/** What applying one event did: stored something new, matched what was stored, or was refused. */
export type Outcome = { kind: 'stored' } | { kind: 'duplicate' } | Rejection;

export const STORED: Outcome = { kind: 'stored' };
export const DUPLICATE: Outcome = { kind: 'duplicate' };

export const reject = (code: ErrorCode, path: string, detail: string): Rejection => ({
  kind: 'rejected',
  status: statusOf(code),
  code,
  path,
  detail,
});

/** A single-event call answers a rejection as its problem+json. */
export const raise = (o: Outcome): void => {
  if (o.kind === 'rejected') throw new AppError(o.code, o.detail, [{ path: o.path, message: o.detail }]);
};

export interface InviteRow {
  invite_id: string;
  referrer_id: string;
  source: string;
  sent_at: Date;
  click_count: number;
  first_clicked_at: Date | null;
  signup_user_id: string | null;
  signed_up_at: Date | null;
}

export const toInvite = (r: InviteRow): Invite => ({
  inviteId: r.invite_id,
  referrerId: r.referrer_id,
  source: r.source,
  sentAt: r.sent_at,
  clicks: r.click_count,
  firstClickedAt: r.first_clicked_at,
  signupUserId: r.signup_user_id,
  signedUpAt: r.signed_up_at,
});

export interface UserRow {
  user_id: string;
  signed_up_at: Date;
  referred_by_invite: string | null;
  country: string | null;
  fvm_at: Date | null;
}

export const toUser = (r: UserRow): ViralUser => ({
  userId: r.user_id,
  signedUpAt: r.signed_up_at,
  referredByInvite: r.referred_by_invite,
  country: r.country,
  fvmAt: r.fvm_at,
});
