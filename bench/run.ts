// npm run bench: Liftoff's hot paths against ceilings measured in the same run, on PostgreSQL (loopback only).
// BENCH_SECONDS (default 10) per load test; BENCH_EXPOSURES (default 10,000,000) rows for the results query.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import knexFactory from 'knex';
import { load, type LoadResult } from './load.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const EXPOSURES = Number(process.env.BENCH_EXPOSURES ?? 10_000_000);
const INVITES = Number(process.env.BENCH_INVITES ?? 10_000_000);
const BATCH = 100;
const CEILING_PORT = 3901;
const LIFTOFF_PORT = 3902;

const dbName = `liftoff_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
const children: ChildProcess[] = [];

/** Spawns a server; resolves when it prints `waitFor` (null: at once, the caller polls readiness). */
function start(args: string[], env: Record<string, string>, waitFor: RegExp | null): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  if (!waitFor) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (waitFor.test(chunk.toString())) resolve(child);
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const fmt = (r: LoadResult) =>
  `${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms${r.errors + r.non2xx ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : ''}`;

async function main() {
  await admin.raw(`CREATE DATABASE ${dbName}`);
  console.log(`Benchmark database ${dbName}; ${SECONDS}s per load test, 50 connections, loopback only.\n`);

  await start(
    ['--import', 'tsx', 'bench/ceiling-server.ts'],
    { DATABASE_URL: dbUrl, PORT: String(CEILING_PORT) },
    /ready/,
  );
  const liftoff = await start(
    ['--max-old-space-size=192', 'dist/src/server.js'],
    {
      DATABASE_URL: dbUrl,
      PORT: String(LIFTOFF_PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      API_KEYS: '',
    },
    null,
  );
  // The server logs at warn; its "listening" line is at info, so wait for readiness by polling.
  const base = `http://127.0.0.1:${LIFTOFF_PORT}`;
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(`${base}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false));
    i++
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const ceiling = `http://127.0.0.1:${CEILING_PORT}`;

  const bare = await load({ url: `${ceiling}/bare`, seconds: SECONDS });
  console.log(`ceiling  bare Fastify route            ${fmt(bare)}`);
  const insert = await load({
    url: `${ceiling}/insert`,
    method: 'POST',
    seconds: SECONDS,
    body: (i) => ({ id: `c-${i}`, payload: 'x' }),
  });
  console.log(`ceiling  one durable INSERT / request  ${fmt(insert)}`);

  const post = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
  await post('/v1/experiments', {
    key: 'bench',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'variant_a', weight: 50 },
    ],
  });
  await post('/v1/experiments/bench/start');

  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(liftoff.pid!))), 250);
  const fresh = await load({
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    seconds: SECONDS,
    body: (i) => ({ userId: `user-${i}` }),
  });
  console.log(`liftoff  new-user assignment           ${fmt(fresh)}`);
  const assigned = Math.max(1, Math.floor(fresh.requestsPerSecond * SECONDS * 0.9));
  const existing = await load({
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    seconds: SECONDS,
    body: (i) => ({ userId: `user-${i % assigned}` }),
  });
  console.log(`liftoff  existing-user assignment      ${fmt(existing)}`);
  const batchCeiling = await load({
    url: `${ceiling}/insert-batch`,
    method: 'POST',
    seconds: SECONDS,
    body: (i) => ({ rows: Array.from({ length: BATCH }, (_, k) => ({ id: `b-${i}-${k}`, payload: 'x' })) }),
  });
  console.log(`ceiling  ${BATCH}-row unnest INSERT / request ${fmt(batchCeiling)}`);
  const batched = await load({
    url: `${base}/v1/events`,
    method: 'POST',
    seconds: SECONDS,
    body: (i) => ({
      events: Array.from({ length: BATCH }, (_, k) => ({
        type: 'invite_sent',
        inviteId: `e-${i}-${k}`,
        referrerId: `r-${i % 1000}`,
        source: 'bench',
      })),
    }),
  });
  console.log(`liftoff  ${BATCH}-event batch ingest        ${fmt(batched)}`);
  clearInterval(sampler);

  console.log(`\nSeeding ${EXPOSURES.toLocaleString('en')} exposures for the results query…`);
  const db = knexFactory({ client: 'pg', connection: dbUrl, pool: { min: 0, max: 2 } });
  await post('/v1/experiments', {
    key: 'big',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'variant_a', weight: 50 },
    ],
  });
  await post('/v1/experiments/big/start');
  const t0 = Date.now();
  await db.raw(
    `INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at)
     SELECT e.id, 'u' || g, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'variant_a' END, now() - interval '1 day', now() - interval '1 day'
       FROM experiments e, generate_series(1, ?) g WHERE e.key = 'big'`,
    [EXPOSURES],
  );
  await db.raw(
    `INSERT INTO conversions (experiment_id, metric, user_id, occurred_at)
     SELECT e.id, 'conversion', 'u' || g, now() FROM experiments e, generate_series(1, ?) g
      WHERE e.key = 'big' AND g % 10 < (CASE WHEN g % 2 = 0 THEN 1 ELSE 2 END)`,
    [EXPOSURES],
  );
  await db.raw('VACUUM ANALYZE');
  console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const timed = async (url: string, init?: RequestInit) => {
    const s = performance.now();
    await (await fetch(url, init)).text();
    return performance.now() - s;
  };
  const cold = await timed(`${base}/v1/experiments/big/results/refresh`, { method: 'POST' });
  const timings: number[] = [];
  for (let i = 0; i < 5; i++) timings.push(await timed(`${base}/v1/experiments/big/results`));
  timings.sort((a, b) => a - b);

  console.log(`Seeding ${INVITES.toLocaleString('en')} invites over 120 days for the viral metrics…`);
  const t1 = Date.now();
  await db.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, first_clicked_at, signup_user_id, signed_up_at)
     SELECT 'b' || g, 'ref' || (g % 200000), 'loop' || (g % 5), ts,
            CASE WHEN g % 3 = 0 THEN ts + interval '10 minutes' END,
            CASE WHEN g % 7 = 0 THEN 'new' || g END, CASE WHEN g % 7 = 0 THEN ts + interval '2 hours' END
       FROM generate_series(1, ?) g, LATERAL (SELECT now() - (g::float8 / ?) * interval '120 days' AS ts) t`,
    [INVITES, INVITES],
  );
  await db.raw('VACUUM ANALYZE');
  console.log(`seeded in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const viral: [string, number][] = [];
  for (const path of [
    'k-factor',
    'k-factor/by-source',
    'cycle-time',
    'funnel',
    'top-referrers',
    'timeline',
    'loop-efficiency',
  ]) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(`${base}/v1/metrics/${path}`));
    viral.push([path, runs.sort((a, b) => a - b)[1]!]);
  }
  await db.destroy();

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log('\nSummary (targets from SPEC §6)');
  console.log(
    `  new-user assignment / durable INSERT ceiling   ${ratio(fresh.requestsPerSecond, insert.requestsPerSecond)}× (target ≥ 1.2×), p99 ${fresh.p99} ms (target < 20 ms)`,
  );
  console.log(
    `  existing-user assignment / bare route          ${ratio(existing.requestsPerSecond, bare.requestsPerSecond)}× (target ≥ 0.5×)`,
  );
  console.log(
    `  results over ${EXPOSURES.toLocaleString('en')} exposures      median ${timings[2]!.toFixed(0)} ms, computed fresh ${cold.toFixed(0)} ms (target < 250 ms)`,
  );
  console.log(
    `  ${BATCH}-event batch ingest / unnest ceiling       ${ratio(batched.requestsPerSecond, batchCeiling.requestsPerSecond)}× (target ≥ 0.5×)`,
  );
  for (const [path, ms] of viral) {
    console.log(
      `  /v1/metrics/${path.padEnd(20)} over ${INVITES.toLocaleString('en')} invites: ${ms.toFixed(0)} ms median (target < 500 ms)`,
    );
  }
  console.log(`  service RSS peak under load                    ${rssPeak.toFixed(0)} MB (target < 250 MB)`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.destroy();
}
