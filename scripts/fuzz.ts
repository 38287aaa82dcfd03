// npm run fuzz: requests generated from /openapi.json (valid, mutated, hostile) against a running Liftoff process
// on both databases. Fails on any 5xx, any 4xx that is not problem+json with a code, any answer slower than 10 s,
// or a process that dies.
//   FUZZ_SEED   fast-check seed (printed; default random)       FUZZ_COUNT  requests per database (default 10000)
//   FUZZ_DB     both | pglite | postgres (default both)          DATABASE_URL  the PostgreSQL server to create the
//   FUZZ_CONCURRENCY  requests in flight (default 8)                           fuzz database on (default local)
import fc from 'fast-check';
import { operations, requestArbitrary } from './fuzz/requests.js';
import { runRequests, type RunSummary } from './fuzz/runner.js';
import { seedState } from './fuzz/seed.js';
import { scratchPglite, scratchPostgres, type ScratchDatabase } from '../test/support/scratch-database.js';
import { ADMIN_KEY, INGEST_KEY, READ_KEY, call, startService } from '../test/support/service-process.js';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const count = Number(process.env.FUZZ_COUNT ?? 10_000);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const which = process.env.FUZZ_DB ?? 'both';
const adminUrl =
  process.env.DATABASE_URL && process.env.DATABASE_URL !== 'memory://'
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:5432/postgres';
if (
  !Number.isInteger(seed) ||
  !Number.isInteger(count) ||
  count < 1 ||
  !['both', 'pglite', 'postgres'].includes(which)
) {
  console.error('FUZZ_SEED and FUZZ_COUNT must be integers, FUZZ_DB both|pglite|postgres');
  process.exit(2);
}
console.log(
  `fuzz: seed ${seed} (re-run with FUZZ_SEED=${seed}), ${count} requests per database, ${concurrency} at a time`,
);

const show = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s);

function report(name: string, s: RunSummary, ms: number): void {
  const statuses = Object.entries(s.statuses)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const kinds = Object.entries(s.kinds)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  console.log(
    `\n[${name}] ${s.sent} requests in ${(ms / 1000).toFixed(1)} s, slowest ${s.slowestMs.toFixed(0)} ms`,
  );
  console.log(`  statuses  ${statuses}`);
  console.log(`  kinds     ${kinds}`);
  const groups = new Map<string, typeof s.failures>();
  for (const f of s.failures) {
    const key = `${f.rule} — ${f.request.route}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  if (groups.size === 0) console.log('  failures  none');
  for (const [key, fs] of groups) {
    const f = fs[0]!;
    const body =
      f.request.body === undefined
        ? ''
        : typeof f.request.body === 'string'
          ? f.request.body
          : Buffer.isBuffer(f.request.body)
            ? `<${f.request.body.length} bytes>`
            : `<${f.request.body.oversized} bytes>`;
    console.log(`  FAIL ×${fs.length} ${key}`);
    console.log(
      `       e.g. ${f.request.method} ${show(f.request.path)} ${show(JSON.stringify(f.request.headers))}`,
    );
    if (body) console.log(`            body ${show(body)}`);
    if (f.answer) console.log(`            answer ${show(f.answer)}`);
  }
}

async function fuzz(name: string, db: ScratchDatabase): Promise<boolean> {
  const started = performance.now();
  const service = await startService(db.env);
  let alive = true;
  void service.exited.then(() => (alive = false));
  try {
    const doc = (await call(service.url, 'GET', '/openapi.json')).body as Parameters<typeof operations>[0];
    const known = await seedState(service.url);
    const arb = requestArbitrary(operations(doc), known, {
      admin: ADMIN_KEY,
      ingest: INGEST_KEY,
      read: READ_KEY,
    });
    const requests = fc.sample(arb, { seed, numRuns: count });
    const summary = await runRequests(
      service.url,
      requests,
      concurrency,
      () => alive,
      (n) => process.stdout.write(`  [${name}] ${n}/${count}\n`),
    );
    const live = alive ? await call(service.url, 'GET', '/health/live').catch(() => undefined) : undefined;
    if (live?.status !== 200) {
      summary.died = true;
      summary.failures.push({
        rule: 'process died or stopped answering',
        request: requests[summary.sent - 1]!,
      });
    }
    report(name, summary, performance.now() - started);
    if (summary.died) console.log(`  process output (tail):\n${service.output().slice(-3000)}`);
    return summary.failures.length === 0;
  } finally {
    await service.stop('SIGTERM');
  }
}

let ok = true;
if (which !== 'postgres') {
  const db = scratchPglite();
  ok = (await fuzz('pglite', db).finally(() => db.drop())) && ok;
}
if (which !== 'pglite') {
  const db = await scratchPostgres(adminUrl, 'fuzz');
  ok = (await fuzz('postgres', db).finally(() => db.drop())) && ok;
}
console.log(`\nfuzz ${ok ? 'passed' : 'FAILED'} (seed ${seed})`);
process.exit(ok ? 0 : 1);
