// A database for a spawned service: a new PostgreSQL database on a given server (dropped afterwards), or an
// embedded PGlite data directory in a temp dir. `open()` gives the test its own connection to check what is stored.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { createDatabase } from '../../src/db/knex.js';

export interface ScratchDatabase {
  /** What to put in the service's environment to use it. */
  env: Record<string, string>;
  kind: 'postgres' | 'pglite';
  /** A connection of the test's own (PGlite: only once no service process has the directory open). */
  open(): Knex;
  drop(): Promise<void>;
}

/** A fresh database named for this process on the PostgreSQL server at adminUrl. */
export async function scratchPostgres(adminUrl: string, label = 'fault'): Promise<ScratchDatabase> {
  const name = `liftoff_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const opened: Knex[] = [];
  return {
    env: { DATABASE_URL: url },
    kind: 'postgres',
    open: () => {
      const knex = createDatabase({ DATABASE_URL: url, DATA_DIR: './data', DB_POOL_MAX: 2 }).knex;
      opened.push(knex);
      return knex;
    },
    drop: async () => {
      await Promise.all(opened.map((k) => k.destroy()));
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/** An embedded database in a temp directory (DATA_DIR), removed by drop(). */
export function scratchPglite(): ScratchDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'liftoff-data-'));
  const opened: Knex[] = [];
  return {
    env: { DATA_DIR: dir },
    kind: 'pglite',
    open: () => {
      const knex = createDatabase({ DATABASE_URL: undefined, DATA_DIR: dir, DB_POOL_MAX: 1 }).knex;
      opened.push(knex);
      return knex;
    },
    drop: async () => {
      await Promise.all(opened.map((k) => k.destroy()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
