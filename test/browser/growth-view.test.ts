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
  waitUntil,
  watch,
} from '../support/browser.js';

const READ = 'read-key-growth-1';
const ADMIN = 'admin-key-growth-1';
const API_KEYS = `read:${READ},admin:${ADMIN}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COUNTRIES = ['US', 'FR', 'DE', 'BR'];
/** The Growth view's window groups and their defaults (those of retention / LTV, attribution, geo, forecast). */
const DEFAULT_WINDOWS = {
  'Cohorts signed up in the last': '90',
  'Signups in the last': '7',
  'Signups and invites in the last': '7',
  'Fitted on the last': '30',
};

const windowGroup = (page: Page, legend: string) => page.getByRole('group', { name: legend, exact: true });

/** The checked period of each window group, by its legend. */
async function checkedWindows(page: Page): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const legend of Object.keys(DEFAULT_WINDOWS)) {
    out[legend] = await windowGroup(page, legend).locator('input:checked').inputValue();
  }
  return out;
}

/**
 * 60 days of growth: organic users in four countries, invites on two loops whose visitors click several invites
 * before signing up (multi-touch), daily activity for some, revenue with a refund. Returned as two batches:
 * the signups first, then what the signed-up users do.
 */
function history(now: number): [object[], object[]] {
  const at = (ms: number) => new Date(ms).toISOString();
  const signups: object[] = [];
  const later: object[] = [];
  const users: { userId: string; at: number }[] = [];
  for (let u = 0; u < 16; u++) {
    const ts = now - (u * 3.5 + 1) * DAY;
    signups.push({ type: 'user_signed_up', userId: `o_${u}`, country: COUNTRIES[u % 4], occurredAt: at(ts) });
    users.push({ userId: `o_${u}`, at: ts });
  }
  for (let i = 0; i < 40; i++) {
    const referrer = i % 6;
    const sent = now - (((i * 5) % 40) + 1.2) * DAY;
    if (sent < users[referrer]!.at) continue;
    const inviteId = `inv_${i}`;
    signups.push({
      type: 'invite_sent',
      inviteId,
      referrerId: `o_${referrer}`,
      source: i % 3 === 0 ? 'streak_rescue' : 'buddy_challenge',
      occurredAt: at(sent),
    });
    const visitorId = `visitor_${i % 12}`;
    signups.push({ type: 'invite_clicked', inviteId, visitorId, occurredAt: at(sent + HOUR) });
    if (i % 2 === 0) {
      const ts = sent + 5 * HOUR;
      signups.push({
        type: 'invite_signed_up',
        inviteId,
        userId: `r_${i}`,
        visitorId,
        country: ['FR', 'JP', 'US'][i % 3],
        occurredAt: at(ts),
      });
      users.push({ userId: `r_${i}`, at: ts });
    }
  }
  users.forEach((u, n) => {
    for (const d of [0.5, 1.5, 7.5, 15]) {
      if (n % (d > 7 ? 2 : 1) === 0 && u.at + d * DAY < now) {
        later.push({ type: 'user_active', userId: u.userId, occurredAt: at(u.at + d * DAY) });
      }
    }
    if (n % 3 === 0 && u.at + 2 * DAY < now) {
      later.push({
        type: 'revenue',
        userId: u.userId,
        eventId: `pay_${n}`,
        amount: 9.99,
        occurredAt: at(u.at + 2 * DAY),
      });
    }
    if (n % 9 === 0 && u.at + 3 * DAY < now) {
      later.push({
        type: 'revenue',
        userId: u.userId,
        eventId: `refund_${n}`,
        amount: -9.99,
        occurredAt: at(u.at + 3 * DAY),
      });
    }
  });
  return [signups, later];
}

interface Period {
  period: number;
  eligible: number;
  retained: number;
  rate: number | null;
}
interface Retention {
  cohorts: { cohortStart: string; size: number; periods: Period[] }[];
  overall: Period[];
}
interface LtvRow {
  users: number;
  matured: number;
  revenue: number;
  ltv: number | null;
  payingShare: number | null;
}
interface Ltv {
  sources: (LtvRow & { source: string })[];
  total: LtvRow;
}
interface Attribution {
  signups: number;
  multiTouchSignups: number;
  bySource: { source: string; credit: number; share: number }[];
}
interface Geo {
  countries: { country: string | null; signups: number; invites: number; kFactor: number }[];
  flows: { fromCountry: string; toCountry: string; signups: number }[];
}
interface Forecast {
  k: number;
  cycleDays: number;
  organicPerDay: number;
  projection: { cumulativeExpected: number }[];
}

/** Money and credit as the page writes them: en-US, thousands separated, 2 decimals. */
const amount = (x: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);
const pct = (x: number | null) => (x === null ? 'not yet' : `${(x * 100).toFixed(1)} %`);
const cellTexts = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
const names = new Intl.DisplayNames(['en'], { type: 'region' });

t.test('Growth view in Chromium: every figure equals the API', { skip: skipWithoutChromium }, async (t) => {
  const { app, origin } = await startService(t, { API_KEYS });
  const [signups, later] = history(Date.now());
  for (const events of [signups, later]) {
    const r = (await apiPost(app, '/v1/events', { events }, ADMIN)) as { rejected: unknown[] };
    t.same(r.rejected, [], 'the history is accepted');
  }
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const seen = watch(page, origin);

  // Without parameters: each window is its endpoint's default.
  await page.goto(`${origin}/dashboard/growth`);
  await page.getByLabel('API key').fill(READ);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.getByRole('heading', { name: 'Growth', level: 1 }).waitFor();
  t.equal(
    await page.getByRole('link', { name: 'Growth' }).getAttribute('aria-current'),
    'page',
    'the navigation marks the view',
  );
  t.same(await checkedWindows(page), DEFAULT_WINDOWS, 'each window starts at its endpoint default');

  // Retention heatmap: the overall row and every cohort's cells, with eligible counts in the title.
  const retention = await apiGet<Retention>(
    app,
    '/v1/metrics/retention?days=90&granularity=week&periods=8',
    READ,
  );
  const heat = page.getByRole('table', { name: /Share of each signup week/ });
  await heat.waitFor();
  t.same(
    await cellTexts(page, 'table.heatmap tfoot td.heat'),
    retention.overall.map((p) => pct(p.eligible === 0 ? null : p.rate)),
    'overall retention per week',
  );
  const cohortsWithUsers = retention.cohorts;
  t.same(
    await cellTexts(page, 'table.heatmap tbody td.heat'),
    cohortsWithUsers.flatMap((c) => c.periods.map((p) => pct(p.eligible === 0 ? null : p.rate))),
    'every cohort × period cell',
  );
  const week1 = retention.overall[1]!;
  t.equal(
    await page.locator('table.heatmap tfoot td.heat').nth(1).getAttribute('title'),
    week1.eligible === 0
      ? 'Nobody in this cohort has completed this period yet'
      : `${week1.retained} retained of ${week1.eligible} eligible`,
    'eligible counts on hover',
  );
  t.ok(
    retention.overall.some((p) => p.period > 0 && p.retained > 0),
    'the history has retained users',
  );

  // LTV per loop.
  const ltv = await apiGet<Ltv>(app, '/v1/metrics/ltv?days=90&horizonDays=30', READ);
  const ltvTable = page.getByRole('table', { name: /Revenue in the first 30 days/ });
  const totalRow = await ltvTable.locator('tfoot tr').textContent();
  t.match(totalRow, ltv.total.ltv === null ? 'not yet' : amount(ltv.total.ltv), 'total LTV');
  t.ok(ltv.total.matured > 0 && ltv.total.ltv !== null, 'some users have matured');
  for (const s of ltv.sources) {
    const row = ltvTable.getByRole('row', { name: new RegExp(`^${s.source.replace('_', ' ')}`) });
    t.match(await row.textContent(), s.ltv === null ? 'not yet' : amount(s.ltv), `LTV of ${s.source}`);
  }

  t.match(totalRow, amount(ltv.total.revenue), 'total revenue');
  // Large amounts get thousands separators (the API's revenue × 1000, served to the page).
  await page.route(/\/v1\/metrics\/ltv\?/, async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as Ltv;
    body.total.revenue *= 1000;
    await route.fulfill({ response: res, json: body });
  });
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await ltvTable
    .locator('tfoot')
    .getByText(amount(ltv.total.revenue * 1000))
    .waitFor();
  t.match(amount(ltv.total.revenue * 1000), /^\d{1,3}(,\d{3})+\.\d\d$/, 'written with separators');
  await page.unroute(/\/v1\/metrics\/ltv\?/);

  // Attribution: the model switch changes the URL and the credits follow the API for that model.
  const checkAttribution = async (model: string) => {
    const a = await apiGet<Attribution>(app, `/v1/metrics/attribution?days=90&model=${model}`, READ);
    t.ok(a.multiTouchSignups > 0, 'visitors clicked several invites');
    const table = page.getByRole('table', { name: /Credit by loop/ });
    for (const s of a.bySource) {
      const row = table.getByRole('row', { name: new RegExp(`^${s.source.replace('_', ' ')}`) });
      const text = await row.textContent();
      t.match(text, amount(s.credit), `${model}: credit of ${s.source}`);
      t.match(text, `${(s.share * 100).toFixed(1)} %`, `${model}: share of ${s.source}`);
    }
    return a;
  };
  // Attribution over 90 days instead of its default 7: the URL keeps it, and the counts follow.
  await windowGroup(page, 'Signups in the last').getByRole('radio', { name: '90 days' }).check();
  await page.waitForURL(/attributionDays=90/);
  const last90 = await apiGet<Attribution>(app, '/v1/metrics/attribution?days=90&model=last_touch', READ);
  const week = await apiGet<Attribution>(app, '/v1/metrics/attribution?model=last_touch', READ);
  t.not(last90.signups, week.signups, 'the 90-day window holds more signups than the default 7 days');
  await page
    .getByText(`${last90.signups} referred signups, ${last90.multiTouchSignups} with more than one touch`)
    .waitFor();
  const last = await checkAttribution('last_touch');
  await page.getByRole('radio', { name: 'First touch' }).check();
  await page.waitForURL(/model=first_touch/);
  const first = await apiGet<Attribution>(app, '/v1/metrics/attribution?days=90&model=first_touch', READ);
  const firstShare = `${(first.bySource[0]!.share * 100).toFixed(1)} %`;
  await waitUntil(
    page,
    `document.querySelector('table.attribution-sources caption')?.textContent.includes('First touch') && ` +
      `document.querySelector('table.attribution-sources tbody')?.textContent.includes(${JSON.stringify(firstShare)})`,
  );
  await checkAttribution('first_touch');
  t.ok(last.signups === first.signups, 'the same signups, credited differently');

  // Geography over 90 days: the map is drawn and the table's K and flows equal the API's.
  const geo = await apiGet<Geo>(app, '/v1/metrics/geo?days=90', READ);
  const fr = geo.countries.find((c) => c.country === 'FR')!;
  const frTitle = `France: ${fr.signups} signups, K ${fr.kFactor.toFixed(2)} (${fr.invites} invites)`;
  await windowGroup(page, 'Signups and invites in the last').getByRole('radio', { name: '90 days' }).check();
  await page.waitForURL(/geoDays=90/);
  await page.locator('svg.world-map path.country title', { hasText: frTitle }).waitFor({ state: 'attached' });
  t.ok(
    await page.getByRole('img', { name: /World map: signups by country/ }).isVisible(),
    'the map is drawn',
  );
  t.ok((await page.locator('svg.world-map path.country').count()) > 150, 'every country of the atlas');
  t.ok((await page.locator('svg.world-map path.flow').count()) > 0, 'flows are drawn');
  const countries = page.getByRole('table', { name: /Countries by signups/ });
  for (const c of geo.countries.filter((x) => x.country !== null).slice(0, 4)) {
    const row = countries.getByRole('row', { name: new RegExp(`^${names.of(c.country!)}`) });
    const text = await row.textContent();
    t.match(text, c.kFactor.toFixed(2), `K of ${c.country}`);
  }
  const topFlow = geo.flows[0]!;
  t.match(
    await page
      .getByRole('table', { name: /Strongest flows/ })
      .getByRole('row')
      .nth(1)
      .textContent(),
    `${names.of(topFlow.fromCountry)}${names.of(topFlow.toCountry)}${topFlow.signups}`,
    'the strongest flow first',
  );
  const franceTitle = await page
    .locator('svg.world-map path.country title')
    .evaluateAll((els) => els.map((e) => e.textContent ?? '').find((s) => s.startsWith('France:')));
  t.equal(franceTitle, frTitle, 'K per country on hover');

  // Forecast, fitted on its default 30 days.
  const f = await apiGet<Forecast>(app, '/v1/metrics/forecast?days=30&horizonDays=30', READ);
  const facts = await page.locator('dl.facts').textContent();
  t.match(facts, `K (this window)${f.k.toFixed(2)}`);
  t.match(facts, `Cycle${f.cycleDays} ${f.cycleDays === 1 ? 'day' : 'days'}`);
  t.match(facts, `Organic per day${f.organicPerDay.toFixed(2)}`);
  t.match(facts, Math.round(f.projection.at(-1)!.cumulativeExpected).toLocaleString('en-US'));
  t.ok(await page.getByRole('img', { name: /Projected signups per day/ }).isVisible(), 'the forecast chart');

  t.same(
    await checkedWindows(page),
    { ...DEFAULT_WINDOWS, 'Signups in the last': '90', 'Signups and invites in the last': '90' },
    'each window changed on its own',
  );
  t.match(
    new URL(page.url()).search,
    '?days=90&attributionDays=90&geoDays=90&forecastDays=30&model=first_touch',
    'the URL holds every selection',
  );

  const text = await page.locator('body').innerText();
  t.notMatch(text, /NaN|undefined|null/, 'no NaN, undefined or null on screen');
  t.same(await axeViolations(page), [], 'no serious or critical accessibility violation');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  t.notOk(await scrollsSideways(page), 'no horizontal scroll at 390 px');
  t.same(seen.errors, [], 'no console error (no CSP violation)');
  t.same(seen.offOrigin, [], 'nothing fetched from outside the service (the map is bundled)');
});

t.test('Growth view with no data says so in words', { skip: skipWithoutChromium }, async (t) => {
  const { origin } = await startService(t);
  const browser = await launchBrowser();
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const seen = watch(page, origin);
  await page.goto(`${origin}/dashboard/growth`);
  await page.getByRole('heading', { name: 'Growth', level: 1 }).waitFor();
  await page.getByText('No referred signups in this period.').waitFor();
  await page.getByText('No signups or invites in this period.').waitFor();
  t.equal(await page.getByText('No signups in this period.').count(), 2, 'retention and LTV');
  await page.getByText('No signups in this window: the projection is flat at zero.').waitFor();
  t.equal(await page.getByRole('img', { name: /Projected signups/ }).count(), 0, 'no chart of zeros');
  t.same(await checkedWindows(page), DEFAULT_WINDOWS, 'the default windows');
  t.notMatch(await page.locator('body').innerText(), /NaN|undefined|null/, 'empty data reads cleanly');
  t.same(await axeViolations(page), [], 'no serious or critical accessibility violation');
  t.same(seen.errors, [], 'no console error');
});
