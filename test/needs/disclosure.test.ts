import fc from 'fast-check';
import { DEFAULT_RULES, primaryReason, protect, type StatCell } from '../../src/lib/disclosure';
import { bySubtraction, byElimination, type Knowledge } from './attacker';

const cell = (id: string, firms: number, workers: number, maxFirmWorkers: number): StatCell => ({
  id,
  firms,
  workers,
  maxFirmWorkers,
});

describe('primaryReason', () => {
  it('hides a cell of fewer than k firms', () => {
    expect(primaryReason(cell('a', 2, 10, 5), DEFAULT_RULES)).toBe('threshold');
    expect(primaryReason(cell('a', 3, 10, 4), DEFAULT_RULES)).toBeNull();
    expect(primaryReason(cell('a', 4, 10, 4), { k: 5, dominance: 0.8 })).toBe('threshold');
  });

  it('hides a cell where one firm holds more than 80 % of the workers', () => {
    expect(primaryReason(cell('a', 5, 100, 81), DEFAULT_RULES)).toBe('dominance');
    expect(primaryReason(cell('a', 5, 100, 80), DEFAULT_RULES)).toBeNull();
  });

  it('leaves an empty cell alone', () => {
    expect(primaryReason(cell('a', 0, 0, 0), DEFAULT_RULES)).toBeNull();
  });
});

/** A table of firms (each in one row, one column) with its row, column and grand totals. */
const firmsTable = fc
  .record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 5 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(
        fc.record({
          r: fc.nat(rows - 1),
          c: fc.nat(cols - 1),
          workers: fc.integer({ min: 1, max: 30 }),
        }),
        { maxLength: 40 },
      )
      .map((firms) => ({ rows, cols, firms })),
  );

function tabulate({
  rows,
  cols,
  firms,
}: {
  rows: number;
  cols: number;
  firms: { r: number; c: number; workers: number }[];
}) {
  const cells = new Map<string, StatCell>();
  const add = (id: string, w: number) => {
    const c = cells.get(id) ?? cell(id, 0, 0, 0);
    cells.set(id, cell(id, c.firms + 1, c.workers + w, Math.max(c.maxFirmWorkers, w)));
  };
  for (const f of firms) {
    add(`${f.r}:${f.c}`, f.workers);
    add(`${f.r}:T`, f.workers);
    add(`T:${f.c}`, f.workers);
    add('T:T', f.workers);
  }
  const R = [...Array(rows).keys()].map(String);
  const C = [...Array(cols).keys()].map(String);
  const lines = [
    ...[...R, 'T'].map((r) => ({ total: `${r}:T`, parts: C.map((c) => `${r}:${c}`) })),
    ...[...C, 'T'].map((c) => ({ total: `T:${c}`, parts: R.map((r) => `${r}:${c}`) })),
  ];
  return { cells: [...cells.values()], lines };
}

function knowledge(
  cells: StatCell[],
  lines: { total: string; parts: string[] }[],
  hidden: Set<string>,
): Knowledge {
  const published = new Map(cells.filter((c) => !hidden.has(c.id)).map((c) => [c.id, c.workers]));
  return { published, hidden, lines };
}

describe('protect', () => {
  it('hides every sensitive cell, never one alone in a line, and nothing can be solved for', () => {
    fc.assert(
      fc.property(firmsTable, fc.integer({ min: 1, max: 5 }), (table, k) => {
        const { cells, lines } = tabulate(table);
        const rules = { k, dominance: 0.8 };
        const { suppressed, exposed } = protect({ cells, lines, rules });
        expect(exposed).toEqual([]);
        for (const c of cells) if (primaryReason(c, rules)) expect(suppressed.has(c.id)).toBe(true);
        const present = new Set(cells.map((c) => c.id));
        for (const l of lines) {
          const hiddenInLine = [l.total, ...l.parts].filter(
            (id) => present.has(id) && suppressed.has(id),
          );
          expect(hiddenInLine.length).not.toBe(1);
        }
        const hidden = new Set(suppressed.keys());
        const k2 = knowledge(cells, lines, hidden);
        expect([...bySubtraction(k2).keys()]).toEqual([]);
        expect([...byElimination(k2)]).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('chooses the smallest complement of the line', () => {
    // One row: a sensitive cell of 2 firms, and two candidates; the smaller one is hidden.
    const cells = [
      cell('r:a', 2, 4, 2),
      cell('r:b', 5, 50, 12),
      cell('r:c', 4, 9, 3),
      cell('r:T', 11, 63, 12),
    ];
    const { suppressed } = protect({
      cells,
      lines: [{ total: 'r:T', parts: ['r:a', 'r:b', 'r:c'] }],
      rules: DEFAULT_RULES,
    });
    expect(Object.fromEntries(suppressed)).toEqual({ 'r:a': 'threshold', 'r:c': 'complement' });
  });

  it('never picks a cell decided elsewhere, and breaks a pattern solvable only by combining lines', () => {
    // Hidden a, b in row 1 and a, c in column 1 leave b and c each in a line of two hidden;
    // with the totals fixed as published, every free cell is a candidate but none fixed is.
    const cells = [
      cell('1:1', 1, 3, 3),
      cell('1:2', 4, 8, 2),
      cell('2:1', 4, 8, 2),
      cell('2:2', 4, 8, 2),
      cell('1:T', 5, 11, 3),
      cell('2:T', 8, 16, 2),
      cell('T:1', 5, 11, 3),
      cell('T:2', 8, 16, 2),
      cell('T:T', 13, 27, 3),
    ];
    const lines = [
      { total: '1:T', parts: ['1:1', '1:2'] },
      { total: '2:T', parts: ['2:1', '2:2'] },
      { total: 'T:T', parts: ['1:T', '2:T'] },
      { total: 'T:1', parts: ['1:1', '2:1'] },
      { total: 'T:2', parts: ['1:2', '2:2'] },
      { total: 'T:T', parts: ['T:1', 'T:2'] },
    ];
    const fixed = new Map(['1:T', '2:T', 'T:1', 'T:2', 'T:T'].map((id) => [id, null]));
    const { suppressed, exposed } = protect({ cells, lines, rules: DEFAULT_RULES, fixed });
    expect(exposed).toEqual([]);
    expect([...suppressed.keys()].sort()).toEqual(['1:1', '1:2', '2:1', '2:2']);
    const hidden = new Set(suppressed.keys());
    expect(byElimination(knowledge(cells, lines, hidden)).size).toBe(0);
  });

  it('the attacker does recover what primary suppression alone leaves open', () => {
    const { cells, lines } = tabulate({
      rows: 2,
      cols: 2,
      firms: [
        { r: 0, c: 0, workers: 5 },
        ...[1, 2, 3].map((w) => ({ r: 0, c: 1, workers: w })),
        ...[1, 2, 3].map((w) => ({ r: 1, c: 0, workers: w })),
        ...[1, 2, 3].map((w) => ({ r: 1, c: 1, workers: w })),
      ],
    });
    const primaryOnly = new Set(
      cells.filter((c) => primaryReason(c, DEFAULT_RULES)).map((c) => c.id),
    );
    expect(primaryOnly).toEqual(new Set(['0:0']));
    expect(bySubtraction(knowledge(cells, lines, primaryOnly)).get('0:0')).toBe(5);
  });
});
