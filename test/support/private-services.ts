import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { TestDatabase } from './test-database';
import { until } from './until';

// Fault tests stop and restart their servers; they get servers of their own, so that the
// other test files running beside them keep theirs.

const run = promisify(execFile);
const MIGRATIONS = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  /** SIGKILL, as a crash would; the append-only file keeps what was acknowledged. */
  kill(): Promise<void>;
  /** Starts it again on the same port; `wipe` throws its data away first (a Redis that lost everything). */
  start(options?: { wipe?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of its own, configured as scripts/services.sh configures the product's. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'dgascope-redis-'));
  let child: ChildProcess | null = null;
  const ping = async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG';
  const start = async (options: { wipe?: boolean } = {}) => {
    if (options.wipe) for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { recursive: true, force: true });
    child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
      { stdio: 'ignore' },
    );
    await until('Redis start', ping);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivatePostgres {
  /** A migrated database on this server. */
  database: TestDatabase;
  /** `pg_ctl stop -m immediate`: every connection is cut, as in a crash. */
  crash(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A PostgreSQL cluster of its own (initdb in a temporary directory), with the migrations applied. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = path.join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1)!, 'bin');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'dgascope-pg-'));
  const data = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: as root, run it as the postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  await pg('initdb', ['-D', data, '-U', 'dgascope', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const start = async () => {
    await pg('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  };
  await start();
  const url = `postgresql://dgascope@127.0.0.1:${port}/dgascope`;
  const admin = new Client({ connectionString: `postgresql://dgascope@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE dgascope');
  await admin.end();
  const c = new Client({ connectionString: url });
  await c.connect();
  for (const m of readdirSync(MIGRATIONS)
    .filter((d) => /^\d/.test(d))
    .sort()) {
    await c.query(readFileSync(path.join(MIGRATIONS, m, 'migration.sql'), 'utf8'));
  }
  await c.end();
  const crash = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
  };
  return {
    database: { url, drop: async () => undefined },
    crash,
    start,
    async stop() {
      await crash().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
