// SIGTERM under load, on a real process: every write answered 2xx is stored, and the process exits 0.
//
// Why the earlier drain check was flaky, and what this one does instead:
// - It counted "requests sent" against "rows stored". A request in flight when the listener closes can be
//   committed while its connection is reset before the answer arrives (stored, never acknowledged), and a request
//   written to an idle keep-alive socket just as the server closes it gets a reset without being read. Only the
//   2xx answers are promises the service made, so only they are checked: acknowledged ⊆ stored, never equality.
// - It treated any error after the signal as a failure. After SIGTERM a client sees three things, all correct:
//   the 2xx of a request that was already running (drained), 503 for a request that arrived on an open keep-alive
//   connection while closing, or a refused/reset connection. Each worker stops at its first failure.
// - It signalled after a fixed sleep, so on a slow machine the signal could come before any load (nothing to
//   drain) or after the load had ended. Here the signal is sent from the load itself, after N acknowledged writes,
//   while every worker still has a request in flight.
import t from 'tap';
import { usingPostgres } from '../helper.js';
import { scratchPglite, scratchPostgres } from '../support/scratch-database.js';
import { startService } from '../support/service-process.js';
import { checkStored, runWriteLoad, seedLoadExperiment } from '../support/write-load.js';

const SIGNAL_AFTER = 300;

t.test('SIGTERM under load: every acknowledged write is stored, exit code 0', async (t) => {
  const db = usingPostgres ? await scratchPostgres(process.env.DATABASE_URL!) : scratchPglite();
  t.teardown(() => db.drop());
  const service = await startService({ ...db.env, SHUTDOWN_TIMEOUT_MS: '20000' });
  t.teardown(() => service.stop('SIGKILL'));
  await seedLoadExperiment(service.url);

  let ackedAtSignal = -1;
  const report = await runWriteLoad(service.url, {
    workers: 16,
    onFailure: 'stop',
    allowedStatuses: [503],
    done: (r) => {
      if (ackedAtSignal < 0 && r.acknowledged.length >= SIGNAL_AFTER) {
        ackedAtSignal = r.acknowledged.length;
        void service.stop('SIGTERM');
      }
      return false;
    },
  });
  const exit = await service.exited;
  t.same(exit, { code: 0, signal: null }, 'exits 0 after draining', {
    output: service.output().slice(-3000),
  });
  t.same(report.unexpected, [], 'after the signal: 2xx, 503 or a closed connection, nothing else');
  t.ok(report.acknowledged.length >= SIGNAL_AFTER, `${report.acknowledged.length} writes acknowledged`);

  const stored = await checkStored(db.open(), report.acknowledged);
  t.same(stored.lost, [], 'no acknowledged write is lost');
  t.comment(
    `${db.kind}: sent ${report.sent}, acknowledged ${stored.acknowledged} (${stored.acknowledged - ackedAtSignal} ` +
      `after the signal), stored ${stored.stored}, lost ${stored.lost.length}; ` +
      `refused/reset ${report.networkErrors}, statuses ${JSON.stringify(report.statuses)}`,
  );
});
