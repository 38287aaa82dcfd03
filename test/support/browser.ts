import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { type Browser, type Page, chromium } from 'playwright-core';
import tap from 'tap';
import { buildApp } from '../../src/app.js';
import { emptyDatabase, testConfig, testDatabase } from '../helper.js';
import { ensureWebBuild } from './web-build.js';

type T = { teardown(fn: () => unknown): void };

/** Debian's Chromium, driven by playwright-core (no browser download). */
const CHROMIUM = '/usr/bin/chromium';
export const skipWithoutChromium = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

let browser: Promise<Browser> | undefined;

/** One browser per test file, closed when the file ends. */
export function launchBrowser(): Promise<Browser> {
  browser ??= chromium
    .launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    })
    .then((b) => {
      tap.teardown(() => b.close());
      return b;
    });
  return browser;
}

/** The service listening on 127.0.0.1 (a free port) on this file's database, emptied first, configured for tests. */
export async function startService(
  t: T,
  env: Record<string, string> = {},
  opts: { empty?: boolean } = {},
): Promise<{ app: FastifyInstance; origin: string }> {
  ensureWebBuild();
  const db = await testDatabase();
  if (opts.empty !== false) await emptyDatabase(db);
  const app = await buildApp({ config: testConfig(env), db, migrate: false });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { app, origin };
}

export interface Watch {
  /** Console errors, page errors and CSP violations seen so far. */
  errors: string[];
  /** Requests that left the service's origin. */
  offOrigin: string[];
  /** Paths (with query) of the /v1 calls the page made, in order. */
  apiCalls: string[];
}

/** Records what a user would not see: console errors, uncaught exceptions, requests to other origins. */
export function watch(page: Page, origin: string): Watch {
  const w: Watch = { errors: [], offOrigin: [], apiCalls: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('data:')) return;
    if (!url.startsWith(`${origin}/`)) w.offOrigin.push(url);
    else if (url.startsWith(`${origin}/v1/`)) w.apiCalls.push(url.slice(origin.length));
  });
  return w;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (evaluated outside the page's CSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`axe.run(document).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
}

/** True when the page scrolls sideways (something is wider than the viewport). */
export const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');

/** An API call from the test, as the page makes it. */
export async function apiGet<R>(app: FastifyInstance, url: string, key?: string): Promise<R> {
  const res = await app.inject({ url, headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as R;
}

export async function apiPost(
  app: FastifyInstance,
  url: string,
  payload: object,
  key?: string,
): Promise<unknown> {
  const res = await app.inject({
    method: 'POST',
    url,
    payload,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as unknown;
}

/**
 * Waits until a page expression is true. Polls from here: page.waitForFunction evaluates its predicate with
 * eval inside the page, which the dashboard's CSP (rightly) refuses.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
