/**
 * The attacker: knows every published number and every additive relation between cells (a line:
 * total = sum of parts), and solves for the hidden ones. Written independently of
 * src/lib/disclosure.ts: subtraction line by line until nothing moves, then exact Gaussian
 * elimination over the whole system (BigInt, no rounding).
 */
export interface Knowledge {
  /** Published values by cell id; cells absent from both maps are empty (zero). */
  published: Map<string, number>;
  hidden: Set<string>;
  lines: { total: string; parts: string[] }[];
}

/** Hidden cells solved by subtraction along one line at a time, repeated until nothing moves. */
export function bySubtraction(k: Knowledge): Map<string, number> {
  const known = new Map(k.published);
  const solved = new Map<string, number>();
  const valueOf = (id: string) => (k.hidden.has(id) ? known.get(id) : (known.get(id) ?? 0));
  for (let moved = true; moved;) {
    moved = false;
    for (const line of k.lines) {
      const members = [line.total, ...line.parts];
      const unknown = members.filter((id) => valueOf(id) === undefined);
      if (unknown.length !== 1) continue;
      const x = unknown[0]!;
      const parts = line.parts.reduce((a, id) => a + (id === x ? 0 : valueOf(id)!), 0);
      const value = x === line.total ? parts : valueOf(line.total)! - parts;
      known.set(x, value);
      solved.set(x, value);
      moved = true;
    }
  }
  return solved;
}

/** Hidden cells determined by the system of all lines together (exact rank test). */
export function byElimination(k: Knowledge): Set<string> {
  const unknowns = [...k.hidden];
  const col = new Map(unknowns.map((id, i) => [id, i]));
  const rows: bigint[][] = [];
  for (const line of k.lines) {
    const row = unknowns.map(() => 0n);
    [line.total, ...line.parts].forEach((id, pos) => {
      const i = col.get(id);
      if (i !== undefined) row[i]! += pos === 0 ? 1n : -1n;
    });
    if (row.some((v) => v !== 0n)) rows.push(row);
  }
  // Fraction-free reduction to reduced row echelon form.
  const pivots: { row: bigint[]; col: number }[] = [];
  for (const row of rows) {
    for (const p of pivots) eliminate(row, p.row, p.col);
    const c = row.findIndex((v) => v !== 0n);
    if (c < 0) continue;
    for (const p of pivots) eliminate(p.row, row, c);
    pivots.push({ row, col: c });
  }
  return new Set(
    pivots
      .filter((p) => p.row.every((v, j) => j === p.col || v === 0n))
      .map((p) => unknowns[p.col]!),
  );
}

function eliminate(target: bigint[], pivot: bigint[], c: number) {
  const f = target[c]!;
  if (f === 0n) return;
  const p = pivot[c]!;
  for (let j = 0; j < target.length; j++) target[j] = target[j]! * p - pivot[j]! * f;
  // Keep the integers small: divide the row by the gcd of its entries.
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const g = target.reduce((a, v) => gcd(a, abs(v)), 0n);
  if (g > 1n) for (let j = 0; j < target.length; j++) target[j] = target[j]! / g;
}
