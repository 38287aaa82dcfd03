// npm run bench: Liftoff's hot paths against ceilings measured in the same run, on PostgreSQL (loopback only),
// with the results cache and metric-answer reuse off (RESULTS_CACHE_SECONDS=0, METRICS_CACHE_SECONDS=0). `--quick` (CI): tiny data sets and 1 s load tests, to
// prove every benchmark still runs; it fails on a broken benchmark (an error answer, no request served), never
// on a slow machine. BENCH_SECONDS (default 10) per load test; BENCH_EXPOSURES (default "1000000,10000000")
// experiment sizes for the results queries; BENCH_INVITES (default 10,000,000) for the viral metrics;
// BENCH_ACTIVITY (default 10,000,000) activity and revenue rows, with users, countries and visitors' clicks derived
// from those invites, for the growth metrics (SPEC §8); the JSON report goes to BENCH_JSON (default
// bench/last-run.json, bench/last-run-quick.json with --quick).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import knexFactory from 'knex';
import { load, type LoadResult } from './load.js';
import { VIRAL_METRICS, median, postJson, ready, rssMb, start, stopAll, timed } from './process.js';
import { BANDIT, asBandit, seedExperiment, seedGrowth, seedGrowthExperiment, seedInvites } from './seed.js';

const QUICK = process.argv.includes('--quick');
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = QUICK ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const EXPOSURES = QUICK
  ? [20_000]
  : (process.env.BENCH_EXPOSURES ?? '1000000,10000000').split(',').map(Number);
const INVITES = QUICK ? 20_000 : Number(process.env.BENCH_INVITES ?? 10_000_000);
const ACTIVITY = QUICK ? 20_000 : Number(process.env.BENCH_ACTIVITY ?? 10_000_000);
const JSON_PATH = process.env.BENCH_JSON ?? (QUICK ? 'bench/last-run-quick.json' : 'bench/last-run.json');
const BATCH = 100;
const CEILING_PORT = 3901;
const LIFTOFF_PORT = 3902;
const DEPLOYED_PORT = 3905;

