import {
  protect,
  type DisclosureRules,
  type Line,
  type StatCell,
  type SuppressionReason,
} from '../../lib/disclosure';

/*
 * Filters by priority and period (the cross-filter leak). A reader who may filter can subtract
 * views: a cell's workers for all priorities are its high + medium + low, and for all periods
 * the sum over its periods; so "total minus high minus medium" gave a hidden "low" while each
 * filter was protected on its own (test/needs/attacker.test.ts shows it, then that it is gone).
 *
 * What is done (filter-protection.ts): the unfiltered view keeps its own pattern H (protectTree
 * below). Every filtered view hides ONE common set G of cells (territory × dim value), empty
 * ones included (shown hidden, not as zero): G contains H, every cell that is sensitive under
 * some filter, and the complements protectTree adds to make G a safe pattern of the unfiltered
 * tables. Why it holds: the tables of every filter have the same lines, so a change d of the
 * hidden values that keeps one filter's lines (G safe: one exists for each hidden cell) keeps
 * them all; adding d under (high, Q1) and (low, Q2) and subtracting it under (low, Q1) and
 * (high, Q2) keeps every sum across priorities and periods too, so no combination of views pins
 * a hidden filtered cell (and the unfiltered ones are covered by H alone). Solving one joint
 * system of all filters was exact too but cubic in its size: minutes at 10k lines. Cost: under
 * filters, a cell sensitive in any filter is hidden in all of them.
 *
 * Dominance reads maxFirmWorkers, which the aggregate knows exactly only when one firm holds
 * more than half a cell (needs/aggregate.ts): a dominance threshold below 1/2 is refused.
 */

/** The dims a reader may pivot by; each is its own published table sharing the totals column. */
export const PIVOT_DIMS = ['area', 'skill', 'section', 'size'] as const;
export type PivotDim = (typeof PIVOT_DIMS)[number];

export interface ViewCell {
  territory: string;
  dim: string;
  value: string;
  firms: number;
  workers: number;
  maxFirmWorkers: number;
  /** The filter it was counted under (cutId); absent = no filter. */
  cut?: string;
}

/** A cell's id in a view: the total of a territory is `code|*`, a dim value `code|dim|value`. */
export const cellId = (territory: string, dim: string, value: string) =>
  dim === 'total' ? `${territory}|*` : `${territory}|${dim}|${value}`;

export const PRIORITIES = ['high', 'medium', 'low'] as const;
/** A filter by priority and period ('*' = all). */
export const cutId = (priority: string, period: string) => `${priority}/${period}`;
const NO_FILTER = cutId('*', '*');

/** A cell's id across filters: the plain cellId for the unfiltered view, else prefixed. */
export const linkedId = (cut: string | undefined, id: string) =>
  cut === undefined || cut === NO_FILTER ? id : `${cut}#${id}`;
const idOf = (c: ViewCell) => linkedId(c.cut, cellId(c.territory, c.dim, c.value));

export type Status = SuppressionReason | null;

/**
 * The protection of one level of the tree: territory `parent` with its `children` as rows, under
 * one filter (priority, period). Every table a reader can open at this level — one per pivot dim,
 * all sharing the totals column — is protected as one system of lines, so a row total hidden for
 * one pivot is hidden in all of them and no combination of the tables solves a hidden cell.
 * `fixedRow` carries the statuses of the parent's own row as published one level up (absent at
 * the top of the campaign), and any cell forced hidden from below: a cell keeps one status
 * wherever it appears.
 *
 * Returns the status of every non-empty cell of the level, and any cell left exposed (none unless
 * the fixed row leaves no safe pattern).
 */
