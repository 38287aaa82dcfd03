import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { closeDatabase, type Database } from '../db/knex.js';
import { migrateLatest } from '../db/migrate.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DbPluginOptions {
  db: Database;
  /** Destroy the pool when the app closes (false when the caller shares one database between apps). */
  owned: boolean;
  migrate: boolean;
  /** How long closing waits for running queries before destroying the pool. */
  closeGraceMs?: number;
}

export default fp<DbPluginOptions>(
  async function dbPlugin(app: FastifyInstance, { db, owned, migrate, closeGraceMs = 0 }) {
    if (migrate) {
      const applied = await migrateLatest(db.knex);
      if (applied.length > 0) app.log.info({ applied }, 'migrations applied');
    }
    app.decorate('db', db);
    if (owned) {
      app.addHook('onClose', async () => {
        await closeDatabase(db, closeGraceMs);
      });
    }
  },
  { name: 'db' },
);
