import t from 'tap';
import { build, expectProblem, json, post } from '../helper.js';

t.test('malformed URLs answer problem+json 400, not Fastify’s own body', async (t) => {
  const app = await build(t);
  for (const url of ['/v1/assignments/%', '/v1/experiments/%E0%A4%A', '/v1/users/%zz/fvm']) {
    const res = await app.inject({ method: 'GET', url });
    expectProblem(t, res, 400, 'validation_failed', 'path');
  }
});

t.test('ids of 256 UTF-16 code units, non-ASCII and percent-encoded, work in every path', async (t) => {
  const app = await build(t);
  const wide = '中'.repeat(256); // 3 UTF-8 bytes each: 2,304 characters once percent-encoded
  const astral = '😀'.repeat(128); // 2 code units and 4 UTF-8 bytes each
  for (const id of [wide, astral]) {
    const enc = encodeURIComponent(id);
    t.equal(json(await post(app, '/v1/users', { userId: id })).userId, id);
    const fvm = await post(app, `/v1/users/${enc}/fvm`, {});
    t.equal(fvm.statusCode, 200, fvm.body.slice(0, 200));
    t.equal(json(fvm).userId, id);
    t.equal((await post(app, '/v1/invites', { inviteId: id, referrerId: id, source: 's' })).statusCode, 200);
    const click = await post(app, `/v1/invites/${enc}/clicks`, {});
    t.equal(click.statusCode, 200, click.body.slice(0, 200));
    const signup = await post(app, `/v1/invites/${enc}/signups`, { userId: `${id.slice(0, 200)}-new` });
    t.equal(signup.statusCode, 200, signup.body.slice(0, 200));
  }
  const tooLong = encodeURIComponent(`${'中'.repeat(256)}x`);
  expectProblem(t, await post(app, `/v1/users/${tooLong}/fvm`, {}), 400, 'validation_failed', 'userId');
  const wayTooLong = 'x'.repeat(5000);
  expectProblem(t, await post(app, `/v1/users/${wayTooLong}/fvm`, {}), 400, 'validation_failed', 'path');
});

t.test('stats calculators refuse inputs whose statistics cannot be finite, instead of a 500', async (t) => {
  const app = await build(t);
  const bad: [string, object, string][] = [
    ['/v1/stats/srm', { observed: [1e12, 1e12], weights: [1e-300, 1e12] }, 'weights'],
    ['/v1/stats/sample-size', { baselineRate: 1e-300, minDetectableEffect: 0.1 }, 'baselineRate'],
    ['/v1/stats/sample-size', { baselineRate: 0.5, minDetectableEffect: 1e-300 }, 'minDetectableEffect'],
    [
      '/v1/stats/sample-size',
      { baselineRate: 0.5, minDetectableEffect: 0.1, dailyUsers: 1e-300 },
      'dailyUsers',
    ],
  ];
  for (const [url, payload, path] of bad) {
    expectProblem(t, await post(app, url, payload), 400, 'validation_failed', path);
  }
  const srm = await post(app, '/v1/stats/srm', { observed: [1e12, 1], weights: [1, 1e12] });
  t.equal(srm.statusCode, 200, 'a 1e12 spread is still computed');
  t.equal(json(srm).mismatch, true);
});
