import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { emptyDatabase, expectProblem, get, testDatabase } from '../helper.js';

/** An app on this file's database with one extra route, logging JSON lines into `lines`. */
async function appWith(
  t: Test,
  env: Record<string, string>,
  route: (app: Awaited<ReturnType<typeof buildApp>>) => void,
  lines: Record<string, unknown>[] = [],
) {
  const db = await testDatabase();
  await emptyDatabase(db);
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp({
    config: configFrom(env),
    db,
    migrate: false,
    logger: { level: 'info', stream },
  });
  route(app);
  t.teardown(() => app.close());
  await app.ready();
  return app;
}

t.test(
  'an unexpected error is a 500 problem+json that tells nothing and is logged with its request id',
  async (t) => {
    const lines: Record<string, unknown>[] = [];
    const app = await appWith(
      t,
      {},
      (app) =>
        app.get('/boom', async () => {
          throw new Error('connection string postgres://user:secret@db/x leaked');
        }),
      lines,
    );
    const res = await get(app, '/boom', { 'x-request-id': 'req-500' });
    const p = expectProblem(t, res, 500, 'internal_error');
    t.notMatch(res.body, /secret|postgres|leaked/, 'the cause stays in the log');
    t.match(p.detail, /unexpected error/);
    t.equal(JSON.parse(res.body).title, ERROR_CODES.internal_error.title);
    const logged = lines.find((l) => l.msg === 'request failed');
    t.ok(logged, 'logged');
    t.equal(logged?.level, 50, 'at error level');
    t.equal(logged?.reqId, 'req-500', 'with the request id');
    t.match((logged?.err as { message?: string } | undefined)?.message, /leaked/, 'with the cause');
    // The service goes on answering.
    t.equal((await get(app, '/health/live')).statusCode, 200);
  },
);

t.test('a registered code fixes the status and the title', async (t) => {
  const app = await appWith(t, {}, (app) =>
    app.get('/conflict', async () => {
      throw new AppError('invite_conflict', 'Invite "x" exists with other fields.');
    }),
  );
  const res = await get(app, '/conflict');
  expectProblem(t, res, 409, 'invite_conflict');
  t.equal(JSON.parse(res.body).title, 'Invite conflict');
  t.equal(JSON.parse(res.body).type, 'urn:liftoff:problem:invite_conflict');
});

t.test('an overloaded instance sheds load with 503 + Retry-After; health probes still answer', async (t) => {
  const app = await appWith(
    t,
    { MAX_EVENT_LOOP_DELAY_MS: '50', LOAD_SAMPLE_INTERVAL_MS: '100' },
    () => undefined,
  );
  t.equal((await get(app, '/v1/me')).statusCode, 200, 'not shed while idle');
  // Block the event loop for 300 ms three times, as a CPU-bound burst would, then let a sample be taken.
  for (let i = 0; i < 3; i++) {
    const until = Date.now() + 300;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 5));
  }
  const shed = await get(app, '/v1/me');
  expectProblem(t, shed, 503, 'service_unavailable');
  t.equal(shed.headers['retry-after'], '2');
  t.equal((await get(app, '/health/live')).statusCode, 200, 'liveness is never shed');
  // Once the loop is idle for a few samples the instance serves again.
  await new Promise((r) => setTimeout(r, 400));
  t.equal((await get(app, '/v1/me')).statusCode, 200, 'served again');
});

t.test('README lists every registered error code with its status', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    t.match(readme, new RegExp('\\| `' + code + '`\\s+\\| ' + ERROR_CODES[code].status + ' '), code);
  }
});
