import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { closeDatabase, createDatabase } from '../../src/db/knex.js';

const PRIMARY = 'postgres://app@db-primary:5432/liftoff';
const REPLICA = 'postgres://app:secret@db-replica:5432/liftoff';

t.test('DATABASE_READ_URL is a PostgreSQL URL next to a PostgreSQL DATABASE_URL', async (t) => {
  t.equal(loadConfig({ DATABASE_URL: PRIMARY, DATABASE_READ_URL: REPLICA }).DATABASE_READ_URL, REPLICA);
  t.equal(loadConfig({ DATABASE_URL: PRIMARY }).DATABASE_READ_URL, undefined);
  t.throws(() => loadConfig({ DATABASE_URL: PRIMARY, DATABASE_READ_URL: 'mysql://x' }), /DATABASE_READ_URL/);
  t.throws(
    () => loadConfig({ DATABASE_READ_URL: REPLICA }),
    /needs DATABASE_URL/,
    'not with the embedded database',
  );
  t.throws(() => loadConfig({ DATABASE_URL: 'memory://', DATABASE_READ_URL: REPLICA }), /DATABASE_READ_URL/);
});

t.test(
  'a second pool on the replica, named liftoff-read, its password kept out of the location',
  async (t) => {
    const db = createDatabase({
      DATABASE_URL: PRIMARY,
      DATABASE_READ_URL: REPLICA,
      DATA_DIR: './data',
      DB_POOL_MAX: 3,
    });
    t.teardown(() => Promise.all([db.knex.destroy(), db.replica?.knex.destroy()]));
    t.ok(db.replica);
    t.equal(db.replica!.location, 'postgres://app:***@db-replica:5432/liftoff');
    const connection = db.replica!.knex.client.config.connection as { application_name: string };
    t.equal(connection.application_name, 'liftoff-read');
    t.not(db.replica!.knex, db.knex);
    const alone = createDatabase({ DATABASE_URL: PRIMARY, DATA_DIR: './data', DB_POOL_MAX: 3 });
    t.teardown(() => closeDatabase(alone));
    t.equal(alone.replica, undefined);
  },
);
