import { json, type App } from '../helper.js';

const H = 3_600_000;
const D = 24 * H;

/**
 * r1, r2, r3 signed up 6 days ago; 3 days ago r1 sent 5 invites (buddy), r2 3 (buddy), r3 2 (streak); 4 signed up
 * 1 h, 1 h, 2 h and 30 min after sending. By hand: invites 10, senders 3, conversions 4, K = 4/3 = 1.33 (excellent),
 * conversion rate 40.0 %, invites per sender 3.33, user base 7, viral coefficient 4/7 = 0.57; cycle time p50 1 h,
 * p90 = 3600 + 0.7 × 3600 = 6120 s = 1.7 h; buddy K = 3/2 = 1.50 (37.5 %), streak K = 1.00 (50.0 %).
 */
export async function seedGrowth(app: App, now: number) {
  const at = (ms: number) => new Date(now + ms).toISOString();
  const sent = -3 * D;
  const events: object[] = ['r1', 'r2', 'r3'].map((userId) => ({
    type: 'user_signed_up',
    userId,
    occurredAt: at(-6 * D),
  }));
  const plan: [string, string, number][] = [
    ['r1', 'buddy', 5],
    ['r2', 'buddy', 3],
    ['r3', 'streak', 2],
  ];
  for (const [referrerId, source, n] of plan)
    for (let i = 0; i < n; i++)
      events.push({
        type: 'invite_sent',
        inviteId: `${referrerId}-${i}`,
        referrerId,
        source,
        occurredAt: at(sent),
      });
  const signups: [string, number][] = [
    ['r1-0', H],
    ['r1-1', H],
    ['r2-0', 2 * H],
    ['r3-0', H / 2],
  ];
  signups.forEach(([inviteId, after], i) =>
    events.push({ type: 'invite_signed_up', inviteId, userId: `u${i}`, occurredAt: at(sent + after) }),
  );
  const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { events } });
  const body = json<{ accepted: number; rejected: unknown[] }>(res);
  if (body.accepted !== events.length) throw new Error(res.body);
}
