import { parseArgs } from 'node:util';
import { loadConfig } from '../../../config';
import type { Db } from '../../../db';
import { migrateToLatest } from '../../../db/migrator';
import { openDatabase } from '../../../db/open';
import { loadBuiltinReference } from '../builtin';
import type { ImportReport, ImportRowError } from './report';

type Values = Record<string, string | undefined>;

/** The refused lines as the command line prints them: in English, each with its reason. */
export function errorLines(errors: ImportRowError[]): string[] {
  if (!errors.length) return [];
  return [
    ...errors.map((e) => `line ${e.line}: ${e.message}`),
    'Nothing was written: fix the lines above and run again.',
  ];
}

/**
 * The shared body of the import scripts: opens the database as the app does (migrations and
 * the built-in set first, so that parents exist), runs one import, prints the report, and
 * exits 1 when any row was refused.
 */
export async function runImportCli(
  usage: string,
  options: Record<string, { type: 'string' }>,
  run: (
    db: Db,
    file: string,
    values: Values,
    onProgress: (n: number) => void,
  ) => Promise<ImportReport>,
): Promise<void> {
  let file: string | undefined;
  let values: Values;
  try {
    const parsed = parseArgs({ options, allowPositionals: true });
    file = parsed.positionals[0];
    values = parsed.values as Values;
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  if (!file) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const database = await openDatabase(loadConfig());
  let failed: boolean;
  try {
    await migrateToLatest(database.db);
    await loadBuiltinReference(database.db);
    const started = Date.now();
    const report = await run(database.db, file, values, (n) => process.stderr.write(`\r${n} rows`));
    process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;
    const { errors, ...counts } = report;
    console.log(JSON.stringify({ file, ...counts, seconds }, null, 2));
    for (const text of errorLines(errors)) console.log(text);
    failed = errors.length > 0;
  } finally {
    await database.close();
  }
  process.exit(failed ? 1 : 0);
}
