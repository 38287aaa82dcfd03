// State for the fuzzer to dig into: experiments in every status, assigned and converted users, invites with clicks
// and signups. Made through the API, like any client would.
import { ADMIN_KEY, bearer, call } from '../../test/support/service-process.js';
import type { Known } from './values.js';

export async function seedState(url: string): Promise<Known> {
  const admin = bearer(ADMIN_KEY);
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await call(url, method, path, body, admin);
    if (res.status >= 300) throw new Error(`seeding ${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const variants = [
    { key: 'control', weight: 50 },
    { key: 'variant_a', weight: 50 },
  ];
  for (const key of ['fz-running', 'fz-draft', 'fz-stopped', 'fz-revenue']) {
    await must('POST', '/v1/experiments', {
      key,
      name: `Fuzz ${key}`,
      variants,
      targetMetric: key === 'fz-revenue' ? 'revenue' : 'conversion',
    });
    if (key !== 'fz-draft') await must('POST', `/v1/experiments/${key}/start`);
  }
  const userIds = Array.from({ length: 12 }, (_, i) => `fz-user-${i}`);
  for (const [i, userId] of userIds.entries()) {
    for (const key of ['fz-running', 'fz-stopped', 'fz-revenue']) {
      await must('POST', `/v1/experiments/${key}/assignments`, { userId, expose: true });
      if (i % 2 === 0) await must('POST', `/v1/experiments/${key}/conversions`, { userId, value: i * 3.5 });
    }
    if (i < 6) await must('POST', '/v1/users', { userId });
  }
  await must('POST', '/v1/experiments/fz-stopped/stop');
  const inviteIds = Array.from({ length: 10 }, (_, i) => `fz-inv-${i}`);
  for (const [i, inviteId] of inviteIds.entries()) {
    await must('POST', '/v1/invites', { inviteId, referrerId: userIds[i % 3], source: 'buddy_challenge' });
    if (i < 7) await must('POST', `/v1/invites/${inviteId}/clicks`, { clickId: `c-${i}` });
    if (i < 4) await must('POST', `/v1/invites/${inviteId}/signups`, { userId: `fz-invitee-${i}` });
  }
  await must('POST', '/v1/users/fz-invitee-0/fvm', {});
  return {
    experimentKeys: ['fz-running', 'fz-draft', 'fz-stopped', 'fz-revenue', 'fz-missing'],
    userIds: [...userIds, 'fz-invitee-0', 'fz-invitee-1', 'fz-nobody'],
    inviteIds: [...inviteIds, 'fz-inv-missing'],
    variants: ['control', 'variant_a'],
    metrics: ['conversion', 'revenue'],
    sources: ['buddy_challenge', 'streak_rescue'],
  };
}
