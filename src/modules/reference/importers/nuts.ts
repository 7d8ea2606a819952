import { sql } from 'kysely';
import type { Db, Executor } from '../../../db';
import { openColumns, SourceError, type ImportSource } from './csv-source';
import {
  BATCH_SIZE,
  ErrorList,
  ISO_DATE,
  Rollback,
  WriteQueue,
  doubleEncodedCell,
  formulaCell,
  type ImportOptions,
  type ImportReport,
} from './report';
import { rowError } from './row-problems';
import { TerritoryWriter, type Incoming } from './territory-writer';

export interface NutsOptions extends ImportOptions {
  /** NUTS2021, NUTS2024…: stored with every code this file adds or changes. */
  version: string;
  /** When the version took effect; known versions default to their date of application. */
  validFrom?: string;
  /**
   * 'xlsx' when the file's name says so (a CLI path, an upload's original name): anything but a
   * workbook is then refused. Otherwise a workbook is recognised by its content, else CSV.
   */
  format?: 'csv' | 'xlsx';
}

// Dates from which each NUTS regulation applied (NUTS 2016 from 2018, for instance).
export const APPLIES_FROM: Record<string, string> = {
  NUTS2010: '2012-01-01',
  NUTS2013: '2015-01-01',
  NUTS2016: '2018-01-01',
  NUTS2021: '2021-01-01',
  NUTS2024: '2024-01-01',
};

const FIELDS = {
  code: { names: ['nuts_id', 'nuts code', 'code', 'code 2024', 'code 2021'], required: true },
  level: { names: ['level', 'nuts level', 'levl_code'], required: true },
  parent: { names: ['parent_id', 'parent'], required: false },
  latin: { names: ['name_latn', 'nuts label', 'label', 'name'], required: true },
  native: { names: ['name_native', 'nuts_name'], required: false },
};

/** The day the newest NUTS codes loaded apply from (an older version can no longer come after). */
export async function newestNutsDate(db: Executor): Promise<string | null> {
  const { rows } = await sql<{ d: string | null }>`
    SELECT max(valid_from)::text AS d FROM territory_versions
    WHERE level <> 'LAU' AND version LIKE 'NUTS%'`.execute(db);
  return rows[0]?.d ?? null;
}

/** Imports a Eurostat NUTS code list (levels 0–3); codes no longer listed are closed. */
export async function importNuts(
  db: Db,
  source: ImportSource,
  options: NutsOptions,
): Promise<ImportReport> {
  const report: ImportReport = {
    rows: 0,
    inserted: 0,
    updated: 0,
    closed: 0,
    linked: 0,
    errors: [],
    encoding: null,
  };
  const { version } = options;
  const date = options.validFrom ?? APPLIES_FROM[version] ?? `${version.slice(4)}-01-01`;
  if (!/^NUTS\d{4}$/.test(version) || !ISO_DATE.test(date)) {
    return {
      ...report,
      errors: [rowError(0, 'badVersion', { version })],
    };
  }
  const xlsxByName = typeof source === 'string' && /\.xlsx$/i.test(source);
  const opened = await openColumns(source, FIELDS, {
    xlsx: options.format === 'xlsx' || xlsxByName ? 'required' : 'accepted',
  });
  if ('errors' in opened) return { ...report, errors: opened.errors };
  const { file, col } = opened;

  const errors = new ErrorList();
  const seen = new Map<string, number>();
  const parentsWanted = new Map<string, number>();
  const cell = (cells: string[], i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '');

  try {
    return await db.transaction().execute(async (tx) => {
      const loaded = await newestNutsDate(tx);
      if (loaded && loaded > date) {
        file.close();
        errors.add(0, 'olderVersion', { version, date, loaded });
        throw new Rollback();
      }
      // The file may list a region before its parent; the parent check runs at commit.
      await sql`SET CONSTRAINTS ALL DEFERRED`.execute(tx);
      const writer = await TerritoryWriter.open(tx, version, date);
      let batch: Incoming[] = [];
      const writes = new WriteQueue();
      const flush = async () => {
        const rows = batch;
        if (!errors.any) await writes.push(() => writer.apply(rows));
        batch = [];
        options.onProgress?.(report.rows);
      };

      // Every write done before the checks below; none left running if an error leaves.
      await writes.guard(async () => {
        for await (const records of file.batches) {
          for (const { line, cells, formulaAt } of records) {
            report.rows++;
            // Fewer cells than the header: the file was cut in mid-row (a download broken off), and
            // importing the rest would close every code after it.
            if (cells.length < file.header.length) {
              errors.add(line, 'cellCount', { expected: file.header.length, found: cells.length });
              continue;
            }
            if (formulaAt) errors.add(line, 'xlsxFormula', { cell: formulaAt });
            const formula = formulaCell(cells, file.header);
            if (formula) errors.add(line, 'formula', formula);
            const twice = doubleEncodedCell(cells, file.header);
            if (twice) errors.add(line, 'doubleEncoded', twice);
            const code = cell(cells, col.code);
            const level = Number(cell(cells, col.level));
            if (
              !/^[A-Z]{2}[A-Z0-9]{0,3}$/.test(code) ||
              !(level >= 0 && level <= 3) ||
              code.length !== 2 + level
            ) {
              errors.add(line, 'nutsCode', { code, level: cell(cells, col.level) });
              continue;
            }
            const first = seen.get(code);
            if (first) errors.add(line, 'duplicate', { code, first });
            else seen.set(code, line);
            const parent = level === 0 ? null : code.slice(0, -1);
            const given = cell(cells, col.parent);
            if (col.parent >= 0 && (given || null) !== parent)
              errors.add(line, 'parentMismatch', { parent: given, code });
            if (parent && !seen.has(parent) && !parentsWanted.has(parent))
              parentsWanted.set(parent, line);
            const name = cell(cells, col.native) || cell(cells, col.latin);
            if (name.length < 1 || name.length > 200) errors.add(line, 'nameLength', { max: 200 });
            if (errors.any) continue;
            batch.push({
              code,
              level: `NUTS${level}` as Incoming['level'],
              parent_code: parent,
              name,
              names: {},
              cadastral_code: null,
            });
            if (batch.length >= BATCH_SIZE) await flush();
          }
        }
        await flush();
      });
      if (report.rows === 0) errors.add(file.headerLine, 'noRows');

      const unresolved = [...parentsWanted.keys()].filter((p) => !seen.has(p));
      if (unresolved.length) {
        const known = new Set(
          (
            await tx
              .selectFrom('territories')
              .select('code')
              .where('code', 'in', unresolved)
              .execute()
          ).map((r) => r.code),
        );
        for (const p of unresolved)
          if (!known.has(p)) errors.add(parentsWanted.get(p)!, 'unknownParent', { code: p });
      }
      if (errors.any) throw new Rollback();
      await writer.closeMissing('NUTS', (c) => seen.has(c));
      return {
        ...report,
        inserted: writer.inserted,
        updated: writer.updated,
        closed: writer.closed,
        encoding: file.encoding(),
      };
    });
  } catch (err) {
    if (err instanceof Rollback)
      return { ...report, errors: errors.list(), encoding: file.encoding() };
    if (err instanceof SourceError) {
      return {
        ...report,
        errors: [...errors.list(), { line: err.line, message: err.message, code: err.code }],
        encoding: file.encoding(),
      };
    }
    throw err;
  }
}