export function protectLevel(input: {
  parent: string;
  children: readonly string[];
  cells: readonly ViewCell[];
  rules: DisclosureRules;
  fixedRow?: ReadonlyMap<string, Status>;
  /** Each skill's area: a territory's area cell is the sum of its skills' cells. */
  areaOf?: ReadonlyMap<string, string>;
}): { status: Map<string, Status>; exposed: string[] } {
  const { parent, children, rules } = input;
  if (rules.dominance < 0.5) throw new Error('dominance below 1/2: the aggregate cannot decide it');
  const stat = (c: ViewCell): StatCell => ({
    id: idOf(c),
    firms: c.firms,
    workers: c.workers,
    maxFirmWorkers: c.maxFirmWorkers,
  });
  const cells = input.cells.map(stat);
  const fixed = new Map<string, Status>();
  for (const [id, s] of input.fixedRow ?? []) fixed.set(id, s);
  const totalOf = (t: string) => cellId(t, 'total', '*');
  const lines: Line[] = [{ total: totalOf(parent), parts: children.map(totalOf) }];
  for (const dim of PIVOT_DIMS) {
    const values = [...new Set(input.cells.filter((c) => c.dim === dim).map((c) => c.value))];
    for (const t of [parent, ...children])
      lines.push({ total: totalOf(t), parts: values.map((v) => cellId(t, dim, v)) });
    for (const v of values)
      lines.push({ total: cellId(parent, dim, v), parts: children.map((c) => cellId(c, dim, v)) });
  }
  // The area and skill tables are one hierarchy: an area's workers are its skills' workers, so
  // an area whose only answered skill is published would give the hidden area away (and its
  // siblings by subtraction from the row total), were the two tables protected apart.
  const skillsOf = new Map<string, string[]>();
  for (const v of new Set(input.cells.filter((c) => c.dim === 'skill').map((c) => c.value))) {
    const area = input.areaOf?.get(v);
    if (area !== undefined) skillsOf.set(area, [...(skillsOf.get(area) ?? []), v]);
  }
  for (const t of [parent, ...children])
    for (const [area, skills] of skillsOf)
      lines.push({
        total: cellId(t, 'area', area),
        parts: skills.map((v) => cellId(t, 'skill', v)),
      });
  const result = protect({ cells, lines, rules, fixed });
  const status = new Map<string, Status>(
    cells.map((c) => [c.id, result.suppressed.get(c.id) ?? null]),
  );
  return { status, exposed: result.exposed };
}

/**
 * The protection of a whole campaign tree under one filter, so every reader, page, export and API
 * call sees one pattern. Levels are solved top-down, each with its parent's row as published one
 * level up. A level left with a solvable cell (its fixed row admits no safe pattern) sends the
 * published row cells of its lines back up as forced complements, and the tree is solved again:
 * the forced set only grows, so this ends.
 */
export function protectTree(input: {
  root: string;
  childrenOf: ReadonlyMap<string, readonly string[]>;
  cells: readonly ViewCell[];
  rules: DisclosureRules;
  /** Cells to hide whatever their numbers (as complements). */
  forced?: Iterable<string>;
  /** Each skill's area (see protectLevel). */
  areaOf?: ReadonlyMap<string, string>;
}): { status: Map<string, Status>; exposed: string[] } {
  const byTerritory = new Map<string, ViewCell[]>();
  for (const c of input.cells) {
    const list = byTerritory.get(c.territory) ?? [];
    list.push(c);
    byTerritory.set(c.territory, list);
  }
  const forced = new Set<string>(input.forced);
  for (;;) {
    const status = new Map<string, Status>();
    const exposed: string[] = [];
    let more = false;
    const queue = [input.root];
    while (queue.length) {
      const parent = queue.shift()!;
      const children = (input.childrenOf.get(parent) ?? []).filter((c) => byTerritory.has(c));
      if (!children.length && parent !== input.root) continue;
      const cells = [parent, ...children].flatMap((t) => byTerritory.get(t) ?? []);
      const fixedRow = new Map<string, Status>();
      if (parent !== input.root)
        for (const c of byTerritory.get(parent) ?? []) {
          const id = idOf(c);
          fixedRow.set(id, status.get(id) ?? null);
        }
      const ids = new Set(cells.map(idOf));
      for (const id of forced) if (!fixedRow.has(id) && ids.has(id)) fixedRow.set(id, 'complement');
      const r = protectLevel({
        parent,
        children,
        cells,
        rules: input.rules,
        fixedRow,
        areaOf: input.areaOf,
      });
      for (const [id, s] of r.status) if (!status.has(id) || s) status.set(id, s);
      if (r.exposed.length) {
        // Force the smallest published cell of the parent's row: it is what pins them down.
        const dims = new Set(r.exposed.map((id) => id.split('|')[1]));
        const candidate = (byTerritory.get(parent) ?? [])
          .filter((c) => {
            const id = idOf(c);
            return parent !== input.root && !forced.has(id) && status.get(id) === null;
          })
          .sort(
            (a, b) =>
              Number(dims.has(b.dim === 'total' ? '*' : b.dim)) -
                Number(dims.has(a.dim === 'total' ? '*' : a.dim)) ||
              a.workers - b.workers ||
              a.firms - b.firms,
          )[0];
        if (candidate) {
          forced.add(idOf(candidate));
          more = true;
          break;
        }
        exposed.push(...r.exposed);
      }
      queue.push(...children);
    }
    if (!more) return { status, exposed };
  }
}
