import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../../src/db';
import { migrateToLatest } from '../../src/db/migrator';
import { importNuts } from '../../src/modules/reference/importers/nuts';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { NUTS_2024, available, tempDir } from './fixtures';

jest.setTimeout(180_000);

// Two migrated databases without the built-in set: one fed the CSV, one the same rows as XLSX.
let viaCsv: TestDb;
let viaXlsx: TestDb;
let dir: string;
beforeAll(async () => {
  [viaCsv, viaXlsx] = await Promise.all([newTestDb({ empty: true }), newTestDb({ empty: true })]);
  await migrateToLatest(viaCsv.db);
  await migrateToLatest(viaXlsx.db);
  dir = tempDir();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await Promise.all([viaCsv.close(), viaXlsx.close()]);
});

/** A workbook as Excel saves one: a header row, then rows; numbers stay numbers. */
async function writeXlsx(name: string, rows: ExcelJS.CellValue[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('NUTS 2024');
  for (const r of rows) sheet.addRow(r);
  wb.addWorksheet('Notes').addRow(['not read: only the first sheet is']);
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

/** The CSV's rows as spreadsheet cells: the level as a number, empty cells left empty. */
function csvAsCells(file: string): ExcelJS.CellValue[][] {
  const [names, ...rows] = parse(fs.readFileSync(file, 'utf8')) as string[][];
  return [
    names!,
    ...rows.map((r) => r.map((c, i) => (names![i] === 'level' ? Number(c) : c === '' ? null : c))),
  ];
}

const dump = async (db: Db) => ({
  territories: (
    await sql`SELECT code, level, parent_code, name, names, version, valid_from, valid_to
              FROM territories ORDER BY code`.execute(db)
  ).rows,
  versions: (await sql`SELECT * FROM territory_versions ORDER BY code, valid_from`.execute(db))
    .rows,
  ancestors: (await sql`SELECT * FROM territory_ancestors ORDER BY code, ancestor_code`.execute(db))
    .rows,
});

const header = ['nuts_id', 'level', 'country', 'parent_id', 'name_latn', 'name_native'];

(available(NUTS_2024) ? describe : describe.skip)(
  'importNuts on Eurostat NUTS 2024 as XLSX',
  () => {
    it('gives exactly what the CSV gives, then a second run changes nothing', async () => {
      const xlsx = await writeXlsx('nuts_2024.xlsx', csvAsCells(NUTS_2024));
      const fromCsv = await importNuts(viaCsv.db, NUTS_2024, { version: 'NUTS2024' });
      const fromXlsx = await importNuts(viaXlsx.db, xlsx, { version: 'NUTS2024' });
      expect(fromCsv).toMatchObject({ rows: 1798, inserted: 1798, errors: [] });
      expect(fromXlsx).toMatchObject({ rows: 1798, inserted: 1798, errors: [], encoding: null });
      expect(await dump(viaXlsx.db)).toEqual(await dump(viaCsv.db));

      const again = await importNuts(viaXlsx.db, xlsx, { version: 'NUTS2024' });
      expect(again).toMatchObject({ rows: 1798, inserted: 0, updated: 0, closed: 0, errors: [] });
    });
  },
);

describe('importNuts on broken XLSX files: a clear report, nothing written', () => {
  const count = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM territories`.execute(viaXlsx.db))
      .rows[0]!.n;

  it('refuses a formula cell by its reference, with the other bad rows, by row number', async () => {
    const file = await writeXlsx('formula.xlsx', [
      header,
      ['QX', 0, 'QX', null, 'Qualia', 'Qualia'],
      ['QX1', 1, 'QX', 'QX', { formula: 'CONCAT("Uno","")', result: 'Uno' }, 'Uno'],
      [],
      ['QX2', 1, 'QX', 'QY', 'Due', 'Due'],
      ['QX', 0, 'QX', null, 'Qualia', 'Qualia'],
    ]);
    const before = await count();
    const report = await importNuts(viaXlsx.db, file, { version: 'NUTS2024' });
    expect(report.errors).toEqual([
      {
        line: 3,
        message: 'E3: formulas are not accepted',
        code: 'xlsxFormula',
        params: { cell: 'E3' },
      },
      expect.objectContaining({ line: 5, message: 'parent "QY" does not match code QX2' }),
      expect.objectContaining({ line: 6, message: 'duplicate code QX (first on line 2)' }),
    ]);
    expect(report.inserted + report.updated + report.closed).toBe(0);
    expect(await count()).toBe(before);
  });

  it('refuses a formula in the header row as such', async () => {
    const file = await writeXlsx('formula-header.xlsx', [
      [{ formula: 'LOWER("NUTS_ID")', result: 'nuts_id' }, 'level', 'name_latn'],
      ['QX', 0, 'Qualia'],
    ]);
    const report = await importNuts(viaXlsx.db, file, { version: 'NUTS2024' });
    expect(report.errors).toEqual([
      {
        line: 1,
        message: 'A1: formulas are not accepted (in the header row)',
        code: 'formulaHeader',
      },
    ]);
  });

  it('names a missing column on the header row', async () => {
    const file = await writeXlsx('nolevel.xlsx', [
      ['nuts_id', 'name_latn'],
      ['QX', 'Qualia'],
    ]);
    const report = await importNuts(viaXlsx.db, file, { version: 'NUTS2024' });
    expect(report.errors).toEqual([
      { line: 1, message: 'missing column "level"', code: 'missingColumn', column: 'level' },
    ]);
  });

  it('refuses a file named .xlsx that is not a workbook', async () => {
    const before = await count();
    const file = path.join(dir, 'renamed.xlsx');
    fs.writeFileSync(file, `${header.join(',')}\nQX,0,QX,,Qualia,Qualia\n`);
    const report = await importNuts(viaXlsx.db, file, { version: 'NUTS2024' });
    expect(report.errors).toEqual([
      { line: 1, message: 'this is not an XLSX file (not a ZIP archive)', code: 'notXlsx' },
    ]);
    const broken = path.join(dir, 'broken.xlsx');
    fs.writeFileSync(broken, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 7)]));
    const second = await importNuts(viaXlsx.db, broken, { version: 'NUTS2024' });
    expect(second.errors[0]!.message).toMatch(/^unreadable XLSX file|the first worksheet is empty/);
    expect(await count()).toBe(before);
  });
});
