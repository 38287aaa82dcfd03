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
}

const redact = (url: string): string => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
};

/** PostgreSQL through a pg pool when DATABASE_URL is a postgres URL, else embedded PGlite (file or memory). */
export function createDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX'>): Database {
  const url = config.DATABASE_URL;
  if (url && url !== 'memory://') {
    const knex = knexFactory({
      client: 'pg',
      connection: { connectionString: url, application_name: 'liftoff' },
      pool: { min: 0, max: config.DB_POOL_MAX, acquireTimeoutMillis: 5_000 },
      acquireConnectionTimeout: 5_000,
    });
    return { knex, kind: 'postgres', location: redact(url) };
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
