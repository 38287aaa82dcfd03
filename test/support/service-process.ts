// A real Liftoff process listening on 127.0.0.1 (fault tests, fuzzing and the chaos script drive it over HTTP).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const ADMIN_KEY = 'admin-secret-fault';
export const INGEST_KEY = 'ingest-secret-fault';
export const READ_KEY = 'read-secret-fault';
const API_KEYS = `admin:${ADMIN_KEY},ingest:${INGEST_KEY},read:${READ_KEY}`;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  url: string;
  pid: number;
  /** Settles when the process has exited (for whatever reason). */
  exited: Promise<Exit>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface StartOptions {
  /** Run dist/src/server.js (as `npm start` does) instead of the TypeScript sources through tsx. */
  built?: boolean;
  /** How long to wait for the "listening" line. */
  timeoutMs?: number;
}

/**
 * Spawns the service on a port the kernel picks (PORT=0) and resolves once it logged the address it listens on,
 * so there is no window in which a free port found beforehand could be taken by someone else.
 */
export function startService(env: Record<string, string>, opts: StartOptions = {}): Promise<ServiceProcess> {
  const built = opts.built ?? false;
  const entry = built
    ? [path.join(ROOT, 'dist/src/server.js')]
    : ['--import', 'tsx', path.join(ROOT, 'src/server.ts')];
  if (built && !existsSync(entry[0]!)) throw new Error('dist/ is missing: run npm run build first');
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=256', ...entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      API_KEYS,
      // Every metric read computed afresh (tests write rows directly too); a test may ask for reuse.
      METRICS_CACHE_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start within ${opts.timeoutMs ?? 180_000} ms:\n${out.slice(-4000)}`));
    }, opts.timeoutMs ?? 180_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      const m = /Liftoff listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          pid: child.pid!,
          exited,
          output: () => out,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(`service exited (${exit.code ?? exit.signal}) before listening:\n${out.slice(-4000)}`),
      );
    });
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
  ms: number;
}

/** One HTTP call with a JSON body; network errors are thrown (the caller decides what a reset means). */
export async function call(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(base + url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text, ms: performance.now() - started };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
