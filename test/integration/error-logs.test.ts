import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { testDatabase } from '../helper.js';

t.test('client errors log their code and fields at info, never the ids they quote', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp({
    config: configFrom(),
    db: await testDatabase(),
    migrate: false,
    logger: { level: 'info', stream },
  });
  t.teardown(() => app.close());
  await app.ready();
  const secret = 'person-4711@example.com';
  const res = await app.inject({ method: 'POST', url: '/v1/users/x/fvm', payload: {} });
  t.equal(res.statusCode, 404);
  await app.inject({
    method: 'POST',
    url: '/v1/invites',
    payload: { referrerId: secret, source: 'Bad Source' },
  });
  await app.inject({
    method: 'POST',
    url: `/v1/invites/${encodeURIComponent(secret)}/signups`,
    payload: { userId: 'u' },
  });
  const rejections = lines.filter((l) => l.msg === 'request rejected');
  t.equal(rejections.length, 3);
  t.match(rejections[1], { code: 'validation_failed', status: 400, fields: ['source'] });
  t.match(rejections[2], { code: 'invite_not_found', status: 404 });
  t.notOk(JSON.stringify(rejections).includes('person-4711'), 'no id in error logs');
});
