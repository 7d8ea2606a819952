import { neutralise } from '../needs/needs.view';
import type { Dashboard } from './dashboard.service';
import {
  COLUMNS,
  SUPPRESSED,
  regionsTable,
  type Column,
  type DashboardTable,
  type Shown,
} from './dashboard.view';

type T = (key: string, params?: Record<string, unknown>) => string;

/** A cell of an export: text, or a number (euros for money), or the marker with its reason. */
export type ExportCell = string | number | { marker: true; note: string };

/** What a column's numbers are: euros or a percentage (its header says so, the workbook formats it). */
export type Unit = 'eur' | 'pct';

export interface ExportView {
  header: [string, string][];
  notes: string[];
  sections: { title: string; head: string[]; units?: (Unit | undefined)[]; rows: ExportCell[][] }[];
}

const UNITS: Partial<Record<Column, Unit>> = {
  coverage: 'pct',
  committed: 'eur',
  spent: 'eur',
  completion: 'pct',
  costPerTrained: 'eur',
};
const SYMBOL: Record<Unit, string> = { eur: '€', pct: '%' };

/**
 * The current view as the exports write it: what was asked (campaign, territory, quarter), what
 * was suppressed and why, then the table, the quarters and the comparison of regions. Numbers
 * only where the page shows them: a suppressed value is the marker, never a number.
 */
export function exportView(d: Dashboard, table: DashboardTable, lang: string, t: T): ExportView {
  const k = d.ctx.rules.k;
  const reason = (r: string | undefined) => t(`needs.reasons.${r}`, { k });
  const cell = (s: Shown): ExportCell =>
    s.suppressed
      ? { marker: true, note: reason(s.reason) }
      : s.number === undefined
        ? ''
        : s.money
          ? s.number / 100
          : s.number;
  const marker = (p: { value?: number; suppressed: boolean; reason?: string }): ExportCell =>
    p.suppressed ? { marker: true, note: reason(p.reason) } : (p.value ?? '');
  const header: [string, string][] = [
    [t('needs.export.campaign'), d.campaign.title],
    [t('needs.export.territory'), `${table.total.name} (${table.total.code})`],
    [t('dashboard.period'), d.ctx.period ?? t('dashboard.allPeriods')],
  ];
  const regions = regionsTable(d, lang);
  const sections: ExportView['sections'] = [
    {
      title: t('dashboard.table.caption'),
      head: [
        t('needs.territory'),
        ...COLUMNS.map((c) => {
          const unit = UNITS[c];
          return `${t(`dashboard.columns.${c}`)}${unit ? ` (${SYMBOL[unit]})` : ''}`;
        }),
      ],
      units: [undefined, ...COLUMNS.map((c) => UNITS[c])],
      rows: [
        ...table.rows.map((r) => [r.name, ...COLUMNS.map((c) => cell(r.cells[c]))]),
        ...(table.whole
          ? [
              [
                t('dashboard.table.whole', { name: table.total.name }),
                ...COLUMNS.map((c) => cell(table.whole!.cells[c])),
              ],
            ]
          : []),
        [
          `${t('needs.total')}: ${table.total.name}`,
          ...COLUMNS.map((c) => cell(table.total.cells[c])),
        ],
      ],
    },
    {
      title: t('dashboard.series.title'),
      head: [
        t('dashboard.period'),
        t('dashboard.series.need'),
        t('dashboard.series.covered'),
        t('dashboard.series.completed'),
      ],
      rows: d.series.map((p) => [p.period, marker(p.workersInNeed), p.workersCovered, p.completed]),
    },
    {
      title: t('dashboard.regions.title'),
      head: [
        t('dashboard.regions.region'),
        t('dashboard.regions.firms'),
        t('dashboard.regions.readiness'),
        t('dashboard.regions.needs'),
      ],
      rows: regions.map((r) => [
        `${r.name} (${r.code})`,
        r.raw.firms,
        marker(r.raw.meanReadiness),
        marker(r.raw.needsPerThousandEmployees),
      ]),
    },
  ];
  // Every marker of the file is counted and explained, the quarters' and the regions' too (a
  // region reads other regions protected even in its own unprotected view).
  const markers = sections.flatMap((x) =>
    x.rows.flat().filter((c): c is { marker: true; note: string } => typeof c === 'object'),
  );
  const reasons = [...new Set(markers.map((m) => `${SUPPRESSED} ${m.note}`))];
  const notes = [
    d.ctx.protected
      ? t('dashboard.export.protected', { k, count: markers.length })
      : t('dashboard.export.unprotected'),
    ...reasons,
  ];
  return { header, notes, sections };
}

/** Money with its two decimals, as the open data and the ESF+ indicators write it. */
function csvField(value: ExportCell, unit?: Unit): string {
  const v =
    typeof value === 'object'
      ? SUPPRESSED
      : typeof value === 'number'
        ? unit === 'eur'
          ? value.toFixed(2)
          : String(value)
        : neutralise(value);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The view as CSV (RFC 4180, CRLF), sections one after the other with a blank line between. */
export function dashboardCsv(v: ExportView): string {
  const line = (cells: ExportCell[], units?: (Unit | undefined)[]) =>
    cells.map((c, j) => csvField(c, units?.[j])).join(',');
  const lines = [...v.header, ...v.notes.map((n) => [n])].map((l) => line(l));
  for (const s of v.sections)
    lines.push('', line([s.title]), line(s.head), ...s.rows.map((r) => line(r, s.units)));
  return lines.join('\r\n') + '\r\n';
}
