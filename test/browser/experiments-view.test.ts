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

const READ = 'read-key-browser-2';
const ADMIN = 'admin-key-browser-2';
const API_KEYS = `read:${READ},admin:${ADMIN}`;

interface Results {
  variants: { variant: string; exposed: number; converted: number; conversionRate: number }[];
}
interface Experiment {
  status: string;
  winner: string | null;
}

t.test(
  'Experiments view in Chromium: from the form to a declared winner, then read-only for a read key',
  { skip: skipWithoutChromium },
  async (t) => {
    const { app, origin } = await startService(t, { API_KEYS });
    const browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const seen = watch(page, origin);

    await page.goto(`${origin}/dashboard/experiments`);
    await page.getByLabel('API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.getByText('No experiments yet.').waitFor();

    // Obvious slips are named beside their field before anything is sent.
    await page.getByLabel('Key', { exact: true }).fill('CTA copy');
    await page.getByLabel('Name').fill('CTA copy');
    await page.getByLabel('Hypothesis').fill('"Invite a buddy" converts better than "Share"');
    await page.getByLabel('Variants and weights').fill('control=50,variant_a:abc');
    await page.getByLabel('Traffic (%)').fill('150');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.locator('#new-key-error').waitFor();
    t.match(await page.locator('#new-key-error').textContent(), /lowercase letters.*e\.g\. cta_copy/);
    t.match(
      await page.locator('#new-weights-error').textContent(),
      /key:weight.*control:50,variant_a:50 \(check "control=50", "variant_a:abc"\)/,
    );
    t.match(await page.locator('#new-trafficPercent-error').textContent(), /between 0 and 100/);
    t.equal(await page.getByLabel('Traffic (%)').getAttribute('aria-invalid'), 'true');
    t.same(seen.errors, [], 'nothing was sent (no refused request)');
    await page.getByLabel('Traffic (%)').fill('100');
    t.equal(await page.locator('#new-trafficPercent-error').count(), 0, 'editing a field clears its error');

    // The API's validation errors appear next to the field they name.
    await page.getByLabel('Key', { exact: true }).fill('cta_copy');
    await page.getByLabel('Variants and weights').fill('control:50');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.locator('#new-weights-error').waitFor();
    t.match(await page.locator('#new-weights-error').textContent(), /2–20 variants/);
    t.equal(await page.getByLabel('Variants and weights').getAttribute('aria-invalid'), 'true');
    t.equal(await page.locator('#new-key-error').count(), 0, 'the key field has no error');
    t.same(
      seen.errors.splice(0),
      ['Failed to load resource: the server responded with a status of 400 (Bad Request)'],
      "the only console line so far is Chromium's network log of the refused create",
    );

    await page.getByLabel('Variants and weights').fill('control:50,variant_a:50');
    await page.getByLabel('Traffic (%)').fill('100');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.waitForURL(/\/dashboard\/experiments\/cta_copy$/);
    await page.getByRole('heading', { name: /CTA copy/, level: 1 }).waitFor();
    t.equal(await page.locator('h1 .badge').textContent(), 'draft');

    await page.getByRole('button', { name: 'Start experiment' }).click();
    await page.locator('h1 .badge', { hasText: 'running' }).waitFor();
    t.equal((await apiGet<Experiment>(app, '/v1/experiments/cta_copy', READ)).status, 'running');

    // Traffic through the API: 60 exposed users, some convert.
    for (let i = 0; i < 60; i++) {
      const a = (await apiPost(
        app,
        '/v1/experiments/cta_copy/assignments',
        { userId: `user_${i}`, expose: true },
        ADMIN,
      )) as { variant: string };
      if (i % (a.variant === 'variant_a' ? 2 : 4) === 0) {
        await apiPost(app, '/v1/experiments/cta_copy/conversions', { userId: `user_${i}` }, ADMIN);
      }
    }
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const api = await apiGet<Results>(app, '/v1/experiments/cta_copy/results', READ);
    const table = page.getByRole('table', { name: /Results for conversion/ });
    for (const v of api.variants) {
      const row = table.getByRole('row', { name: new RegExp(`^${v.variant}`) });
      await row
        .getByRole('cell')
        .first()
        .filter({ hasText: String(v.exposed) })
        .waitFor();
      const cells = await row.getByRole('cell').allTextContents();
      t.equal(cells[0], String(v.exposed), `${v.variant} exposed`);
      t.equal(cells[1], String(v.converted), `${v.variant} conversions`);
      t.equal(cells[2], `${(v.conversionRate * 100).toFixed(2)} %`, `${v.variant} rate`);
    }
    t.ok(await table.getByRole('img', { name: /95 % interval/ }).isVisible(), 'the lift interval is drawn');
    t.ok(await page.getByRole('img', { name: /Cumulative conversion rate/ }).isVisible(), 'timeline chart');

    // Sequential statistics: the choice goes into the URL.
    await page.getByRole('radio', { name: 'Sequential' }).check();
    await page.waitForURL(/method=sequential/);
    await page.getByRole('table', { name: /sequential, always valid/ }).waitFor();

    // Pause and resume.
    await page.getByRole('button', { name: 'Pause experiment' }).click();
    await page.locator('h1 .badge', { hasText: 'paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume experiment' }).click();
    await page.locator('h1 .badge', { hasText: 'running' }).waitFor();

    t.notMatch(await page.locator('body').innerText(), /NaN|undefined|null/, 'no NaN, undefined or null');
    t.same(await axeViolations(page), [], 'detail view: no serious or critical accessibility violation');

    // Declaring a winner takes two clicks: the first changes nothing.
    await page.getByLabel('Winning variant').selectOption('variant_a');
    await page.getByRole('button', { name: 'Declare winner…' }).click();
    await page.getByRole('group', { name: 'Confirm the winner' }).waitFor();
    t.equal((await apiGet<Experiment>(app, '/v1/experiments/cta_copy', READ)).status, 'running', 'not yet');
    await page.getByRole('button', { name: 'Yes, declare variant_a the winner' }).click();
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    const done = await apiGet<Experiment>(app, '/v1/experiments/cta_copy', READ);
    t.same([done.status, done.winner], ['completed', 'variant_a']);
    const historyText = await page.getByRole('table', { name: /Audit history/ }).innerText();
    for (const action of ['created', 'started', 'paused', 'resumed', 'completed'])
      t.match(historyText, action, `history: ${action}`);
    t.equal(
      await page.getByRole('button', { name: /Declare winner/ }).count(),
      0,
      'no winner button when done',
    );

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    t.notOk(await scrollsSideways(page), 'detail view: no horizontal scroll at 390 px');
    // Line boxes of each actor's text (evaluated as a string: the tests do not compile against the DOM).
    const actorLines = await page.evaluate<number[]>(`[...document.querySelectorAll('td.actor')].map((c) => {
      const r = document.createRange();
      r.selectNodeContents(c);
      return r.getClientRects().length;
    })`);
    t.ok(actorLines.length > 0 && actorLines.every((n) => n === 1), 'each actor stays on one line at 390 px');

    // The list: badges and the status filter (kept in the URL).
    await apiPost(app, '/v1/experiments', { key: 'later', variants: [{ key: 'a' }, { key: 'b' }] }, ADMIN);
    await page.getByRole('link', { name: '← All experiments' }).click();
    await page.getByRole('link', { name: 'CTA copy' }).waitFor();
    t.notOk(await scrollsSideways(page), 'list: no horizontal scroll at 390 px');
    await page.setViewportSize({ width: 1280, height: 900 });
    t.equal(
      await page.getByRole('table', { name: 'Experiments, by key' }).count(),
      1,
      'the caption says the order the API gives',
    );
    await page.getByLabel('Filter experiments by status').selectOption('completed');
    await page.waitForURL(/status=completed/);
    await page.getByRole('link', { name: 'later' }).waitFor({ state: 'detached' });
    t.equal(
      await page
        .getByRole('row', { name: /CTA copy/ })
        .locator('.badge')
        .textContent(),
      'completed',
    );
    t.same(await axeViolations(page), [], 'list view: no serious or critical accessibility violation');

    // A key already taken: said in words beside the key field.
    await page.getByLabel('Key', { exact: true }).fill('cta_copy');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.locator('#new-key-error').waitFor();
    t.match(
      await page.locator('#new-key-error').textContent(),
      /"cta_copy" is taken by an existing experiment/,
    );
    t.same(
      seen.errors.splice(0),
      ['Failed to load resource: the server responded with a status of 409 (Conflict)'],
      'the refused create (409) is the only console line',
    );

    t.same(seen.errors, [], 'no console error');
    t.same(seen.offOrigin, [], 'every request stays on the service');

    // A read key, in a new tab on a shared link: everything visible, no write control.
    const reader = await context.newPage();
    const readerSeen = watch(reader, origin);
    await reader.goto(`${origin}/dashboard/experiments/cta_copy?method=sequential`);
    await reader.getByLabel('API key').fill('not-a-valid-key');
    await reader.getByRole('button', { name: 'Open dashboard' }).click();
    await reader.getByText('That key was not accepted').waitFor();
    await reader.getByLabel('API key').fill(READ);
    await reader.getByRole('button', { name: 'Open dashboard' }).click();
    await reader.getByRole('table', { name: /sequential, always valid/ }).waitFor();
    await reader.getByRole('table', { name: /Audit history/ }).waitFor();
    t.equal(
      await reader.getByRole('button', { name: /Start|Pause|Resume|Declare/ }).count(),
      0,
      'no actions',
    );
    await reader.getByRole('link', { name: '← All experiments' }).click();
    await reader.getByRole('link', { name: 'CTA copy' }).waitFor();
    t.equal(await reader.getByRole('button', { name: 'Create experiment' }).count(), 0, 'no create form');
    t.same(
      readerSeen.errors.filter((e) => !/status of 401/.test(e)),
      [],
      'no console error beyond the rejected key',
    );
  },
);
