import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import knexFactory from 'knex';
import ClientPgLite from 'knex-pglite';
import tap, { type Test } from 'tap';
import { buildApp, type BuildOptions } from '../src/app.js';
import { configFrom } from '../src/config.js';
import { closeDatabase, createDatabase, type Database } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';

type T = { teardown(fn: () => unknown): void };

/** The database behind this test file: PostgreSQL when DATABASE_URL is set, else embedded PGlite in memory. */
export const usingPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

let shared: Promise<Database> | undefined;
let sharedUrl: string | undefined;

/** The URL of this file's PostgreSQL database (only when usingPostgres). */
export const testDatabaseUrl = (): string | undefined => sharedUrl;

/** A fresh PostgreSQL database named for this file's process, dropped when the file ends. */
async function createPostgresDatabase(adminUrl: string): Promise<Database> {
  const name = `liftoff_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  sharedUrl = url.toString();
  const db = createDatabase({ DATABASE_URL: url.toString(), DATA_DIR: './data', DB_POOL_MAX: 20 });
  tap.teardown(async () => {
    await closeDatabase(db);
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  });
  return db;
}

const MIGRATIONS = new URL('../migrations/', import.meta.url);

/**
 * The data directory of a migrated PGlite database, kept in the system's temp directory under a name that hashes
 * the migrations and the PGlite version: a new in-memory PGlite runs initdb (about 3 s), one loaded from this dump
 * opens in under 1 s, and every test file opens one. The first file to need it writes it (atomically, by rename).
 */
function migratedPgliteDump(): { file: string; cached: Buffer | undefined } {
  const hash = createHash('sha256');
  hash.update(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  for (const name of readdirSync(MIGRATIONS).sort())
    hash.update(name).update(readFileSync(new URL(name, MIGRATIONS)));
  const file = path.join(tmpdir(), `liftoff-test-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  try {
    return { file, cached: readFileSync(file) };
  } catch {
    return { file, cached: undefined };
  }
}

/** An in-memory PGlite database for this file, migrated (from the shared dump when there is one). */
async function createPgliteDatabase(): Promise<Database> {
  const { file, cached } = migratedPgliteDump();
  const pglite = new PGlite(cached ? { loadDataDir: new Blob([cached]) } : {});
  const knex = knexFactory({ client: ClientPgLite, dialect: 'postgres', connection: { pglite } as never });
  tap.teardown(() => knex.destroy());
  const db: Database = { knex, kind: 'pglite-memory', location: 'memory://' };
  // Applies nothing on a loaded dump; on a fresh database it migrates, and the result becomes the dump.
  const applied = await migrateLatest(knex);
  if (!cached || applied.length > 0) await saveDump(pglite, file);
  return db;
}

/**
 * Writes the dump for the next files, best effort: on a full or read-only temp directory they just run initdb and
 * the migrations themselves. Dumps of earlier migrations are never read again and are removed.
 */
async function saveDump(pglite: PGlite, file: string): Promise<void> {
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(partial, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
    renameSync(partial, file);
    for (const old of readdirSync(tmpdir())) {
      if (/^liftoff-test-pglite-[0-9a-f]{16}\.tar$/.test(old) && path.join(tmpdir(), old) !== file) {
        rmSync(path.join(tmpdir(), old), { force: true });
      }
    }
  } catch {
    rmSync(partial, { force: true });
  }
}

/** One database per test file (PGlite is slow to open), migrated once; tests get it emptied by build(). */
export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    if (!usingPostgres) return createPgliteDatabase();
    const db = await createPostgresDatabase(process.env.DATABASE_URL!);
    await migrateLatest(db.knex);
    return db;
  })();
  return shared;
}

export async function emptyDatabase(db: Database): Promise<void> {
  const { rows } = (await db.knex.raw(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'knex\\_%'`,
  )) as { rows: { tablename: string }[] };
  if (rows.length > 0) {
    await db.knex.raw(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
  }
}

/**
 * The service's configuration for tests: metric answers and results are recomputed on every read unless a test asks
 * for reuse. Tests write rows directly and read right after writing; on a busy machine an experiment's results took
 * the 200 ms that makes them cacheable, and the next read showed the state before.
 */
export const testConfig = (env: Record<string, string> = {}) =>
  configFrom({ METRICS_CACHE_SECONDS: '0', RESULTS_CACHE_SECONDS: '0', ...env });

/** An app on this file's database, emptied first, closed when the test ends. Never listens. */
export async function build(
  t: T,
  env: Record<string, string> = {},
  options: Pick<BuildOptions, 'clock' | 'alerts'> = {},
): Promise<FastifyInstance> {
  const db = await testDatabase();
  await emptyDatabase(db);
  const app = await buildApp({ config: testConfig(env), db, migrate: false, ...options });
  t.teardown(() => app.close());
  await app.ready();
  return app;
}

export const json = <T = Record<string, unknown>>(res: { body: string }): T => JSON.parse(res.body) as T;

/** Creates and starts an experiment through the API (at `startedAt`, for tests that date exposures in the past). */
export async function startedExperiment(
  app: FastifyInstance,
  body: Record<string, unknown> = {},
  startedAt?: string,
): Promise<Record<string, unknown>> {
  const key = (body.key as string | undefined) ?? 'exp';
  const created = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: {
      key,
      variants: [
        { key: 'control', weight: 50 },
        { key: 'variant_a', weight: 50 },
      ],
      ...body,
    },
  });
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
  const started = await app.inject({
    method: 'POST',
    url: `/v1/experiments/${key}/start`,
    ...(startedAt ? { payload: { startedAt } } : {}),
  });
  if (started.statusCode !== 200) throw new Error(`start failed: ${started.body}`);
  return json(started);
}

export type App = FastifyInstance;

export const post = (app: App, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

export const get = (app: App, url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

interface Res {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Asserts a problem+json answer with this status and code (and, when given, a field error naming `path`). */
export function expectProblem(
  t: Test,
  res: Res,
  status: number,
  code: string,
  path?: string,
): { detail: string; errors?: { path: string; message: string }[] } {
  t.equal(res.statusCode, status, `status ${status}: ${res.body.slice(0, 300)}`);
  t.ok(String(res.headers['content-type']).startsWith('application/problem+json'), 'problem+json');
  const p = JSON.parse(res.body) as {
    code: string;
    detail: string;
    errors?: { path: string; message: string }[];
  };
  t.equal(p.code, code, 'code');
  if (path !== undefined)
    t.ok(
      p.errors?.some((e) => e.path === path),
      `errors name ${path}`,
    );
  return p;
}
