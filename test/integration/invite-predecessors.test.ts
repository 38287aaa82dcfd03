import t, { type Test } from 'tap';
import { prng } from '../support/viral-model.js';
import { build, json, usingPostgres } from '../helper.js';

// Distinct senders are counted from each invite's predecessor send times (migration 20261208100000), which the
// ingest statement keeps under concurrent batches, out-of-order arrivals, ties, repeats and conflicts. Here they are
// checked against a recount in JavaScript, and the senders of several windows against a count of distinct ids.

type App = Awaited<ReturnType<typeof build>>;
interface Stored {
  invite_id: string;
  referrer_id: string;
  source: string;
  sent_at: Date;
  prev_sent_at: Date | null;
  prev_source_sent_at: Date | null;
}

const BASE = Date.parse('2026-10-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Byte order of ASCII ids, as COLLATE "C" compares them. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function stored(app: App): Promise<Stored[]> {
  return (
    (await app.db.knex.raw(
      `SELECT invite_id, referrer_id, source, sent_at, prev_sent_at, prev_source_sent_at FROM invites`,
    )) as { rows: Stored[] }
  ).rows;
}

/** The JavaScript recount: each invite's previous send time of its referrer (and loop) in (sent_at, id) order. */
function recount(rows: Stored[]) {
  const sorted = [...rows].sort(
    (a, b) => a.sent_at.getTime() - b.sent_at.getTime() || byteOrder(a.invite_id, b.invite_id),
  );
  const last = new Map<string, number>();
  const want = new Map<string, { prev: number | null; prevSource: number | null }>();
  for (const r of sorted) {
    const k = r.referrer_id;
    const ks = `${r.referrer_id}\u0000${r.source}`;
    want.set(r.invite_id, { prev: last.get(k) ?? null, prevSource: last.get(ks) ?? null });
    last.set(k, r.sent_at.getTime());
    last.set(ks, r.sent_at.getTime());
  }
  return want;
}

function checkPredecessors(t: Test, rows: Stored[], label: string) {
  const want = recount(rows);
  let wrong = 0;
  for (const r of rows) {
    const w = want.get(r.invite_id)!;
    if ((r.prev_sent_at?.getTime() ?? null) !== w.prev) wrong++;
    if ((r.prev_source_sent_at?.getTime() ?? null) !== w.prevSource) wrong++;
  }
  t.equal(wrong, 0, `${label}: every predecessor equals the recount (${rows.length} invites)`);
}

t.test('concurrent out-of-order batches keep every predecessor exact', async (t) => {
  const app = await build(t);
  const rnd = prng(20261208);
  // Few referrers and a coarse clock: many ties, many late arrivals, batches racing on the same referrers.
  const events = Array.from({ length: 1200 }, (_, k) => {
    const id = rnd() < 0.05 ? `i${Math.floor(rnd() * k)}` : `i${k}`;
    return {
      type: 'invite_sent',
      inviteId: id,
      referrerId: `r${Math.floor(rnd() ** 2 * 25)}`,
      source: ['buddy', 'gift', 'streak'][Math.floor(rnd() * 3)]!,
      occurredAt: iso(BASE + Math.floor(rnd() * 240) * HOUR),
    };
  });
  const batches: (typeof events)[] = [];
  for (let k = 0; k < events.length;) {
    const n = 1 + Math.floor(rnd() * 80);
    batches.push(events.slice(k, k + n));
    k += n;
  }
  const answers = await Promise.all(
    batches.map(async (batch) =>
      batch.length === 1
        ? app.inject({
            method: 'POST',
            url: '/v1/invites',
            payload: { ...batch[0], type: undefined, occurredAt: undefined, sentAt: batch[0]!.occurredAt },
          })
        : app.inject({ method: 'POST', url: '/v1/events', payload: { events: batch } }),
    ),
  );
  t.ok(
    answers.every((a) => [200, 201, 409].includes(a.statusCode)),
    answers.map((a) => a.statusCode).join(),
  );
  const rows = await stored(app);
  t.ok(rows.length > 1000, `${rows.length} invites stored`);
  checkPredecessors(t, rows, 'after concurrent batches');

  for (const [from, to] of [
    [BASE, BASE + 240 * HOUR],
    [BASE + 37 * HOUR, BASE + 101 * HOUR],
    [BASE + 100 * HOUR, BASE + 100 * HOUR + 1],
  ] as const) {
    const k = json<{ invites: number; senders: number }>(
      await app.inject({ url: `/v1/metrics/k-factor?from=${iso(from)}&to=${iso(to)}` }),
    );
    const inWindow = rows.filter((r) => r.sent_at.getTime() >= from && r.sent_at.getTime() < to);
    t.equal(k.invites, inWindow.length, `invites in [${iso(from)}, ${iso(to)})`);
    t.equal(
      k.senders,
      new Set(inWindow.map((r) => r.referrer_id)).size,
      `senders in [${iso(from)}, ${iso(to)})`,
    );
    const by = json<{ sources: { source: string; senders: number }[] }>(
      await app.inject({ url: `/v1/metrics/k-factor/by-source?from=${iso(from)}&to=${iso(to)}` }),
    );
    for (const s of by.sources) {
      const ids = new Set(inWindow.filter((r) => r.source === s.source).map((r) => r.referrer_id));
      t.equal(s.senders, ids.size, `${s.source} senders in [${iso(from)}, ${iso(to)})`);
    }
  }
});

t.test(
  'a batch that loses a new id to another referrer repairs what it assumed',
  {
    skip: usingPostgres ? false : 'needs two sessions (PGlite is one in-process session)',
  },
  async (t) => {
    const app = await build(t);
    const sent = (id: string, referrerId: string, hours: number) => ({
      type: 'invite_sent',
      inviteId: id,
      referrerId,
      source: 'buddy',
      occurredAt: iso(BASE + hours * HOUR),
    });
    // Another session stores invite "x" for r2 and holds it uncommitted while a batch for r1 counts "x" as its own
    // new invite between "a" and "b"; once "x" commits, the batch's insert skips it.
    const trx = await app.db.knex.transaction();
    await trx.raw(
      `INSERT INTO invites (invite_id, referrer_id, source, sent_at) VALUES ('x', 'r2', 'buddy', ?)`,
      [iso(BASE + 5 * HOUR)],
    );
    const pending = app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: { events: [sent('a', 'r1', 1), sent('x', 'r1', 2), sent('b', 'r1', 3)] },
    });
    await new Promise((r) => setTimeout(r, 300));
    await trx.commit();
    const res = await pending;
    t.equal(res.statusCode, 200);
    t.same(
      json<{ rejected: { index: number; code: string }[] }>(res).rejected.map((r) => [r.index, r.code]),
      [[1, 'invite_conflict']],
    );
    const rows = await stored(app);
    const b = rows.find((r) => r.invite_id === 'b')!;
    t.equal(b.prev_sent_at?.toISOString(), iso(BASE + HOUR), "b's predecessor is a, not the lost x");
    checkPredecessors(t, rows, 'after the lost id');
  },
);
