// Sends generated requests to a running service over raw HTTP (so broken paths and bodies go out as they are)
// and holds every answer to the rules of SPEC §2 and §7.
import http from 'node:http';
import type { FuzzRequest } from './requests.js';

export const SLOW_MS = 10_000;

export interface Failure {
  rule: string;
  request: FuzzRequest;
  status?: number;
  answer?: string;
}

export interface RunSummary {
  sent: number;
  statuses: Record<string, number>;
  kinds: Record<string, number>;
  failures: Failure[];
  slowestMs: number;
  died: boolean;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

function send(base: URL, agent: http.Agent, req: FuzzRequest): Promise<Answer> {
  const body =
    req.body === undefined
      ? undefined
      : typeof req.body === 'string' || Buffer.isBuffer(req.body)
        ? req.body
        : Buffer.alloc(req.body.oversized, 0x20);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const r = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers:
          body === undefined ? req.headers : { ...req.headers, 'content-length': Buffer.byteLength(body) },
        agent,
        timeout: SLOW_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${SLOW_MS} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** The rules: no 5xx, every 4xx is problem+json with a code and the right status, nothing slower than 10 s. */
function check(req: FuzzRequest, a: Answer): string | null {
  if (a.status >= 500) return `${a.status}`;
  if (a.ms > SLOW_MS) return 'slower than 10 s';
  if (a.status >= 400) {
    if (!a.contentType.startsWith('application/problem+json')) return `${a.status} not problem+json`;
    if (req.method === 'HEAD') return null;
    try {
      const p = JSON.parse(a.body) as { code?: unknown; status?: unknown };
      if (typeof p.code !== 'string' || !/^[a-z0-9_]+$/.test(p.code)) return `${a.status} without a code`;
      if (p.status !== a.status) return `${a.status} with status ${String(p.status)} in the body`;
    } catch {
      return `${a.status} body is not JSON`;
    }
  }
  return null;
}

/**
 * Sends every request with `concurrency` at a time. Stops early when the process died (`alive()` false):
 * everything after that would only repeat the one failure.
 */
export async function runRequests(
  url: string,
  requests: FuzzRequest[],
  concurrency: number,
  alive: () => boolean,
  onProgress?: (done: number) => void,
): Promise<RunSummary> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const summary: RunSummary = { sent: 0, statuses: {}, kinds: {}, failures: [], slowestMs: 0, died: false };
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < requests.length && !summary.died) {
      const req = requests[next++]!;
      summary.sent++;
      summary.kinds[req.kind] = (summary.kinds[req.kind] ?? 0) + 1;
      try {
        const answer = await send(base, agent, req);
        summary.statuses[answer.status] = (summary.statuses[answer.status] ?? 0) + 1;
        summary.slowestMs = Math.max(summary.slowestMs, answer.ms);
        const rule = check(req, answer);
        if (rule)
          summary.failures.push({
            rule,
            request: req,
            status: answer.status,
            answer: answer.body.slice(0, 400),
          });
      } catch (err) {
        // A body over the limit is answered 413 before it is read, and the connection closed: a client still
        // writing it sees EPIPE/ECONNRESET instead of the answer. That is the server refusing, not failing.
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (req.kind === 'oversized body' && ['EPIPE', 'ECONNRESET'].includes(code) && alive()) {
          summary.statuses['refused body'] = (summary.statuses['refused body'] ?? 0) + 1;
        } else {
          summary.statuses.error = (summary.statuses.error ?? 0) + 1;
          if (!alive()) summary.died = true;
          summary.failures.push({
            rule: alive() ? `no answer: ${(err as Error).message}` : 'process died',
            request: req,
          });
        }
      }
      if (++finished % 1000 === 0) onProgress?.(finished);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return summary;
}
