import type { Executor } from '../../db';
import { boundariesFor } from '../boundaries/boundaries.repository';
import { toRings } from '../boundaries/geometry';
import { BUILTIN_CENTROIDS } from '../needs/map/centroids';
import { classOf, EMPTY_FILL, quantileClasses, type MapClass } from '../needs/map/classes';
import { fitMercator, pathOf } from '../needs/map/projection';
import { abbreviations, tileGrid } from '../needs/map/tilegrid';
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

const WIDTH = 600;
const MAX_HEIGHT = 720;
const TILE = 44;
/** Areas with needs and no worker covered yet: white, apart from "no needs" and every class. */
const UNCOVERED_FILL = '#ffffff';

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
  };
  const common = { areas: shown, legend, measure: measureLabel };

  const outlines = await boundariesFor(
    db,
    shown.map((s) => s.code),
  );
  const byCode = new Map(outlines.map((o) => [o.code, o]));
  if (outlines.length && shown.every((s) => byCode.has(s.code))) {
    const rings = shown.map((s) => toRings(byCode.get(s.code)!.geometry));
    const fit = fitMercator(
      rings.flatMap((r) => r.flatMap((p) => p[0]!.map((pt) => [pt[0]!, pt[1]!] as const))),
      WIDTH,
      MAX_HEIGHT,
    );
    const shapes = shown.map((s, i) => ({ ...s, d: pathOf(rings[i]!, fit.project) }));
    return { ...common, kind: 'choropleth' as const, width: fit.width, height: fit.height, shapes };
  }
  const centres = shown.flatMap((s) => {
    const o = byCode.get(s.code);
    const c = o ? ([o.centroid_lon, o.centroid_lat] as const) : BUILTIN_CENTROIDS[s.code];
    return c ? [{ code: s.code, lon: c[0], lat: c[1] }] : [];
  });
  const grid = new Map(tileGrid(centres).map((g) => [g.code, g]));
  const placed = shown.filter((s) => grid.has(s.code));
  const labels = abbreviations(placed.map((s) => s.name));
  const tiles = placed.map((s, i) => {
    const g = grid.get(s.code)!;
    return {
      ...s,
      x: g.col * TILE + 2,
      y: g.row * TILE + 2,
      size: TILE - 4,
      labelX: g.col * TILE + TILE / 2,
      labelY: g.row * TILE + TILE / 2 + 4,
      label: labels[i],
    };
  });
  return {
    ...common,
    kind: 'tiles' as const,
    width: Math.max(0, ...tiles.map((x) => x.x)) + TILE,
    height: Math.max(0, ...tiles.map((x) => x.y)) + TILE,
    tiles,
    unplaced: shown
      .filter((s) => !grid.has(s.code))
      .map((s) => s.name)
      .join(', '),
  };
}
