// The Alerts & reports view and the anomaly markers, in Chromium against a real service: every value on screen is
// the API's, an admin key creates, edits and deletes rules, a read key gets no write control, "render now" gives
// the report's PDF (read back with pdftotext).
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import t from 'tap';
import {
  apiGet,
  apiPost,
  axeViolations,
  launchBrowser,
  scrollsSideways,
  skipWithoutChromium,
  startService,
  watch,
} from '../support/browser.js';
import { lines, pdfText } from '../support/pdf-text.js';
import { receiver } from '../support/receiver.js';

const READ = 'read-key-alerts-1';
const ADMIN = 'admin-key-alerts-1';
const ENV = {
  API_KEYS: `read:${READ},admin:${ADMIN}`,
  DELIVERY_ALLOW_HTTP: 'true',
  DELIVERY_ALLOW_PRIVATE: 'true',
  ALERT_INTERVAL_SECONDS: '0',
  REPORT_INTERVAL_SECONDS: '0',
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** 45 days of 10–12 signups a day with a spike of 40 three days ago; 40 invites from 20 referrers, 4 converted. */
function history(now: number): object[] {
  const today = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
  );
  const events: object[] = [];
  for (let d = 1; d <= 45; d++) {
    const n = d === 3 ? 40 : 10 + (d % 3);
    for (let i = 0; i < n; i++)
      events.push({
        type: 'user_signed_up',
        userId: `u_${d}_${i}`,
        occurredAt: new Date(today - d * DAY + 12 * HOUR).toISOString(),
      });
  }
  for (let i = 0; i < 40; i++) {
    const sent = now - 2 * DAY - i * 60_000;
    events.push({
      type: 'invite_sent',
      inviteId: `inv_${i}`,
      referrerId: `u_10_${i % 10}`,
      source: 'buddy',
      occurredAt: new Date(sent).toISOString(),
    });
    if (i < 4)
      events.push({
        type: 'invite_signed_up',
        inviteId: `inv_${i}`,
        userId: `ref_${i}`,
        occurredAt: new Date(sent + HOUR).toISOString(),
      });
  }
  return events;
}

interface Rule {
  id: string;
  name: string;
  state: string;
  cooldownMinutes: number;
}

