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

const ADMIN = 'admin-key-browser-bandit';
const API_KEYS = `admin:${ADMIN}`;
const DAY = 86_400_000;

interface BanditState {
  leader: string | null;
  weights: { variant: string; weight: number; pBest: number | null }[];
  periods: unknown[];
}
interface Results {
  variants: { variant: string; cuped?: { varianceReduction?: number | null } | null }[];
}

t.test(
  'Experiment view in Chromium: bandit weights over periods with P(best); the CUPED switch and its variance reduction',
  { skip: skipWithoutChromium },
  async (t) => {
    const { app, origin } = await startService(t, { API_KEYS });
    const now = Date.now();
    await apiPost(
      app,
      '/v1/experiments',
      {
        key: 'reward',
        type: 'bandit',
        variants: [{ key: 'control' }, { key: 'credit' }],
        bandit: { explorationHours: 0, minUsersPerVariant: 5 },
      },
      ADMIN,
    );
    await apiPost(
      app,
      '/v1/experiments/reward/start',
      { startedAt: new Date(now - 10 * DAY).toISOString() },
      ADMIN,
    );
    await apiPost(
      app,
      '/v1/experiments',
      { key: 'copy', variants: [{ key: 'control' }, { key: 'bold' }] },
      ADMIN,
    );
    await apiPost(
      app,
      '/v1/experiments/copy/start',
      { startedAt: new Date(now - 10 * DAY).toISOString() },
      ADMIN,
    );
    for (let i = 0; i < 40; i++) {
      const userId = `user_${i}`;
      await apiPost(app, '/v1/users', { userId, signedUpAt: new Date(now - 30 * DAY).toISOString() }, ADMIN);
      // Users active on more days before the test convert more often: a covariate CUPED can use.
      for (let d = 0; d < i % 5; d++)
        await apiPost(
          app,
          `/v1/users/${userId}/activity`,
          { occurredAt: new Date(now - (3 + d) * DAY).toISOString() },
          ADMIN,
        );
      const a = (await apiPost(
        app,
        '/v1/experiments/reward/assignments',
        { userId, expose: true },
        ADMIN,
      )) as {
        variant: string;
      };
      if (i % 5 >= 3 || (a.variant === 'credit' && i % 5 === 2))
        await apiPost(app, '/v1/experiments/reward/conversions', { userId }, ADMIN);
      const b = (await apiPost(app, '/v1/experiments/copy/assignments', { userId, expose: true }, ADMIN)) as {
        variant: string;
      };
      if (i % 5 >= 3 || (b.variant === 'bold' && i % 5 === 2))
        await apiPost(app, '/v1/experiments/copy/conversions', { userId }, ADMIN);
    }
    await apiPost(app, '/v1/experiments/reward/bandit/update', {}, ADMIN);
    const state = await apiGet<BanditState>(app, '/v1/experiments/reward/bandit', ADMIN);
    t.equal(state.periods.length, 2);

    const browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const seen = watch(page, origin);
    await page.goto(`${origin}/dashboard/experiments/reward`);
    await page.getByLabel('API key').fill(ADMIN);
    await page.getByRole('button', { name: 'Open dashboard' }).click();

    const weights = page.getByRole('table', { name: /Current weights/ });
    await weights.waitFor();
    for (const w of state.weights) {
      const row = weights.getByRole('row', { name: new RegExp(`^${w.variant}`) });
      t.match(await row.textContent(), `${(w.weight * 100).toFixed(1)} %`, `${w.variant} weight`);
      t.match(await row.textContent(), `${(w.pBest! * 100).toFixed(1)} %`, `${w.variant} P(best)`);
    }
    t.equal(
      await page.getByRole('img', { name: /Bandit weights per variant over 2 weight periods/ }).count(),
      1,
    );

    t.equal(await page.getByLabel('CUPED (variance reduction)').count(), 0, 'no CUPED switch on a bandit');

    // The CUPED switch of a fixed split: the URL keeps it, the results say what was adjusted and by how much.
    await page.goto(`${origin}/dashboard/experiments/copy`);
    await page.getByLabel('CUPED (variance reduction)').check();
    const cuped = page.getByRole('table', { name: /CUPED adjustment/ });
    await cuped.waitFor();
    t.match(page.url(), /cuped=true/);
    const api = await apiGet<Results>(app, '/v1/experiments/copy/results?cuped=true', ADMIN);
    t.ok(api.variants.length > 0);
    const reduction = api.variants.find((v) => v.variant === 'bold')!.cuped?.varianceReduction;
    t.ok(reduction! > 0.1, `activity predicts conversion: reduction ${reduction}`);
    t.match(
      await cuped.getByRole('row', { name: /^bold/ }).textContent(),
      reduction === null || reduction === undefined ? '—' : `${(reduction * 100).toFixed(1)} %`,
    );
    t.match(await page.getByText(/CUPED adjusts for/).textContent(), /days with activity in the 14 days/);
    t.same(await axeViolations(page), [], 'no serious or critical accessibility violation');
    // At 390 px the CUPED table scrolls inside its own box; the page does not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    t.notOk(await scrollsSideways(page), 'CUPED on: no horizontal page scroll at 390 px');
    t.equal(
      await page.evaluate<string>(
        `getComputedStyle(document.querySelector('.cuped-summary table').parentElement).overflowX`,
      ),
      'auto',
      'the CUPED table sits in a scroll container',
    );
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('CUPED (variance reduction)').uncheck();
    await page.getByRole('table', { name: /CUPED adjustment/ }).waitFor({ state: 'detached' });

    // A sample-ratio mismatch with a tiny χ² p-value reads "p < 0.001".
    await page.route(/\/v1\/experiments\/copy\/results\?/, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { srm: { mismatch: boolean; pValue: number | null } };
      body.srm = { ...body.srm, mismatch: true, pValue: 3.2e-14 };
      await route.fulfill({ response: res, json: body });
    });
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const srm = page.getByText(/Exposed users per variant differ from the weights/);
    await srm.waitFor();
    t.match(await srm.textContent(), '(χ² p < 0.001)');
    await page.unroute(/\/v1\/experiments\/copy\/results\?/);
    t.same(seen.errors, [], 'no console error');
    t.same(seen.offOrigin, [], 'every request stays on the service');
  },
);
