import type { CallProblem } from './calls.rules';
import { euros } from './money';

/** A raise as the service takes it, from the form or the API (amounts in cents). */
export interface BudgetRaise {
  budget: number;
  /**
   * Reserves raised with it; one left out keeps its amount. `field`: where an error on its amount
   * goes; `territoryField`, one on the reserve itself (unknown, twice), when it has its own.
   */
  allocations: {
    territory: string;
    cents: number;
    field: string;
    territoryField?: string;
    /** Asked as a new reserve (the form's rows for them): one the call has is refused there. */
    added?: boolean;
  }[];
  reason: string;
  /** Where an error on the budget goes: the form's `budget` unless said (the API's budgetCents). */
  budgetField?: string;
}

/** Where a territory lies, for a reserve a raise adds there (budget-raise.repository). */
export interface ReservePlace {
  /** The territory and every one above it. */
  ancestors: string[];
  /** Its name in each language (`_`: the default), for the messages. */
  name: Record<string, string>;
  /** What the call has already committed to pacts there or below (a new reserve would not hold it). */
  committedCents: number;
}

/** The call as it stands, locked: its budget and its reserves. */
export interface CallMoney {
  budgetCents: number;
  allocations: { territory: string; amountCents: number }[];
  /** The call's territory: a new reserve goes strictly inside it. */
  territory: string;
  /** Each current territory the call reserves or the raise names (one not listed is unknown). */
  places: ReadonlyMap<string, ReservePlace>;
}

/**
 * Every rule a raise breaks, each on its field: the budget only goes up (the same figure is not a
 * raise, and a lower one would take back money the call published); a reserve only goes up; a new
 * one goes where a new call's could (see newReserveProblem); the reserves together stay within
 * the new budget, as a new call's.
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
    if (a.added && was !== undefined) {
      problems.push({
        field: a.territoryField ?? a.field,
        key: 'funding.raise.errors.alreadyReserved',
        params: { territory: now.places.get(a.territory)?.name ?? { _: a.territory } },
      });
      continue;
    }
    if (seen.has(a.territory)) {
      problems.push({
        field: a.territoryField ?? a.field,
        key: 'funding.raise.errors.twice',
        params: { territory: a.territory },
      });
      continue;
    }
    seen.add(a.territory);
    if (was === undefined) {
      const problem = newReserveProblem(now, a.territory, [...after.keys()]);
      if (problem) problems.push({ field: a.territoryField ?? a.field, ...problem });
      else {
        after.set(a.territory, a.cents);
        lastRaised = a.field;
      }
      continue;
    }
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

/**
 * A reserve the call does not have yet, as a new call's: on a current territory strictly inside
 * the call's, overlapping none of the others (a pact draws on one reserve at most), and where no
 * pact is funded yet: what those pacts hold sits on the call alone, so a reserve added there
 * would not count it, and lowering their grant later would release from a reserve never drawn on.
 */
function newReserveProblem(
  now: CallMoney,
  territory: string,
  others: string[],
): Omit<CallProblem, 'field'> | undefined {
  const place = now.places.get(territory);
  if (!place) return { key: 'funding.raise.errors.noSuchTerritory', params: { territory } };
  if (territory === now.territory || !place.ancestors.includes(now.territory))
    return { key: 'funding.raise.errors.newOutside', params: { territory: place.name } };
  const overlaps = (other: string) =>
    place.ancestors.includes(other) || (now.places.get(other)?.ancestors ?? []).includes(territory);
  const other = others.find(overlaps);
  if (other)
    return {
      key: 'funding.raise.errors.newOverlap',
      params: { territory: place.name, other: now.places.get(other)?.name ?? { _: other } },
    };
  if (place.committedCents > 0)
    return {
      key: 'funding.raise.errors.newCommitted',
      params: { territory: place.name, committed: euros(place.committedCents) },
    };
  return undefined;
}

/**
 * The reserves the raise changes, from what to what (those it leaves as they are left out); one
 * it adds goes from 0.
 */
export function raisedAllocations(now: CallMoney, input: BudgetRaise) {
  const current = new Map(now.allocations.map((a) => [a.territory, a.amountCents]));
  return input.allocations
    .filter((a) => a.cents > (current.get(a.territory) ?? 0))
    .map((a) => ({
      territoryCode: a.territory,
      fromCents: current.get(a.territory) ?? 0,
      toCents: a.cents,
    }));
}
