// Instances that start together on an empty PostgreSQL database migrate it in turn: every one starts.
import t from 'tap';
import { createDatabase } from '../../src/db/knex.js';
import { migrateLatest, migrationsCurrent } from '../../src/db/migrate.js';
import { usingPostgres } from '../helper.js';
import { scratchPostgres } from '../support/scratch-database.js';

t.test(
  'four instances migrating one empty database at once all succeed',
  { skip: usingPostgres ? false : 'PostgreSQL only (DATABASE_URL)' },
  async (t) => {
    for (let round = 0; round < 3; round++) {
      const db = await scratchPostgres(process.env.DATABASE_URL!, 'migrate');
      // A pool of one connection, the smallest DB_POOL_MAX: the lock must not take the one the migrations need.
      const instances = Array.from(
        { length: 4 },
        () => createDatabase({ DATABASE_URL: db.env.DATABASE_URL!, DATA_DIR: './data', DB_POOL_MAX: 1 }).knex,
      );
      try {
        const logs = await Promise.all(instances.map((k) => migrateLatest(k)));
        // One instance applied every migration; the others found nothing left to do.
        t.equal(logs.filter((l) => l.length > 0).length, 1, `round ${round}: one instance migrated`);
        t.ok(await migrationsCurrent(instances[0]!));
      } finally {
        await Promise.all(instances.map((k) => k.destroy()));
        await db.drop();
      }
    }
  },
);
