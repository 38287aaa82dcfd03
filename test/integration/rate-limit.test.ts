import t from 'tap';
import { build, expectProblem, get } from '../helper.js';

const KEYS = { API_KEYS: 'read:read-secret-123,admin:admin-secret-123', RATE_LIMIT_PER_MINUTE: '3' };
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

t.test('failed authentication counts against the client IP’s budget', async (t) => {
  const app = await build(t, KEYS);
  for (let i = 0; i < 3; i++) {
    expectProblem(t, await get(app, '/v1/experiments', bearer(`guess-${i}`)), 401, 'unauthorized');
  }
  const limited = await get(app, '/v1/experiments', bearer('guess-4'));
  expectProblem(t, limited, 429, 'rate_limited');
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  expectProblem(t, await get(app, '/v1/experiments'), 429, 'rate_limited', undefined);
  const valid = await get(app, '/v1/experiments', bearer('read-secret-123'));
  t.equal(valid.statusCode, 200, 'a valid key has its own budget');
});

t.test('each valid key has its own budget; health probes are never limited', async (t) => {
  const app = await build(t, KEYS);
  for (let i = 0; i < 3; i++) {
    t.equal((await get(app, '/v1/experiments', bearer('read-secret-123'))).statusCode, 200);
  }
  expectProblem(t, await get(app, '/v1/experiments', bearer('read-secret-123')), 429, 'rate_limited');
  t.equal((await get(app, '/v1/experiments', bearer('admin-secret-123'))).statusCode, 200);
  for (let i = 0; i < 10; i++) {
    t.equal((await get(app, '/health/live')).statusCode, 200);
    t.equal((await get(app, '/health/ready')).statusCode, 200);
  }
});
