import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onExit } from './cleanup';

const ROOT = path.resolve(__dirname, '../..');
export const SESSION_SECRET = 'scripts-only-secret-scripts-only-secret-0123';

export interface AppProcess {
  pid: number;
  url: string;
  databaseUrl: string;
  alive(): boolean;
  /** Resolves when the process has exited (SIGTERM, then SIGKILL after 15 s). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** The last lines the process printed, for a failure report. */
  output(): string;
  /** Resident memory now and at its peak, in MB (Linux /proc). */
  memory(): { rssMb: number; peakMb: number };
}

/**
 * The app as production runs it, one process: node with tsx's loader (the tsx CLI would put a
 * second process in front, and kill -9 would hit that one instead of the server).
 */
export async function startApp(options: {
  port: number;
  databaseUrl: string;
  replicaUrl?: string;
  env?: Record<string, string>;
  /** Another server to run the same way (it must answer GET /healthz). */
  entry?: string;
}): Promise<AppProcess> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'never',
    LOGIN_RATE_LIMIT: '100000',
    // As npm start and the Dockerfile.
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '2',
    ...(options.replicaUrl ? { DATABASE_REPLICA_URL: options.replicaUrl } : {}),
    ...(process.env.BENCH_APP_POOL ? { DATABASE_POOL_MAX: process.env.BENCH_APP_POOL } : {}),
    // BENCH_APP_ENV="DATABASE_PREPARE=false": settings to compare, side by side.
    ...Object.fromEntries(
      (process.env.BENCH_APP_ENV ?? '')
        .split(' ')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
    ...options.env,
  };
  const child: ChildProcess = spawn(
    process.execPath,
    // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": profile the app under load.
    // An entry compiled to JavaScript (`npm run build`: dist/src/server.js) runs without tsx.
    [
      ...(process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--max-old-space-size=256', // as npm start and the Dockerfile
      ...(options.entry?.endsWith('.js') ? [] : ['--import', 'tsx']),
      options.entry ?? 'src/server.ts',
    ],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  onExit(() => {
    if (alive()) child.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${options.port}`;
  const app: AppProcess = {
    pid: child.pid!,
    url,
    databaseUrl: options.databaseUrl,
    alive,
    output: () => lines.join('\n'),
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    memory() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
      return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && alive()) {
    const up = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(
      () => null,
    );
    if (up?.ok) return app;
    await sleep(200);
  }
  await app.kill9();
  throw new Error(`the app on port ${options.port} did not start:\n${app.output()}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
