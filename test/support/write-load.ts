// Concurrent acknowledged writes (first assignments, conversions, invites) against a running service, and the
// check that every write the service acknowledged with a 2xx is stored. Shared by the fault tests and npm run chaos.
import type { Knex } from 'knex';
import { ADMIN_KEY, bearer, call, INGEST_KEY } from './service-process.js';

const LOAD_EXPERIMENT = 'chaos';

type Write =
  | { kind: 'assignment'; userId: string; variant: string }
  | { kind: 'conversion'; userId: string; eventId: string }
  | { kind: 'invite'; inviteId: string };

export interface LoadReport {
  sent: number;
  acknowledged: Write[];
  /** Non-2xx answers by status. */
  statuses: Record<number, number>;
  /** Non-2xx answers that broke the rules of the run (see runWriteLoad), with a sample body each. */
  unexpected: string[];
  /** Requests that got no HTTP answer at all (refused or reset connections). */
  networkErrors: number;
}

export interface LoadOptions {
  workers: number;
  /** Stop sending when this says so (checked before each request). */
  done: (report: LoadReport) => boolean;
  /**
   * What a worker does after a failed request: 'stop' (the service is shutting down, a failure means it is gone
   * or going) or 'retry' (the database is away for a while; pause and go on).
   */
  onFailure: 'stop' | 'retry';
  /** Statuses a failed request may have without being "unexpected" (503 while shutting down or while PG is away). */
  allowedStatuses: number[];
  /** Check every allowed failure answers problem+json with code service_unavailable and a Retry-After. */
  strict503?: boolean;
}

/**
 * Creates and starts the experiment the load assigns users to. A 503 (the instance shedding load, as on a busy
 * machine) is retried after its Retry-After, as a client would: the service rejects such a request before any
 * write, so the retry cannot duplicate it.
 */
export async function seedLoadExperiment(url: string): Promise<void> {
  const admin = bearer(ADMIN_KEY);
  const created = await retrying503(() =>
    call(
      url,
      'POST',
      '/v1/experiments',
      {
        key: LOAD_EXPERIMENT,
        variants: [
          { key: 'control', weight: 50 },
          { key: 'treatment', weight: 50 },
        ],
      },
      admin,
    ),
  );
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
  const started = await retrying503(() =>
    call(url, 'POST', `/v1/experiments/${LOAD_EXPERIMENT}/start`, undefined, admin),
  );
  if (started.status !== 200) throw new Error(`start: ${started.status} ${started.text}`);
}

/** Up to 10 attempts while the answer is 503, pausing for its Retry-After (1 s without one). */
async function retrying503(send: () => ReturnType<typeof call>): ReturnType<typeof call> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    if (answer.status !== 503 || attempt === 10) return answer;
    await pause(1000 * (Number(answer.headers.get('retry-after')) || 1));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `workers` loops of writes until done() or (in 'stop' mode) until every worker saw a failure. */
export async function runWriteLoad(url: string, opts: LoadOptions, tag = 'w'): Promise<LoadReport> {
  const report: LoadReport = { sent: 0, acknowledged: [], statuses: {}, unexpected: [], networkErrors: 0 };
  const headers = bearer(INGEST_KEY);
  const experiment = `/v1/experiments/${LOAD_EXPERIMENT}`;

  const worker = async (w: number) => {
    const assigned: string[] = [];
    for (let i = 0; !opts.done(report); i++) {
      const id = `${tag}${w}-${i}`;
      const op = i % 3;
      let request: [string, unknown];
      let write: (body: Record<string, unknown>) => Write;
      if (op === 0 || (op === 1 && assigned.length === 0)) {
        request = [`${experiment}/assignments`, { userId: `u-${id}` }];
        write = (body) => ({ kind: 'assignment', userId: `u-${id}`, variant: String(body.variant) });
      } else if (op === 1) {
        const userId = assigned[i % assigned.length]!;
        request = [`${experiment}/conversions`, { userId, eventId: `e-${id}` }];
        write = () => ({ kind: 'conversion', userId, eventId: `e-${id}` });
      } else {
        request = ['/v1/invites', { inviteId: `i-${id}`, referrerId: `r-${w}`, source: 'chaos' }];
        write = () => ({ kind: 'invite', inviteId: `i-${id}` });
      }
      report.sent++;
      let failed = false;
      try {
        const res = await call(url, 'POST', request[0], request[1], headers);
        if (res.status >= 200 && res.status < 300) {
          const ack = write(res.body as Record<string, unknown>);
          report.acknowledged.push(ack);
          if (ack.kind === 'assignment') assigned.push(ack.userId);
        } else {
          failed = true;
          report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
          const problem = res.body as { code?: unknown } | undefined;
          const bad503 =
            opts.strict503 &&
            (problem?.code !== 'service_unavailable' ||
              !res.headers.get('retry-after') ||
              !res.headers.get('content-type')?.startsWith('application/problem+json'));
          if (!opts.allowedStatuses.includes(res.status) || bad503) {
            report.unexpected.push(`${request[0]} → ${res.status} ${res.text.slice(0, 300)}`);
          }
        }
      } catch {
        failed = true;
        report.networkErrors++;
      }
      if (failed) {
        if (opts.onFailure === 'stop') return;
        await pause(25);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, (_, w) => worker(w)));
  return report;
}

export interface StoredCheck {
  acknowledged: number;
  stored: number;
  lost: string[];
}

/** Looks up every acknowledged write in the database: an assignment with the same variant, the conversion, the invite. */
export async function checkStored(knex: Knex, acknowledged: Write[]): Promise<StoredCheck> {
  const ids = (kind: Write['kind']) => acknowledged.filter((w) => w.kind === kind);
  const assignments = ids('assignment') as Extract<Write, { kind: 'assignment' }>[];
  const conversions = ids('conversion') as Extract<Write, { kind: 'conversion' }>[];
  const invites = ids('invite') as Extract<Write, { kind: 'invite' }>[];
  const rows = async <R>(sql: string, values: string[]): Promise<R[]> =>
    values.length === 0 ? [] : ((await knex.raw(sql, [values])) as { rows: R[] }).rows;

  const storedAssignments = new Map(
    (
      await rows<{ user_id: string; variant: string }>(
        `SELECT a.user_id, a.variant FROM assignments a JOIN experiments e ON e.id = a.experiment_id
         WHERE e.key = '${LOAD_EXPERIMENT}' AND a.user_id = ANY(?)`,
        assignments.map((a) => a.userId),
      )
    ).map((r) => [r.user_id, r.variant]),
  );
  const storedEvents = new Set(
    (
      await rows<{ event_id: string }>(
        'SELECT event_id FROM conversions WHERE event_id = ANY(?)',
        conversions.map((c) => c.eventId),
      )
    ).map((r) => r.event_id),
  );
  const storedInvites = new Set(
    (
      await rows<{ invite_id: string }>(
        'SELECT invite_id FROM invites WHERE invite_id = ANY(?)',
        invites.map((i) => i.inviteId),
      )
    ).map((r) => r.invite_id),
  );
  const lost = [
    ...assignments
      .filter((a) => storedAssignments.get(a.userId) !== a.variant)
      .map((a) => `assignment ${a.userId}`),
    ...conversions.filter((c) => !storedEvents.has(c.eventId)).map((c) => `conversion ${c.eventId}`),
    ...invites.filter((i) => !storedInvites.has(i.inviteId)).map((i) => `invite ${i.inviteId}`),
  ];
  return { acknowledged: acknowledged.length, stored: acknowledged.length - lost.length, lost };
}
