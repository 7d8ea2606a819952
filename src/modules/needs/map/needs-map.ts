import type { Executor } from '../../../db';
import type { SessionUser } from '../../../http/types';
import { formatNumber } from '../../../lib/format';
import { localName } from '../../reference/territories.repository';
import type { PageQuery } from '../needs.schemas';
import { needsAggregate, type NeedsAggregate, type PublishedCell } from '../needs.service';
import { classOf, EMPTY_FILL, quantileClasses, type MapClass } from './classes';
import { layoutMap } from './layout';

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
  const number = (n: number) => formatNumber(n, lang);
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
  const common = {
    areas,
    legend,
    measure: t(`needs.measure.${q.measure}`),
    measureLower: measure,
    protected: a.protected,
  };
  return { ...common, ...(await layoutMap(db, areas)) };
}

export type NeedsMapView = NonNullable<Awaited<ReturnType<typeof needsMap>>>;
