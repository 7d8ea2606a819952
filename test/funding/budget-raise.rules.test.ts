import fc from 'fast-check';
import { raiseProblems, raisedAllocations } from '../../src/modules/funding/budget-raise.rules';

const now = {
  budgetCents: 1_000_00,
  allocations: [
    { territory: 'ITI14', amountCents: 400_00 },
    { territory: 'ITI17', amountCents: 300_00 },
  ],
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

  it('refuses the same budget, a lower one, a lower or unknown or repeated reserve', () => {
    expect(keys({ budget: 1_000_00, allocations: [] })).toEqual(['budget: same']);
    expect(keys({ budget: 999_99, allocations: [] })).toEqual(['budget: lower']);
    expect(
      keys({
        budget: 2_000_00,
        allocations: [
          { territory: 'ITI14', cents: 399_99, field: 'a' },
          { territory: 'ITI15', cents: 1_00, field: 'b' },
          { territory: 'ITI17', cents: 300_00, field: 'c' },
          { territory: 'ITI17', cents: 300_00, field: 'd' },
        ],
      }),
    ).toEqual(['a: allocationLower', 'b: unknownAllocation', 'd: twice']);
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
