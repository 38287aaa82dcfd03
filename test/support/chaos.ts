// The two faults of SPEC §7 as reusable scenarios: the fault tests assert on them, `npm run chaos` prints them.
import knexFactory from 'knex';
import { PgCluster } from './pg-cluster.js';
import type { ScratchDatabase } from './scratch-database.js';
import { startService, type Exit } from './service-process.js';
import {
  checkStored,
  type LoadReport,
  runWriteLoad,
  seedLoadExperiment,
  type StoredCheck,
} from './write-load.js';

export interface ChaosResult {
  report: LoadReport;
  stored: StoredCheck;
  exit: Exit;
  summary: string;
}

const line = (name: string, r: LoadReport, s: StoredCheck, extra: string) =>
  `${name}: sent ${r.sent}, acknowledged ${s.acknowledged}, stored ${s.stored}, lost ${s.lost.length}; ${extra}` +
  `; no answer ${r.networkErrors}, failed statuses ${JSON.stringify(r.statuses)}`;

/**
 * SIGTERM sent from inside the load after `signalAfter` acknowledged writes, so every worker has a request in
 * flight when it arrives; each worker stops at its first failure (503 or a closed connection).
 */
export async function sigtermUnderLoad(db: ScratchDatabase, signalAfter = 300): Promise<ChaosResult> {
  const service = await startService({ ...db.env, SHUTDOWN_TIMEOUT_MS: '20000' });
  try {
    await seedLoadExperiment(service.url);
    let ackedAtSignal = -1;
    const report = await runWriteLoad(service.url, {
      workers: 16,
      onFailure: 'stop',
      allowedStatuses: [503],
      done: (r) => {
        if (ackedAtSignal < 0 && r.acknowledged.length >= signalAfter) {
          ackedAtSignal = r.acknowledged.length;
          void service.stop('SIGTERM');
        }
        return false;
      },
    });
    const exit = await service.exited;
    const stored = await checkStored(db.open(), report.acknowledged);
    const extra = `${stored.acknowledged - ackedAtSignal} acknowledged after the signal, exit ${exit.code ?? exit.signal}`;
    return { report, stored, exit, summary: line(`SIGTERM (${db.kind})`, report, stored, extra) };
  } finally {
    await service.stop('SIGKILL');
  }
}

export interface RestartResult extends ChaosResult {
  failedWhileDown: number;
  ackedAfterRestart: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops and starts a cluster of our own under load: 200 writes before, down for 2 s, 200 writes after. */
export async function postgresRestartUnderLoad(phaseWrites = 200, downMs = 2000): Promise<RestartResult> {
  const cluster = await PgCluster.create();
  try {
    await cluster.query('CREATE DATABASE liftoff');
    const service = await startService({ DATABASE_URL: cluster.url('liftoff') });
    try {
      await seedLoadExperiment(service.url);
      let finished = false;
      let failedAtStop = 0;
      let failedAtStart = 0;
      let ackedAtStart = 0;
      const failures = (r: LoadReport) =>
        Object.values(r.statuses).reduce((a, b) => a + b, 0) + r.networkErrors;
      let current: LoadReport | undefined;
      const load = runWriteLoad(service.url, {
        workers: 16,
        onFailure: 'retry',
        allowedStatuses: [503],
        strict503: true,
        done: (r) => {
          current = r;
          return finished;
        },
      });
      const until = async (ok: (r: LoadReport) => boolean) => {
        for (let i = 0; i < 600 && !(current && ok(current)); i++) await sleep(50);
        if (!current || !ok(current))
          throw new Error('the load did not reach the expected state within 30 s');
      };
      try {
        await until((r) => r.acknowledged.length >= phaseWrites);
        failedAtStop = failures(current!);
        await cluster.stop('fast');
        await sleep(downMs);
        await until((r) => failures(r) > failedAtStop);
        await cluster.start();
        failedAtStart = failures(current!);
        ackedAtStart = current!.acknowledged.length;
        await until((r) => r.acknowledged.length >= ackedAtStart + phaseWrites);
      } finally {
        finished = true;
      }
      const report = await load;
      const exit = await service.stop('SIGTERM');
      const knex = knexFactory({ client: 'pg', connection: cluster.url('liftoff') });
      const stored = await checkStored(knex, report.acknowledged).finally(() => knex.destroy());
      const failedWhileDown = failedAtStart - failedAtStop;
      const ackedAfterRestart = report.acknowledged.length - ackedAtStart;
      const extra = `${failedWhileDown} answered 503 while PostgreSQL was down, ${ackedAfterRestart} acknowledged after it came back`;
      return {
        report,
        stored,
        exit,
        failedWhileDown,
        ackedAfterRestart,
        summary: line('PostgreSQL restart', report, stored, extra),
      };
    } finally {
      await service.stop('SIGKILL');
    }
  } finally {
    await cluster.destroy();
  }
}
