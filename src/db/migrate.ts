import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';

// Same relative place from src/db (tsx) and dist/src/db (built): <root>/migrations or <root>/dist/migrations.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const MIGRATION_FILE = /^\d{14}_[a-z0-9_]+\.(ts|js)$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Reads migrations/ itself, so the same code runs from TypeScript sources and from the build. */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(MIGRATIONS_DIR)
      .filter((f) => MIGRATION_FILE.test(f))
      .sort();
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }
  async getMigration(file: string): Promise<MigrationModule> {
    return (await import(new URL(file, `file://${MIGRATIONS_DIR}`).href)) as MigrationModule;
  }
}

const migrationConfig: Knex.MigratorConfig = {
  migrationSource: new DirectoryMigrationSource(),
  tableName: 'knex_migrations',
};

class MigrationsAheadError extends Error {}

/** Any fixed number: the key of the advisory lock that migrating instances take in turn. */
const MIGRATION_LOCK_KEY = 7_412_020_261;

/**
 * Applies pending migrations; refuses a database that has migrations this code does not know. On PostgreSQL,
 * instances that start together take turns under a session advisory lock, held on a connection of its own (the
 * pool may have one connection, which the migrations need): knex's own migration lock lives in a table that the
 * first run creates, and two instances starting on an empty database both tried to create it (one failed to start
 * with a duplicate-key error on pg_type).
 */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const config = knex.client.config as Knex.Config;
  if (config.client !== 'pg') return migrateUnlocked(knex);
  const own = () => knexFactory({ client: 'pg', connection: config.connection, pool: { min: 0, max: 1 } });
  const lock = own();
  // Migrations (whose backfills scan whole tables) on a connection with the planner's defaults, not one of the
  // write pool's (which plan no sequential scan: see createDatabase).
  const migrator = own();
  try {
    await lock.raw('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]);
    try {
      return await migrateUnlocked(migrator);
    } finally {
      await lock.raw('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await Promise.all([lock.destroy(), migrator.destroy()]);
  }
}

async function migrateUnlocked(knex: Knex): Promise<string[]> {
  const known = new Set(
    (await new DirectoryMigrationSource().getMigrations()).map((f) => f.replace(/\.(ts|js)$/, '')),
  );
  if (await knex.schema.hasTable('knex_migrations')) {
    const applied: string[] = (await knex('knex_migrations').select('name')).map((r: { name: string }) =>
      r.name.replace(/\.(ts|js)$/, ''),
    );
    const unknown = applied.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new MigrationsAheadError(
        `The database has migrations this version does not know (${unknown.join(', ')}): it is ahead of the code. Run a newer Liftoff.`,
      );
    }
  }
  const [, log] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
  return log;
}

export async function migrateRollback(knex: Knex): Promise<string[]> {
  const [, log] = (await knex.migrate.rollback(migrationConfig)) as [number, string[]];
  return log;
}

/** True when every known migration is applied (used by /health/ready). */
export async function migrationsCurrent(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list(migrationConfig)) as [unknown[], unknown[]];
  return pending.length === 0;
}
