import http from 'node:http';
import https from 'node:https';
import { checkUrl, guardedLookup } from './target-guard.js';

export interface HttpResult {
  statusCode: number;
  retryAfter: string | null;
}

export interface PostOptions {
  timeoutMs: number;
  allowHttp: boolean;
  allowPrivate: boolean;
}

/** POSTs a JSON body; no redirects are followed; the whole exchange is bounded by timeoutMs. */
export function postJson(
  target: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<HttpResult> {
  const url = new URL(target);
  checkUrl(url, opts);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Liftoff-Webhooks/1',
          ...headers,
        },
        lookup: guardedLookup(opts.allowPrivate),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          const ra = res.headers['retry-after'];
          resolve({ statusCode: res.statusCode ?? 0, retryAfter: typeof ra === 'string' ? ra : null });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`timed out after ${opts.timeoutMs / 1000} s`)),
      opts.timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
