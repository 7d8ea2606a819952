import { neutralise } from '../needs/needs.view';
import type { Cell, ColumnDef, OpenRecord } from './dictionary';

/** A value as CSV text: empty for null, euros with two decimals, text safe from spreadsheets. */
function text(value: Cell, column: ColumnDef): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number')
    return column.type === 'decimal' ? value.toFixed(2) : String(value);
  // Text a spreadsheet would run as a formula gets a leading apostrophe, as the needs export does.
  return neutralise(value);
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** UTF-8 text with a header line and CRLF line ends (RFC 4180). */
export function toCsv(columns: readonly ColumnDef[], records: readonly OpenRecord[]): string {
  const lines = [columns.map((c) => field(c.name))];
  for (const r of records) lines.push(columns.map((c) => field(text(r[c.name] ?? null, c))));
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
