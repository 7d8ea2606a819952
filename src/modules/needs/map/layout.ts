import type { Executor } from '../../../db';
import { boundariesFor } from '../../boundaries/boundaries.repository';
import { toRings } from '../../boundaries/geometry';
import { BUILTIN_CENTROIDS } from './centroids';
import { fitMercator, pathOf } from './projection';
import { abbreviations, tileGrid } from './tilegrid';

const WIDTH = 600;
const MAX_HEIGHT = 720;
const TILE = 44;

/**
 * Where each area of a map goes: a choropleth when every area has an imported outline, else a
 * tile grid (each area a square placed by its centre: from its outline where there is one, else
 * the built-in table). Shared by the needs map and the dashboard's map; the areas carry whatever
 * the caller's view needs (fill, value, link) and come back with their geometry added.
 */
export async function layoutMap<A extends { code: string; name: string }>(
  db: Executor,
  areas: A[],
) {
  const outlines = await boundariesFor(
    db,
    areas.map((x) => x.code),
  );
  const byCode = new Map(outlines.map((o) => [o.code, o]));
  if (outlines.length && areas.every((x) => byCode.has(x.code))) {
    const rings = areas.map((x) => toRings(byCode.get(x.code)!.geometry));
    const fit = fitMercator(
      rings.flatMap((r) => r.flatMap((p) => p[0]!.map((pt) => [pt[0]!, pt[1]!] as const))),
      WIDTH,
      MAX_HEIGHT,
    );
    const shapes = areas.map((x, i) => ({ ...x, d: pathOf(rings[i]!, fit.project) }));
    return { kind: 'choropleth' as const, width: fit.width, height: fit.height, shapes };
  }
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
  return {
    kind: 'tiles' as const,
    width: Math.max(0, ...tiles.map((x) => x.x)) + TILE,
    height: Math.max(0, ...tiles.map((x) => x.y)) + TILE,
    tiles,
    unplaced: areas
      .filter((x) => !grid.has(x.code))
      .map((x) => x.name)
      .join(', '),
    // Outlines imported for some areas only: which ones keep the map in tiles.
    missing: outlines.length
      ? areas
          .filter((x) => !byCode.has(x.code))
          .map((x) => x.name)
          .join(', ')
      : '',
  };
}
