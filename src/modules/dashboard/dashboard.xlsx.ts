import ExcelJS from 'exceljs';
import type { ExportCell, ExportView, Unit } from './dashboard.export';
import { SUPPRESSED } from './dashboard.view';

const FORMULA_START = /^[=+\-@\t\r]/;
/** Shown in the reader's own separators by the spreadsheet: 8.400,00 or 8,400.00; 48,3 or 48.3. */
const NUM_FMT: Record<Unit, string> = { eur: '#,##0.00', pct: '0.0' };

/** Text always as a plain value; text a spreadsheet would read as a formula also gets format Text. */
function setCell(cell: ExcelJS.Cell, value: ExportCell, unit?: Unit) {
  if (typeof value === 'object') {
    cell.value = SUPPRESSED;
    cell.note = value.note;
    cell.alignment = { horizontal: 'right' };
    return;
  }
  cell.value = value;
  if (typeof value === 'string' && FORMULA_START.test(value)) cell.numFmt = '@';
  if (typeof value === 'number' && unit) cell.numFmt = NUM_FMT[unit];
}

/**
 * The view as a workbook, one sheet per section, each opening with the same header block (what
 * was asked, what was suppressed and why). A suppressed cell holds only the marker, the reason
 * in its note.
 */
export async function dashboardXlsx(v: ExportView, sheetNames: string[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Patto';
  wb.created = new Date();
  v.sections.forEach((section, i) => {
    const ws = wb.addWorksheet(sheetNames[i]!.slice(0, 31));
    for (const [label, value] of v.header) {
      const row = ws.addRow([]);
      setCell(row.getCell(1), label);
      setCell(row.getCell(2), value);
      row.getCell(1).font = { bold: true };
    }
    for (const n of v.notes) setCell(ws.addRow([]).getCell(1), n);
    ws.addRow([]);
    const head = ws.addRow([]);
    section.head.forEach((h, j) => setCell(head.getCell(j + 1), h));
    head.font = { bold: true };
    for (const line of section.rows) {
      const row = ws.addRow([]);
      line.forEach((c, j) => setCell(row.getCell(j + 1), c, section.units?.[j]));
    }
    ws.getColumn(1).width = 36;
    for (let j = 2; j <= section.head.length; j++) ws.getColumn(j).width = 18;
    ws.views = [{ state: 'frozen', ySplit: head.number, xSplit: 1 }];
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
