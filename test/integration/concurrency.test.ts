import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { build, json, startedExperiment, testDatabase, testDatabaseUrl, usingPostgres } from '../helper.js';

t.test('100 concurrent first assignments of one user, on two app instances, store one row', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'race' });
  const other = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
  t.teardown(() => other.close());
  const calls = Array.from({ length: 100 }, (_, i) =>
    (i % 2 ? other : app).inject({
      method: 'POST',
      url: '/v1/experiments/race/assignments',
      payload: { userId: 'same-user', expose: i % 3 === 0 },
    }),
  );
  const answers = (await Promise.all(calls)).map((r) =>
    json<{ variant: string; reason: string; assignedAt: string }>(r),
  );
  t.equal(new Set(answers.map((a) => a.variant)).size, 1, 'one variant for everyone');
  t.equal(new Set(answers.map((a) => a.assignedAt)).size, 1, 'one stored assignment time');
  t.equal(answers.filter((a) => a.reason === 'new_assignment').length, 1, 'exactly one call created it');
  const { rows } = (await app.db.knex.raw(
    `SELECT count(*)::int AS n FROM assignments WHERE user_id = 'same-user'`,
  )) as {
    rows: { n: number }[];
  };
  t.equal(rows[0]!.n, 1);
});

t.test('concurrent duplicate conversions store one row', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'dupes' });
  await app.inject({
    method: 'POST',
    url: '/v1/experiments/dupes/assignments',
    payload: { userId: 'u', expose: true },
  });
  const results = await Promise.all(
    Array.from({ length: 40 }, () =>
      app.inject({
        method: 'POST',
        url: '/v1/experiments/dupes/conversions',
        payload: { userId: 'u', value: 3 },
      }),
    ),
  );
  const bodies = results.map((r) => json<{ recorded: boolean }>(r));
  t.equal(bodies.filter((b) => b.recorded).length, 1);
});

t.test('assignments and history survive a restart', async (t) => {
  let env: Record<string, string>;
  if (usingPostgres) {
    await testDatabase();
    env = { DATABASE_URL: testDatabaseUrl()! };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'liftoff-restart-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    env = { DATA_DIR: dir };
  }
  const first = await buildApp({ config: configFrom(env) });
  await startedExperiment(first, { key: 'durable' });
  const before = json(
    await first.inject({
      method: 'POST',
      url: '/v1/experiments/durable/assignments',
      payload: { userId: 'kept' },
    }),
  );
  await first.close();

  const second = await buildApp({ config: configFrom(env) });
  t.teardown(() => second.close());
  const after = json(
    await second.inject({
      method: 'POST',
      url: '/v1/experiments/durable/assignments',
      payload: { userId: 'kept' },
    }),
  );
  t.equal(after.reason, 'existing_assignment');
  t.equal(after.variant, before.variant);
  t.equal(after.assignedAt, before.assignedAt);
  const history = json<{ items: { action: string }[] }>(
    await second.inject({ url: '/v1/experiments/durable/history' }),
  );
  t.same(
    history.items.map((h) => h.action),
    ['created', 'started'],
  );
});

t.test('another instance sees a definition change within a second; existing users stay sticky', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'shared' });
  const other = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
  t.teardown(() => other.close());
  const assign = (a: typeof app, userId: string) =>
    a
      .inject({ method: 'POST', url: '/v1/experiments/shared/assignments', payload: { userId } })
      .then((r) => json(r));
  const before = await assign(other, 'early');
  t.equal(before.reason, 'new_assignment');
  await app.inject({ method: 'POST', url: '/v1/experiments/shared/stop' });
  t.equal((await assign(app, 'fresh-1')).reason, 'not_running', 'this instance: at once');
  await new Promise((r) => setTimeout(r, 1100));
  t.equal((await assign(other, 'fresh-2')).reason, 'not_running', 'the other instance: within the 1 s TTL');
  t.match(await assign(other, 'early'), { reason: 'existing_assignment', variant: before.variant });
});
