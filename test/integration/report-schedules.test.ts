// Scheduled report runs on a controllable clock: occurrences in a time zone, one catch-up run after downtime,
// delivery by email (the file attached) and signed webhook (a link to the file), one run per occurrence however
// many instances tick, and a run cut short by a shutdown finished after the restart.
import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { build, json, testDatabase, type App } from '../helper.js';
import { lines, pdfText } from '../support/pdf-text.js';
import { FakeClock, receiver } from '../support/receiver.js';
import { attachment, smtpReceiver } from '../support/smtp-receiver.js';
import { seedGrowth } from '../support/report-seed.js';

const MIN = 60_000;
const D = 24 * 60 * MIN;
const ENV = {
  DELIVERY_ALLOW_HTTP: 'true',
  DELIVERY_ALLOW_PRIVATE: 'true',
  ALERT_INTERVAL_SECONDS: '0',
  REPORT_INTERVAL_SECONDS: '0',
  PUBLIC_URL: 'https://liftoff.example.com',
};

interface RunOut {
  id: string;
  trigger: string;
  scheduledFor: string;
  skipped: number;
  status: string;
  deliveries: number;
  fileUrl: string | null;
  sha256: string | null;
}

const runs = async (app: App, id: string) =>
  json<{ items: RunOut[] }>(await app.inject({ url: `/v1/reports/${id}/runs` })).items;

async function daily(app: App, channels: object[]) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/reports',
    payload: {
      name: 'Daily growth',
      kind: 'growth',
      schedule: '30 9 * * *',
      timezone: 'America/New_York',
      channels,
    },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json<{ id: string; nextRunAt: string; channels: { secret?: string }[] }>(res);
}

