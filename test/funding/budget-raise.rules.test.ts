import fc from 'fast-check';
import {
  raiseProblems,
  raisedAllocations,
  type ReservePlace,
} from '../../src/modules/funding/budget-raise.rules';

// Tuscany (ITI1): Florence (ITI14) and Prato (ITI17) reserved; Pisa (ITI13) has pacts funded.
const place = (code: string, parents: string[], committedCents = 0): [string, ReservePlace] => [
  code,
  { ancestors: [code, ...parents], name: { _: code }, committedCents },
];
const now = {
  budgetCents: 1_000_00,
  territory: 'ITI1',
  allocations: [
    { territory: 'ITI14', amountCents: 400_00 },
    { territory: 'ITI17', amountCents: 300_00 },
  ],
  places: new Map([
    place('ITI1', ['ITI', 'IT']),
    place('ITI14', ['ITI1', 'ITI', 'IT']),
    place('ITI17', ['ITI1', 'ITI', 'IT']),
    place('ITI18', ['ITI1', 'ITI', 'IT']),
    place('ITI12', ['ITI1', 'ITI', 'IT']),
    place('ITI13', ['ITI1', 'ITI', 'IT'], 5_00),
    place('048014', ['ITI14', 'ITI1', 'ITI', 'IT']),
    place('ITC4', ['ITC', 'IT']),
  ]),
};
const keys = (input: Parameters<typeof raiseProblems>[1]) =>
  raiseProblems(now, input).map((p) => `${p.field}: ${p.key.split('.').pop()}`);

describe('raiseProblems', () => {
  it('takes a higher budget, with reserves raised or left as they are', () => {
    expect(keys({ budget: 1_000_01, allocations: [] })).toEqual([]);
    const input = {
      budget: 1_500_00,
      allocations: [
        { territory: 'ITI14', cents: 800_00, field: 'a' },
        { territory: 'ITI17', cents: 300_00, field: 'b' },
      ],
    };
    expect(keys(input)).toEqual([]);
    expect(raisedAllocations(now, { ...input, reason: 'x' })).toEqual([
      { territoryCode: 'ITI14', fromCents: 400_00, toCents: 800_00 },
    ]);
  });

  it('adds a reserve for a territory inside the call’s that has none, from 0', () => {
    const input = {
      budget: 1_200_00,
      allocations: [
        { territory: 'ITI18', cents: 150_00, field: 'a' },
        { territory: 'ITI12', cents: 50_00, field: 'b' },
      ],
    };
    expect(keys(input)).toEqual([]);
    expect(raisedAllocations(now, { ...input, reason: 'x' })).toEqual([
      { territoryCode: 'ITI18', fromCents: 0, toCents: 150_00 },
      { territoryCode: 'ITI12', fromCents: 0, toCents: 50_00 },
    ]);
  });

  it('refuses a new reserve outside the call, on it, unknown, overlapping, or where pacts are funded', () => {
    const at = (territory: string, cents = 1_00) => ({
      budget: 2_000_00,
      allocations: [{ territory, cents, field: 'amount', territoryField: 'territory' }],
    });
    expect(keys(at('ITC4'))).toEqual(['territory: newOutside']);
    expect(keys(at('ITI1'))).toEqual(['territory: newOutside']);
    expect(keys(at('XX99'))).toEqual(['territory: noSuchTerritory']);
    expect(keys(at('048014'))).toEqual(['territory: newOverlap']);
    expect(keys(at('ITI13'))).toEqual(['territory: newCommitted']);
    // Two new ones overlapping each other: the second is refused.
    expect(
      keys({
        budget: 2_000_00,
        allocations: [
          { territory: 'ITI18', cents: 1_00, field: 'a' },
          { territory: 'ITI18', cents: 1_00, field: 'b' },
        ],
      }),
    ).toEqual(['b: twice']);
    // Counted with the others against the new budget: 400 + 300 + 301 > 1,000.01.
    expect(keys({ ...at('ITI18', 301_00), budget: 1_000_01 })).toEqual(['amount: overBudget']);
  });

  it('refuses the same budget, a lower one, a lower or unknown or repeated reserve', () => {
    expect(keys({ budget: 1_000_00, allocations: [] })).toEqual(['budget: same']);
    expect(keys({ budget: 999_99, allocations: [] })).toEqual(['budget: lower']);
    expect(
      keys({
        budget: 2_000_00,
        allocations: [
          { territory: 'ITI14', cents: 399_99, field: 'a' },
          { territory: 'ITC4', cents: 1_00, field: 'b' },
          { territory: 'ITI17', cents: 300_00, field: 'c' },
          { territory: 'ITI17', cents: 300_00, field: 'd' },
        ],
      }),
    ).toEqual(['a: allocationLower', 'b: newOutside', 'd: twice']);
  });

  it('refuses reserves that together pass the new budget, on the last one raised', () => {
    expect(
      keys({
        budget: 1_100_00,
        allocations: [
          { territory: 'ITI14', cents: 700_00, field: 'a' },
          { territory: 'ITI17', cents: 500_00, field: 'b' },
        ],
      }),
    ).toEqual(['b: overBudget']);
  });

  it('accepts only raises that keep every reserve up and all of them within the budget', () => {
    const amount = fc.integer({ min: 1, max: 2_000_00 });
    fc.assert(
      fc.property(amount, amount, amount, (budget, a, b) => {
        const input = {
          budget,
          allocations: [
            { territory: 'ITI14', cents: a, field: 'a' },
            { territory: 'ITI17', cents: b, field: 'b' },
          ],
        };
        const ok = raiseProblems(now, input).length === 0;
        expect(ok).toBe(budget > now.budgetCents && a >= 400_00 && b >= 300_00 && a + b <= budget);
      }),
    );
  });
});
