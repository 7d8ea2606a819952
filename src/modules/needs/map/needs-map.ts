import type { Executor } from '../../../db';
import type { SessionUser } from '../../../http/types';
import { boundariesFor } from '../../boundaries/boundaries.repository';
import { toRings } from '../../boundaries/geometry';
import { localName } from '../../reference/territories.repository';
import type { PageQuery } from '../needs.schemas';
import { needsAggregate, type NeedsAggregate, type PublishedCell } from '../needs.service';
import { BUILTIN_CENTROIDS } from './centroids';
import { classOf, EMPTY_FILL, quantileClasses, type MapClass } from './classes';
import { fitMercator, pathOf } from './projection';
import { abbreviations, tileGrid } from './tilegrid';

type T = (key: string, params?: Record<string, unknown>) => string;

export interface MapArea {
  code: string;
  name: string;
  href: string;
  /** The number shown, or null when suppressed or when no firm declared a need there. */
  value: number | null;
  text: string;
  suppressed: boolean;
  reason?: string;
  fill: string;
  ink: string;
  classLabel: string;
  title: string;
}

const WIDTH = 600;
const MAX_HEIGHT = 720;
const TILE = 44;

/** Where the map's areas come from: the rows when they are NUTS-3, else the NUTS-3 below. */
async function nuts3Cells(
  db: Executor,
  user: SessionUser,
  a: NeedsAggregate,
  q: PageQuery,
): Promise<{ rows: NeedsAggregate['rows']; cells: PublishedCell[] } | null> {
  const level = a.path.at(-1)!.level;
  if (level === 'NUTS3' || level === 'LAU') return null;
  if (level === 'NUTS2') return { rows: a.rows, cells: a.cells };
  const below = await needsAggregate(db, user, {
    campaignId: a.campaign.id,
    territory: a.territory,
    level: 'NUTS3',
    by: q.by,
    priority: q.priority ?? '*',
    period: q.period ?? '*',
  });
  return { rows: below.rows, cells: below.cells };
}

/**
 * The map of the current view: one area per NUTS-3 at or below the territory, coloured by the
 * page's measure in quantile classes, hatched where suppressed. Drawn from imported outlines
 * when every area has one, else as a tile grid. Null where the rows are comuni (no outlines).
 */
export async function needsMap(
  db: Executor,
  user: SessionUser,
  a: NeedsAggregate,
  q: PageQuery,
  ctx: { lang: string; t: T; link: (code: string) => string },
) {
  const source = await nuts3Cells(db, user, a, q);
  if (!source || !source.rows.length) return null;
  const { lang, t } = ctx;
  const totals = new Map(source.cells.filter((c) => c.value === '*').map((c) => [c.territory, c]));
  const pick = (c: PublishedCell | undefined) =>
    c && !c.suppressed ? ((q.measure === 'firms' ? c.firms : c.workers) ?? 0) : 0;
  const classes = quantileClasses(source.rows.map((r) => pick(totals.get(r.code))));
  const number = (n: number) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'it-IT');
  const measure = t(`needs.measure.${q.measure}`).toLowerCase();
  const classLabel = (c: MapClass) =>
    c.from === c.to ? number(c.from) : `${number(c.from)}–${number(c.to)}`;

  const areas: MapArea[] = source.rows.map((r) => {
    const cell = totals.get(r.code);
    const name = localName(r, lang);
    const base = { code: r.code, name, href: ctx.link(r.code) };
    if (cell?.suppressed) {
      const why = t(`needs.reasons.${cell.reason}`, { k: a.rules.k });
      const text = t('needsMap.protected');
      return {
        ...base,
        value: null,
        text,
        suppressed: true,
        reason: why,
        fill: 'url(#needs-map-hatch)',
        ink: '#1a1a1a',
        classLabel: text,
        title: `${name}: ${text} (${why})`,
      };
    }
    const value = pick(cell);
    if (value === 0) {
      const none = t('needsMap.none');
      return {
        ...base,
        value: null,
        text: '–',
        suppressed: false,
        fill: EMPTY_FILL,
        ink: '#1a1a1a',
        classLabel: none,
        title: `${name}: ${none}`,
      };
    }
    const cls = classOf(classes, value)!;
    return {
      ...base,
      value,
      text: number(value),
      suppressed: false,
      fill: cls.fill,
      ink: cls.ink,
      classLabel: classLabel(cls),
      title: `${name}: ${number(value)} ${measure}`,
    };
  });

  const legend = {
    classes: classes.map((c) => ({ fill: c.fill, label: classLabel(c) })),
    suppressed: areas.some((x) => x.suppressed),
    empty: areas.some((x) => !x.suppressed && x.value === null),
    emptyFill: EMPTY_FILL,
  };
  const outlines = await boundariesFor(
    db,
    areas.map((x) => x.code),
  );
  const byCode = new Map(outlines.map((o) => [o.code, o]));
  const common = {
    areas,
    legend,
    measure: t(`needs.measure.${q.measure}`),
    measureLower: measure,
    protected: a.protected,
  };

  if (outlines.length && areas.every((x) => byCode.has(x.code))) {
    const rings = areas.map((x) => toRings(byCode.get(x.code)!.geometry));
    const fit = fitMercator(
      rings.flatMap((r) => r.flatMap((p) => p[0]!.map((pt) => [pt[0]!, pt[1]!] as const))),
      WIDTH,
      MAX_HEIGHT,
    );
    const shapes = areas.map((x, i) => ({ ...x, d: pathOf(rings[i]!, fit.project) }));
    return { ...common, kind: 'choropleth' as const, width: fit.width, height: fit.height, shapes };
  }

  // Tile grid: centres from the outlines there are, else the built-in table.
  const centres = areas.flatMap((x) => {
    const o = byCode.get(x.code);
    const c = o ? ([o.centroid_lon, o.centroid_lat] as const) : BUILTIN_CENTROIDS[x.code];
    return c ? [{ code: x.code, lon: c[0], lat: c[1] }] : [];
  });
  const grid = new Map(tileGrid(centres).map((g) => [g.code, g]));
  const placed = areas.filter((x) => grid.has(x.code));
  const labels = abbreviations(placed.map((x) => x.name));
  const tiles = placed.map((x, i) => {
    const g = grid.get(x.code)!;
    return {
      ...x,
      x: g.col * TILE + 2,
      y: g.row * TILE + 2,
      size: TILE - 4,
      labelX: g.col * TILE + TILE / 2,
      labelY: g.row * TILE + TILE / 2 + 4,
      label: labels[i],
    };
  });
  const cols = Math.max(0, ...tiles.map((x) => x.x)) + TILE;
  const rows = Math.max(0, ...tiles.map((x) => x.y)) + TILE;
  return {
    ...common,
    kind: 'tiles' as const,
    width: cols,
    height: rows,
    tiles,
    unplaced: areas
      .filter((x) => !grid.has(x.code))
      .map((x) => x.name)
      .join(', '),
  };
}

export type NeedsMapView = NonNullable<Awaited<ReturnType<typeof needsMap>>>;
