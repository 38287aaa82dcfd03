// npm run bench:pglite: Liftoff on its embedded database (PGlite, no DATABASE_URL), as `npm start` runs it on a bare
// machine: the hot paths against a bare Fastify route measured in the same run, then results and viral metrics over
// BENCH_ROWS (default 100,000) exposures and invites loaded through /v1/events. `--quick` (CI): 2,000 rows and 1 s
// load tests; it fails on error answers, never on slow figures. JSON report: BENCH_JSON (default
// bench/last-run-pglite.json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, type LoadResult } from './load.js';
import { VIRAL_METRICS, median, postJson, ready, start, stopAll, timed } from './process.js';

const QUICK = process.argv.includes('--quick');
const SECONDS = QUICK ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const ROWS = QUICK ? 2_000 : Number(process.env.BENCH_ROWS ?? 100_000);
const JSON_PATH =
  process.env.BENCH_JSON ?? (QUICK ? 'bench/last-run-pglite-quick.json' : 'bench/last-run-pglite.json');
const CEILING_PORT = 3903;
const LIFTOFF_PORT = 3904;
const BATCH = 1_000;
const DAY = 86_400_000;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'liftoff-bench-pglite-'));

async function main() {
  console.log(`Embedded PGlite in ${dataDir}; ${SECONDS}s per load test, 50 connections, loopback only.\n`);
  const noDatabase = { DATABASE_URL: '' };
  await start(
    ['--import', 'tsx', 'bench/ceiling-server.ts'],
    { ...noDatabase, PORT: String(CEILING_PORT) },
    /ready/,
  );
  await start(
    ['--max-old-space-size=1024', 'dist/src/server.js'],
    {
      ...noDatabase,
      DATA_DIR: dataDir,
      PORT: String(LIFTOFF_PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      API_KEYS: '',
      RESULTS_CACHE_SECONDS: '0',
      METRICS_CACHE_SECONDS: '0',
    },
    null,
  );
  const base = `http://127.0.0.1:${LIFTOFF_PORT}`;
  await ready(base, 180);
  const post = (p: string, body?: unknown) => postJson(base, p, body);
  const experiment = async (key: string) => {
    await post('/v1/experiments', {
      key,
      variants: [
        { key: 'control', weight: 50 },
        { key: 'variant_a', weight: 50 },
      ],
    });
    await post(`/v1/experiments/${key}/start`, { startedAt: new Date(Date.now() - 31 * DAY).toISOString() });
  };
  await experiment('bench');

  const rows: { name: string; result: LoadResult }[] = [];
  const measure = async (name: string, opts: Omit<Parameters<typeof load>[0], 'seconds'>) => {
    const result = await load({ seconds: SECONDS, ...opts });
    if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} error answers`);
    console.log(
      `${name.padEnd(44)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms`,
    );
    rows.push({ name, result });
    return result;
  };
  const bare = await measure('ceiling  bare Fastify route', { url: `http://127.0.0.1:${CEILING_PORT}/bare` });
  const fresh = await measure('liftoff  new-user assignment', {
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    body: (i) => ({ userId: `user-${i}` }),
  });
  const assigned = Math.max(1, Math.floor(fresh.requestsPerSecond * SECONDS * 0.9));
  const existing = await measure('liftoff  existing-user assignment', {
    url: `${base}/v1/experiments/bench/assignments`,
    method: 'POST',
    body: (i) => ({ userId: `user-${i % assigned}` }),
  });
  const invites = await measure('liftoff  100 invite_sent events / request', {
    url: `${base}/v1/events`,
    method: 'POST',
    body: (i) => ({
      events: Array.from({ length: 100 }, (_, k) => ({
        type: 'invite_sent',
        inviteId: `e-${i}-${k}`,
        referrerId: `r-${i % 1000}`,
        source: 'bench',
      })),
    }),
  });

  // The data set, through the API: ROWS users exposed over 30 days, 10 % / 12 % converting; ROWS invites over
  // 30 days from ROWS/4 referrers (a few heavy ones), one in seven signing up within 3 days.
  const t0 = Date.now();
  await experiment('big');
  const now = Date.now();
  const send = async (events: object[]) => {
    for (let i = 0; i < events.length; i += BATCH)
      await post('/v1/events', { events: events.slice(i, i + BATCH) });
  };
  const at = (ms: number) => new Date(Math.min(ms, now - 60_000)).toISOString();
  const exposures: object[] = [];
  const conversions: object[] = [];
  for (let u = 0; u < ROWS; u++) {
    const exposedAt = now - 30 * DAY + (u / ROWS) * 30 * DAY;
    exposures.push({
      type: 'experiment_exposure',
      experimentKey: 'big',
      userId: `u${u}`,
      occurredAt: at(exposedAt),
    });
    if ((u * 7919) % 100 < 11)
      conversions.push({
        type: 'experiment_conversion',
        experimentKey: 'big',
        userId: `u${u}`,
        occurredAt: at(exposedAt + ((u % 64) + 1) * 3_600_000),
      });
  }
  await send(exposures);
  await send(conversions);
  const referrers = Math.max(1, Math.floor(ROWS / 4));
  const viral: object[] = [];
  const signups: object[] = [];
  for (let i = 0; i < ROWS; i++) {
    const sentAt = now - 30 * DAY + (i / ROWS) * 30 * DAY;
    const u = ((i * 2654435761) % 1_000_000) / 1_000_000;
    viral.push({
      type: 'invite_sent',
      inviteId: `b${i}`,
      referrerId: `ref${Math.floor(referrers * u ** 3)}`,
      source: `loop${i % 5}`,
      occurredAt: at(sentAt),
    });
    if (i % 7 === 0 && sentAt + ((i % 72) + 1) * 3_600_000 < now)
      signups.push({
        type: 'invite_signed_up',
        inviteId: `b${i}`,
        userId: `new${i}`,
        occurredAt: at(sentAt + ((i % 72) + 1) * 3_600_000),
      });
  }
  await send(viral);
  await send(signups);
  const loadSeconds = (Date.now() - t0) / 1000;
  console.log(
    `\nloaded ${ROWS.toLocaleString('en')} exposures, ${conversions.length.toLocaleString('en')} conversions, ` +
      `${ROWS.toLocaleString('en')} invites and ${signups.length.toLocaleString('en')} signups through /v1/events ` +
      `in ${loadSeconds.toFixed(1)} s`,
  );

  const queries: { name: string; ms: number }[] = [];
  for (const p of [
    'experiments/big/results',
    'experiments/big/results/timeline',
    'experiments/big/results?method=sequential',
    ...VIRAL_METRICS.flatMap((m) => [`metrics/${m}?days=7`, `metrics/${m}?days=30`]),
    'metrics/summary?days=30',
    'metrics/cohorts',
  ]) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(`${base}/v1/${p}`));
    queries.push({ name: p, ms: median(runs) });
    console.log(`  ${p.padEnd(44)} ${median(runs).toFixed(1).padStart(8)} ms median of 3`);
  }

  const ratio = (a: LoadResult, b: LoadResult) => a.requestsPerSecond / b.requestsPerSecond;
  const summary = [
    { figure: 'new-user assignment / bare route', value: ratio(fresh, bare) },
    { figure: 'new-user assignment p99 (ms)', value: fresh.p99 },
    { figure: 'existing-user assignment / bare route', value: ratio(existing, bare) },
    { figure: '100 invite_sent events per request (events/s)', value: invites.requestsPerSecond * 100 },
    {
      figure: 'events loaded through /v1/events per second',
      value: (2 * ROWS + conversions.length + signups.length) / loadSeconds,
    },
    ...queries.map((q) => ({ figure: `${q.name} over ${ROWS.toLocaleString('en')} rows (ms)`, value: q.ms })),
  ];
  console.log('\nSummary (embedded PGlite)');
  for (const r of summary) console.log(`  ${r.figure.padEnd(72)} ${r.value.toFixed(2).padStart(9)}`);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
  writeFileSync(
    JSON_PATH,
    `${JSON.stringify({ at: new Date().toISOString(), quick: QUICK, database: 'pglite', machine, seconds: SECONDS, rows: ROWS, load: rows, queries, summary }, null, 2)}\n`,
  );
  console.log(`\n${machine}; JSON report in ${JSON_PATH}`);
}

try {
  await main();
} finally {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
}
