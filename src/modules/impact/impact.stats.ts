/** The median of some numbers (the mean of the middle two when even); null when there are none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Group {
  firms: number;
  /** Median change of the overall readiness score (points, 0–100 scale). */
  median: number | null;
  suppressed: boolean;
}

/**
 * One group of firms as a reader may see it: for a protected reader a group of 1 to k-1 firms
 * shows neither its size nor its median (a median of one or two firms is their own change).
 */
export function group(changes: readonly number[], k: number, protectedReader: boolean): Group {
  if (protectedReader && changes.length > 0 && changes.length < k)
    return { firms: 0, median: null, suppressed: true };
  return { firms: changes.length, median: median(changes), suppressed: false };
}
