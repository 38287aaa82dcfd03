// npm run screenshots: pictures of each dashboard view for README (docs/dashboard-*.png), on the demo data set.
// Run `npm run demo` first (same DATABASE_URL). Adds one demo experiment with traffic if it is missing, opens the
// dashboard in Debian's Chromium (/usr/bin/chromium) with authentication off, and prints the K-factor view's
// draw time (performance.now() from navigation to every panel on screen and the timeline chart drawn).
import { execFileSync } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { bucketUser } from '../src/experiments/bucketing.js';

const KEY = 'invite_cta';
const USERS = 4000;
const DAY = 86_400_000;

execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
const config = loadConfig({ ...process.env, API_KEYS: '', LOG_LEVEL: 'warn' });
const app = await buildApp({ config });

async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300 && res.statusCode !== 404) throw new Error(`${url}: ${res.body}`);
  return res;
}

/** A CTA experiment judged on conversion: 4,000 demo users exposed over 13 days, variant_a converting better. */
async function demoExperiment() {
  if ((await call('GET', `/v1/experiments/${KEY}`)).statusCode === 200) return;
  await call('POST', '/v1/experiments', {
    key: KEY,
    name: 'Invite CTA copy',
    hypothesis: '"Invite a buddy" makes more users send an invite than "Share"',
    variants: [
      { key: 'control', weight: 50 },
      { key: 'variant_a', weight: 50 },
    ],
  });
  const start = Date.now() - 14 * DAY;
  await call('POST', `/v1/experiments/${KEY}/start`, { startedAt: new Date(start).toISOString() });
  const events: object[] = [];
  for (let i = 1; i <= USERS; i++) {
    const userId = `user_${i}`;
    const at = start + (i / USERS) * 13 * DAY;
    events.push({
      type: 'experiment_exposure',
      experimentKey: KEY,
      userId,
      occurredAt: new Date(at).toISOString(),
    });
    const variant = bucketUser({ hashSeed: KEY, userId, weights: [50, 50], trafficPercent: 100 });
    if ((i * 7919) % 1000 < (variant === 1 ? 140 : 115)) {
      events.push({
        type: 'experiment_conversion',
        experimentKey: KEY,
        userId,
        occurredAt: new Date(at + 3_600_000).toISOString(),
      });
    }
  }
  for (let i = 0; i < events.length; i += 5000) {
    await call('POST', '/v1/events', { events: events.slice(i, i + 5000) });
  }
  await call('POST', '/v1/experiments', {
    key: 'streak_reminder',
    name: 'Streak reminder push',
    variants: [{ key: 'control' }, { key: 'push' }, { key: 'email' }],
    targetMetric: 'k_factor',
  });
}

const drawn = async (page: Page, url: string): Promise<number> => {
  await page.goto(url);
  // Polled from here: waitForFunction would eval inside the page, which its CSP refuses.
  while (!(await page.evaluate<boolean>(`performance.getEntriesByName('k-factor-drawn').length > 0`))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return page.evaluate<number>(`performance.getEntriesByName('k-factor-drawn')[0].startTime`);
};

try {
  await demoExperiment();
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const days of [7, 30, 90]) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) times.push(await drawn(page, `${origin}/dashboard/k-factor?days=${days}`));
      times.sort((a, b) => a - b);
      console.log(
        `K-factor view, ${days} days: drawn in ${times.map((x) => x.toFixed(0)).join(', ')} ms (median ${times[1]!.toFixed(0)})`,
      );
    }
    await drawn(page, `${origin}/dashboard/k-factor?days=30`);
    await page.screenshot({ path: 'docs/dashboard-k-factor.png', fullPage: true });
    await page.goto(`${origin}/dashboard/experiments`);
    await page.getByRole('link', { name: 'Invite CTA copy' }).waitFor();
    await page.screenshot({ path: 'docs/dashboard-experiments.png', fullPage: true });
    await page.goto(`${origin}/dashboard/experiments/${KEY}`);
    await page.getByRole('img', { name: /Cumulative conversion rate/ }).waitFor();
    await page.getByRole('table', { name: /Audit history/ }).waitFor();
    await page.screenshot({ path: 'docs/dashboard-experiment.png', fullPage: true });
    await page.goto(`${origin}/dashboard/growth`);
    await page.getByRole('table', { name: /Share of each signup week/ }).waitFor();
    await page.getByRole('img', { name: /World map: signups by country/ }).waitFor();
    await page.screenshot({ path: 'docs/dashboard-growth.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await drawn(page, `${origin}/dashboard/k-factor?days=30`);
    await page.screenshot({ path: 'docs/dashboard-k-factor-390px.png' });
    console.log(
      'Wrote docs/dashboard-k-factor.png, -experiments.png, -experiment.png, -growth.png, -k-factor-390px.png',
    );
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
}
