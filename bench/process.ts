// Starting and stopping the processes a benchmark measures (loopback only), shared by the benchmark scripts.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const children: ChildProcess[] = [];

/** Spawns a server; resolves when it prints `waitFor` (null: at once, the caller polls readiness). */
export function start(
  args: string[],
  env: Record<string, string>,
  waitFor: RegExp | null,
): Promise<ChildProcess> {
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

/** Polls /health/ready until the service answers (at most `seconds`). */
export async function ready(base: string, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (
      await fetch(`${base}/health/ready`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not become ready within ${seconds} s`);
}

export function rssMb(pid: number): number {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time of one GET in ms; an error answer fails the benchmark. */
export async function timed(url: string): Promise<number> {
  const s = performance.now();
  const res = await fetch(url);
  await res.text();
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return performance.now() - s;
}

/** POSTs JSON to the service; an error answer fails the benchmark. */
export async function postJson(base: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function stopAll(): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
}

/** The viral metric endpoints both benchmarks time, under /v1/metrics/. */
export const VIRAL_METRICS = [
  'k-factor',
  'k-factor/by-source',
  'cycle-time',
  'funnel',
  'top-referrers',
  'timeline',
  'loop-efficiency',
];
