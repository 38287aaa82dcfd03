// A PostgreSQL cluster of the caller's own (initdb + pg_ctl into a temp dir, on a free port), so a test can stop,
// restart or replicate it without touching the shared server on 5432.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

/** Why clusters cannot be made here, or null when they can (tests skip with this reason). */
export function clusterUnavailable(): string | null {
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    if (!existsSync(path.join(BIN, tool))) return `${tool} not found in ${BIN} (set PG_BIN)`;
  }
  if (isRoot && !postgresUid()) return 'running as root and there is no "postgres" user to run initdb as';
  return null;
}

/** The postgres user of the Debian package (from /etc/passwd), which the tools run as when we are root. */
function postgresUid(): { uid: number; gid: number } | null {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** initdb refuses to run as root: run the PostgreSQL tools as the postgres user then. */
async function tool(name: string, args: string[]): Promise<string> {
  const file = path.join(BIN, name);
  const { stdout } = isRoot
    ? await run('runuser', ['-u', 'postgres', '--', file, ...args], { maxBuffer: 16 * 1024 * 1024 })
    : await run(file, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** A port nobody listens on right now (the kernel picks it; the cluster binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Clusters still running: stopped when this process exits, even when a test timed out before its teardown. */
const live = new Set<PgCluster>();
process.once('exit', () => {
  for (const c of live) {
    const file = path.join(BIN, 'pg_ctl');
    const args = ['-D', c.dataDir, '-m', 'immediate', 'stop'];
    try {
      if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { stdio: 'ignore' });
      else execFileSync(file, args, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(c.root, { recursive: true, force: true });
  }
});

export class PgCluster {
  private constructor(
    readonly root: string,
    readonly port: number,
  ) {}

  get dataDir() {
    return path.join(this.root, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb a new cluster (wal_level replica, so a standby can be made from it) and start it. */
  static async create(): Promise<PgCluster> {
    const root = mkdtempSync(path.join(tmpdir(), 'liftoff-pg-'));
    const owner = isRoot ? postgresUid() : null;
    if (owner) chownSync(root, owner.uid, owner.gid);
    const cluster = new PgCluster(root, await freePort());
    await tool('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  /** A streaming replica of this cluster (pg_basebackup -R), started on its own port. */
  async replica(): Promise<PgCluster> {
    const root = mkdtempSync(path.join(tmpdir(), 'liftoff-pg-replica-'));
    const owner = isRoot ? postgresUid() : null;
    if (owner) chownSync(root, owner.uid, owner.gid);
    const standby = new PgCluster(root, await freePort());
    // --checkpoint=fast: the default spread checkpoint made the backup wait about 100 s on an idle cluster.
    const target = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', standby.dataDir];
    await tool('pg_basebackup', [...target, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
    await standby.start();
    return standby;
  }

  async start(): Promise<void> {
    const opts = [
      `-p ${this.port}`,
      `-k ${this.root}`,
      "-c listen_addresses='127.0.0.1'",
      '-c wal_level=replica',
      '-c max_wal_senders=4',
      '-c fsync=off',
      '-c max_connections=60',
      '-c shared_buffers=32MB',
    ].join(' ');
    await tool('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      path.join(this.root, 'log'),
      '-o',
      opts,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  /** Stops the postmaster: fast mode disconnects clients and rolls back open transactions, as a restart does. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await tool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** A one-off query on this cluster (own connection, closed after). */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Stops the cluster (if running) and deletes its directory. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    live.delete(this);
    rmSync(this.root, { recursive: true, force: true });
  }
}
