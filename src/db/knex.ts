import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import type { Config } from '../config.js';

// Counts (int8) and numeric sums come back as strings from pg by default; the service reports JSON numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type DatabaseKind = 'postgres' | 'pglite-memory' | 'pglite-file';

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /** Where the data lives, safe to log (no password). */
  location: string;
  /** A streaming replica for read-only analytics (DATABASE_READ_URL); absent: analytics read the primary. */
  replica?: { knex: Knex; location: string };
}

const pgPool = (url: string, applicationName: string, max: number): Knex =>
  knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: applicationName },
    pool: { min: 0, max, acquireTimeoutMillis: 5_000 },
    acquireConnectionTimeout: 5_000,
  });

const redact = (url: string): string => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
};

/**
 * PostgreSQL through a pg pool when DATABASE_URL is a postgres URL (plus a second pool on DATABASE_READ_URL's
 * replica when set), else embedded PGlite (file or memory).
 */
export function createDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX'> &
    Partial<Pick<Config, 'DATABASE_READ_URL'>>,
): Database {
  const url = config.DATABASE_URL;
  if (url && url !== 'memory://') {
    const db: Database = {
      knex: pgPool(url, 'liftoff', config.DB_POOL_MAX),
      kind: 'postgres',
      location: redact(url),
    };
    const readUrl = config.DATABASE_READ_URL;
    if (readUrl)
      db.replica = { knex: pgPool(readUrl, 'liftoff-read', config.DB_POOL_MAX), location: redact(readUrl) };
    return db;
  }
  if (url === 'memory://') {
    const knex = knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: {} });
    return { knex, kind: 'pglite-memory', location: 'memory://' };
  }
  const dir = path.resolve(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const knex = knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: { filename: dir } });
  return { knex, kind: 'pglite-file', location: dir };
}
