import { z } from 'zod';
import { territoryCode } from '../../http/validate';
import type { BudgetRaise } from './budget-raise.rules';
import { euroField } from './funding.schemas';

/** The most a budget or a reserve may be, as for a new call: €1,000,000,000,000. */
const MAX_CENTS = 100_000_000_000_000;
export const MAX_REASON = 500;

const reason = z.string().trim().min(1).max(MAX_REASON);

/** A reserve's field on the form: `alloc_<territory code>`. */
export const allocationField = (territory: string) => `alloc_${territory}`;

/**
 * The form for a call with these reserves: the new budget and the reason; each reserve's field
 * holds its amount (left as shown, or emptied, it stays as it is).
 */
export function raiseFormSchema(territories: string[]) {
  const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
  return z.strictObject({
    budget: euroField('budget', 1, MAX_CENTS),
    reason,
    ...Object.fromEntries(
      territories.map((code) => [
        allocationField(code),
        z.preprocess(blank, euroField('allocation', 1, MAX_CENTS).optional()),
      ]),
    ),
  });
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
  return {
    budget: data.budget as number,
    reason: data.reason as string,
    allocations: territories
      .filter((code) => data[allocationField(code)] !== undefined)
      .map((code) => ({
        territory: code,
        cents: data[allocationField(code)] as number,
        field: allocationField(code),
      })),
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
      .describe('Reserves raised with the budget; one left out keeps its amount'),
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
