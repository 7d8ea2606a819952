/**
 * ColorBrewer "Blues" (the darker five of six): sequential, readable by the common forms of
 * colour blindness and in greyscale print. Light to dark = few to many; its lightest still
 * stands apart from the near-white of "no needs declared".
 */
export const PALETTE = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'] as const;
/** Text on a class's colour: dark on the light ones, white on the dark ones (contrast ≥ 4.5). */
export const INK = ['#1a1a1a', '#1a1a1a', '#1a1a1a', '#ffffff', '#ffffff'] as const;
export const EMPTY_FILL = '#f7f7f7';

export interface MapClass {
  index: number;
  from: number;
  to: number;
  fill: string;
  ink: string;
}

/**
 * Up to five quantile classes of the published positive values (suppressed values never take
 * part: their place in the ranking would say something about them). Integer ranges that do not
 * overlap; fewer classes when there are fewer distinct values.
 */
export function quantileClasses(values: readonly number[], count = 5): MapClass[] {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const uppers: number[] = [];
  for (let i = 1; i <= count; i++) {
    const u = sorted[Math.ceil((i * sorted.length) / count) - 1]!;
    if (!uppers.includes(u)) uppers.push(u);
  }
  // With fewer classes than colours, spread them over the palette so the darkest still means most.
  const colour = (i: number) =>
    uppers.length === 1 ? count - 1 : Math.round((i * (count - 1)) / (uppers.length - 1));
  return uppers.map((to, i) => ({
    index: i,
    from: i === 0 ? sorted[0]! : uppers[i - 1]! + 1,
    to,
    fill: PALETTE[colour(i)]!,
    ink: INK[colour(i)]!,
  }));
}

export function classOf(classes: readonly MapClass[], value: number): MapClass | undefined {
  return classes.find((c) => value <= c.to) ?? classes.at(-1);
}
