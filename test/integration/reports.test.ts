import t from 'tap';
import { build, expectProblem, json, startedExperiment, type App } from '../helper.js';
import { lines, pdfText } from '../support/pdf-text.js';
import { FakeClock } from '../support/receiver.js';
import { seedGrowth } from '../support/report-seed.js';

const H = 3_600_000;
const D = 24 * H;
const ENV = {
  DELIVERY_ALLOW_HTTP: 'true',
  DELIVERY_ALLOW_PRIVATE: 'true',
  ALERT_INTERVAL_SECONDS: '0',
  REPORT_INTERVAL_SECONDS: '0',
};

const createReport = async (app: App, body: object) => {
  const res = await app.inject({ method: 'POST', url: '/v1/reports', payload: body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json<{ id: string; nextRunAt: string | null }>(res);
};

t.test('growth report: the PDF text and the CSV hold the metrics API’s numbers', async (t) => {
  // Noon UTC yesterday: the seed's signups follow their invites by up to 2 h, and the timeline row checked below
  // holds all of them only when they fall on the sending day (a run at 22:30 UTC once split them over two days).
  const clock = new FakeClock(Math.floor(Date.now() / D) * D - 12 * H);
  const app = await build(t, ENV, { clock });
  const now = clock.now().getTime();
  await seedGrowth(app, now);
  const report = await createReport(app, { name: 'Weekly growth', kind: 'growth', days: 7 });

  const res = await app.inject({ url: `/v1/reports/${report.id}/render` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/pdf');
  t.match(
    String(res.headers['content-disposition']),
    /attachment; filename="weekly-growth-\d{4}-\d\d-\d\d\.pdf"/,
  );
  t.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const text = lines(pdfText(res.rawPayload));

  // The API over the same window, for every figure checked below.
  const q = `from=${new Date(now - 7 * D).toISOString()}&to=${new Date(now).toISOString()}`;
  const summary = json<Record<string, number>>(await app.inject({ url: `/v1/metrics/summary?${q}` }));
  t.match(summary, { invites: 10, senders: 3, conversions: 4, userBase: 7 });
  t.equal(summary.kFactor!.toFixed(2), '1.33');

  const has = (re: RegExp) =>
    t.ok(
      text.some((l) => re.test(l)),
      `PDF has ${re}`,
    );
  has(/^Weekly growth$/);
  has(/^K-factor Viral coefficient Conversion rate$/);
  has(/^1\.33 \(excellent\) 0\.57 40\.0 %$/);
  has(/^10 4 3$/); // invites, conversions, active referrers
  has(/^3\.33 1\.0 h \/ 1\.7 h 7$/); // invites per sender, cycle p50 / p90, user base
  // K by loop: source, invites, senders, conversions, K, conversion rate, recommendation.
  has(/^buddy 8 2 3 1\.50 37\.5 % scale aggressively$/);
  has(/^streak 2 1 1 1\.00 50\.0 % continue investing$/);
  // Top referrers: ranked by conversions, then invites.
  has(/^1 r1 5 2 40\.0 %$/);
  has(/^2 r2 3 1 33\.3 %$/);
  has(/^3 r3 2 1 50\.0 %$/);
  // Funnel: nobody clicked (signups came straight from the links), 4 signed up.
  has(/^invited 10 - 100\.0 % -$/);
  has(/^signed up 4 /);
  // The timeline row of the sending day: 10 invites, 4 referred signups, K 1.33.
  const sendingDay = new Date(now - 3 * D).toISOString().slice(0, 10);
  has(new RegExp(`^${sendingDay} 10 0 0 4 0 4 1\\.33$`));
  // The cohort week of r1–r3 and u0–u3.
  const cohorts = json<{ cohorts: { weekStart: string; size: number; conversions: number }[] }>(
    await app.inject({ url: `/v1/metrics/cohorts?to=${new Date(now).toISOString()}` }),
  );
  for (const c of cohorts.cohorts.filter((c) => c.size > 0))
    has(new RegExp(`^${c.weekStart.slice(0, 10)} ${c.size} `));

  const csv = await app.inject({ url: `/v1/reports/${report.id}/render?format=csv` });
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  const byAccept = await app.inject({
    url: `/v1/reports/${report.id}/render`,
    headers: { accept: 'text/csv' },
  });
  t.equal(byAccept.headers['content-type'], 'text/csv; charset=utf-8', 'Accept: text/csv asks for the CSV');
  const rows = csv.body.trim().split('\r\n');
  t.equal(rows[0], 'from,to,tz,conversionWindowDays,complete,figure,value');
  const figure = (name: string) => rows.find((r) => r.split(',')[5] === name)?.split(',')[6];
  t.equal(figure('kFactor'), String(summary.kFactor));
  t.equal(figure('conversionRate'), '0.4');
  t.equal(figure('status'), 'excellent');
  t.equal(figure('cycleP90Seconds'), '6120');
  t.equal(rows.length, 15, 'a header and 14 figures');
});

t.test('experiment report: results per metric with intervals, SRM and the decision', async (t) => {
  const clock = new FakeClock();
  const app = await build(t, ENV, { clock });
  await startedExperiment(app, { key: 'cta', targetMetric: 'purchase' });
  // 400 exposed users split by the hash; 20 purchases in control, 40 in variant_a.
  const events: object[] = [];
  for (let i = 0; i < 400; i++)
    events.push({ type: 'experiment_exposure', experimentKey: 'cta', userId: `x${i}` });
  const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { events } });
  t.equal(json<{ accepted: number }>(res).accepted, 400, res.body);
  const assigned = await app.db.knex('assignments').select('user_id', 'variant');
  const byVariant = { control: 0, variant_a: 0 } as Record<string, number>;
  const conversions = assigned
    .filter((a: { variant: string }) => byVariant[a.variant]!++ < (a.variant === 'control' ? 20 : 40))
    .map((a: { user_id: string }) => ({
      type: 'experiment_conversion',
      experimentKey: 'cta',
      userId: a.user_id,
    }));
  await app.inject({ method: 'POST', url: '/v1/events', payload: { events: conversions } });

  const report = await createReport(app, { name: 'CTA test', kind: 'experiment', experimentKey: 'cta' });
  const api = json<{
    variants: {
      variant: string;
      exposed: number;
      converted: number;
      pValue: number;
      ci: { absolute: number[] };
    }[];
    srm: { pValue: number; chiSquare: number };
  }>(await app.inject({ url: '/v1/experiments/cta/results' }));
  const decision = json<{ decision: string }>(await app.inject({ url: '/v1/experiments/cta/decision' }));

  const pdf = await app.inject({ url: `/v1/reports/${report.id}/render?format=pdf` });
  const text = lines(pdfText(pdf.rawPayload));
  const has = (re: RegExp | string) =>
    t.ok(
      text.some((l) => (typeof re === 'string' ? l.includes(re) : re.test(l))),
      `PDF has ${re}`,
    );
  has('Experiment report - cta');
  has(`Decision: ${decision.decision}`);
  has('Metric purchase (target)');
  has(`SRM: chi-square ${api.srm.chiSquare.toFixed(2)}, p ${api.srm.pValue.toFixed(3)}`);
  const treated = api.variants[1]!;
  const [control] = api.variants;
  t.same(
    api.variants.map((v) => v.converted),
    [20, 40],
  );
  const pct = (x: number, d = 2) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(d)} %`;
  const rate = (v: { exposed: number; converted: number }) =>
    `${((100 * v.converted) / v.exposed).toFixed(2)} %`;
  has(`control (control) ${control!.exposed} 20 ${rate(control!)}`);
  const lift = 40 / treated.exposed - 20 / control!.exposed;
  has(
    `variant_a ${treated.exposed} 40 ${rate(treated)} ${pct(lift)} ${pct(lift / (20 / control!.exposed), 1)} ` +
      `${pct(treated.ci.absolute[0]!)} to ${pct(treated.ci.absolute[1]!)} ` +
      `${treated.pValue < 0.001 ? '< 0.001' : treated.pValue.toFixed(3)}`,
  );

  const csv = await app.inject({ url: `/v1/reports/${report.id}/render?format=csv` });
  const apiCsv = await app.inject({ url: '/v1/experiments/cta/results?format=csv' });
  const strip = (rows: string[]) =>
    rows.map((r) =>
      r
        .split(',')
        .filter((_, i) => i !== 6)
        .join(','),
    );
  const [header, ...rows] = csv.body.trim().split('\r\n');
  const [apiHeader, ...apiRows] = apiCsv.body.trim().split('\r\n');
  t.equal(header, `${apiHeader},decision,decisionVariant`);
  // computedAt (column 7) differs between the two calls; every other cell is the API's.
  t.same(strip(rows.map((r) => r.split(',').slice(0, -2).join(','))), strip(apiRows));
  t.ok(rows.every((r) => r.endsWith(`,${decision.decision},`) || r.includes(`,${decision.decision},`)));
});

t.test('definitions: defaults, field-named errors, scopes', async (t) => {
  const keys = { API_KEYS: 'admin:admin-secret-1,read:read-secret-1' };
  const app = await build(t, { ...ENV, ...keys });
  const adm = { authorization: 'Bearer admin-secret-1' };
  const rd = { authorization: 'Bearer read-secret-1' };
  const post = (payload: object, headers = adm) =>
    app.inject({ method: 'POST', url: '/v1/reports', payload, headers });
  const created = await post({
    name: 'Daily',
    kind: 'growth',
    schedule: '0 9 * * *',
    timezone: 'Europe/Berlin',
    channels: [{ type: 'webhook', url: 'https://hooks.example.com/r' }],
  });
  t.equal(created.statusCode, 201, created.body);
  const body = json<Record<string, unknown> & { channels: { secret?: string; url?: string }[] }>(created);
  t.match(body, { days: 7, format: 'pdf', timezone: 'Europe/Berlin', schedule: '0 9 * * *', lastRun: null });
  t.match(body.channels[0]!.secret, /^whsec_/);
  const next = new Date(body.nextRunAt as string);
  t.equal(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
    }).format(next),
    '09:00',
    '09:00 in Berlin',
  );

  expectProblem(t, await post({ name: 'x', kind: 'experiment' }), 400, 'validation_failed', 'experimentKey');
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', experimentKey: 'a' }),
    400,
    'validation_failed',
    'experimentKey',
  );
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', schedule: '0 9 * *' }),
    400,
    'validation_failed',
    'schedule',
  );
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', schedule: '0 25 * * *' }),
    400,
    'validation_failed',
    'schedule',
  );
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', schedule: '0 0 31 2 *' }),
    400,
    'validation_failed',
    'schedule',
  );
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', timezone: 'Mars/Olympus' }),
    400,
    'validation_failed',
    'timezone',
  );
  expectProblem(
    t,
    await post({ name: 'x', kind: 'growth', format: 'xlsx' }),
    400,
    'validation_failed',
    'format',
  );
  expectProblem(t, await post({ name: 'x', kind: 'growth', days: 0 }), 400, 'validation_failed', 'days');
  expectProblem(
    t,
    await post({ name: 'x', kind: 'experiment', experimentKey: 'nope' }),
    404,
    'experiment_not_found',
  );
  expectProblem(t, await post({ name: 'x', kind: 'growth' }, rd), 403, 'forbidden');
  t.equal((await app.inject({ url: '/v1/reports' })).statusCode, 401);

  // A read key lists and renders, and sees no channel targets (webhook URLs are credentials).
  const listed = json<{ items: { channels: object[] }[] }>(
    await app.inject({ url: '/v1/reports', headers: rd }),
  );
  t.same(Object.keys(listed.items[0]!.channels[0]!).sort(), [
    'disabled',
    'disabledAt',
    'disabledReason',
    'id',
    'type',
  ]);
  const asAdmin = json<{ items: { channels: { url?: string }[] }[] }>(
    await app.inject({ url: '/v1/reports', headers: adm }),
  );
  t.equal(asAdmin.items[0]!.channels[0]!.url, 'https://hooks.example.com/r');
  t.equal(
    (await app.inject({ url: `/v1/reports/${String(body.id)}/render?format=csv`, headers: rd })).statusCode,
    200,
  );
  expectProblem(
    t,
    await app.inject({ method: 'POST', url: `/v1/reports/${String(body.id)}/runs`, headers: rd }),
    403,
    'forbidden',
  );
  expectProblem(
    t,
    await app.inject({ method: 'DELETE', url: `/v1/reports/${String(body.id)}`, headers: rd }),
    403,
    'forbidden',
  );

  const missing = '00000000-0000-4000-8000-000000000000';
  expectProblem(
    t,
    await app.inject({ url: `/v1/reports/${missing}/render`, headers: rd }),
    404,
    'report_not_found',
  );
  expectProblem(
    t,
    await app.inject({ url: `/v1/reports/${missing}/runs/${missing}/file`, headers: rd }),
    404,
    'report_run_not_found',
  );
  expectProblem(
    t,
    await app.inject({ url: '/v1/reports/nope', headers: rd }),
    400,
    'validation_failed',
    'id',
  );
  expectProblem(
    t,
    await app.inject({ url: '/v1/reports?cursor=zzz', headers: rd }),
    400,
    'validation_failed',
    'cursor',
  );
  expectProblem(
    t,
    await app.inject({ url: `/v1/reports/${String(body.id)}/render?format=html`, headers: rd }),
    400,
    'validation_failed',
    'format',
  );

  t.equal(
    (await app.inject({ method: 'DELETE', url: `/v1/reports/${String(body.id)}`, headers: adm })).statusCode,
    204,
  );
  expectProblem(
    t,
    await app.inject({ url: `/v1/reports/${String(body.id)}`, headers: rd }),
    404,
    'report_not_found',
  );
});
