import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import pg from 'pg';
import { createDb } from '../src/db';
import { migrateToLatest } from '../src/db/migrator';
import { loadBuiltinReference } from '../src/modules/reference/builtin';
import { importIstatComuni } from '../src/modules/reference/importers/istat';

// npm run bench:import [-- ROWS]: the ISTAT importer on a generated file in ISTAT's published
// layout (cp1252, ';', CRLF), on real PostgreSQL, in a database of its own.
const ROWS = Number(process.argv[2] ?? 200_000);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'patto_bench_import';

const HEADER = [
  'Codice Regione',
  '"Codice dell\'Unità territoriale sovracomunale \r\n(valida a fini statistici)"',
  'Codice Provincia (Storico)(1)',
  'Progressivo del Comune (2)',
  'Codice Comune formato alfanumerico',
  'Denominazione (Italiana e straniera)',
  'Denominazione in italiano',
  'Denominazione altra lingua',
  'Codice Ripartizione Geografica',
  'Ripartizione geografica',
  'Denominazione Regione',
  '"Denominazione dell\'Unità territoriale sovracomunale \r\n(valida a fini statistici)"',
  'Tipologia di Unità territoriale sovracomunale ',
  'Flag Comune capoluogo di provincia/città metropolitana/libero consorzio',
  'Sigla automobilistica',
  'Codice Comune formato numerico',
  'Codice Comune numerico con 110 province (dal 2010 al 2016)',
  'Codice Comune numerico con 107 province (dal 2006 al 2009)',
  'Codice Comune numerico con 103 province (dal 1995 al 2005)',
  'Codice Catastale del comune',
  'Codice NUTS1 2021',
  'Codice NUTS2 2021 (3) ',
  'Codice NUTS3 2021',
  'Codice NUTS1 2024',
  'Codice NUTS2 2024 (3) ',
  'Codice NUTS3 2024',
].join(';');

function generate(file: string, rows: number): void {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, iconv.encode(`${HEADER}\r\n`, 'win1252'));
  const provinces = [
    'ITI11',
    'ITI12',
    'ITI13',
    'ITI14',
    'ITI15',
    'ITI16',
    'ITI17',
    'ITI18',
    'ITI19',
    'ITI1A',
  ];
  let chunk: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const code = String(i).padStart(6, '0');
    const nuts3 = provinces[i % provinces.length]!;
    const name = `Comune ${i} di Città`;
    const cadastral = ''; // 200k comuni cannot all have distinct real-looking cadastral codes
    chunk.push(
      `09;248;048;${code.slice(3)};${code};${name};${name};;3;Centro;Toscana;Firenze;3;0;FI;${i};${i};${i};${i};${cadastral};ITI;ITI1;${nuts3};ITI;ITI1;${nuts3}`,
    );
    if (chunk.length === 10_000 || i === rows) {
      fs.writeSync(out, iconv.encode(`${chunk.join('\r\n')}\r\n`, 'win1252'));
      chunk = [];
    }
  }
  fs.closeSync(out);
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function run(file: string): Promise<{ first: number; again: number }> {
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const { db } = createDb(url.toString(), 2);
  try {
    await migrateToLatest(db);
    await loadBuiltinReference(db);
    const time = async () => {
      const t0 = process.hrtime.bigint();
      const report = await importIstatComuni(db, file, { validFrom: '2025-06-30' });
      if (report.errors.length) throw new Error(JSON.stringify(report.errors.slice(0, 3)));
      return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, report };
    };
    const first = await time();
    const again = await time();
    if (again.report.inserted + again.report.updated + again.report.closed !== 0) {
      throw new Error('the second run changed something');
    }
    return { first: ROWS / first.seconds, again: ROWS / again.seconds };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patto-bench-'));
  const file = path.join(dir, 'Elenco-comuni-italiani.csv');
  try {
    generate(file, ROWS);
    const mb = (fs.statSync(file).size / 1e6).toFixed(1);
    console.log(`${ROWS} rows, ${mb} MB, cp1252, ISTAT layout`);
    const results = [];
    for (let i = 0; i < 3; i++) {
      const r = await run(file);
      console.log(
        `run ${i + 1}: first import ${Math.round(r.first)} rows/s, unchanged re-run ${Math.round(r.again)} rows/s`,
      );
      results.push(r);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    console.log(
      `median: first import ${Math.round(median(results.map((r) => r.first)))} rows/s, re-run ${Math.round(median(results.map((r) => r.again)))} rows/s`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
