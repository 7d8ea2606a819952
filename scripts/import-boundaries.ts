import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { migrateToLatest } from '../src/db/migrator';
import { openDatabase } from '../src/db/open';
import { loadBuiltinReference } from '../src/modules/reference/builtin';
import {
  BoundaryFileError,
  importBoundaries,
  MAX_BOUNDARY_BYTES,
} from '../src/modules/boundaries/boundaries.service';
import { describeBoundaryError } from '../src/modules/boundaries/messages';

const usage = 'npm run import:boundaries -- FILE [--source gisco|istat]';

// npm run import:boundaries -- NUTS_RG_20M_2024_4326.geojson --source gisco
async function main(): Promise<number> {
  let file: string | undefined;
  let source: string | undefined;
  try {
    const parsed = parseArgs({ options: { source: { type: 'string' } }, allowPositionals: true });
    file = parsed.positionals[0];
    source = parsed.values.source;
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: ${usage}`);
    return 2;
  }
  if (!file || (source !== undefined && source !== 'gisco' && source !== 'istat')) {
    console.error(`usage: ${usage}`);
    return 2;
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    console.error(`${file}: no such file`);
    return 1;
  }
  if (fs.statSync(file).size > MAX_BOUNDARY_BYTES) {
    console.error(`${file}: larger than ${MAX_BOUNDARY_BYTES / 1024 / 1024} MB`);
    return 1;
  }
  const database = await openDatabase(loadConfig());
  try {
    await migrateToLatest(database.db);
    await loadBuiltinReference(database.db);
    const started = Date.now();
    const report = await importBoundaries(database.db, fs.readFileSync(file, 'utf8'), {
      fileName: file,
      source: source as 'gisco' | 'istat' | undefined,
    });
    const { unknown, skipped, ...counts } = report;
    const seconds = (Date.now() - started) / 1000;
    console.log(JSON.stringify({ file, ...counts, unknown: unknown.length, seconds }, null, 2));
    if (unknown.length)
      console.log(`Not in Patto's territories (left out): ${unknown.slice(0, 30).join('; ')}`);
    for (const s of skipped) console.log(`Skipped: ${s}`);
    return 0;
  } catch (err) {
    if (!(err instanceof BoundaryFileError)) throw err;
    console.error(`${file}: ${describeBoundaryError(err, 'en')}\nNothing was written.`);
    return 1;
  } finally {
    await database.close();
  }
}

void main().then((code) => process.exit(code));
