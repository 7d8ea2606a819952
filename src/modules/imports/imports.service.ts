import fs from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../db';
import type { Logger } from '../../logger';
import { NotFoundError } from '../../lib/domain-error';
import { escoCollection, importEsco } from '../reference/importers/esco';
import { importIstatComuni } from '../reference/importers/istat';
import { APPLIES_FROM, importNuts, newestNutsDate } from '../reference/importers/nuts';
import type { ImportReport } from '../reference/importers/report';
import type { ImportKind } from './imports.tables';

export const NUTS_VERSIONS = ['NUTS2021', 'NUTS2024'] as const;

/**
 * The NUTS versions the form offers: those not older than the codes already loaded (the built-in
 * set holds NUTS 2024, so NUTS 2021 only on a database that has none), and the newest loaded.
 */
export async function importableNutsVersions(db: Db) {
  const loaded = await newestNutsDate(db);
  const offered = NUTS_VERSIONS.filter((v) => !loaded || APPLIES_FROM[v]! >= loaded);
  return { offered, loaded, older: NUTS_VERSIONS.filter((v) => !offered.includes(v)) };
}

function runImporter(
  db: Db,
  kind: ImportKind,
  file: { path: string; name: string },
  version: string | null,
  format: 'csv' | 'xlsx',
  onProgress: (n: number) => void,
) {
  if (kind === 'nuts')
    return importNuts(db, file.path, { version: version ?? 'NUTS2024', format, onProgress });
  // As the command line: the collection's area and language from the name of the file uploaded.
  if (kind === 'esco')
    return importEsco(db, file.path, { ...escoCollection(file.name), onProgress });
  return importIstatComuni(db, file.path, { onProgress });
}

/**
 * Records the job, then imports in the background of this process (the file is on its disk);
 * the page polls the row for progress and the report. The import itself is all-or-nothing.
 */
export async function startImport(
  db: Db,
  logger: Logger,
  input: {
    kind: ImportKind;
    version: string | null;
    /** From the uploaded file's name: an XLSX must be one (NUTS only). */
    format?: 'csv' | 'xlsx';
    file: { path: string; name: string; bytes: number };
    userId: string;
  },
): Promise<{ id: string; done: Promise<void> }> {
  const job = await db
    .insertInto('import_jobs')
    .values({
      kind: input.kind,
      version: input.version,
      file_name: input.file.name,
      file_bytes: input.file.bytes,
      status: 'running',
      created_by: input.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  let last = 0;
  const progress = (rows: number) => {
    if (Date.now() - last < 500) return;
    last = Date.now();
    db.updateTable('import_jobs')
      .set({ rows_done: rows, updated_at: new Date() })
      .where('id', '=', job.id)
      .execute()
      .catch(() => undefined);
  };
  const done = runImporter(
    db,
    input.kind,
    input.file,
    input.version,
    input.format ?? 'csv',
    progress,
  )
    .then((report) => finish(db, job.id, report))
    .catch(async (err: unknown) => {
      logger.error({ err, job: job.id }, 'import failed');
      await finish(db, job.id, {
        rows: 0,
        inserted: 0,
        updated: 0,
        closed: 0,
        linked: 0,
        encoding: null,
        errors: [{ line: 0, message: String((err as Error)?.message ?? err).slice(0, 500) }],
      });
    })
    .finally(() => fs.rmSync(input.file.path, { force: true }));
  return { id: job.id, done };
}

async function finish(db: Db, id: string, report: ImportReport): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({
      status: report.errors.length ? 'failed' : 'done',
      rows_done: report.rows,
      report: JSON.stringify(report),
      updated_at: new Date(),
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function findImport(db: Db, id: string) {
  const job = await db
    .selectFrom('import_jobs')
    .selectAll()
    .select(
      sql<boolean>`status = 'running' AND updated_at < now() - interval '5 minutes'`.as('stale'),
    )
    .where('id', '=', id)
    .executeTakeFirst();
  if (!job) throw new NotFoundError();
  return job;
}

export function listImports(db: Db) {
  return db.selectFrom('import_jobs').selectAll().orderBy('created_at', 'desc').limit(50).execute();
}
