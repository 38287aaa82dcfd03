// SIGTERM on a real process while a report's notification is being sent: the attempt in flight finishes and is
// recorded, the process exits 0, and after a restart the retry goes out under the same webhook-id — nothing lost,
// nothing sent as a second notification. Runs on the database of the run (PGlite directory or new PostgreSQL db).
import t from 'tap';
import { usingPostgres } from '../helper.js';
import { receiver } from '../support/receiver.js';
import { scratchPglite, scratchPostgres } from '../support/scratch-database.js';
import { ADMIN_KEY, bearer, call, startService } from '../support/service-process.js';

t.setTimeout(300_000);

t.test('SIGTERM mid-delivery: the report notification is retried after the restart', async (t) => {
  const db = usingPostgres ? await scratchPostgres(process.env.DATABASE_URL!) : scratchPglite();
  t.teardown(() => db.drop());
  const hook = await receiver(t);
  // The first attempt is held for 1.5 s and then refused (503): SIGTERM arrives while it is in flight.
  hook.reply(503, { 'retry-after': '1' }, 1500);
  const env = {
    ...db.env,
    DELIVERY_ALLOW_HTTP: 'true',
    DELIVERY_ALLOW_PRIVATE: 'true',
    ALERT_INTERVAL_SECONDS: '0',
  };
  const admin = bearer(ADMIN_KEY);

  const first = await startService(env);
  t.teardown(() => first.stop('SIGKILL'));
  const created = await call(
    first.url,
    'POST',
    '/v1/reports',
    { name: 'Growth', kind: 'growth', format: 'csv', channels: [{ type: 'webhook', url: hook.url }] },
    admin,
  );
  t.equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  const run = await call(first.url, 'POST', `/v1/reports/${id}/runs`, undefined, admin);
  t.equal(run.status, 201, run.text);
  await hook.waitFor(1);
  const exit = await first.stop('SIGTERM');
  t.same(exit, { code: 0, signal: null }, 'exits 0 after the attempt in flight finished');
  t.ok(
    first
      .output()
      .split('\n')
      .some(
        (l) =>
          l.includes('"delivery attempt"') &&
          l.includes('"statusCode":503') &&
          l.includes('"status":"pending"'),
      ),
    'the 503 attempt was recorded (pending, to retry) before the exit',
  );

  const second = await startService(env);
  t.teardown(() => second.stop('SIGKILL'));
  await hook.waitFor(2);
  const ids = hook.received.map((r) => r.headers['webhook-id']);
  t.equal(ids[1], ids[0], 'the retry carries the same webhook-id');
  const runs = await call(second.url, 'GET', `/v1/reports/${id}/runs`, undefined, admin);
  t.match(runs.body, { items: [{ trigger: 'manual', status: 'succeeded', deliveries: 1 }] });
  t.equal((runs.body as { items: unknown[] }).items.length, 1);
  t.equal((await second.stop('SIGTERM')).code, 0);
  t.equal(hook.received.length, 2, 'no further sends');
});
