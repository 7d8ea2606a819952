import type { SuppressionReason } from '../../lib/disclosure';
import { formatMoney, formatNumber, formatPercent } from '../../lib/format';
import { localName } from '../reference/territories.repository';
import { wholeTerritoryFigures, type DashboardFigures, type Published } from './dashboard.figures';
import type { Dashboard } from './dashboard.service';

type T = (key: string, params?: Record<string, unknown>) => string;

export const SUPPRESSED = '•';

/** One shown value: its text, its number for exports, a link to what is behind it. */
export interface Shown {
  text: string;
  number?: number;
  suppressed: boolean;
  reason?: SuppressionReason;
  href?: string;
  /** Money in the exports: a number of euros with two decimals. */
  money?: boolean;
  /** A coverage over 100 %: the page marks it and says why it can happen. */
  overFull?: boolean;
}

export const COLUMNS = [
  'firms',
  'need',
  'covered',
  'coverage',
  'committed',
  'spent',
  'enrolled',
  'completed',
  'completion',
  'costPerTrained',
] as const;
export type Column = (typeof COLUMNS)[number];

export interface Links {
  /** The reader may open /needs and the pacts list: figures link there. */
  needs: boolean;
  pacts: boolean;
}

export function formatters(lang: string) {
  return {
    int: (n: number) => formatNumber(n, lang),
    pct: (n: number) => formatPercent(n, lang),
    dec: (n: number) => formatNumber(n, lang, 1),
    eur: (cents: number) => formatMoney(cents, lang),
  };
}

