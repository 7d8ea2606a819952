import { z } from 'zod';
import { territoryCode } from '../../http/validate';
import type { BudgetRaise } from './budget-raise.rules';
import type { CallProblem } from './calls.rules';
import { euroField } from './funding.schemas';

/** The most a budget or a reserve may be, as for a new call: €1,000,000,000,000. */
const MAX_CENTS = 100_000_000_000_000;
export const MAX_REASON = 500;

const reason = z.string().trim().min(1).max(MAX_REASON);

/** A reserve's field on the form: `alloc_<territory code>`. */
export const allocationField = (territory: string) => `alloc_${territory}`;

/** The rows of the form for reserves the call does not have yet: a territory and an amount. */
export const NEW_RESERVE_ROWS = 3;
export const newReserveFields = (i: number) => ({
  territory: `new${i}Territory`,
  amount: `new${i}Amount`,
});

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalAmount = () => z.preprocess(blank, euroField('allocation', 1, MAX_CENTS).optional());

/**
 * The form for a call with these reserves: the new budget and the reason; each reserve's field
 * holds its amount (left as shown, or emptied, it stays as it is); the rows for new reserves,
 * left empty, add none.
 */
export function raiseFormSchema(territories: string[]) {
  return z.strictObject({
    budget: euroField('budget', 1, MAX_CENTS),
    reason,
    ...Object.fromEntries(territories.map((code) => [allocationField(code), optionalAmount()])),
    ...Object.fromEntries(
      Array.from({ length: NEW_RESERVE_ROWS }, (_, i) => [
        [newReserveFields(i).territory, z.preprocess(blank, territoryCode.optional())],
        [newReserveFields(i).amount, optionalAmount()],
      ]).flat(),
    ),
  });
}

/** A new reserve's row filled by half, as posted: a territory without an amount, or the reverse. */
export function halfFilledRows(body: Record<string, unknown>): CallProblem[] {
  const filled = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  const problems: CallProblem[] = [];
  for (let i = 0; i < NEW_RESERVE_ROWS; i++) {
    const f = newReserveFields(i);
    if (filled(body[f.territory]) && !filled(body[f.amount]))
      problems.push({ field: f.amount, key: 'funding.errors.allocation.noAmount' });
    if (filled(body[f.amount]) && !filled(body[f.territory]))
      problems.push({ field: f.territory, key: 'funding.errors.allocation.noTerritory' });
  }
  return problems;
}

/** The fields of a refused form that are valid on their own: the rules are checked on them too. */
export function validRaiseFields(body: Record<string, unknown>, territories: string[]) {
  const valid: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(raiseFormSchema(territories).shape)) {
    const parsed = (field as z.ZodType).safeParse(body[name]);
    if (parsed.success) valid[name] = parsed.data;
  }
  return { ...raiseFromForm(valid, territories), budget: valid.budget as number | undefined };
}

export function raiseFromForm(data: Record<string, unknown>, territories: string[]): BudgetRaise {
  const added = Array.from({ length: NEW_RESERVE_ROWS }, (_, i) => newReserveFields(i)).filter(
    (f) => data[f.territory] !== undefined && data[f.amount] !== undefined,
  );
  return {
    budget: data.budget as number,
    reason: data.reason as string,
    allocations: [
      ...territories
        .filter((code) => data[allocationField(code)] !== undefined)
        .map((code) => ({
          territory: code,
          cents: data[allocationField(code)] as number,
          field: allocationField(code),
        })),
      ...added.map((f) => ({
        territory: data[f.territory] as string,
        cents: data[f.amount] as number,
        field: f.amount,
        territoryField: f.territory,
        added: true,
      })),
    ],
  };
}

/** raiseCallBudget in the API: amounts in integer cents. */
export const raiseApiSchema = z
  .strictObject({
    budgetCents: z.number().int().min(1).max(MAX_CENTS),
    allocations: z
      .array(z.strictObject({ territoryCode, amountCents: z.number().int().min(1).max(MAX_CENTS) }))
      .max(50)
      .optional()
      .default([])
      .describe(
        'Reserves raised with the budget, and new ones (a territory inside the call’s, overlapping none of its reserves, where no pact is funded yet); one left out keeps its amount',
      ),
    reason,
  })
  .meta({ id: 'CallBudgetRaise' });

export function raiseFromApi(b: z.output<typeof raiseApiSchema>): BudgetRaise {
  return {
    budget: b.budgetCents,
    budgetField: 'budgetCents',
    reason: b.reason,
    allocations: b.allocations.map((a, i) => ({
      territory: a.territoryCode,
      cents: a.amountCents,
      field: `allocations.${i}.amountCents`,
      territoryField: `allocations.${i}.territoryCode`,
    })),
  };
}