const dbName = `liftoff_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
const fmt = (r: LoadResult) =>
  `${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms${r.errors + r.non2xx ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : ''}`;

/**
 * An error answer means a broken benchmark (wrong requests, or a failing service); timeouts and low rates only
 * mean a slow or busy machine, which is reported, never failed.
 */
function served(name: string, r: LoadResult): LoadResult {
  if (r.non2xx > 0) throw new Error(`${name}: ${r.non2xx} error answers`);
  return r;
}

async function main() {
  await admin.raw(`CREATE DATABASE ${dbName}`);
  console.log(
    `Benchmark database ${dbName}; ${SECONDS}s per load test, 50 connections, loopback only${QUICK ? ' (quick)' : ''}.\n`,
  );

  await start(
    ['--import', 'tsx', 'bench/ceiling-server.ts'],
    { DATABASE_URL: dbUrl, PORT: String(CEILING_PORT) },
    /ready/,
  );
  // Every timed answer is computed: no results cache, no reuse of metric answers.
  const startLiftoff = (port: number, env: Record<string, string>) =>
    start(
      ['--max-old-space-size=192', 'dist/src/server.js'],
      {
        DATABASE_URL: dbUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
        API_KEYS: '',
        RESULTS_CACHE_SECONDS: '0',
        ...env,
      },
      null,
    );
  const liftoff = await startLiftoff(LIFTOFF_PORT, { METRICS_CACHE_SECONDS: '0' });
  // The server logs at warn; its "listening" line is at info, so wait for readiness by polling.
  const base = `http://127.0.0.1:${LIFTOFF_PORT}`;
  await ready(base, 30);
  const ceiling = `http://127.0.0.1:${CEILING_PORT}`;
  const post = (path: string, body?: unknown) => postJson(base, path, body);
  const experiment = async (key: string, startedDaysAgo = 31) => {
    await post('/v1/experiments', {
      key,
      variants: [
        { key: 'control', weight: 50 },
        { key: 'variant_a', weight: 50 },
      ],
    });
    await post(`/v1/experiments/${key}/start`, {
      startedAt: new Date(Date.now() - startedDaysAgo * 86_400_000).toISOString(),
    });
  };
  await experiment('bench');
  // Neither server's first seconds are its steady state (V8 compiling the hot paths, the pools opening their
  // connections, Liftoff preparing its statements): both write for a moment before anything is measured.
  await experiment('warmup');
  await Promise.all([
    load({
      seconds: QUICK ? 1 : 3,
      url: `${base}/v1/experiments/warmup/assignments`,
      method: 'POST',
      body: (i) => ({ userId: `warm-${i}` }),
    }),
    load({
      seconds: QUICK ? 1 : 3,
      url: `${ceiling}/insert`,
      method: 'POST',
      body: (i) => ({ id: `warm-${i}`, payload: 'x' }),
    }),
  ]);

  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(liftoff.pid!))), 250).unref();
  const rows: { name: string; result: LoadResult }[] = [];
  const measure = async (name: string, opts: Omit<Parameters<typeof load>[0], 'seconds'>) => {
    const result = served(name, await load({ seconds: SECONDS, ...opts }));
    console.log(`${name.padEnd(44)} ${fmt(result)}`);
    rows.push({ name, result });
    return result;
  };
  /** `BATCH` events per request to /v1/events, event k of request i from `event`. */
  const measureEvents = (name: string, event: (i: number, k: number) => Record<string, unknown>) =>
    measure(`liftoff  ${BATCH} ${name} / request`, {
      url: `${base}/v1/events`,
      method: 'POST',
      body: (i) => ({ events: Array.from({ length: BATCH }, (_, k) => event(i, k)) }),
    });
  // Each Liftoff figure follows the ceiling it is compared with, so both see the same load on the machine.
  const bare = await measure('ceiling  bare Fastify route', { url: `${ceiling}/bare` });
  const existingUsers = 20_000;
  const insert = await measure('ceiling  one durable INSERT / request', {
    url: `${ceiling}/insert`,
    method: 'POST',
    body: (i) => ({ id: `c-${i}`, payload: 'x' }),
  });
  const fresh = await measure('liftoff  new-user assignment', {
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    body: (i) => ({ userId: `user-${i}` }),
  });
  const assigned = Math.max(1, Math.min(existingUsers, Math.floor(fresh.requestsPerSecond * SECONDS * 0.9)));
  const bare2 = await measure('ceiling  bare Fastify route (again)', { url: `${ceiling}/bare` });
  const existing = await measure('liftoff  existing-user assignment', {
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    body: (i) => ({ userId: `user-${i % assigned}` }),
  });
  const batchCeiling = await measure(`ceiling  ${BATCH}-row unnest INSERT / request`, {
    url: `${ceiling}/insert-batch`,
    method: 'POST',
    body: (i) => ({ rows: Array.from({ length: BATCH }, (_, k) => ({ id: `b-${i}-${k}`, payload: 'x' })) }),
  });
  const batched = await measureEvents('invite_sent events', (i, k) => ({
    type: 'invite_sent',
    inviteId: `e-${i}-${k}`,
    referrerId: `r-${i % 1000}`,
    source: 'bench',
  }));
  const exposureEvents = await measureEvents('experiment_exposure', (i, k) => ({
    type: 'experiment_exposure',
    experimentKey: 'bench',
    userId: `x-${i}-${k}`,
  }));
  const conversionEvents = await measureEvents('experiment_conversion', (i, k) => ({
    type: 'experiment_conversion',
    experimentKey: 'bench',
    userId: `x-${Math.floor(i / 3)}-${k}`,
    metric: 'revenue',
    value: k,
    eventId: `o-${i}`,
  }));
  // Activity (SPEC §8.1) for users registered by the batches before it: each request stores 100 new rows and merges
  // them into retention's per-user periods (activity_periods), the same users coming back request after request.
  const signups = await measureEvents('user_signed_up', (i, k) => ({
    type: 'user_signed_up',
    userId: `a-${i}-${k}`,
  }));
  const registered = Math.max(1, Math.floor(signups.requestsPerSecond * SECONDS * 0.9));
  const activityEvents = await measureEvents('user_active', (i, k) => ({
    type: 'user_active',
    userId: `a-${i % registered}-${k}`,
  }));
  clearInterval(sampler);

  const db = knexFactory({ client: 'pg', connection: dbUrl, pool: { min: 0, max: 2 } });
  const queries: { name: string; rows: number; ms: number; target: string }[] = [];
  for (const size of EXPOSURES) {
    const key = `big-${size}`;
    await experiment(key);
    const { id } = (await db('experiments').where({ key }).first('id')) as { id: number };
    const t0 = Date.now();
    await seedExperiment(db, id, size);
    await db.raw('VACUUM ANALYZE');
    console.log(
      `\nseeded ${size.toLocaleString('en')} exposures in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const path of [
      'results',
      'results?metric=revenue',
      'results/timeline',
      'results?method=sequential',
      'results?cuped=true',
      BANDIT,
    ]) {
      if (path === BANDIT) await asBandit(db, id);
      const url = `${base}/v1/experiments/${key}/${path === BANDIT ? 'results' : path}`;
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) runs.push(await timed(url));
      const ms = median(runs);
      queries.push({ name: `experiments/{key}/${path}`, rows: size, ms, target: '< 250 ms' });
      console.log(`  ${path.padEnd(30)} ${ms.toFixed(1).padStart(8)} ms median of 5 (cache off)`);
    }
  }

  const t1 = Date.now();
  await seedInvites(db, INVITES);
  await db.raw('VACUUM ANALYZE');
  console.log(
    `\nseeded ${INVITES.toLocaleString('en')} invites in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );
  // The growth metrics (SPEC §8) over users, clicks, activity and revenue derived from those invites, in 7-, 30- and
  // 90-day windows; the experiment metrics built on them over an onboarding experiment of the last 60 days' users.
  const t2 = Date.now();
  const grown = await seedGrowth(db, ACTIVITY);
  await experiment('growth', 61);
  const { id: growthId } = (await db('experiments').where({ key: 'growth' }).first('id')) as { id: number };
  const growthExposed = await seedGrowthExperiment(db, growthId);
  await db.raw('VACUUM ANALYZE');
  console.log(
    `\nseeded ${grown.users.toLocaleString('en')} users, ${grown.activity.toLocaleString('en')} activity and ` +
      `${grown.revenue.toLocaleString('en')} revenue rows, ${grown.clicks.toLocaleString('en')} visitor clicks and ` +
      `${growthExposed.toLocaleString('en')} exposures in ${((Date.now() - t2) / 1000).toFixed(1)} s`,
  );
  // The viral metrics once users exist too (the funnel reads invitees' first-value moments, cohorts the users' signup
  // weeks), over 7- and 30-day windows; the dashboard's summary, cohorts and the K anomaly series with them.
  for (const path of [
    ...[7, 30].flatMap((d) => [...VIRAL_METRICS, 'summary'].map((m) => `${m}?days=${d}`)),
    'cohorts',
    'anomalies?metric=k_factor',
  ]) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(`${base}/v1/metrics/${path}`));
    queries.push({ name: `metrics/${path}`, rows: INVITES, ms: median(runs), target: '< 500 ms' });
  }

  const growthRows = grown.activity + grown.revenue;
  const growthPaths = [
    ...[7, 30, 90].flatMap((d) => [
      `metrics/retention?days=${d}`,
      `metrics/ltv?days=${d}`,
      `metrics/attribution?days=${d}`,
      `metrics/geo?days=${d}`,
      `metrics/forecast?days=${d}`,
    ]),
    'metrics/retention?days=90&mode=on_or_after',
    'metrics/retention?days=30&granularity=day&periods=30',
    'metrics/ltv?days=90&horizonDays=7',
    ...['first_touch', 'linear', 'time_decay', 'position_based'].map(
      (m) => `metrics/attribution?days=30&model=${m}`,
    ),
    'experiments/growth/results?metric=retention_d7',
    'experiments/growth/results?metric=ltv',
  ];
  for (const path of growthPaths) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(`${base}/v1/${path}`));
    const ms = median(runs);
    queries.push({ name: path, rows: growthRows, ms, target: '< 1000 ms' });
    console.log(`  ${path.padEnd(56)} ${ms.toFixed(1).padStart(8)} ms median of 3`);
  }
  await db.destroy();

  // 50 dashboards refreshing the K-factor view together, in waves, while product back ends keep assigning: the
  // assignment p99 with and without them (analytics run on their own pool; identical requests share one query).
  // Measured on a second instance configured as deployed (default METRICS_CACHE_SECONDS: an expensive answer is
  // reused for seconds), on the same database.
  await startLiftoff(DEPLOYED_PORT, { METRICS_CACHE_SECONDS: '10' });
  const deployed = `http://127.0.0.1:${DEPLOYED_PORT}`;
  await ready(deployed, 30);
  const VIEW = ['summary', 'loop-efficiency', 'timeline', 'funnel']
    .map((m) => `${m}?days=30`)
    .concat('cohorts');
  const assignOpts = {
    url: `${deployed}/v1/experiments/bench/assignments`,
    method: 'POST' as const,
    body: (i: number) => ({ userId: `user-${i % assigned}` }),
  };
  const quiet = await measure('liftoff  existing-user assignment (again)', assignOpts);
  let viewing = true;
  let waves = 0;
  let viewMs = 0;
  const viewers = (async () => {
    while (viewing) {
      const s = performance.now();
      await Promise.all(
        Array.from({ length: 50 }, () =>
          Promise.all(VIEW.map((m) => fetch(`${deployed}/v1/metrics/${m}`).then((r) => r.text()))),
        ),
      );
      viewMs += performance.now() - s;
      waves++;
      await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 5));
    }
  })();
  const watched = await measure('liftoff  … while 50 dashboards refresh', assignOpts);
  viewing = false;
  await viewers;
  console.log(
    `  ${waves} waves of 50 K-factor views, ${(viewMs / Math.max(1, waves)).toFixed(0)} ms per wave`,
  );

  const ratio = (a: LoadResult, b: LoadResult) => a.requestsPerSecond / b.requestsPerSecond;
  const bareBest = bare.requestsPerSecond > bare2.requestsPerSecond ? bare : bare2;
  const summary = [
    { figure: 'new-user assignment / durable INSERT', value: ratio(fresh, insert), target: '≥ 1.2×' },
    { figure: 'new-user assignment p99 (ms)', value: fresh.p99, target: '< 20 ms' },
    { figure: 'existing-user assignment / bare route', value: ratio(existing, bareBest), target: '≥ 0.5×' },
    ...(
      [
        ['invite_sent', batched],
        ['experiment_exposure', exposureEvents],
        ['experiment_conversion', conversionEvents],
        ['user_signed_up', signups],
        ['user_active', activityEvents],
      ] as const
    ).map(([type, result]) => ({
      figure: `${BATCH} ${type} events / unnest ceiling`,
      value: ratio(result, batchCeiling),
      target: '≥ 0.5×',
    })),
    {
      figure: 'assignment p99 with 50 dashboards refreshing / without',
      value: watched.p99 / Math.max(1, quiet.p99),
      target: '≤ 1.2×',
    },
    ...queries.map((q) => ({
      figure: `${q.name} over ${q.rows.toLocaleString('en')} rows (ms)`,
      value: q.ms,
      target: q.target,
    })),
    { figure: 'service RSS peak under load (MB)', value: rssPeak, target: '< 250 MB' },
  ];
  console.log('\nSummary (targets from SPEC §6)');
  for (const r of summary) {
    console.log(`  ${r.figure.padEnd(96)} ${r.value.toFixed(2).padStart(9)}  (target ${r.target})`);
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
  writeFileSync(
    JSON_PATH,
    `${JSON.stringify({ at: new Date().toISOString(), quick: QUICK, machine, seconds: SECONDS, load: rows, queries, summary }, null, 2)}\n`,
  );
  console.log(`\n${machine}; JSON report in ${JSON_PATH}`);
}

try {
  await main();
} finally {
  await stopAll();
  await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.destroy();
}
