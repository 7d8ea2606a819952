import type { SuppressionReason } from '../../lib/disclosure';
import { formatNumber } from '../../lib/format';
import { localName } from '../reference/territories.repository';
import type { PageQuery } from './needs.schemas';
import type { NeedsAggregate, PublishedCell } from './needs.service';

export interface DisplayCell {
  text: string;
  suppressed: boolean;
  reason?: SuppressionReason;
  number?: number;
}

type Labels = Map<string, { name: string; names: Record<string, string> }>;
type T = (key: string, params?: Record<string, unknown>) => string;

const SUPPRESSED = '•';

/** The table a page or an export shows: rows of territories, a column per dim value, totals. */
export function needsTable(a: NeedsAggregate, q: PageQuery, labels: Labels, lang: string, t: T) {
  const byKey = new Map(a.cells.map((c) => [`${c.territory}|${c.value}`, c]));
  const show = (c: PublishedCell | undefined): DisplayCell => {
    if (!c) return { text: '–', suppressed: false, number: 0 };
    if (c.suppressed) return { text: SUPPRESSED, suppressed: true, reason: c.reason };
    const n = q.measure === 'firms' ? c.firms! : c.workers!;
    return {
      text: formatNumber(n, lang),
      suppressed: false,
      number: n,
    };
  };
  const columns = a.values.map((v) => {
    const l = labels.get(v);
    const name = l ? localName(l, lang) : t(`needs.values.${v}`, { defaultValue: v });
    return { value: v, label: l ? `${v} · ${name}` : name };
  });
  const rowOf = (code: string) => ({
    cells: columns.map((col) => show(byKey.get(`${code}|${col.value}`))),
    total: show(byKey.get(`${code}|*`)),
  });
  // By the names the reader sees, in the reader's collation: the database orders the Italian
  // names in its own collation ("Florence" came between "Figline" and "Firenzuola").
  const byName = (x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name, lang);
  let rows = a.rows
    .map((r) => ({
      code: r.code,
      name: localName(r, lang),
      drill: r.children > 0,
      ...rowOf(r.code),
    }))
    .sort(byName);
  if (q.sort === 'value')
    // A hidden total sorts last, by name: ordering by it would rank what is hidden.
    rows = [...rows].sort(
      (x, y) =>
        Number(x.total.suppressed) - Number(y.total.suppressed) ||
        (y.total.number ?? 0) - (x.total.number ?? 0) ||
        byName(x, y),
    );
  const own = a.path.at(-1)!;
  const totals = { code: own.code, name: localName(own, lang), ...rowOf(own.code) };
  const reasons = [...new Set(a.cells.filter((c) => c.suppressed).map((c) => c.reason!))];
  return {
    columns,
    rows,
    totals,
    reasons,
    suppressedCount: a.cells.filter((c) => c.suppressed).length,
    // A firm declares needs in several areas or skills (but has one sector and one size class):
    // it counts in each of those columns and once in the total.
    firmsOverlap: q.measure === 'firms' && (q.by === 'area' || q.by === 'skill'),
  };
}

export type NeedsTable = ReturnType<typeof needsTable>;

/**
 * A horizontal bar chart drawn on the server: one bar per row total (or per column of the
 * territory itself when it has no rows), the same numbers as the table. Geometry only: the
 * template writes the SVG with presentation attributes, no inline style.
 */
export function barChart(table: NeedsTable) {
  const items = table.rows.length
    ? table.rows.map((r) => ({ label: r.name, cell: r.total }))
    : table.columns.map((c, i) => ({ label: c.label, cell: table.totals.cells[i]! }));
  const max = Math.max(1, ...items.map((i) => i.cell.number ?? 0));
  const labelWidth = 220;
  const barArea = 320;
  const rowHeight = 24;
  return {
    width: labelWidth + barArea + 80,
    height: items.length * rowHeight + 8,
    bars: items.map((item, i) => ({
      label: item.label.length > 32 ? `${item.label.slice(0, 31)}…` : item.label,
      y: i * rowHeight + 4,
      textY: i * rowHeight + 20,
      x: labelWidth,
      width: item.cell.suppressed ? 0 : Math.round(((item.cell.number ?? 0) / max) * barArea),
      valueX:
        labelWidth +
        (item.cell.suppressed ? 0 : Math.round(((item.cell.number ?? 0) / max) * barArea)) +
        6,
      text: item.cell.text,
      suppressed: item.cell.suppressed,
    })),
  };
}

/**
 * The quarters a period filter offers: those with data, and the one chosen even when it has
 * none (a link to a later quarter), so the select never reads "all" over a filtered table.
 */
export function periodChoices(periods: readonly string[], chosen?: string | null): string[] {
  return chosen && !periods.includes(chosen) ? [...periods, chosen].sort() : [...periods];
}

/** A spreadsheet cannot read a cell as a formula: text starting with = + - @ (or a control) gets a quote. */
export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const csvNumber = (c: DisplayCell) => (c.suppressed ? SUPPRESSED : String(c.number ?? 0));

function csvField(value: string): string {
  const v = neutralise(value);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The current view as CSV, with a header saying what was suppressed and why. */
export function needsCsv(a: NeedsAggregate, table: NeedsTable, q: PageQuery, t: T): string {
  const lines: string[][] = [
    [t('needs.export.campaign'), a.campaign.title],
    [t('needs.export.territory'), `${table.totals.name} (${table.totals.code})`],
    [t('needs.export.pivot'), t(`needs.by.${q.by}`)],
    [t('needs.export.measure'), t(`needs.measure.${q.measure}`)],
    [t('needs.priority'), q.priority ? t(`needs.priorities.${q.priority}`) : t('needs.all')],
    [t('needs.period'), q.period ?? t('needs.all')],
  ];
  if (a.protected) {
    lines.push([t('needs.export.protected', { k: a.rules.k, count: table.suppressedCount })]);
    for (const r of table.reasons)
      lines.push([`${SUPPRESSED} ${t(`needs.reasons.${r}`, { k: a.rules.k })}`]);
  } else lines.push([t('needs.export.unprotected')]);
  if (table.firmsOverlap) lines.push([t('needs.firmsOverlap')]);
  lines.push([]);
  lines.push([t('needs.territory'), ...table.columns.map((c) => c.label), t('needs.total')]);
  for (const r of [
    ...table.rows,
    { ...table.totals, name: `${t('needs.total')}: ${table.totals.name}` },
  ])
    lines.push([r.name, ...[...r.cells, r.total].map(csvNumber)]);
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
