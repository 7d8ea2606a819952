import fc from 'fast-check';
import { primaryReason } from '../../src/lib/disclosure';
import { protectFilters } from '../../src/modules/needs/filter-protection';
import {
  cellId,
  cutId,
  linkedId,
  PIVOT_DIMS,
  PRIORITIES,
  type ViewCell,
} from '../../src/modules/needs/protection';
import { byElimination, bySubtraction, type Knowledge } from './attacker';

// Root R, provinces P0 and P1, two comuni each; lines by priority and period.
const LEVELS: [string, string[]][] = [
  ['R', ['P0', 'P1']],
  ['P0', ['P0-0', 'P0-1']],
  ['P1', ['P1-0', 'P1-1']],
];
const PERIODS = ['Q1', 'Q2'];
const CUTS = ['*', ...PRIORITIES].flatMap((p) => ['*', ...PERIODS].map((q) => cutId(p, q)));
// The views of a period nobody answered for are empty, and the attacker knows it.
const pathOf = (place: string) => [place, place.split('-')[0]!, 'R'];

const firm = fc.record({
  place: fc.constantFrom('P0-0', 'P0-1', 'P1-0', 'P1-1'),
  size: fc.constantFrom('micro', 'small'),
  lines: fc.array(
    fc.record({
      area: fc.constantFrom('A1', 'A2'),
      priority: fc.constantFrom(...PRIORITIES),
      period: fc.constantFrom(...PERIODS),
      workers: fc.integer({ min: 1, max: 20 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});
type Firm = typeof firm extends fc.Arbitrary<infer F> ? F : never;

/** Every cell under every filter: firms, workers and the largest firm's share. */
function aggregate(firms: Firm[]): ViewCell[] {
  const cells = new Map<string, ViewCell & { shares: Map<number, number> }>();
  firms.forEach((f, i) => {
    for (const l of f.lines)
      for (const territory of pathOf(f.place))
        for (const cut of [
          cutId('*', '*'),
          cutId(l.priority, '*'),
          cutId('*', l.period),
          cutId(l.priority, l.period),
        ])
          for (const [dim, value] of [
            ['total', '*'],
            ['area', l.area],
            ['size', f.size],
          ] as const) {
            const id = linkedId(cut, cellId(territory, dim, value));
            const c = cells.get(id) ?? {
              ...{ territory, dim, value, cut, firms: 0, workers: 0, maxFirmWorkers: 0 },
              shares: new Map(),
            };
            c.shares.set(i, (c.shares.get(i) ?? 0) + l.workers);
            cells.set(id, c);
          }
  });
  return [...cells.values()].map(({ shares, ...c }) => ({
    ...c,
    firms: shares.size,
    workers: [...shares.values()].reduce((a, b) => a + b, 0),
    maxFirmWorkers: Math.max(...shares.values()),
  }));
}

/** Each level's tables under every filter, and the sums that link a cell across filters. */
function linesOf(cells: ViewCell[], levels: [string, string[]][]) {
  const lines: Knowledge['lines'] = [];
  const values = (dim: string) => [
    ...new Set(cells.filter((c) => c.dim === dim).map((c) => c.value)),
  ];
  for (const [parent, children] of levels)
    for (const cut of CUTS) {
      const id = (t: string, dim: string, v: string) => linkedId(cut, cellId(t, dim, v));
      lines.push({
        total: id(parent, 'total', '*'),
        parts: children.map((c) => id(c, 'total', '*')),
      });
      for (const dim of PIVOT_DIMS.filter((d) => values(d).length)) {
        for (const t of [parent, ...children])
          lines.push({ total: id(t, 'total', '*'), parts: values(dim).map((v) => id(t, dim, v)) });
        for (const v of values(dim))
          lines.push({ total: id(parent, dim, v), parts: children.map((c) => id(c, dim, v)) });
      }
      if (cut !== cutId('*', '*')) continue;
      const keys = new Set(
        cells
          .filter((c) => [parent, ...children].includes(c.territory))
          .map((c) => cellId(c.territory, c.dim, c.value)),
      );
      for (const key of keys) {
        for (const q of ['*', ...PERIODS])
          lines.push({
            total: linkedId(cutId('*', q), key),
            parts: PRIORITIES.map((p) => linkedId(cutId(p, q), key)),
          });
        for (const p of ['*', ...PRIORITIES])
          lines.push({
            total: linkedId(cutId(p, '*'), key),
            parts: PERIODS.map((q) => linkedId(cutId(p, q), key)),
          });
      }
    }
  return lines;
}

describe('protectFilters: the views by priority and period, together', () => {
  it('hides every sensitive cell and leaves nothing to solve, whatever views are subtracted', () => {
    fc.assert(
      fc.property(fc.array(firm, { maxLength: 14 }), fc.integer({ min: 2, max: 3 }), (firms, k) => {
        const cells = aggregate(firms);
        const rules = { k, dominance: 0.8 };
        const childrenOf = new Map(LEVELS);
        const patterns = protectFilters({ root: 'R', childrenOf, cells, rules });
        const hidden = new Set<string>();
        for (const [cut, pattern] of patterns)
          for (const id of pattern.keys()) hidden.add(linkedId(cut, id));
        const published = new Map<string, number>();
        for (const c of cells) {
          const id = linkedId(c.cut, cellId(c.territory, c.dim, c.value));
          if (primaryReason({ ...c, id }, rules)) expect(hidden.has(id)).toBe(true);
          if (!hidden.has(id)) published.set(id, c.workers);
        }
        const all: Knowledge = { published, hidden, lines: linesOf(cells, LEVELS) };
        expect([...bySubtraction(all).keys()]).toEqual([]);
        for (const level of LEVELS)
          expect([...byElimination({ ...all, lines: linesOf(cells, [level]) })]).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
