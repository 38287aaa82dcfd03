import type { Knex } from 'knex';
import type { Database } from '../db/knex.js';
import { pgClient } from '../db/pg-client.js';

/** Advisory lock keys of the background jobs (one job, one key, across every instance on the database). */
export const LOCK_KEYS = {
  alerts: 0x4c69_0001,
  decisions: 0x4c69_0002,
  reports: 0x4c69_0003,
  bandits: 0x4c69_0010,
} as const;

/** Jobs held by this process, per database: apps sharing one database in a process also take turns. */
const heldHere = new WeakMap<Knex, Set<number>>();

/**
 * Runs fn only if this instance holds the advisory lock `key`; false when another instance does. On PostgreSQL
 * the session lock lives on a connection dedicated to it for the run (released with it, even on a crash); PGlite
 * has one session per process, where the lock is taken on it and the in-process guard separates apps.
 */
export async function withLeaderLock(db: Database, key: number, fn: () => Promise<void>): Promise<boolean> {
  const held = heldHere.get(db.knex) ?? new Set<number>();
  heldHere.set(db.knex, held);
  if (held.has(key)) return false;
  held.add(key);
  try {
    if (db.kind !== 'postgres') {
      const { rows } = (await db.knex.raw('SELECT pg_try_advisory_lock(?::bigint) AS ok', [key])) as {
        rows: { ok: boolean }[];
      };
      if (!rows[0]!.ok) return false;
      try {
        await fn();
      } finally {
        await db.knex.raw('SELECT pg_advisory_unlock(?::bigint)', [key]);
      }
      return true;
    }
    const client = pgClient(db.knex);
    const conn = await client.acquireConnection();
    try {
      const { rows } = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
        key,
      ]);
      if (!rows[0]!.ok) return false;
      try {
        await fn();
      } finally {
        await conn.query('SELECT pg_advisory_unlock($1::bigint) AS ok', [key]);
      }
      return true;
    } finally {
      await client.releaseConnection(conn);
    }
  } finally {
    held.delete(key);
  }
}
