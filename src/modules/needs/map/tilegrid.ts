import { mercator } from './projection';

export interface Tile {
  code: string;
  col: number;
  row: number;
}

/**
 * Places each territory on a square grid near where it lies: the centres are projected and
 * scaled so the grid has about three cells per territory (fewer for a region), then each territory, in order of how
 * crowded its neighbourhood is (most crowded first, so cities don't get pushed out to sea by
 * emptier neighbours), takes the free cell nearest its true position. Deterministic: ties go by
 * code. Columns and rows start at 0.
 */
export function tileGrid(centres: readonly { code: string; lon: number; lat: number }[]): Tile[] {
  if (!centres.length) return [];
  const pts = centres.map((c) => {
    const [x, y] = mercator(c.lon, c.lat);
    return { code: c.code, x, y };
  });
  const minX = Math.min(...pts.map((p) => p.x));
  const minY = Math.min(...pts.map((p) => p.y));
  const spanX = Math.max(...pts.map((p) => p.x)) - minX;
  const spanY = Math.max(...pts.map((p) => p.y)) - minY;
  // A country has room to spare (sea, mountains); a region fills its box more.
  const perTerritory = pts.length > 40 ? 3 : 1.4;
  const cell =
    Math.sqrt((Math.max(spanX, 1e-6) * Math.max(spanY, 1e-6)) / (pts.length * perTerritory)) || 1;
  const scaled = pts.map((p) => ({ code: p.code, x: (p.x - minX) / cell, y: (p.y - minY) / cell }));
  const crowd = (p: { x: number; y: number }) =>
    scaled.filter((q) => Math.hypot(q.x - p.x, q.y - p.y) < 1.5).length;
  const order = scaled
    .map((p) => ({ ...p, crowd: crowd(p) }))
    .sort((a, b) => b.crowd - a.crowd || a.code.localeCompare(b.code));
  const taken = new Set<string>();
  const tiles: Tile[] = [];
  for (const p of order) {
    let best: { col: number; row: number; d: number } | null = null;
    for (let r = 0; !best || r <= Math.ceil(Math.sqrt(best.d)) + 1; r++)
      for (let col = Math.round(p.x) - r; col <= Math.round(p.x) + r; col++)
        for (let row = Math.round(p.y) - r; row <= Math.round(p.y) + r; row++) {
          if (taken.has(`${col},${row}`)) continue;
          const d = (col - p.x) ** 2 + (row - p.y) ** 2;
          if (!best || d < best.d - 1e-9) best = { col, row, d };
        }
    taken.add(`${best!.col},${best!.row}`);
    tiles.push({ code: p.code, col: best!.col, row: best!.row });
  }
  const c0 = Math.min(...tiles.map((t) => t.col));
  const r0 = Math.min(...tiles.map((t) => t.row));
  return tiles
    .map((t) => ({ code: t.code, col: t.col - c0, row: t.row - r0 }))
    .sort((a, b) => a.row - b.row || a.col - b.col);
}

/**
 * Three-letter labels for tiles, unique within the map: the first three letters of the name,
 * or, on a clash (Bari, Barletta), the first two and the next letter that tells them apart.
 */
export function abbreviations(names: readonly string[]): string[] {
  const letters = (n: string) =>
    n
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toUpperCase();
  const used = new Set<string>();
  return names.map((n) => {
    const l = letters(n) || '???';
    let label = l.slice(0, 3);
    for (let i = 3; used.has(label) && i < l.length; i++) label = l.slice(0, 2) + l[i];
    used.add(label);
    return label;
  });
}
