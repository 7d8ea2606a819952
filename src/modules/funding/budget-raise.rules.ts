import type { CallProblem } from './calls.rules';
import { euros } from './money';

/** A raise as the service takes it, from the form or the API (amounts in cents). */
export interface BudgetRaise {
  budget: number;
  /**
   * Reserves raised with it; one left out keeps its amount. `field`: where an error on its amount
   * goes; `territoryField`, one on the reserve itself (unknown, twice), when it has its own.
   */
  allocations: { territory: string; cents: number; field: string; territoryField?: string }[];
  reason: string;
  /** Where an error on the budget goes: the form's `budget` unless said (the API's budgetCents). */
  budgetField?: string;
}

/** The call as it stands, locked: its budget and its reserves. */
export interface CallMoney {
  budgetCents: number;
  allocations: { territory: string; amountCents: number }[];
}

/**
 * Every rule a raise breaks, each on its field: the budget only goes up (the same figure is not a
 * raise, and a lower one would take back money the call published); a reserve only goes up and
 * must be one of the call's; the reserves together stay within the new budget, as a new call's.
 */
export function raiseProblems(
  now: CallMoney,
  // A refused form's budget may be missing: the reserves are checked all the same.
  input: Omit<BudgetRaise, 'budget' | 'reason'> & { budget?: number },
): CallProblem[] {
  const problems: CallProblem[] = [];
  const budgetOk = input.budget !== undefined && input.budget > now.budgetCents;
  if (input.budget !== undefined && !budgetOk)
    problems.push({
      field: input.budgetField ?? 'budget',
      key:
        input.budget === now.budgetCents
          ? 'funding.raise.errors.same'
          : 'funding.raise.errors.lower',
      params: { budget: euros(now.budgetCents) },
    });
  const current = new Map(now.allocations.map((a) => [a.territory, a.amountCents]));
  const after = new Map(current);
  let lastRaised: string | undefined;
  const seen = new Set<string>();
  for (const a of input.allocations) {
    const was = current.get(a.territory);
    if (was === undefined || seen.has(a.territory)) {
      problems.push({
        field: a.territoryField ?? a.field,
        key: `funding.raise.errors.${was === undefined ? 'unknownAllocation' : 'twice'}`,
        params: { territory: a.territory },
      });
      continue;
    }
    seen.add(a.territory);
    if (a.cents < was)
      problems.push({
        field: a.field,
        key: 'funding.raise.errors.allocationLower',
        params: { amount: euros(was) },
      });
    else if (a.cents > was) {
      after.set(a.territory, a.cents);
      lastRaised = a.field;
    }
  }
  const total = [...after.values()].reduce((s, c) => s + c, 0);
  if (budgetOk && lastRaised && total > input.budget!)
    problems.push({
      field: lastRaised,
      key: 'funding.raise.errors.overBudget',
      params: { total: euros(total), budget: euros(input.budget) },
    });
  return problems;
}

/** The reserves the raise changes, from what to what (those it leaves as they are left out). */
export function raisedAllocations(now: CallMoney, input: BudgetRaise) {
  const current = new Map(now.allocations.map((a) => [a.territory, a.amountCents]));
  return input.allocations
    .filter((a) => a.cents > (current.get(a.territory) ?? a.cents))
    .map((a) => ({
      territoryCode: a.territory,
      fromCents: current.get(a.territory)!,
      toCents: a.cents,
    }));
}
