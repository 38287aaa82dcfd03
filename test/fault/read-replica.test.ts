// DATABASE_READ_URL on a real streaming replica: a primary of the test's own (initdb, wal_level replica) and a
// standby made from it with pg_basebackup -R on another port. Writes go to the primary, analytics come from the
// replica. Like the other cluster tests it runs once, in the run without DATABASE_URL.
import t from 'tap';
import { usingPostgres } from '../helper.js';
import { clusterUnavailable, PgCluster } from '../support/pg-cluster.js';
import { ADMIN_KEY, bearer, call, INGEST_KEY, READ_KEY, startService } from '../support/service-process.js';

const why = usingPostgres ? 'runs on its own clusters in the run without DATABASE_URL' : clusterUnavailable();

/** Waits until the replica has replayed everything the primary has written so far. */
async function replayed(primary: PgCluster, replica: PgCluster): Promise<void> {
  const [current] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const lsn = current!.lsn;
  for (let i = 0; i < 200; i++) {
    const [row] = await replica.query<{ done: boolean }>(
      'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
      [lsn],
    );
    if (row?.done) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the replica did not replay up to ${lsn} within 10 s`);
}

// Real processes (and clusters) start slowly on a busy machine: more than the suite's 120 s per file.
t.setTimeout(300_000);

t.test(
  'analytics read from the streaming replica, writes go to the primary',
  { skip: why ?? false },
  async (t) => {
    const primary = await PgCluster.create();
    t.teardown(() => primary.destroy());
    await primary.query('CREATE DATABASE liftoff');
    const replica = await primary.replica();
    t.teardown(() => replica.destroy());
    t.same(await replica.query('SELECT pg_is_in_recovery() AS standby'), [{ standby: true }]);

    const service = await startService({
      DATABASE_URL: primary.url('liftoff'),
      DATABASE_READ_URL: replica.url('liftoff'),
    });
    t.teardown(() => service.stop('SIGKILL'));
    const ingest = bearer(INGEST_KEY);
    const read = bearer(READ_KEY);

    const ready = await call(service.url, 'GET', '/health/ready');
    t.equal(ready.status, 200);
    t.match(ready.body, {
      checks: { database: 'ok', migrations: 'ok', replica: 'ok', replicaLagSeconds: /^\d/ },
    });

    const events = [
      { type: 'user_signed_up', userId: 'alice' },
      ...[1, 2, 3, 4].map((i) => ({
        type: 'invite_sent',
        inviteId: `inv-${i}`,
        referrerId: 'alice',
        source: 'loop',
      })),
      { type: 'invite_signed_up', inviteId: 'inv-1', userId: 'bob' },
      { type: 'invite_signed_up', inviteId: 'inv-2', userId: 'carol' },
    ];
    const ingested = await call(service.url, 'POST', '/v1/events', { events }, ingest);
    t.equal(ingested.status, 200, ingested.text);
    await replayed(primary, replica);

    const kFactor = await call(service.url, 'GET', '/v1/metrics/k-factor?days=7', undefined, read);
    t.equal(kFactor.status, 200, kFactor.text);
    t.match(kFactor.body, { invites: 4, senders: 1, conversions: 2, kFactor: 2 }, 'written data, read back');

    const [last] = await replica.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE application_name = 'liftoff-read' AND query ILIKE '%invites%'`,
    );
    t.ok(last, 'the metrics query ran on the replica, through the liftoff-read pool');
    const onPrimary = await primary.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'liftoff-read'`,
    );
    t.same(onPrimary, [], 'the read pool has no connection to the primary');

    // With the replica down, analytics answer 503 while writes and readiness carry on: the split is real.
    await replica.stop('fast');
    const down = await call(service.url, 'GET', '/v1/metrics/k-factor?days=7', undefined, read);
    t.equal(down.status, 503, 'analytics need the replica');
    t.equal(
      (
        await call(
          service.url,
          'POST',
          '/v1/invites',
          { inviteId: 'inv-5', referrerId: 'alice', source: 'loop' },
          ingest,
        )
      ).status,
      200,
      'writes go to the primary',
    );
    t.equal((await call(service.url, 'GET', '/v1/experiments', undefined, bearer(ADMIN_KEY))).status, 200);
    const readyDown = await call(service.url, 'GET', '/health/ready');
    t.equal(readyDown.status, 200, 'readiness follows the primary');
    t.match(readyDown.body, { checks: { replica: /^unreachable/ } });

    await replica.start();
    await replayed(primary, replica);
    const back = await call(service.url, 'GET', '/v1/metrics/k-factor?days=7', undefined, read);
    t.equal(back.status, 200, 'analytics come back with the replica, without a restart');
    t.match(back.body, { invites: 5 });
  },
);
