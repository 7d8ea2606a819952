import { simplifyLine, type Rings } from '../../boundaries/geometry';

/** Web Mercator, unscaled: x in radians of longitude, y growing southwards as SVG's does. */
export function mercator(lon: number, lat: number): [number, number] {
  const phi = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
  return [(lon * Math.PI) / 180, -Math.log(Math.tan(Math.PI / 4 + phi / 2))];
}

export interface Fit {
  width: number;
  height: number;
  project: (lon: number, lat: number) => [number, number];
}

/**
 * A projection that fits the given lon/lat points into a box `width` wide (height following the
 * shape, at most `maxHeight`), with `pad` pixels around.
 */
export function fitMercator(
  points: Iterable<readonly [number, number]>,
  width: number,
  maxHeight: number,
  pad = 4,
): Fit {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon, lat] of points) {
    const [x, y] = mercator(lon, lat);
    [minX, maxX, minY, maxY] = [
      Math.min(minX, x),
      Math.max(maxX, x),
      Math.min(minY, y),
      Math.max(maxY, y),
    ];
  }
  if (!Number.isFinite(minX))
    return { width, height: width, project: () => [width / 2, width / 2] };
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((width - 2 * pad) / spanX, (maxHeight - 2 * pad) / spanY);
  const height = Math.ceil(spanY * scale + 2 * pad);
  const offsetX = (width - spanX * scale) / 2;
  return {
    width,
    height,
    project: (lon, lat) => {
      const [x, y] = mercator(lon, lat);
      return [(x - minX) * scale + offsetX, (y - minY) * scale + pad];
    },
  };
}

/**
 * An SVG path for one territory: projected, simplified to `tolerance` pixels, rounded to whole
 * pixels and written with relative moves, which is what keeps a map of 107 provinces small.
 * Rings that shrink below `minArea` square pixels (specks of islands) are left out, but never
 * the largest one.
 */
export function pathOf(
  rings: Rings,
  project: Fit['project'],
  tolerance = 0.5,
  minArea = 3,
): string {
  const drawn: { ring: number[][]; area: number }[] = [];
  for (const polygon of rings)
    for (const ring of polygon) {
      const projected = ring.map(([lon, lat]) => project(lon!, lat!));
      const simple = simplifyLine(projected, tolerance).map(([x, y]) => [
        Math.round(x!),
        Math.round(y!),
      ]);
      const unique = simple.filter(
        (p, i) => i === 0 || p[0] !== simple[i - 1]![0] || p[1] !== simple[i - 1]![1],
      );
      let area = 0;
      for (let i = 0, j = unique.length - 1; i < unique.length; j = i++)
        area += (unique[j]![0]! - unique[i]![0]!) * (unique[j]![1]! + unique[i]![1]!);
      drawn.push({ ring: unique, area: Math.abs(area) / 2 });
    }
  const largest = Math.max(0, ...drawn.map((d) => d.area));
  let d = '';
  for (const { ring, area } of drawn) {
    if (ring.length < 3 || (area < minArea && area < largest)) continue;
    const [x0, y0] = ring[0]!;
    d += `M${x0} ${y0}`;
    let [px, py] = [x0!, y0!];
    let first = true;
    for (const [x, y] of ring.slice(1)) {
      if (x === x0 && y === y0) continue;
      const dx = x! - px;
      const dy = y! - py;
      d += `${first ? 'l' : dx < 0 ? '' : ' '}${dx}${dy < 0 ? '' : ' '}${dy}`;
      first = false;
      [px, py] = [x!, y!];
    }
    d += 'z';
  }
  return d;
}
