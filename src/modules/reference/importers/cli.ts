import fs from 'node:fs';
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
    // Line 0 is the whole file (a bad version, an older one): said without a line.
    ...errors.map((e) => (e.line > 0 ? `line ${e.line}: ${e.message}` : e.message)),
    'Nothing was written: fix the lines above and run again.',
  ];
}

/**
 * Why the command line's files cannot be imported, or null: one readable file, exactly. A second
 * name would otherwise be ignored without a word, and a missing file end in a stack trace.
 */
export function fileProblem(positionals: string[]): string | null {
  if (positionals.length > 1)
    return `one file at a time: run the import once for each of ${positionals.join(', ')}`;
  const file = positionals[0];
  if (!file) return null;
  if (!fs.existsSync(file)) return `${file}: no such file`;
  if (!fs.statSync(file).isFile()) return `${file}: not a file`;
  return null;
}

/**
 * The shared body of the import scripts: opens the database as the app does (migrations and
 * the built-in set first, so that parents exist), runs one import, prints the report, and
 * exits 1 when any row was refused.
 */
export async function runImportCli(
  usage: string,
  options: Record<string, { type: 'string'; required?: boolean }>,
  run: (
    db: Db,
    file: string,
    values: Values,
    onProgress: (n: number) => void,
  ) => Promise<ImportReport>,
): Promise<void> {
  let file: string | undefined;
  let values: Values;
  let problem: string | null;
  try {
    const parsed = parseArgs({
      options: Object.fromEntries(Object.keys(options).map((k) => [k, { type: 'string' }])),
      allowPositionals: true,
    });
    file = parsed.positionals[0];
    values = parsed.values as Values;
    problem = fileProblem(parsed.positionals);
    const missing = Object.keys(options).filter((k) => options[k]!.required && !values[k]);
    if (missing.length) throw new Error(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
  if (!file) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  if (problem) {
    console.error(`${problem}\nNothing was written.`);
    process.exit(1);
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
