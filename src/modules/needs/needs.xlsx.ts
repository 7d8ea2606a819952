import ExcelJS from 'exceljs';
import type { PageQuery } from './needs.schemas';
import type { NeedsAggregate } from './needs.service';
import type { DisplayCell, NeedsTable } from './needs.view';

type T = (key: string, params?: Record<string, unknown>) => string;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MARKER = '•';
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text always goes in as a plain string value (exceljs writes it as a shared string, never as a
 * formula); text that a spreadsheet would read as a formula if retyped also gets the Text number
 * format, so editing the cell keeps it text.
 */
function setText(cell: ExcelJS.Cell, text: string) {
  cell.value = text;
  if (FORMULA_START.test(text)) cell.numFmt = '@';
}

/**
 * The current view of /needs as a workbook: a header block (campaign, territory, pivot, filters,
 * and what was suppressed and why), then the table. A suppressed cell holds only the marker,
 * never a number, with the reason as the cell's note.
 */
export async function needsXlsx(
  a: NeedsAggregate,
  table: NeedsTable,
  q: PageQuery,
  t: T,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Patto';
  wb.created = new Date();
  const ws = wb.addWorksheet(t('needsMap.xlsx.sheet'));
  const header: [string, string][] = [
    [t('needs.export.campaign'), a.campaign.title],
    [t('needs.export.territory'), `${table.totals.name} (${table.totals.code})`],
    [t('needs.export.pivot'), t(`needs.by.${q.by}`)],
    [t('needs.export.measure'), t(`needs.measure.${q.measure}`)],
    [t('needs.priority'), q.priority ? t(`needs.priorities.${q.priority}`) : t('needs.all')],
    [t('needs.period'), q.period ?? t('needs.all')],
  ];
  for (const [label, value] of header) {
    const row = ws.addRow([]);
    setText(row.getCell(1), label);
    setText(row.getCell(2), value);
    row.getCell(1).font = { bold: true };
  }
  const notes: string[] = a.protected
    ? [
        t('needs.export.protected', { k: a.rules.k, count: table.suppressedCount }),
        ...table.reasons.map((r) => `${MARKER} ${t(`needs.reasons.${r}`, { k: a.rules.k })}`),
      ]
    : [t('needs.export.unprotected')];
  if (table.firmsOverlap) notes.push(t('needs.firmsOverlap'));
  for (const n of notes) setText(ws.addRow([]).getCell(1), n);
  ws.addRow([]);

  const head = ws.addRow([]);
  const titles = [t('needs.territory'), ...table.columns.map((c) => c.label), t('needs.total')];
  titles.forEach((title, i) => setText(head.getCell(i + 1), title));
  head.font = { bold: true };
  const firstDataRow = head.number + 1;

  const lines = [
    ...table.rows,
    { ...table.totals, name: `${t('needs.total')}: ${table.totals.name}` },
  ];
  for (const line of lines) {
    const row = ws.addRow([]);
    setText(row.getCell(1), line.name);
    [...line.cells, line.total].forEach((c: DisplayCell, i) => {
      const cell = row.getCell(i + 2);
      if (c.suppressed) {
        cell.value = MARKER;
        cell.note = t(`needs.reasons.${c.reason}`, { k: a.rules.k });
        cell.alignment = { horizontal: 'right' };
      } else cell.value = c.number ?? 0;
    });
  }
  ws.getRow(ws.rowCount).font = { bold: true };
  ws.getColumn(1).width = 36;
  for (let i = 2; i <= titles.length; i++) ws.getColumn(i).width = 16;
  ws.views = [{ state: 'frozen', ySplit: firstDataRow - 1, xSplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
