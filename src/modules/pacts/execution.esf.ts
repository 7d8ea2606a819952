import ExcelJS from 'exceljs';
import { neutralise } from '../needs/needs.view';
import { localName } from '../reference/territories.repository';
import type { EsfColumn, EsfTerritoryRow } from './execution.repository';
import type { EsfIndicators } from './execution.service';

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * The columns of the ESF+ monitoring export: the common output indicators on participants
 * (Regulation (EU) 2021/1057, Annex I) under their codes, then gender, hours and costs, which have
 * no common code. `key` names the field in the API's JSON.
 */
export const ESF_COLUMNS: { column: EsfColumn; key: string; code?: string; money?: boolean }[] = [
  { column: 'enrolled', key: 'EECO01', code: 'EECO01' },
  { column: 'women', key: 'women' },
  { column: 'men', key: 'men' },
  { column: 'non_binary', key: 'nonBinary' },
  { column: 'age_under_30', key: 'EECO07', code: 'EECO07' },
  { column: 'age_30_54', key: 'age30to54' },
  { column: 'age_55_plus', key: 'EECO08', code: 'EECO08' },
  { column: 'unemployed', key: 'EECO02', code: 'EECO02' },
  { column: 'long_term_unemployed', key: 'EECO03', code: 'EECO03' },
  { column: 'inactive', key: 'EECO04', code: 'EECO04' },
  { column: 'employed', key: 'EECO05', code: 'EECO05' },
  { column: 'isced_0_2', key: 'EECO09', code: 'EECO09' },
  { column: 'isced_3_4', key: 'EECO10', code: 'EECO10' },
  { column: 'isced_5_8', key: 'EECO11', code: 'EECO11' },
  { column: 'completed', key: 'completed' },
  { column: 'hours_delivered', key: 'hoursDelivered' },
  { column: 'spent_cents', key: 'spentCents', money: true },
  { column: 'cofinanced_cents', key: 'cofinancedCents', money: true },
];

export const columnTitle = (c: (typeof ESF_COLUMNS)[number], t: T) => {
  const label = t(`execution.esf.columns.${c.column}`);
  return c.code ? `${c.code} ${label}` : label;
};

type Line = { code: string; name: string; pacts: number; values: Record<EsfColumn, number> };

/** The territory rows and the total row, named in the user's language. */
export function esfLines(v: EsfIndicators, lang: string, t: T): { rows: Line[]; total: Line } {
  const line = (r: EsfTerritoryRow): Line => ({
    code: r.territory_code,
    name: localName(r, lang),
    pacts: r.pacts,
    values: r,
  });
  return {
    rows: v.rows.map(line),
    total: { code: '', name: t('execution.esf.total'), pacts: v.total.pacts, values: v.total },
  };
}

const centsText = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const csvField = (value: string) => {
  const v = neutralise(value);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

function header(v: EsfIndicators, t: T): string[][] {
  return [
    [t('execution.esf.call'), v.call.title],
    [t('execution.esf.period'), v.period ?? t('execution.esf.allPeriods')],
  ];
}

function titles(t: T): string[] {
  return [
    t('execution.esf.territoryCode'),
    t('execution.esf.territory'),
    t('execution.esf.pacts'),
    ...ESF_COLUMNS.map((c) => columnTitle(c, t)),
  ];
}

/** CSV: a two-line header (call, period), a blank line, the table; money in euros (dot decimals). */
export function esfCsv(v: EsfIndicators, lang: string, t: T): string {
  const { rows, total } = esfLines(v, lang, t);
  const lines: string[][] = [...header(v, t), [], titles(t)];
  for (const r of [...rows, total])
    lines.push([
      r.code,
      r.name,
      String(r.pacts),
      ...ESF_COLUMNS.map((c) =>
        c.money ? centsText(r.values[c.column]) : String(r.values[c.column]),
      ),
    ]);
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The same table as a workbook: numbers as numbers, euros formatted, text never a formula. */
export async function esfXlsx(v: EsfIndicators, lang: string, t: T): Promise<Buffer> {
  const { rows, total } = esfLines(v, lang, t);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Patto';
  wb.created = new Date();
  const ws = wb.addWorksheet(t('execution.esf.sheet'));
  const text = (cell: ExcelJS.Cell, s: string) => {
    cell.value = s;
    if (/^[=+\-@\t\r]/.test(s)) cell.numFmt = '@';
  };
  for (const [label, value] of header(v, t)) {
    const row = ws.addRow([]);
    text(row.getCell(1), label!);
    text(row.getCell(2), value!);
    row.getCell(1).font = { bold: true };
  }
  ws.addRow([]);
  const head = ws.addRow([]);
  titles(t).forEach((s, i) => text(head.getCell(i + 1), s));
  head.font = { bold: true };
  for (const r of [...rows, total]) {
    const row = ws.addRow([]);
    text(row.getCell(1), r.code);
    text(row.getCell(2), r.name);
    row.getCell(3).value = r.pacts;
    ESF_COLUMNS.forEach((c, i) => {
      const cell = row.getCell(i + 4);
      cell.value = c.money ? r.values[c.column] / 100 : r.values[c.column];
      if (c.money) cell.numFmt = '#,##0.00';
    });
  }
  ws.getRow(ws.rowCount).font = { bold: true };
  ws.getColumn(2).width = 30;
  for (let i = 3; i <= ESF_COLUMNS.length + 3; i++) ws.getColumn(i).width = 16;
  ws.views = [{ state: 'frozen', ySplit: head.number, xSplit: 2 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The JSON of getEsfIndicators: one object per territory and the total, keyed as ESF_COLUMNS. */
export function esfJson(v: EsfIndicators, lang: string, t: T) {
  const { rows, total } = esfLines(v, lang, t);
  const json = (r: Line) => ({
    territoryCode: r.code || null,
    territoryName: r.name,
    pacts: r.pacts,
    ...Object.fromEntries(ESF_COLUMNS.map((c) => [c.key, r.values[c.column]])),
  });
  return {
    callId: v.call.id,
    period: v.period,
    territories: rows.map(json),
    total: json(total),
  };
}
