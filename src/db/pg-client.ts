import type { Knex } from 'knex';

/** The part of one node-postgres connection that Liftoff calls directly, around knex (PostgreSQL only). */
export interface PgConnection {
  query<R = unknown>(
    query: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: R[] }>;
}

interface KnexPgClient {
  config: Knex.Config;
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(conn: PgConnection): Promise<unknown>;
}

/** knex's client, whose pool hands out node-postgres connections (for session state: prepared statements, locks). */
export const pgClient = (knex: Knex): KnexPgClient => knex.client as unknown as KnexPgClient;
