import t from 'tap';
import { build, expectProblem, get, json, post, startedExperiment } from '../helper.js';

const NUL = 'a\u0000b';
const LONE = 'zz\ud801';

t.test('NUL and lone surrogates are refused with 400 naming the field, never stored or merged', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'exp' });
  const cases: [string, object, string][] = [
    ['/v1/users', { userId: NUL }, 'userId'],
    ['/v1/users', { userId: LONE }, 'userId'],
    ['/v1/invites', { inviteId: NUL, referrerId: 'r', source: 's' }, 'inviteId'],
    ['/v1/invites', { referrerId: LONE, source: 's' }, 'referrerId'],
    ['/v1/experiments/exp/assignments', { userId: NUL }, 'userId'],
    ['/v1/experiments/exp/assignments', { userId: '\udc00x' }, 'userId'],
    ['/v1/assignments', { userId: LONE }, 'userId'],
    ['/v1/experiments/exp/exposures', { userId: 'u', variant: NUL }, 'variant'],
    ['/v1/experiments/exp/conversions', { userId: 'u', eventId: LONE }, 'eventId'],
    ['/v1/experiments', { key: 'x1', name: NUL, variants: [{ key: 'a' }, { key: 'b' }] }, 'name'],
    [
      '/v1/experiments',
      { key: 'x2', description: LONE, variants: [{ key: 'a' }, { key: 'b' }] },
      'description',
    ],
    ['/v1/experiments', { key: 'x3', hypothesis: NUL, variants: [{ key: 'a' }, { key: 'b' }] }, 'hypothesis'],
    ['/v1/experiments', { key: 'x4', hashSeed: NUL, variants: [{ key: 'a' }, { key: 'b' }] }, 'hashSeed'],
    [
      '/v1/experiments',
      { key: 'x5', variants: [{ key: 'a', description: LONE }, { key: 'b' }] },
      'variants.0.description',
    ],
  ];
  for (const [url, payload, path] of cases) {
    expectProblem(t, await post(app, url, payload), 400, 'validation_failed', path);
  }
  expectProblem(t, await post(app, '/v1/users/a%00b/fvm', {}), 400, 'validation_failed', 'userId');
  expectProblem(t, await post(app, '/v1/invites/a%00b/clicks', {}), 400, 'validation_failed', 'inviteId');
  // A well-formed pair is an ordinary character and is kept verbatim.
  const emoji = 'zz\ud83d\ude00';
  t.equal(json(await post(app, '/v1/users', { userId: emoji })).userId, emoji);
});

t.test(
  'one event with NUL or a lone surrogate is one rejection; the rest of the batch is applied',
  async (t) => {
    const app = await build(t);
    const res = await post(app, '/v1/events', {
      events: [
        { type: 'user_signed_up', userId: 'ok-1' },
        { type: 'user_signed_up', userId: NUL },
        { type: 'invite_sent', inviteId: 'i1', referrerId: LONE, source: 's' },
        { type: 'user_signed_up', userId: 'ok-2' },
      ],
    });
    t.equal(res.statusCode, 200, res.body);
    const r = json<{ accepted: number; rejected: { index: number; code: string; detail: string }[] }>(res);
    t.equal(r.accepted, 2);
    t.same(
      r.rejected.map((x) => [x.index, x.code]),
      [
        [1, 'validation_failed'],
        [2, 'validation_failed'],
      ],
    );
    t.match(r.rejected[0]!.detail, /^userId: /);
    t.match(r.rejected[1]!.detail, /^referrerId: /);
  },
);

t.test('timestamps outside 1970–9999 are refused on every input', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'exp' });
  const year0 = '0000-01-01T00:00:00Z';
  const year1 = '0001-06-15T12:00:00Z';
  const cases: [string, object, string][] = [
    ['/v1/users', { userId: 'u', signedUpAt: year0 }, 'signedUpAt'],
    ['/v1/users', { userId: 'u', signedUpAt: year1 }, 'signedUpAt'],
    ['/v1/users', { userId: 'u', signedUpAt: '1969-12-31T23:59:59Z' }, 'signedUpAt'],
    ['/v1/invites', { referrerId: 'r', source: 's', sentAt: '0050-01-01T00:00:00Z' }, 'sentAt'],
    ['/v1/experiments/exp/conversions', { userId: 'u', occurredAt: year0 }, 'occurredAt'],
  ];
  for (const [url, payload, path] of cases) {
    expectProblem(t, await post(app, url, payload), 400, 'validation_failed', path);
  }
  const ok = await post(app, '/v1/users', { userId: 'u', signedUpAt: '1970-01-01T00:00:00Z' });
  t.equal(json(ok).signedUpAt, '1970-01-01T00:00:00.000Z', 'the first accepted instant is stored as sent');
  for (const q of [
    `from=${year0}&to=2026-01-01T00:00:00Z`,
    'from=2026-01-01T00:00:00Z&to=9999-12-31T23:59:59-05:00',
  ]) {
    const res = await get(app, `/v1/metrics/k-factor?${q}`);
    t.equal(res.statusCode, 400, q);
  }
  const batch = json<{ rejected: { index: number; detail: string }[] }>(
    await post(app, '/v1/events', { events: [{ type: 'user_signed_up', userId: 'v', occurredAt: year1 }] }),
  );
  t.match(batch.rejected, [{ index: 0, detail: /^occurredAt: / }]);
});
