import { z } from 'zod';
import { formQuarter, quarterOrYear } from '../../http/quarter';
import { wholeNumber } from '../firms/firms.schemas';
import { euroField } from '../funding/funding.schemas';
import type { EsfCount } from './execution.tables';

/**
 * An execution report: one action, one quarter. The form and reportActionOutcome share the count
 * fields; the form types money in euros (`spent`, `cofinanced`), the API sends cents.
 */
export const PERIOD = /^20\d{2}-Q[1-4]$/;
export const MAX_COUNT = 10_000;
export const MAX_HOURS = 2_000;
export const MAX_CENTS = 100_000_000_000;

/** The ESF+ breakdowns as form/API fields, in the order the form shows them. */
export const BREAKDOWNS = {
  gender: ['women', 'men', 'nonBinary'],
  age: ['ageUnder30', 'age30to54', 'age55plus'],
  labourMarket: ['employed', 'unemployed', 'inactive'],
  education: ['isced02', 'isced34', 'isced58'],
} as const;
export type BreakdownGroup = keyof typeof BREAKDOWNS;

/** Each count field and its column in action_outcomes. */
export const COUNT_COLUMNS = {
  women: 'women',
  men: 'men',
  nonBinary: 'non_binary',
  ageUnder30: 'age_under_30',
  age30to54: 'age_30_54',
  age55plus: 'age_55_plus',
  employed: 'employed',
  unemployed: 'unemployed',
  longTermUnemployed: 'long_term_unemployed',
  inactive: 'inactive',
  isced02: 'isced_0_2',
  isced34: 'isced_3_4',
  isced58: 'isced_5_8',
} as const satisfies Record<string, EsfCount>;
export type CountField = keyof typeof COUNT_COLUMNS;
export const COUNT_FIELDS = Object.keys(COUNT_COLUMNS) as CountField[];

/** What the service takes, from the form or from the API. */
export type OutcomeInput = {
  actionId: string;
  period: string;
  enrolled: number;
  completed: number;
  hoursDelivered: number;
  spentCents: number;
  cofinancedCents: number;
} & Record<CountField, number>;

const blank = (v: unknown) => typeof v === 'string' && v.trim() === '';
const period = z.string().trim().toUpperCase().max(7).regex(PERIOD);

// Form fields arrive as text: a required number is a non-blank string; a breakdown left blank is 0.
// Read as typed in Italian: "1.000" is a thousand (z.coerce read it as 1); "1e3", "2,5" refused.
const formInt = (max: number) => wholeNumber(0, max);
const formCount = z.preprocess((v) => (v === undefined || blank(v) ? '0' : v), formInt(MAX_COUNT));
// A minus sign is said as such ("0 or more"), not as an amount written the wrong way.
const formEuro = (required: boolean) =>
  z.preprocess(
    (v) => (!required && (v === undefined || blank(v)) ? '0' : v),
    z
      .string()
      .refine((v) => !/^\s*[-\u2212]/.test(v), 'execution.errors.negativeMoney')
      .pipe(euroField('money', 0, MAX_CENTS, 'execution.errors.range.money')),
  );

export const outcomeFormSchema = z.strictObject({
  actionId: z.uuid(),
  period: formQuarter,
  enrolled: formInt(MAX_COUNT),
  completed: formInt(MAX_COUNT),
  hoursDelivered: formInt(MAX_HOURS),
  spent: formEuro(true),
  cofinanced: formEuro(false),
  ...(Object.fromEntries(COUNT_FIELDS.map((f) => [f, formCount])) as Record<
    CountField,
    typeof formCount
  >),
});

export function outcomeFromForm(v: z.output<typeof outcomeFormSchema>): OutcomeInput {
  const { spent, cofinanced, ...rest } = v;
  return { ...rest, spentCents: spent, cofinancedCents: cofinanced };
}

const apiCount = z.number().int().min(0).max(MAX_COUNT);
const apiBreakdown = apiCount.optional().default(0);

export const outcomeApiSchema = z
  .strictObject({
    actionId: z.uuid(),
    period: period.describe('The reporting quarter, YYYY-Qn'),
    enrolled: apiCount.describe('Participants who entered the action in the quarter'),
    completed: apiCount.describe('Participants who completed the action in the quarter'),
    hoursDelivered: z.number().int().min(0).max(MAX_HOURS),
    spentCents: z.number().int().min(0).max(MAX_CENTS),
    cofinancedCents: z.number().int().min(0).max(MAX_CENTS).optional().default(0),
    ...(Object.fromEntries(COUNT_FIELDS.map((f) => [f, apiBreakdown])) as Record<
      CountField,
      typeof apiBreakdown
    >),
  })
  .meta({ id: 'ActionOutcomeReport' });

/** The form's field names as the API spells them, for an error's pointer. */
export const API_FIELD: Record<string, string> = {
  spent: 'spentCents',
  cofinanced: 'cofinancedCents',
};

/** ?period=2027-Q1 (a quarter), 2027 (a year) or nothing (every quarter reported). */
export const esfQuery = z.strictObject({
  period: quarterOrYear,
  format: z.enum(['html', 'csv', 'xlsx']).optional().default('html'),
  lang: z.enum(['it', 'en']).optional(),
});

export const esfApiQuery = z.strictObject({
  period: z
    .string()
    .trim()
    .toUpperCase()
    .max(7)
    .regex(/^20\d{2}(-Q[1-4])?$/)
    .optional()
    .describe('A quarter (2027-Q1) or a year (2027); omitted = every quarter reported'),
});