async function signIn(page: Page, origin: string, key: string) {
  await page.goto(`${origin}/dashboard/alerts`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.getByRole('heading', { name: 'Alerts & reports', level: 1 }).waitFor();
}

t.test(
  'Alerts & reports with an admin key, and with a read key',
  { skip: skipWithoutChromium },
  async (t) => {
    const { app, origin } = await startService(t, ENV);
    const hook = await receiver(t);
    const now = Date.now();
    const seeded = (await apiPost(app, '/v1/events', { events: history(now) }, ADMIN)) as {
      rejected: [];
    };
    t.same(seeded.rejected, [], 'the history is accepted');
    const low = (await apiPost(
      app,
      '/v1/alerts',
      {
        name: 'K below 0.5',
        type: 'k_factor_below',
        params: { threshold: 0.5 },
        channels: [{ type: 'webhook', url: hook.url }],
      },
      ADMIN,
    )) as Rule;
    await apiPost(app, `/v1/alerts/${low.id}/evaluate`, {}, ADMIN);
    await hook.waitFor(1);
    await apiPost(
      app,
      '/v1/reports',
      { name: 'Weekly growth', kind: 'growth', schedule: '0 9 * * 1', timezone: 'Europe/Berlin' },
      ADMIN,
    );
    const rules = await apiGet<{ items: Rule[] }>(app, '/v1/alerts', ADMIN);
    t.equal(rules.items[0]!.state, 'firing', 'K = 4/20 = 0.2 < 0.5');

    const browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const seen = watch(page, origin);
    await signIn(page, origin, ADMIN);

    const row = page.getByRole('row', { name: /^K below 0\.5/ });
    await row.getByText('succeeded').waitFor();
    t.match(await row.textContent(), /firing/, 'state as the API says');
    t.match(await row.textContent(), /K of the last 7 days below 0\.5/);
    const deliveries = await apiGet<{ items: { status: string; attempts: { statusCode: number }[] }[] }>(
      app,
      `/v1/alerts/${low.id}/deliveries`,
      ADMIN,
    );
    t.match(
      await row.textContent(),
      `webhook alert.firing — ${deliveries.items[0]!.attempts[0]!.statusCode}`,
    );

    // Create: the API names a bad field, then the rule is created.
    const form = page.getByRole('form', { name: 'New alert rule' });
    await form.getByLabel('Name').fill('Signups drop');
    await form.getByLabel('Type').selectOption('anomaly');
    await form.getByLabel('Metric').selectOption('signups');
    await form.getByLabel('Cooldown (minutes)').fill('-5');
    await form.getByLabel('Email to').fill('growth@example.com');
    await form.getByRole('button', { name: 'Create rule' }).click();
    // Each API error sits beside the field it names; the top only says that a field needs a change.
    await form.locator('#new-alert-cooldownMinutes-error').waitFor();
    t.equal(await form.getByLabel('Cooldown (minutes)').getAttribute('aria-invalid'), 'true');
    t.match(await form.getByRole('alert').textContent(), /A field below needs a change/);
    t.notMatch(await form.getByRole('alert').textContent(), /cooldownMinutes/, 'no API path at the top');
    await form.getByLabel('Cooldown (minutes)').fill('30');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.locator('#new-alert-emailTo-error').waitFor();
    t.match(
      await form.locator('#new-alert-emailTo-error').textContent(),
      /SMTP_URL/,
      'channels.0 → Email to',
    );
    t.equal(await form.locator('#new-alert-cooldownMinutes-error').count(), 0, 'the fixed field is clear');
    await form.getByLabel('Email to').fill('');
    await form.getByLabel('Cooldown (minutes)').fill('30');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('row', { name: /^Signups drop/ }).waitFor();
    let api = await apiGet<{ items: (Rule & { type: string; params: object })[] }>(app, '/v1/alerts', ADMIN);
    const created = api.items.find((r) => r.name === 'Signups drop')!;
    t.match(created, {
      type: 'anomaly',
      cooldownMinutes: 30,
      params: { metric: 'signups', direction: 'drop' },
    });

    // Edit.
    await page.getByRole('button', { name: 'Edit Signups drop' }).click();
    const edit = page.getByRole('form', { name: 'Edit Signups drop' });
    await edit.getByLabel('Cooldown (minutes)').fill('90');
    await edit.getByLabel('Direction').selectOption('both');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await edit.waitFor({ state: 'detached' });
    api = await apiGet(app, '/v1/alerts', ADMIN);
    t.match(
      api.items.find((r) => r.id === created.id),
      { cooldownMinutes: 90, params: { direction: 'both' } },
    );

    // Delete, in two steps.
    await page
      .getByRole('row', { name: /^Signups drop/ })
      .getByRole('button', { name: 'Delete…' })
      .click();
    t.equal(
      (await apiGet<{ items: Rule[] }>(app, '/v1/alerts', ADMIN)).items.length,
      2,
      'the first click deletes nothing',
    );
    await page.getByRole('button', { name: 'Yes, delete Signups drop' }).click();
    await page.getByRole('row', { name: /^Signups drop/ }).waitFor({ state: 'detached' });
    t.equal((await apiGet<{ items: Rule[] }>(app, '/v1/alerts', ADMIN)).items.length, 1);

    // Reports: the schedule in its time zone, and render now gives the PDF with the API's K.
    const report = page.getByRole('row', { name: /^Weekly growth/ });
    t.match(await report.textContent(), '0 9 * * 1 (Europe/Berlin)');
    await report.getByRole('button', { name: 'Render now (PDF): Weekly growth' }).click();
    const save = report.getByRole('link', { name: /^Save weekly-growth-\d{4}-\d\d-\d\d\.pdf/ });
    const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
    const text = lines(pdfText(readFileSync((await download.path())!)));
    const s = await apiGet<{ kFactor: number; status: string }>(app, '/v1/metrics/summary?days=7', READ);
    t.ok(
      text.some((l) => l.startsWith(`${s.kFactor.toFixed(2)} (${s.status})`)),
      'the PDF holds the API’s K',
    );

    t.notMatch(await page.locator('body').innerText(), /NaN|undefined|null/, 'no NaN, undefined or null');
    t.same(await axeViolations(page), [], 'no serious or critical accessibility violation (admin)');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    t.notOk(await scrollsSideways(page), 'no horizontal scroll at 390 px');

    // A read key: reports and render now, no alert rules and no write control.
    const reader = await context.browser()!.newContext({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => reader.close());
    const readPage = await reader.newPage();
    const readSeen = watch(readPage, origin);
    await signIn(readPage, origin, READ);
    await readPage.getByText('Alert rules need an admin key').waitFor();
    await readPage.getByRole('row', { name: /^Weekly growth/ }).waitFor();
    t.equal(
      await readPage.getByRole('button', { name: /Create rule|Edit|Delete/ }).count(),
      0,
      'no write controls',
    );
    t.equal(await readPage.getByRole('button', { name: 'Render now (PDF): Weekly growth' }).count(), 1);
    t.notOk(
      readSeen.apiCalls.some((c) => c.startsWith('/v1/alerts')),
      'a read key does not call /v1/alerts',
    );
    t.same(await axeViolations(readPage), [], 'no serious or critical accessibility violation (read)');

    // The anomaly markers on the K-factor view's timeline: the days the API flags.
    await readPage.goto(`${origin}/dashboard/k-factor?days=30`);
    const list = readPage.getByRole('list', { name: 'Anomalies' });
    await list.waitFor();
    const flagged = [];
    for (const metric of ['signups', 'invites', 'k_factor']) {
      const a = await apiGet<{ days: { date: string; status: string; value: number }[] }>(
        app,
        `/v1/metrics/anomalies?metric=${metric}&days=30`,
        READ,
      );
      flagged.push(
        ...a.days.filter((d) => d.status === 'drop' || d.status === 'spike').map((d) => ({ ...d, metric })),
      );
    }
    // The day history() put the spike on: from the same `now`, since this runs minutes later (maybe after midnight).
    const spike = new Date(now - 3 * DAY).toISOString().slice(0, 10);
    t.ok(
      flagged.some((d) => d.metric === 'signups' && d.date === spike && d.status === 'spike'),
      'the API flags the spike',
    );
    const items = await list.getByRole('listitem').allTextContents();
    t.equal(items.length, flagged.length, 'one marker per flagged day and metric');
    const spikeItem = items.find((i) => i.includes(`${spike}: signups spike`));
    t.ok(spikeItem, 'the spike is listed');
    t.match(spikeItem, `— 40 against`);
    t.match(
      await readPage.getByRole('img', { name: /Growth timeline per day/ }).getAttribute('aria-label'),
      `with ${flagged.length} anomalies marked`,
    );

    // Chromium logs the refused create (400, on purpose above) as a failed resource; nothing else may appear.
    const errors = [...seen.errors, ...readSeen.errors].filter(
      (e) => !/status of 400 \(Bad Request\)/.test(e),
    );
    t.same(errors, [], 'no other console error');
    t.equal(seen.errors.length, 2, 'the two refused creates');
    t.same([...seen.offOrigin, ...readSeen.offOrigin], [], 'every request stays on the service');
  },
);
