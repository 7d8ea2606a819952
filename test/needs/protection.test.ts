import fc from 'fast-check';
import { primaryReason } from '../../src/lib/disclosure';
import { cellId, PIVOT_DIMS, protectTree, type ViewCell } from '../../src/modules/needs/protection';
import { byElimination, bySubtraction, type Knowledge } from './attacker';

// A two-level tree: root R, provinces P0..P2, comuni Pi-0..Pi-2.
const PROVINCES = ['P0', 'P1', 'P2'];
const comuniOf = (p: string) => [0, 1, 2].map((i) => `${p}-${i}`);
const parentOf = (code: string) => (code.includes('-') ? code.split('-')[0]! : 'R');

const firm = fc.record({
  place: fc.constantFrom(...PROVINCES.flatMap(comuniOf)),
  section: fc.constantFrom('C', 'F', 'G'),
  size: fc.constantFrom('micro', 'small'),
  lines: fc.array(
    fc.record({
      // Areas of one skill and of two: a lone skill's cell is its area's.
      skill: fc.constantFrom('A1.1', 'A1.2', 'A2.1', 'A3.1', 'A3.2'),
      workers: fc.integer({ min: 1, max: 20 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

type Firm = {
  place: string;
  section: string;
  size: string;
  lines: { skill: string; workers: number }[];
};

function aggregate(firms: Firm[]): ViewCell[] {
  const perFirm = new Map<
    string,
    { cell: Omit<ViewCell, 'firms' | 'workers' | 'maxFirmWorkers'>; w: number[] }
  >();
  firms.forEach((f, i) => {
    for (const territory of [f.place, parentOf(f.place), 'R']) {
      const mine = new Map<string, { dim: string; value: string; w: number }>();
      for (const l of f.lines)
        for (const [dim, value] of [
          ['total', '*'],
          ['area', l.skill.split('.')[0]!],
          ['skill', l.skill],
          ['section', f.section],
          ['size', f.size],
        ] as const) {
          const key = `${dim}|${value}`;
          const m = mine.get(key) ?? { dim, value, w: 0 };
          m.w += l.workers;
          mine.set(key, m);
        }
      for (const m of mine.values()) {
        const id = cellId(territory, m.dim, m.value);
        const e = perFirm.get(id) ?? { cell: { territory, dim: m.dim, value: m.value }, w: [] };
        e.w[i] = m.w;
        perFirm.set(id, e);
      }
    }
  });
  return [...perFirm.values()].map(({ cell, w }) => {
    const ws = w.filter((x) => x !== undefined);
    return {
      ...cell,
      firms: ws.length,
      workers: ws.reduce((a, b) => a + b, 0),
      maxFirmWorkers: Math.max(...ws),
    };
  });
}

const LEVELS = [['R', PROVINCES], ...PROVINCES.map((p) => [p, comuniOf(p)])] as [
  string,
  string[],
][];

// A skill's area is its code before the dot: an area's workers are its skills' workers, a line
// a reader can write from the published list of skills.
const areaOf = (cells: ViewCell[]) =>
  new Map(cells.filter((c) => c.dim === 'skill').map((c) => [c.value, c.value.split('.')[0]!]));

/** Everything a reader of the whole tree sees: the table of each level, in every pivot. */
function publishAll(cells: ViewCell[], k: number) {
  const rules = { k, dominance: 0.8 };
  const childrenOf = new Map(LEVELS);
  return { ...protectTree({ root: 'R', childrenOf, cells, rules, areaOf: areaOf(cells) }), rules };
}

function linesOf(cells: ViewCell[], levels = LEVELS) {
  const lines: { total: string; parts: string[] }[] = [];
  const skillsOf = new Map<string, string[]>();
  for (const [skill, area] of areaOf(cells))
    skillsOf.set(area, [...(skillsOf.get(area) ?? []), skill]);
  for (const [parent, children] of levels) {
    for (const t of [parent, ...children])
      for (const [area, skills] of skillsOf)
        lines.push({
          total: cellId(t, 'area', area),
          parts: skills.map((v) => cellId(t, 'skill', v)),
        });
    lines.push({
      total: cellId(parent, 'total', '*'),
      parts: children.map((c) => cellId(c, 'total', '*')),
    });
    for (const dim of PIVOT_DIMS) {
      const values = [...new Set(cells.filter((c) => c.dim === dim).map((c) => c.value))];
      for (const t of [parent, ...children])
        lines.push({ total: cellId(t, 'total', '*'), parts: values.map((v) => cellId(t, dim, v)) });
      for (const v of values)
        lines.push({
          total: cellId(parent, dim, v),
          parts: children.map((c) => cellId(c, dim, v)),
        });
    }
  }
  return lines;
}

describe('protectTree, level by level down the tree', () => {
  it('gives each cell one status everywhere and leaves nothing to solve, across levels and pivots', () => {
    fc.assert(
      fc.property(fc.array(firm, { maxLength: 30 }), fc.integer({ min: 2, max: 4 }), (firms, k) => {
        const cells = aggregate(firms);
        const { status, exposed, rules } = publishAll(cells, k);
        expect(exposed).toEqual([]);
        for (const c of cells) {
          const s = status.get(cellId(c.territory, c.dim, c.value));
          if (primaryReason({ ...c, id: '' }, rules)) expect(s).toBeTruthy();
        }
        const hidden = new Set([...status].filter(([, s]) => s).map(([id]) => id));
        const published = new Map(
          cells
            .map((c) => [cellId(c.territory, c.dim, c.value), c.workers] as const)
            .filter(([id]) => !hidden.has(id)),
        );
        // Subtraction, line after line, across every level and pivot together.
        const knowledge: Knowledge = { published, hidden, lines: linesOf(cells) };
        expect([...bySubtraction(knowledge).keys()]).toEqual([]);
        // Full elimination over each level's tables (the totals column and all four pivots).
        for (const level of LEVELS)
          expect([...byElimination({ ...knowledge, lines: linesOf(cells, [level]) })]).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
