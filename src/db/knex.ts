import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import type { Config } from '../config.js';
import type { PgConnection } from './pg-client.js';

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
  /**
   * PostgreSQL only: the pool that read-only analytics run on (the replica's, or a smaller one on the primary), with
   * a statement timeout, so one heavy query cannot hang a request or take the connections the ingest path needs.
   */
  analytics?: Knex;
}

const DEFAULT_ANALYTICS_TIMEOUT_MS = 30_000;

/**
 * How many counter shards (the result aggregates' `shard` column) one instance's write connections spread over. A
 * hot counter row (a variant's exposures, a 15-minute bucket) is locked by the statement that moves it until commit,
 * so two connections on one shard wait for each other's commit; with the shard picked by pid modulo 8, two of a
 * 10-connection pool's connections often shared one (100-event exposure batches: 368–407 req/s then, 423–491 with a
 * shard per connection). Readers sum over shards, so more shards cost them rows.
 */
const COUNTER_SHARDS = 16;
/** This instance's next shard: a random start, so that several instances rarely begin on the same shards. */
let nextShard = Math.floor(Math.random() * COUNTER_SHARDS);

const pgPool = (url: string, applicationName: string, max: number, statementTimeoutMs?: number): Knex =>
  knexFactory({
    client: 'pg',
    connection: {
      connectionString: url,
      application_name: applicationName,
      // Every session in UTC, whatever the server's `timezone`: PostgreSQL adds an interval's days in the session's
      // zone, and a day in the metrics (conversion windows, retention periods, look-backs) is 24 h, also across a
      // daylight-saving change. Analytics connections also run without JIT compilation: these queries take tens to
      // hundreds of milliseconds, and compiling them cost more than it saved (340 ms of a 620 ms 90-day timeline).
      options: statementTimeoutMs ? '-c TimeZone=UTC -c jit=off' : '-c TimeZone=UTC',
      // Analytics connections: a statement timeout.
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    },
    pool: {
      min: 0,
      max,
      acquireTimeoutMillis: 5_000,
      // Each new connection takes the next counter shard (round robin): the pool's connections write to distinct
      // counter rows. And it never plans a sequential scan where an index serves: the write path is point lookups
      // and upserts by key, and a prepared statement's generic plan, made while a table was still small (a new
      // installation, or a server whose autovacuum is off, so no ANALYZE ever invalidates it), kept scanning the
      // whole growing table at every batch: new-user assignments at 0.25–1.0× the one-INSERT ceiling on a fresh
      // database, 1.3–1.5× with this (unchanged once analyzed). Migrations and analytics run on other connections.
      // Analytics connections never write counters and keep the planner's defaults.
      ...(statementTimeoutMs
        ? {}
        : {
            afterCreate: (conn: PgConnection, done: (err: Error | null, conn: PgConnection) => void) => {
              const shard = nextShard++ % COUNTER_SHARDS;
              conn.query(`SET liftoff.shard = ${shard}; SET enable_seqscan = off`).then(
                () => done(null, conn),
                (err: Error) => done(err, conn),
              );
            },
          }),
    },
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
    Partial<Pick<Config, 'DATABASE_READ_URL' | 'ANALYTICS_TIMEOUT_MS'>>,
): Database {
  const url = config.DATABASE_URL;
  if (url && url !== 'memory://') {
    const db: Database = {
      knex: pgPool(url, 'liftoff', config.DB_POOL_MAX),
      kind: 'postgres',
      location: redact(url),
    };
    const readUrl = config.DATABASE_READ_URL;
    const timeout = config.ANALYTICS_TIMEOUT_MS ?? DEFAULT_ANALYTICS_TIMEOUT_MS;
    if (readUrl) {
      db.analytics = pgPool(readUrl, 'liftoff-read', config.DB_POOL_MAX, timeout);
      db.replica = { knex: db.analytics, location: redact(readUrl) };
    } else {
      // Half the primary's connections at most, so analytics can never starve assignments and ingestion.
      const max = Math.max(2, Math.ceil(config.DB_POOL_MAX / 2));
      db.analytics = pgPool(url, 'liftoff-analytics', max, timeout);
    }
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

/** Closes every pool of a database (the primary's and the analytics one). */
interface PoolGauge {
  numUsed(): number;
  numPendingAcquires(): number;
}

/** Waits (at most `ms`) until no query holds or waits for a connection of this pool. */
async function idle(knex: Knex, ms: number): Promise<void> {
  const pool = (knex.client as { pool?: PoolGauge }).pool;
  for (const end = Date.now() + ms; pool && Date.now() < end;) {
    if (pool.numUsed() === 0 && pool.numPendingAcquires() === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Closes the pools once the queries still running have finished (at most `graceMs`): a handler whose client went
 * away keeps running after the server stopped listening, and destroying its pool under it would abort the query.
 */
export async function closeDatabase(db: Database, graceMs = 0): Promise<void> {
  await Promise.all([idle(db.knex, graceMs), db.analytics && idle(db.analytics, graceMs)]);
  await Promise.all([db.knex.destroy(), db.analytics?.destroy()]);
}
