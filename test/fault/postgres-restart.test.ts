// PostgreSQL stopped and started under load, on a cluster of the test's own (never the shared server): while it is
// down requests answer 503 + Retry-After, afterwards they succeed again without restarting the service, and no
// acknowledged write is lost. The cluster does not depend on DATABASE_URL, so this runs once, in the run without
// it (the PostgreSQL run of `npm test` would only repeat the same thing).
import t from 'tap';
import { usingPostgres } from '../helper.js';
import { clusterUnavailable } from '../support/pg-cluster.js';
import { postgresRestartUnderLoad } from '../support/chaos.js';

const why = usingPostgres ? 'runs on its own cluster in the run without DATABASE_URL' : clusterUnavailable();

// Real processes (and clusters) start slowly on a busy machine: more than the suite's 120 s per file.
t.setTimeout(300_000);

t.test('PostgreSQL stop and start under load', { skip: why ?? false }, async (t) => {
  const result = await postgresRestartUnderLoad();
  t.same(result.report.unexpected, [], 'every failure is 503 problem+json with Retry-After');
  t.equal(result.report.networkErrors, 0, 'the service stays up and answers every request');
  t.ok(
    result.failedWhileDown > 0,
    `${result.failedWhileDown} requests answered 503 while PostgreSQL was down`,
  );
  t.ok(result.ackedAfterRestart > 0, `${result.ackedAfterRestart} writes acknowledged after the restart`);
  t.same(result.stored.lost, [], 'no acknowledged write is lost');
  t.equal(result.exit.code, 0, 'the service, never restarted, still shuts down cleanly');
  t.comment(result.summary);
});
