import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { closeDatabase, createDatabase } from '../../src/db/knex.js';
import { json, testDatabase, testDatabaseUrl, usingPostgres } from '../helper.js';

// PostgreSQL adds an interval's days in the session's time zone: with a server whose `timezone` is not UTC,
// `sent_at + 14 days` across a daylight-saving change is 14 × 24 h ± 1 h. The SPEC's days are 24 h whatever the
// server's setting.
t.test(
  'a server time zone other than UTC changes no figure: 14 days are 14 × 24 h across a DST change',
  { skip: usingPostgres ? false : 'PGlite sessions are always UTC' },
  async (t) => {
    const shared = await testDatabase();
    const name = new URL(testDatabaseUrl()!).pathname.slice(1);
    // New sessions on this database start in New York time, as on a server installed with that local zone.
    await shared.knex.raw(`ALTER DATABASE "${name}" SET timezone = 'America/New_York'`);
    t.teardown(() => shared.knex.raw(`ALTER DATABASE "${name}" RESET timezone`));
    const db = createDatabase({ DATABASE_URL: testDatabaseUrl()!, DATA_DIR: './data', DB_POOL_MAX: 4 });
    t.teardown(() => closeDatabase(db));
    const setting = async (knex: typeof db.knex, name: string) =>
      ((await knex.raw(`SELECT current_setting('${name}') AS v`)) as { rows: { v: string }[] }).rows[0]!.v;
    t.equal(await setting(db.knex, 'TimeZone'), 'UTC', 'the primary pool’s sessions');
    t.equal(await setting(db.analytics!, 'TimeZone'), 'UTC', 'the analytics pool’s sessions');
    t.equal(await setting(db.analytics!, 'jit'), 'off', 'analytics still run without JIT');
    const app = await buildApp({ config: configFrom({}), db, migrate: false });
    t.teardown(() => app.close());
    await app.ready();

    // Sent on 1 March 2026 at 12:00 UTC; New York moved its clocks on 8 March, so 14 local days later is 11:00 UTC.
    const events = [
      { type: 'user_signed_up', userId: 'alice', occurredAt: '2026-02-01T00:00:00Z' },
      ...['i1', 'i2'].map((inviteId) => ({
        type: 'invite_sent',
        inviteId,
        referrerId: 'alice',
        source: 'buddy',
        occurredAt: '2026-03-01T12:00:00Z',
      })),
      // 13 d 23 h 30 min after sending: converted.
      { type: 'invite_signed_up', inviteId: 'i1', userId: 'bob', occurredAt: '2026-03-15T11:30:00Z' },
      // 14 × 24 h and one second after sending: not converted.
      { type: 'invite_signed_up', inviteId: 'i2', userId: 'carol', occurredAt: '2026-03-15T12:00:01Z' },
    ];
    const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { events } });
    t.equal(json<{ accepted: number }>(res).accepted, events.length, res.body);
    const k = json<{ invites: number; conversions: number }>(
      await app.inject({ url: '/v1/metrics/k-factor?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z' }),
    );
    t.match(k, { invites: 2, conversions: 1 });
  },
);
