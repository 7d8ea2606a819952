import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../src/db';
import { serverCpu, serverCpuSpent } from './bench-kit';
import { migrateToLatest } from '../src/db/migrator';
import { loadBuiltinReference } from '../src/modules/reference/builtin';
import { importIstatComuni } from '../src/modules/reference/importers/istat';
import { sampleComuni, writeIstatFile } from '../src/modules/reference/importers/istat-sample';

// npm run bench:import [-- ROWS [RUNS]]: the ISTAT importer on a generated file in ISTAT's
// published layout (cp1252, ';', CRLF), on real PostgreSQL, in a database of its own; the
// median of RUNS fresh databases. Besides wall time it reports the CPU seconds of this process
// and of the database's server processes (read from /proc when the server is on this machine):
// on a machine shared with other jobs, wall time measures the contention as much as the import.
const ROWS = Number(process.argv[2] ?? 200_000);
const RUNS = Number(process.argv[3] ?? 5);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'patto_bench_import';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

interface Timing {
  rowsPerSecond: number;
  nodeCpu: number;
  serverCpu: number;
}

async function run(file: string): Promise<{ first: Timing; again: Timing }> {
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const { db } = createDb(url.toString(), 2);
  try {
    await migrateToLatest(db);
    await loadBuiltinReference(db);
    const time = async () => {
      const before = await serverCpu(DB_NAME, ADMIN_URL);
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const report = await importIstatComuni(db, file, { validFrom: '2025-06-30' });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const after = await serverCpu(DB_NAME, ADMIN_URL);
      if (report.errors.length) throw new Error(JSON.stringify(report.errors.slice(0, 3)));
      const server = serverCpuSpent(before, after);
      const timing: Timing = {
        rowsPerSecond: ROWS / seconds,
        nodeCpu: (cpu.user + cpu.system) / 1e6,
        serverCpu: server,
      };
      return { timing, report };
    };
    const first = await time();
    const again = await time();
    if (again.report.inserted + again.report.updated + again.report.closed !== 0) {
      throw new Error('the second run changed something');
    }
    return { first: first.timing, again: again.timing };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patto-bench-'));
  const file = path.join(dir, 'Elenco-comuni-italiani.csv');
  try {
    writeIstatFile(file, sampleComuni(ROWS));
    const mb = (fs.statSync(file).size / 1e6).toFixed(1);
    console.log(`${ROWS} rows, ${mb} MB, cp1252, ISTAT layout`);
    const results: { first: Timing; again: Timing }[] = [];
    const show = (t: Timing) =>
      `${Math.round(t.rowsPerSecond)} rows/s (CPU: import ${t.nodeCpu.toFixed(1)} s, server ${t.serverCpu.toFixed(1)} s)`;
    for (let i = 0; i < RUNS; i++) {
      const load = os.loadavg()[0]!.toFixed(1);
      const r = await run(file);
      console.log(
        `run ${i + 1} (load ${load}): first import ${show(r.first)}; unchanged re-run ${show(r.again)}`,
      );
      results.push(r);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const med = (pick: (r: (typeof results)[number]) => Timing): Timing => ({
      rowsPerSecond: median(results.map((r) => pick(r).rowsPerSecond)),
      nodeCpu: median(results.map((r) => pick(r).nodeCpu)),
      serverCpu: median(results.map((r) => pick(r).serverCpu)),
    });
    console.log(`median of ${RUNS}: first import ${show(med((r) => r.first))}`);
    console.log(`median of ${RUNS}: unchanged re-run ${show(med((r) => r.again))}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
