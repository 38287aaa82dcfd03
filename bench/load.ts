import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  /** Body for request number i (unique per request when it uses i). */
  body?: (i: number) => unknown;
  connections?: number;
  seconds: number;
  headers?: Record<string, string>;
}

/** Runs autocannon against a loopback URL for a bounded time. */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections ?? 50,
    duration: opts.seconds,
    method: opts.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...opts.headers },
    requests: [
      {
        setupRequest: (req) => {
          if (opts.body) req.body = JSON.stringify(opts.body(counter++));
          return req;
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