const berlinOrNy = (iso: string, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

t.test('an occurrence runs once, on time, and is delivered by email and signed webhook', async (t) => {
  // Noon UTC on a June day, far from New York's daylight-saving changes: the occurrence after the next one comes
  // exactly 24 h later (a run on 12 or 13 March 2027 once saw 23 h, 5 or 6 November 25 h).
  const clock = new FakeClock(Date.parse('2026-06-10T12:00:00Z'));
  const smtp = await smtpReceiver(t);
  const hook = await receiver(t);
  const app = await build(t, { ...ENV, SMTP_URL: smtp.url }, { clock });
  await seedGrowth(app, clock.now().getTime());
  const report = await daily(app, [
    { type: 'email', to: ['growth@example.com'] },
    { type: 'webhook', url: hook.url },
  ]);
  t.equal(berlinOrNy(report.nextRunAt, 'America/New_York'), '09:30', 'next occurrence at 09:30 in New York');

  t.equal(await app.jobs.reports.runOnce(), true);
  t.same(await runs(app, report.id), [], 'nothing before the occurrence');

  clock.advance(Date.parse(report.nextRunAt) - clock.now().getTime() + 20_000);
  await app.jobs.reports.runOnce();
  await app.jobs.reports.runOnce();
  const [run, ...more] = await runs(app, report.id);
  t.equal(more.length, 0, 'one run per occurrence');
  t.match(run, {
    trigger: 'schedule',
    scheduledFor: report.nextRunAt,
    skipped: 0,
    status: 'succeeded',
    deliveries: 2,
  });
  t.equal(run!.fileUrl, `https://liftoff.example.com/v1/reports/${report.id}/runs/${run!.id}/file`);
  const after = json<{ nextRunAt: string; lastRun: { id: string } }>(
    await app.inject({ url: `/v1/reports/${report.id}` }),
  );
  t.equal(Date.parse(after.nextRunAt) - Date.parse(report.nextRunAt), D, 'the next day (no DST change here)');
  t.equal(after.lastRun.id, run!.id);

  await app.services.deliveries.idle();
  await app.services.deliveries.processDue();
  t.equal(smtp.mails.length, 1);
  const pdf = attachment(smtp.mails[0]!, 'application/pdf');
  t.match(pdf?.filename, /^daily-growth-\d{4}-\d\d-\d\d\.pdf$/);
  const text = lines(pdfText(pdf!.content));
  t.ok(text.includes('1.33 (excellent) 0.57 40.0 %'), 'the attached PDF holds the K cards');
  const file = await app.inject({ url: `/v1/reports/${report.id}/runs/${run!.id}/file` });
  t.same(file.rawPayload, pdf!.content, 'the stored file is the attached one');

  const [msg] = await hook.waitFor(1);
  const secret = report.channels[1]!.secret!;
  // The reference library signs what we received; verify() itself would refuse the fake clock's future timestamp.
  const id = String(msg!.headers['webhook-id']);
  const ts = new Date(Number(msg!.headers['webhook-timestamp']) * 1000);
  t.equal(msg!.headers['webhook-signature'], new Webhook(secret).sign(id, ts, msg!.body));
  const event = JSON.parse(msg!.body) as { id: string; type: string; data: Record<string, unknown> };
  t.equal(event.id, id);
  t.equal(event.type, 'report.ready');
  t.match(event.data, {
    reportId: report.id,
    runId: run!.id,
    link: run!.fileUrl,
    trigger: 'schedule',
    sha256: run!.sha256,
  });
});

t.test('after downtime the missed occurrences give one catch-up run', async (t) => {
  const clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
  const app = await build(t, ENV, { clock });
  const report = await daily(app, []);
  t.equal(report.nextRunAt, '2026-03-01T14:30:00.000Z', '09:30 EST');
  // Down from before the first occurrence until 10:00 New York time five days later, across the switch to
  // daylight saving time on 8 March: occurrences on 1–6 March, the last one at 09:30 EST = 14:30 UTC.
  clock.advance(Date.parse('2026-03-06T15:00:00Z') - clock.now().getTime());
  await app.jobs.reports.runOnce();
  let all = await runs(app, report.id);
  t.equal(all.length, 1, 'one run');
  t.match(all[0], {
    trigger: 'catch_up',
    scheduledFor: '2026-03-06T14:30:00.000Z',
    skipped: 5,
    status: 'succeeded',
  });
  let def = json<{ nextRunAt: string }>(await app.inject({ url: `/v1/reports/${report.id}` }));
  t.equal(def.nextRunAt, '2026-03-07T14:30:00.000Z');

  clock.advance(Date.parse('2026-03-09T13:31:00Z') - clock.now().getTime());
  await app.jobs.reports.runOnce();
  all = await runs(app, report.id);
  t.equal(all.length, 2);
  t.match(all[0], { trigger: 'catch_up', scheduledFor: '2026-03-09T13:30:00.000Z', skipped: 2 }, '09:30 EDT');
  clock.advance(D);
  await app.jobs.reports.runOnce();
  all = await runs(app, report.id);
  t.match(all[0], { trigger: 'schedule', scheduledFor: '2026-03-10T13:30:00.000Z', skipped: 0 });
  def = json<{ nextRunAt: string }>(await app.inject({ url: `/v1/reports/${report.id}` }));
  t.equal(def.nextRunAt, '2026-03-11T13:30:00.000Z');
});

t.test('two instances ticking together record and deliver one run', async (t) => {
  const clock = new FakeClock();
  const hook = await receiver(t);
  const a = await build(t, ENV, { clock });
  const b = await buildApp({ config: configFrom(ENV), db: await testDatabase(), migrate: false, clock });
  t.teardown(() => b.close());
  await b.ready();
  const report = await daily(a, [{ type: 'webhook', url: hook.url }]);
  clock.advance(Date.parse(report.nextRunAt) - clock.now().getTime() + 1000);
  await Promise.all([a.jobs.reports.runOnce(), b.jobs.reports.runOnce(), a.jobs.reports.runOnce()]);
  await Promise.all([a.services.deliveries.processDue(), b.services.deliveries.processDue()]);
  const all = await runs(a, report.id);
  t.equal(all.length, 1);
  t.equal(all[0]!.deliveries, 1);
  await hook.waitFor(1);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(hook.received.length, 1, 'one delivery');
});

t.test(
  'a run recorded but not rendered before a shutdown is rendered and delivered after the restart',
  async (t) => {
    const clock = new FakeClock();
    const hook = await receiver(t);
    const db = await testDatabase();
    const first = await build(t, ENV, { clock });
    const report = await daily(first, [{ type: 'webhook', url: hook.url }]);
    clock.advance(Date.parse(report.nextRunAt) - clock.now().getTime() + 1000);
    // The tick records the occurrence, then sees the shutdown and stops before rendering it.
    await first.services.reports.tick(() => true);
    t.match(await runs(first, report.id), [{ status: 'pending', trigger: 'schedule' }]);
    await first.close();

    const second = await buildApp({ config: configFrom(ENV), db, migrate: false, clock });
    t.teardown(() => second.close());
    await second.ready();
    await second.jobs.reports.runOnce();
    await second.services.deliveries.idle();
    await second.services.deliveries.processDue();
    const [run, ...more] = await runs(second, report.id);
    t.equal(more.length, 0);
    t.match(run, { status: 'succeeded', scheduledFor: report.nextRunAt, deliveries: 1 });
    await hook.waitFor(1);
    t.equal(hook.received.length, 1);
  },
);

t.test('SIGTERM (app.close) mid-work: nothing is lost, nothing is sent twice', async (t) => {
  const clock = new FakeClock();
  const hook = await receiver(t);
  const db = await testDatabase();
  const first = await build(t, ENV, { clock });
  const report = await daily(first, [{ type: 'webhook', url: hook.url }]);
  clock.advance(Date.parse(report.nextRunAt) - clock.now().getTime() + 1000);
  // The first attempt is answered 503 after 500 ms: it is in flight when the shutdown starts.
  hook.reply(503, { 'retry-after': '1' }, 500);
  const manual = await first.inject({ method: 'POST', url: `/v1/reports/${report.id}/runs` });
  t.equal(manual.statusCode, 201);
  await hook.waitFor(1);
  // A scheduler tick is under way too; close() waits for the run it is rendering, starts no other.
  const tick = first.jobs.reports.runOnce();
  await first.close();
  t.equal(await tick, true, 'the tick finished before close() returned');

  const second = await buildApp({ config: configFrom(ENV), db, migrate: false, clock });
  t.teardown(() => second.close());
  await second.ready();
  const d = json<{ items: { status: string; attempts: { statusCode: number }[] }[] }>(
    await second.inject({ url: `/v1/reports/${report.id}/runs` }),
  );
  t.equal(d.items.length, 2, 'the manual run and the scheduled one');
  await second.jobs.reports.runOnce();
  // Let the worker's own drain settle before the clock jumps past its 60 s claim lease.
  await second.services.deliveries.idle();
  clock.advance(10 * MIN);
  await second.services.deliveries.processDue();
  const all = await runs(second, report.id);
  t.same(all.map((r) => [r.trigger, r.status, r.deliveries]).sort(), [
    ['manual', 'succeeded', 1],
    ['schedule', 'succeeded', 1],
  ]);
  await hook.waitFor(3);
  const ids = hook.received.map((r) => String(r.headers['webhook-id']));
  t.equal(ids.length, 3, 'the interrupted notification twice (503, then its retry), the scheduled one once');
  t.equal(ids[1] === ids[0] || ids[2] === ids[0], true, 'the retry carries the first attempt’s webhook-id');
  t.equal(new Set(ids).size, 2);
});

t.test(
  'POST …/runs runs now and delivers; a deleted experiment fails its run after 3 attempts',
  async (t) => {
    const clock = new FakeClock();
    const hook = await receiver(t);
    const app = await build(t, ENV, { clock });
    await seedGrowth(app, clock.now().getTime());
    const growth = await daily(app, [{ type: 'webhook', url: hook.url }]);
    const res = await app.inject({ method: 'POST', url: `/v1/reports/${growth.id}/runs` });
    t.equal(res.statusCode, 201, res.body);
    t.match(json(res), { trigger: 'manual', status: 'succeeded', deliveries: 1 });
    await hook.waitFor(1);

    await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      payload: { key: 'gone', variants: [{ key: 'control' }, { key: 'b' }] },
    });
    const exp = json<{ id: string }>(
      await app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: { name: 'E', kind: 'experiment', experimentKey: 'gone', schedule: '* * * * *' },
      }),
    );
    await app.db.knex('experiments').where({ key: 'gone' }).delete();
    clock.advance(2 * MIN);
    for (let i = 0; i < 3; i++) await app.jobs.reports.runOnce();
    const [failed] = await runs(app, exp.id);
    t.match(failed, { status: 'failed', attempts: 3, error: /gone/ });
    t.equal(
      (await runs(app, exp.id)).length,
      1,
      'a failing run does not stop the schedule, nor repeat itself',
    );
  },
);
