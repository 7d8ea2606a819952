import type { Executor } from '../../db';
import { classOf, EMPTY_FILL, quantileClasses, type MapClass } from '../needs/map/classes';
import { layoutMap } from '../needs/map/layout';
import { localName } from '../reference/territories.repository';
import type { DashboardFigures } from './dashboard.figures';
import { formatters } from './dashboard.view';

type T = (key: string, params?: Record<string, unknown>) => string;
type Area = {
  code: string;
  name: string;
  names: Record<string, string>;
  figures: DashboardFigures;
};

/**
 * Areas with needs and no worker covered yet: light orange, the one warm colour on a blue scale,
 * so they stand apart from "no needs" (light grey) and from every class; dark ink reads on it.
 */
const UNCOVERED_FILL = '#fdd0a2';

/**
 * The map of the view by NUTS-3, drawn with the needs map's own pieces (quantile classes of the
 * ColorBrewer palette, tile grid until boundaries are imported, then the choropleth): coloured by
 * coverage % or by workers in need, hatched where the need is protected, each area linking to its
 * own view. The table beside it in the template gives the same figures.
 */
export async function dashboardMap(
  db: Executor,
  areas: Area[],
  ctx: {
    lang: string;
    t: T;
    k: number;
    measure: 'coverage' | 'need';
    link: (code: string) => string;
  },
) {
  if (!areas.length) return null;
  const { lang, t, measure } = ctx;
  const f = formatters(lang);
  const figure = (a: Area) =>
    measure === 'coverage' ? a.figures.coveragePercent : a.figures.workersInNeed;
  // Classes need whole numbers: coverage is classed in tenths of a percent (its precision).
  const scale = measure === 'coverage' ? 10 : 1;
  const number = (a: Area) => Math.round((figure(a).value ?? 0) * scale);
  const classes = quantileClasses(areas.filter((a) => !figure(a).suppressed).map(number));
  const fmt = (n: number) => (measure === 'coverage' ? f.pct(n) : f.int(n));
  const classLabel = (c: MapClass) =>
    c.from === c.to ? fmt(c.from / scale) : `${fmt(c.from / scale)} – ${fmt(c.to / scale)}`;
  const measureLabel = t(`dashboard.map.measure.${measure}`);

  const shown = areas.map((a) => {
    const name = localName(a, lang);
    const base = { code: a.code, name, href: ctx.link(a.code), ink: '#1a1a1a' };
    const p = figure(a);
    if (p.suppressed) {
      const why = t(`needs.reasons.${p.reason}`, { k: ctx.k });
      return {
        ...base,
        text: '•',
        suppressed: true,
        reason: why,
        fill: 'url(#dashboard-map-hatch)',
        classLabel: t('needsMap.protected'),
        title: `${name}: ${t('needsMap.protected')} (${why})`,
      };
    }
    const none = a.figures.workersInNeed.value === 0 || a.figures.workersInNeed.value === undefined;
    if (none || (measure === 'need' && number(a) === 0)) {
      const label = t('needsMap.none');
      return {
        ...base,
        text: '–',
        suppressed: false,
        fill: EMPTY_FILL,
        classLabel: label,
        title: `${name}: ${label}`,
      };
    }
    if (number(a) === 0) {
      const label = t('dashboard.map.uncovered');
      return {
        ...base,
        text: fmt(0),
        suppressed: false,
        fill: UNCOVERED_FILL,
        classLabel: label,
        title: `${name}: ${label}`,
      };
    }
    const cls = classOf(classes, number(a))!;
    const text = fmt(p.value!);
    return {
      ...base,
      text,
      suppressed: false,
      fill: cls.fill,
      ink: cls.ink,
      classLabel: classLabel(cls),
      title: `${name}: ${text} (${measureLabel})`,
    };
  });
  const legend = {
    classes: classes.map((c) => ({ fill: c.fill, label: classLabel(c) })),
    uncovered: shown.some((s) => s.fill === UNCOVERED_FILL),
    uncoveredFill: UNCOVERED_FILL,
    empty: shown.some((s) => s.fill === EMPTY_FILL),
    emptyFill: EMPTY_FILL,
    suppressed: shown.some((s) => s.suppressed),
    overFull:
      measure === 'coverage' &&
      areas.some((a) => !figure(a).suppressed && (figure(a).value ?? 0) > 100),
  };
  const common = { areas: shown, legend, measure: measureLabel };

  return { ...common, ...(await layoutMap(db, shown)) };
}
