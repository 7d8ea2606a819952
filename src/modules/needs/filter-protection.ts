import { primaryReason, type DisclosureRules, type SuppressionReason } from '../../lib/disclosure';
import { cellId, cutId, PRIORITIES, protectTree, type ViewCell } from './protection';

const NO_FILTER = cutId('*', '*');

/** The hidden cells of a view (cellId → reason). */
export type Pattern = Map<string, SuppressionReason>;

const hiddenOf = (status: Map<string, SuppressionReason | null>): Pattern =>
  new Map([...status].filter((e): e is [string, SuppressionReason] => e[1] !== null));

/**
 * The two patterns of a campaign (see the comment at the top of protection.ts): `unfiltered`
 * for the view of every priority and period, `filtered` (the set G) hidden in every view by
 * priority and/or period, empty cells included. `base` = the unfiltered cells of every level;
 * `sensitive` = the cells (cellId) that fall under k firms or dominance in some filtered view.
 */
export function protectViews(input: {
  root: string;
  childrenOf: ReadonlyMap<string, readonly string[]>;
  base: readonly ViewCell[];
  sensitive: Iterable<string>;
  rules: DisclosureRules;
  /** Each skill's area (see protectLevel). */
  areaOf?: ReadonlyMap<string, string>;
}): { unfiltered: Pattern; filtered: Pattern } {
  const { root, childrenOf, base: cells, rules, areaOf } = input;
  const unfiltered = hiddenOf(protectTree({ root, childrenOf, cells, rules, areaOf }).status);
  const forced = new Set([...input.sensitive, ...unfiltered.keys()]);
  const filtered = hiddenOf(protectTree({ root, childrenOf, cells, rules, forced, areaOf }).status);
  return { unfiltered, filtered };
}

/** The reason a hidden cell of a filtered view gives: its own sensitivity, else complement. */
export const filteredReason = (c: ViewCell, rules: DisclosureRules): SuppressionReason =>
  primaryReason({ ...c, id: '' }, rules) ?? 'complement';

/**
 * Every view's pattern from the cells of every filter (`cut` set): what pages, exports and the
 * API show, by filter. Used by the tests; the app reads the sensitive cells from SQL instead.
 * A campaign answered for one period only has one view by period: the unfiltered one.
 */
export function protectFilters(input: {
  root: string;
  childrenOf: ReadonlyMap<string, readonly string[]>;
  cells: readonly ViewCell[];
  rules: DisclosureRules;
  areaOf?: ReadonlyMap<string, string>;
}): Map<string, Pattern> {
  const { rules } = input;
  const isBase = (c: ViewCell) => (c.cut ?? NO_FILTER) === NO_FILTER;
  const filteredCells = input.cells.filter((c) => !isBase(c));
  const sensitive = filteredCells
    .filter((c) => primaryReason({ ...c, id: '' }, rules))
    .map((c) => cellId(c.territory, c.dim, c.value));
  const base = input.cells.filter(isBase);
  const { unfiltered, filtered } = protectViews({ ...input, base, sensitive });
  const patterns = new Map<string, Pattern>([[NO_FILTER, unfiltered]]);
  const periods = [
    ...new Set(filteredCells.map((c) => c.cut!.split('/')[1]!).filter((q) => q !== '*')),
  ];
  for (const p of ['*', ...PRIORITIES])
    for (const q of new Set(['*', ...periods]))
      if (p === '*' && periods.length === 1) patterns.set(cutId(p, q), unfiltered);
      else if (cutId(p, q) !== NO_FILTER) {
        const pattern: Pattern = new Map([...filtered.keys()].map((id) => [id, 'complement']));
        for (const c of filteredCells.filter((x) => x.cut === cutId(p, q))) {
          const id = cellId(c.territory, c.dim, c.value);
          if (pattern.has(id)) pattern.set(id, filteredReason(c, rules));
        }
        patterns.set(cutId(p, q), pattern);
      }
  return patterns;
}