/** The table of the view: a row per child territory and the total row, every cell shown. */
export function dashboardTable(d: Dashboard, lang: string, links: Links) {
  const f = formatters(lang);
  const plain = (n: number, text = f.int(n), href?: string): Shown => ({
    text,
    number: n,
    suppressed: false,
    href,
  });
  const pub = (p: Published, fmt: (n: number) => string, href?: string): Shown =>
    p.suppressed
      ? { text: SUPPRESSED, suppressed: true, reason: p.reason }
      : p.value === undefined
        ? { text: '–', suppressed: false }
        : plain(p.value, fmt(p.value), href);
  const orDash = (n: number | null, fmt: (n: number) => string, money = false): Shown =>
    n === null ? { text: '–', suppressed: false } : { ...plain(n, fmt(n)), money };
  const needsHref = (code: string) => {
    const p = new URLSearchParams({ campaign: d.campaign.id, territory: code });
    if (d.ctx.period) p.set('period', d.ctx.period);
    return `/needs?${p.toString()}`;
  };
  const pactsHref = (code: string) =>
    `/pacts?${new URLSearchParams({ campaign: d.campaign.id, territory: code }).toString()}`;
  const cells = (x: DashboardFigures): Record<Column, Shown> => ({
    firms: plain(x.firmsSurveyed),
    need: pub(x.workersInNeed, f.int, links.needs ? needsHref(x.territory) : undefined),
    covered: plain(x.workersCovered, undefined, links.pacts ? pactsHref(x.territory) : undefined),
    coverage: overFull(pub(x.coveragePercent, f.pct)),
    committed: {
      ...plain(
        x.committedCents,
        f.eur(x.committedCents),
        links.pacts ? pactsHref(x.territory) : undefined,
      ),
      money: true,
    },
    spent: { ...plain(x.spentCents, f.eur(x.spentCents)), money: true },
    enrolled: plain(x.enrolled),
    completed: plain(x.completed),
    completion: orDash(x.completionPercent, f.pct),
    costPerTrained: orDash(x.costPerTrainedCents, f.eur, true),
  });
  const own = d.path.at(-1)!;
  // By the name the reader sees, in their language's order: the database orders by the stored
  // name, byte by byte, which put "Barberino Tavarnelle" before "Barberino di Mugello".
  const rows = d.rows
    .map((r) => ({
      code: r.code,
      name: localName(r, lang),
      drill: r.children > 0,
      cells: cells(r.figures),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, lang));
  const total = { code: own.code, name: localName(own, lang), cells: cells(d.total) };
  const all = [...rows.map((r) => r.cells), total.cells].flatMap((c) => Object.values(c));
  const reasons = [...new Set(all.filter((c) => c.suppressed).map((c) => c.reason!))];
  const anyOverFull = all.some((c) => c.overFull);
  const whole = wholeTerritoryFigures(
    d.total,
    d.rows.map((r) => r.figures),
  );
  return {
    rows,
    whole: whole && {
      cells: {
        ...cells(whole),
        firms: DASH,
        need: DASH,
        coverage: DASH,
        covered: plain(whole.workersCovered),
        committed: { ...plain(whole.committedCents, f.eur(whole.committedCents)), money: true },
      },
    },
    total,
    reasons,
    overFull: anyOverFull,
    suppressedCount: all.filter((c) => c.suppressed).length,
  };
}

const DASH: Shown = { text: '–', suppressed: false };

/**
 * Coverage is not capped: covered counts the participants funded actions pay for (by the action's
 * quarter), need what firms declare now (by the need line's quarter), so a need lowered after
 * funding, or a quarter chosen, can put it over 100 %. Such a figure is marked and explained.
 */
const overFull = (s: Shown): Shown =>
  !s.suppressed && s.number !== undefined && s.number > 100 ? { ...s, overFull: true } : s;

export type DashboardTable = ReturnType<typeof dashboardTable>;

const SERIES_COLOURS = { need: '#6baed6', covered: '#08519c', completed: '#e6550d' } as const;

/**
 * The quarters as grouped vertical bars (declared need, covered, completed), geometry only: the
 * template writes the SVG. A hidden need has no bar and its marker in place of the number.
 */
export function seriesChart(d: Dashboard, lang: string, t: T) {
  const f = formatters(lang);
  const height = 220;
  const plot = 180;
  const group = 3 * 18 + 20;
  const max = Math.max(
    1,
    ...d.series.flatMap((p) => [p.workersInNeed.value ?? 0, p.workersCovered, p.completed]),
  );
  const bar = (i: number, j: number, v: number | null, colour: string) => {
    const h = v === null ? 0 : Math.round((v / max) * plot);
    return { x: 40 + i * group + j * 18, y: 10 + plot - h, height: h, width: 16, fill: colour };
  };
  const points = d.series.map((p, i) => ({
    period: p.period,
    labelX: 40 + i * group + 27,
    need: pubText(p.workersInNeed, f.int),
    needReason: p.workersInNeed.reason,
    covered: f.int(p.workersCovered),
    completed: f.int(p.completed),
    bars: [
      bar(
        i,
        0,
        p.workersInNeed.suppressed ? null : (p.workersInNeed.value ?? 0),
        SERIES_COLOURS.need,
      ),
      bar(i, 1, p.workersCovered, SERIES_COLOURS.covered),
      bar(i, 2, p.completed, SERIES_COLOURS.completed),
    ],
  }));
  const desc = points
    .map(
      (p) =>
        `${p.period}: ${t('dashboard.series.need')} ${p.need}, ${t('dashboard.series.covered')} ${p.covered}, ${t('dashboard.series.completed')} ${p.completed}`,
    )
    .join('; ');
  return {
    width: Math.max(300, 40 + points.length * group + 10),
    height,
    baseY: 10 + plot,
    labelY: height - 12,
    points,
    // No quarter with a figure (hidden ones count: the table explains them): no chart to draw.
    empty: d.series.every(
      (p) =>
        !p.workersInNeed.suppressed && !p.workersInNeed.value && !p.workersCovered && !p.completed,
    ),
    desc: desc || t('dashboard.series.empty'),
    legend: Object.entries(SERIES_COLOURS).map(([k, fill]) => ({
      fill,
      label: t(`dashboard.series.${k}`),
    })),
  };
}

const pubText = (p: Published, fmt: (n: number) => string) =>
  p.suppressed ? SUPPRESSED : p.value === undefined ? '–' : fmt(p.value);

/** The comparison of regions as rows, with bar widths for the two measures (out of 200 px). */
export function regionsTable(d: Dashboard, lang: string) {
  const f = formatters(lang);
  const maxNeed = Math.max(1, ...d.regions.map((r) => r.needsPerThousandEmployees.value ?? 0));
  return d.regions.map((r) => ({
    code: r.territory,
    name: localName(r, lang),
    current: r.territory === d.campaign.territory_code,
    protected: r.protected,
    firms: f.int(r.firms),
    readiness: pubText(r.meanReadiness, f.dec),
    readinessReason: r.meanReadiness.reason,
    readinessWidth: Math.round(((r.meanReadiness.value ?? 0) / 100) * 200),
    needs: pubText(r.needsPerThousandEmployees, f.dec),
    needsReason: r.needsPerThousandEmployees.reason,
    needsWidth: Math.round(((r.needsPerThousandEmployees.value ?? 0) / maxNeed) * 200),
    raw: r,
  }));
}
