/**
 * Statistical disclosure control for tables of firm counts and workers (pure, no I/O). Pages,
 * exports and the API all publish through this one implementation.
 *
 * Primary suppression hides a cell with fewer than k firms, or where one firm holds more than
 * `dominance` of the workers. Secondary suppression then hides complements until no hidden value
 * can be solved for from the published ones: every line (a total and the parts that add up to
 * it) has zero or at least two hidden cells, and a final audit solves the whole system of line
 * equations (exact rank test) and adds complements while any hidden cell is still determined.
 * Complements are the smallest cells of the line, so the least information is lost.
 */

export interface DisclosureRules {
  /** Minimum number of firms for a cell to be published. */
  k: number;
  /** Largest share of a cell's workers one firm may hold (0.8 = 80 %). */
  dominance: number;
}

export const DEFAULT_RULES: DisclosureRules = { k: 3, dominance: 0.8 };

/**
 * Why a figure is hidden. The solver gives the first three; 'unpublished' is never solved for:
 * the needs of a survey still open, withheld from readers outside the institutions until it
 * closes (modules/needs/publication.ts).
 */
export type SuppressionReason = 'threshold' | 'dominance' | 'complement' | 'unpublished';

export interface StatCell {
  id: string;
  firms: number;
  workers: number;
  /** The workers of the largest single firm in the cell. */
  maxFirmWorkers: number;
}

/** `total` = sum of `parts`. Ids missing from the cells are empty: zero, and known to be so. */
export interface Line {
  total: string;
  parts: readonly string[];
}

export interface ProtectionInput {
  cells: readonly StatCell[];
  lines: readonly Line[];
  rules: DisclosureRules;
  /**
   * Cells whose status was decided in a table published before (a parent level, a shared total
   * column): null = published, a reason = suppressed. They are never picked as complements.
   */
  fixed?: ReadonlyMap<string, SuppressionReason | null>;
}

export interface Protection {
  suppressed: Map<string, SuppressionReason>;
  /** Hidden cells that could still be solved for (only when fixed cells leave no complement). */
  exposed: string[];
}

export function primaryReason(cell: StatCell, rules: DisclosureRules): SuppressionReason | null {
  if (cell.firms <= 0) return null;
  if (cell.firms < rules.k) return 'threshold';
  if (cell.workers > 0 && cell.maxFirmWorkers > rules.dominance * cell.workers) return 'dominance';
  return null;
}

export function protect(input: ProtectionInput): Protection {
  const cells = new Map(input.cells.filter((c) => c.firms > 0).map((c) => [c.id, c]));
  const fixed = input.fixed ?? new Map<string, SuppressionReason | null>();
  const suppressed = new Map<string, SuppressionReason>();
  for (const cell of cells.values()) {
    // A fixed status stands, except that a sensitive cell is hidden whatever was said before.
    const reason = primaryReason(cell, input.rules) ?? fixed.get(cell.id) ?? null;
    if (reason) suppressed.set(cell.id, reason);
  }
  const lines = input.lines
    .map((l) => [l.total, ...l.parts].filter((id) => cells.has(id)))
    .filter((members) => members.length > 1);

  // A cell whose line is otherwise all published before is known already: hiding it hides nothing.
  const known = (id: string) =>
    lines.some(
      (m) => m.includes(id) && m.every((o) => o === id || (fixed.has(o) && !suppressed.has(o))),
    );
  const smallestFree = (members: string[]) =>
    members
      .filter((id) => !suppressed.has(id) && !fixed.has(id) && !known(id))
      .map((id) => cells.get(id)!)
      .sort((a, b) => a.workers - b.workers || a.firms - b.firms || a.id.localeCompare(b.id))[0];

  // The smallest free cell in the lines of `id`; if those have none, in the lines one step
  // further (cells sharing a line with them), and so on: some equation there pins `id` down.
  const nearestComplement = (id: string) => {
    let reached = new Set([id]);
    for (;;) {
      const near = lines.filter((m) => m.some((o) => reached.has(o)));
      const found = smallestFree(near.flat());
      if (found) return found;
      const next = new Set(near.flat());
      if (next.size === reached.size) return undefined;
      reached = next;
    }
  };

  let exposed: string[];
  for (;;) {
    let changed = false;
    for (const members of lines) {
      if (members.filter((id) => suppressed.has(id)).length !== 1) continue;
      const complement = smallestFree(members);
      if (complement) {
        suppressed.set(complement.id, 'complement');
        changed = true;
      }
    }
    if (changed) continue;
    // Every line now hides none or several; combinations of lines may still pin a cell down.
    exposed = determinedCells([...suppressed.keys()], lines);
    for (const id of exposed) {
      const complement = nearestComplement(id);
      if (complement) {
        suppressed.set(complement.id, 'complement');
        changed = true;
        break;
      }
    }
    if (!changed) return { suppressed, exposed };
  }
}

/**
 * The hidden cells whose value follows from the published ones: x is determined exactly when the
 * unit vector of x lies in the row space of the line equations restricted to the hidden cells.
 * Gaussian elimination to reduced row echelon form on small integer matrices (0/±1 entries).
 */
export function determinedCells(hidden: readonly string[], lines: readonly string[][]): string[] {
  const index = new Map(hidden.map((id, i) => [id, i]));
  const rows: number[][] = [];
  for (const members of lines) {
    const row = new Array<number>(hidden.length).fill(0);
    let any = false;
    members.forEach((id, pos) => {
      const i = index.get(id);
      if (i === undefined) return;
      row[i] = pos === 0 ? 1 : -1;
      any = true;
    });
    if (any) rows.push(row);
  }
  const pivots: { row: number[]; col: number }[] = [];
  for (const row of rows) {
    for (const p of pivots) {
      const f = row[p.col]!;
      if (f !== 0) for (let j = 0; j < row.length; j++) row[j]! -= f * p.row[j]!;
    }
    const col = row.findIndex((v) => Math.abs(v) > 1e-9);
    if (col < 0) continue;
    const f = row[col]!;
    for (let j = 0; j < row.length; j++) row[j]! /= f;
    for (const p of pivots) {
      const g = p.row[col]!;
      if (g !== 0) for (let j = 0; j < row.length; j++) p.row[j]! -= g * row[j]!;
    }
    pivots.push({ row, col });
  }
  return pivots
    .filter((p) => p.row.every((v, j) => j === p.col || Math.abs(v) < 1e-9))
    .map((p) => hidden[p.col]!);
}
