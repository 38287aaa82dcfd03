import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { closeDatabase, createDatabase } from '../../src/db/knex.js';
import { expectProblem, json, testDatabase, testDatabaseUrl, usingPostgres } from '../helper.js';

t.test(
  'analytics run on their own pool with a statement timeout: a query past it is 503, never a hang',
  {
    skip: usingPostgres ? false : 'statement timeouts apply to PostgreSQL (PGlite is one in-process session)',
  },
  async (t) => {
    await testDatabase();
    const db = createDatabase({
      DATABASE_URL: testDatabaseUrl()!,
      DATA_DIR: './data',
      DB_POOL_MAX: 4,
      ANALYTICS_TIMEOUT_MS: 200,
    });
    t.teardown(() => closeDatabase(db));
    t.ok(db.analytics, 'a separate analytics pool on the primary');
    t.not(db.analytics, db.knex);
    const app = await buildApp({ config: configFrom({ ANALYTICS_TIMEOUT_MS: '200' }), db, migrate: false });
    t.teardown(() => app.close());
    // A query that outlives the limit on the pool the analytics stores use; the primary pool has no such limit.
    app.get('/slow-analytics', async () => {
      await db.analytics!.raw('SELECT pg_sleep(2)');
      return { done: true };
    });
    await app.ready();
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/slow-analytics' });
    expectProblem(t, res, 503, 'service_unavailable');
    t.equal(res.headers['retry-after'], '30');
    t.ok(Date.now() - started < 1_900, 'cancelled at the limit, not after the query');
    const primary = (await db.knex.raw('SELECT pg_sleep(0.3) AS slept')) as { rows: unknown[] };
    t.equal(primary.rows.length, 1, 'writes and definitions on the primary pool are not limited');
    const summary = await app.inject({ method: 'GET', url: '/v1/metrics/summary' });
    t.equal(summary.statusCode, 200, json(summary).detail as string);
  },
);
