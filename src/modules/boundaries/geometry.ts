import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Every outline as a list of polygons, each a list of rings (outer first, then holes). */
export type Rings = number[][][][];

export function toRings(g: Polygon | MultiPolygon): Rings {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function fromRings(rings: Rings): Polygon | MultiPolygon {
  return rings.length === 1
    ? { type: 'Polygon', coordinates: rings[0]! }
    : { type: 'MultiPolygon', coordinates: rings };
}

export const countPoints = (rings: Rings) =>
  rings.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);

/** Twice the signed area (shoelace); the sign tells the winding, the size is all we use. */
function area2(ring: readonly Position[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    s += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return s;
}

export const ringArea = (ring: readonly Position[]) => Math.abs(area2(ring)) / 2;

/** Squared distance from p to the segment a–b. */
function segmentDist2(p: Position, a: Position, b: Position): number {
  const [px, py] = [p[0]!, p[1]!];
  let [x, y] = [a[0]!, a[1]!];
  const dx = b[0]! - x;
  const dy = b[1]! - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) [x, y] = [b[0]!, b[1]!];
    else if (t > 0) [x, y] = [x + dx * t, y + dy * t];
  }
  return (px - x) ** 2 + (py - y) ** 2;
}

/** Douglas–Peucker on an open polyline, iterative (a province ring has thousands of points). */
export function simplifyLine(points: readonly Position[], tolerance: number): Position[] {
  if (points.length <= 2) return [...points];
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const tol2 = tolerance * tolerance;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop()!;
    let maxD = 0;
    let index = 0;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDist2(points[i]!, points[first]!, points[last]!);
      if (d > maxD) [maxD, index] = [d, i];
    }
    if (maxD > tol2) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

/**
 * A closed ring simplified: split at the point farthest from the first so that both halves keep
 * their shape, then each half by Douglas–Peucker. Null when it collapses below a triangle.
 */
export function simplifyRing(ring: readonly Position[], tolerance: number): Position[] | null {
  if (ring.length < 4) return null;
  const open = ring.slice(0, -1);
  let far = 0;
  let best = -1;
  for (let i = 1; i < open.length; i++) {
    const d = (open[i]![0]! - open[0]![0]!) ** 2 + (open[i]![1]! - open[0]![1]!) ** 2;
    if (d > best) [best, far] = [d, i];
  }
  const a = simplifyLine(open.slice(0, far + 1), tolerance);
  const b = simplifyLine([...open.slice(far), open[0]!], tolerance);
  const out = [...a, ...b.slice(1)];
  return out.length >= 4 ? out : null;
}

/** Rounds every coordinate to `digits` decimals and drops points that then repeat. */
function roundRing(ring: readonly Position[], digits: number): Position[] {
  const f = 10 ** digits;
  const out: Position[] = [];
  for (const p of ring) {
    const q = [Math.round(p[0]! * f) / f, Math.round(p[1]! * f) / f];
    const last = out.at(-1);
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  return out;
}

/**
 * Simplifies every ring; a polygon whose outer ring collapses (a speck of an island) goes. If
 * everything would go, the largest polygon is kept as it was: a territory never loses its shape.
 */
export function simplifyRings(rings: Rings, tolerance: number, digits: number): Rings {
  const out: Rings = [];
  for (const polygon of rings) {
    const outer = simplifyRing(polygon[0]!, tolerance);
    if (!outer) continue;
    const holes = polygon
      .slice(1)
      .map((r) => simplifyRing(r, tolerance))
      .filter((r): r is Position[] => r !== null);
    const roundedOuter = roundRing(outer, digits);
    if (roundedOuter.length < 4) continue;
    const roundedHoles = holes.map((r) => roundRing(r, digits)).filter((r) => r.length >= 4);
    out.push([roundedOuter, ...roundedHoles]);
  }
  if (out.length) return out;
  const largest = [...rings].sort((x, y) => ringArea(y[0]!) - ringArea(x[0]!))[0];
  return largest ? [largest] : [];
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function bbox(all: Iterable<Rings>): Box {
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const rings of all)
    for (const polygon of rings)
      for (const p of polygon[0] ?? []) {
        b.minX = Math.min(b.minX, p[0]!);
        b.maxX = Math.max(b.maxX, p[0]!);
        b.minY = Math.min(b.minY, p[1]!);
        b.maxY = Math.max(b.maxY, p[1]!);
      }
  return b;
}

/** The area-weighted centroid of the outer rings (holes are small next to a province). */
export function centroid(rings: Rings): [number, number] {
  let sx = 0;
  let sy = 0;
  let sa = 0;
  for (const polygon of rings) {
    const r = polygon[0]!;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const cross = r[j]![0]! * r[i]![1]! - r[i]![0]! * r[j]![1]!;
      sx += (r[j]![0]! + r[i]![0]!) * cross;
      sy += (r[j]![1]! + r[i]![1]!) * cross;
      sa += cross;
    }
  }
  if (sa === 0) {
    const b = bbox([rings]);
    return [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2];
  }
  return [sx / (3 * sa), sy / (3 * sa)];
}
