import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../src/db';
import { migrateToLatest } from '../../src/db/migrator';
import { loadBuiltinReference } from '../../src/modules/reference/builtin';
import { onExit } from './cleanup';

// Private PostgreSQL clusters for the fault, scale-out and load scripts: never the shared server
// on 5432, which other tests use at the same time. Loopback only, in temp dirs, removed on exit.
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
// initdb refuses to run as root: as root, every PostgreSQL command runs as the postgres user.
const AS_ROOT = process.getuid?.() === 0;

const TIMEOUT_MS = 120_000;

function commandLine(command: string, args: string[]): [string, string[]] {
  return AS_ROOT
    ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, command), ...args]]
    : [path.join(BIN, command), args];
}

/** Synchronous: for setup and for the exit handler, where nothing else may run meanwhile. */
function run(command: string, args: string[]): void {
  const [cmd, argv] = commandLine(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.signal}`);
  }
}

/** Asynchronous: while a load runs, the script's own clients must keep going. */
function runAsync(command: string, args: string[]): Promise<void> {
  const [cmd, argv] = commandLine(command, args);
  return new Promise((resolve, reject) =>
    execFile(cmd, argv, { timeout: TIMEOUT_MS }, (err, _out, stderr) =>
      err
        ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || err.message}`))
        : resolve(),
    ),
  );
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (AS_ROOT) {
    const { uid, gid } = postgresIds();
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

function postgresIds(): { uid: number; gid: number } {
  const out = spawnSync('id', ['postgres'], { encoding: 'utf8' }).stdout;
  const uid = /uid=(\d+)/.exec(out);
  const gid = /gid=(\d+)/.exec(out);
  if (!uid || !gid) throw new Error('running as root needs a postgres user to run PostgreSQL');
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}

export interface Cluster {
  port: number;
  url: string;
  dir: string;
  start(): Promise<void>;
  /** A fast shutdown: connected sessions are ended, open transactions rolled back. */
  stop(): Promise<void>;
  running(): boolean;
}

function cluster(root: string, dataDir: string, port: number): Cluster {
  const log = path.join(root, 'postgres.log');
  const c: Cluster = {
    port,
    dir: root,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () =>
      runAsync('pg_ctl', ['-D', dataDir, '-o', `-p ${port} -k ${root}`, '-l', log, '-w', 'start']),
    stop: async () => {
      if (c.running()) await runAsync('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    running() {
      return fs.existsSync(path.join(dataDir, 'postmaster.pid'));
    },
  };
  onExit(() => {
    try {
      if (c.running()) run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  return c;
}

/**
 * A new primary on 127.0.0.1:port, able to feed a streaming replica; started. `settings`: more
 * postgresql.conf lines (bench:load --statements loads pg_stat_statements with them).
 */
export async function startPrimary(port: number, settings: string[] = []): Promise<Cluster> {
  const root = tempDir(`patto-pg-${port}-`);
  const dataDir = path.join(root, 'data');
  const c = cluster(root, dataDir, port);
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    [
      "listen_addresses = '127.0.0.1'",
      'wal_level = replica',
      'max_wal_senders = 4',
      'max_connections = 100',
      ...settings,
      '',
    ].join('\n'),
  );
  fs.appendFileSync(path.join(dataDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
  await c.start();
  return c;
}

/** A streaming replica of `primary` (pg_basebackup -R), on 127.0.0.1:port; started. */
export async function startReplica(primary: Cluster, port: number): Promise<Cluster> {
  const root = tempDir(`patto-pg-${port}-`);
  const dataDir = path.join(root, 'data');
  const c = cluster(root, dataDir, port);
  run('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['-D', dataDir, '-R', '-X', 'stream', '--checkpoint=fast'],
  ]);
  await c.start();
  return c;
}

/** Migrations and the built-in reference set, as the app's start would apply them. */
export async function prepare(url: string): Promise<void> {
  const { db } = createDb(url, 2);
  try {
    await migrateToLatest(db);
    await loadBuiltinReference(db);
  } finally {
    await db.destroy();
  }
}
