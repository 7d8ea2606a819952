import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { italianCheckDigit } from '../src/lib/vat';
import { COLUMN_NAMES } from '../src/modules/survey/bulk-import.parse';
import { foldNeeds } from '../src/modules/needs/aggregate';
import { sql } from 'kysely';
import { importResponses } from '../src/modules/survey/bulk-import.service';
import { plannableQuarters, romeToday } from '../src/modules/survey/calendar';
import { openBenchCampaign, serverCpu, serverCpuSpent, withBenchDb } from './bench-kit';

// npm run bench:bulk-import [-- FIRMS LINES RUNS]: a CSV of FIRMS responses with LINES need lines
// each, imported through the service (parse, checks, one transaction) on real PostgreSQL, in a
// database of its own dropped at the end; then the queued changes folded into the needs aggregate,
// timed apart (the app's background folder does it). Each run imports a file of new firms (firms
// created) and then the same file again (firms matched, every version superseded).
const FIRMS = Number(process.argv[2] ?? 10_000);
const LINES = Number(process.argv[3] ?? 3);
const RUNS = Number(process.argv[4] ?? 3);
const DB_NAME = 'patto_bench_bulk_import';

function vat(): string {
  const first = `1${crypto.randomInt(0, 1e9).toString().padStart(9, '0')}`;
  return `IT${first}${italianCheckDigit(first)}`;
}

const SKILLS = ['F40.a', 'F40.b', 'F40.c', 'F40.d', 'F40.e', 'F40.f', 'F40.g', 'F40.h'];
const COMUNI = ['048014', '048017', '048001', '048005', '048012'];

/** A CSV file of `firms` distinct new firms. */
function writeCsv(file: string, firms: number) {
  const quarters = plannableQuarters(romeToday());
  const out = fs.createWriteStream(file);
  out.write(`${COLUMN_NAMES.join(';')}\n`);
  const seen = new Set<string>();
  for (let f = 0; f < firms; f++) {
    let v = vat();
    while (seen.has(v)) v = vat();
    seen.add(v);
    const firm = [
      v,
      `Impresa ${f} S.r.l.`,
      '28',
      String(10 + (f % 200)),
      COMUNI[f % COMUNI.length],
    ];
    const rest = ['Referente', `ref${f}@bench.test`, '3', '2', '4', '3', '1', '2', 'cloud|iot'];
    for (let l = 0; l < LINES; l++) {
      const line = [SKILLS[l % SKILLS.length], '72', String(1 + (l % 5)), '4', 'high', 'blended'];
      out.write(`${[...firm, ...rest, ...line, quarters[l % quarters.length], ''].join(';')}\n`);
    }
  }
  return new Promise<void>((resolve) => out.end(resolve));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const file = path.join(os.tmpdir(), `patto-bench-import-${process.pid}.csv`);
  await withBenchDb(DB_NAME, async (db) => {
    const { region, campaignId } = await openBenchCampaign(db, ['F40', 'DC1']);

    const created: number[] = [];
    const superseded: number[] = [];
    const folds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await writeCsv(file, FIRMS);
      for (const into of [created, superseded]) {
        // What autovacuum does for a live database between two imports (this machine's
        // PostgreSQL runs without it): the dead rows of the last import and fold cleared and the
        // statistics brought up to date. Without it each run costs the server more than the last.
        if (process.env.BENCH_NO_VACUUM !== '1') await sql`VACUUM ANALYZE`.execute(db);
        // CPU of this process (parse, checks, the service) and of the database's server
        // processes during the import: which side the wall time waits on.
        const server0 = await serverCpu(DB_NAME);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await importResponses(db, region, campaignId, file);
        const s = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const server = serverCpuSpent(server0, await serverCpu(DB_NAME));
        if (r.problems.length) throw new Error(JSON.stringify(r.problems.slice(0, 5)));
        into.push(r.responses / s);
        // What the background folder then does (the app runs it every 250 ms): the queued changes
        // of the import folded into the needs aggregate, timed apart from the import.
        const t1 = performance.now();
        const folded = await foldNeeds(db, campaignId);
        const f = (performance.now() - t1) / 1000;
        if (folded === 0) throw new Error('the import queued nothing for the needs aggregate');
        folds.push(f);
        console.log(
          `run ${run + 1} ${into === created ? 'new firms ' : 're-import'}: ${r.responses} responses, ${r.lines} lines in ${s.toFixed(2)} s → ${Math.round(r.responses / s)} responses/s (CPU: import ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, server ${server.toFixed(2)} s); then folded (${folded} changes) in ${f.toFixed(2)} s`,
        );
      }
    }
    const size = (fs.statSync(file).size / 1e6).toFixed(1);
    console.log(
      `\nBulk import (PostgreSQL, ${FIRMS} responses × ${LINES} need lines, ${size} MB CSV, median of ${RUNS})`,
    );
    console.log(
      `  new firms (created by VAT):          ${Math.round(median(created))} responses/s`,
    );
    console.log(
      `  re-import (matched, superseded):     ${Math.round(median(superseded))} responses/s`,
    );
    console.log(`  needs aggregate folded after each:   ${median(folds).toFixed(2)} s`);
  }).finally(() => fs.rmSync(file, { force: true }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
