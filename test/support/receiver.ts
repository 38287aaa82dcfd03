import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that answers with the queued replies (then 200) and records every request. */
export async function receiver(t: { teardown(fn: () => unknown): void }) {
  const received: Received[] = [];
  const replies: { status: number; headers?: Record<string, string>; delayMs?: number }[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      waiters.splice(0).forEach((w) => w());
      const r = replies.shift() ?? { status: 200 };
      setTimeout(() => {
        res.writeHead(r.status, r.headers);
        res.end('ok');
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    reply: (status: number, headers?: Record<string, string>, delayMs?: number) =>
      replies.push({ status, headers, delayMs }),
    /** Resolves once `n` requests have arrived (fails the test after 10 s). */
    async waitFor(n: number) {
      const deadline = Date.now() + 10_000;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} requests, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return received;
    },
  };
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(private t = Date.now()) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}
