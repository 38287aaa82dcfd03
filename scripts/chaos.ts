// npm run chaos: the two faults of SPEC §7 against real processes, with the numbers that matter.
// SIGTERM under load (on a new database on DATABASE_URL's server when set, else an embedded PGlite directory),
// then a PostgreSQL stop/start under load on a cluster of its own (initdb/pg_ctl, never the shared server).
import { postgresRestartUnderLoad, sigtermUnderLoad, type ChaosResult } from '../test/support/chaos.js';
import { clusterUnavailable } from '../test/support/pg-cluster.js';
import { scratchPglite, scratchPostgres } from '../test/support/scratch-database.js';

const results: ChaosResult[] = [];
const adminUrl = process.env.DATABASE_URL;
const db = adminUrl && adminUrl !== 'memory://' ? await scratchPostgres(adminUrl, 'chaos') : scratchPglite();
try {
  const sigterm = await sigtermUnderLoad(db);
  console.log(sigterm.summary);
  results.push(sigterm);
} finally {
  await db.drop();
}

const why = clusterUnavailable();
if (why) console.log(`PostgreSQL restart: skipped (${why})`);
else {
  const restart = await postgresRestartUnderLoad();
  console.log(restart.summary);
  results.push(restart);
}

const broken = results.filter(
  (r) => r.stored.lost.length > 0 || r.exit.code !== 0 || r.report.unexpected.length > 0,
);
for (const r of broken) {
  console.error(
    `FAILED: lost ${r.stored.lost.slice(0, 10).join(', ') || 'none'}; exit ${r.exit.code ?? r.exit.signal}`,
  );
  for (const u of r.report.unexpected.slice(0, 10)) console.error(`  unexpected: ${u}`);
}
process.exit(broken.length > 0 ? 1 : 0);
