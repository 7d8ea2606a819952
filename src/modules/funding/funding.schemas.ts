import { z } from 'zod';
import { formDay, isoDay, labelledChoice, shortText, territoryCode } from '../../http/validate';
import { wholeNumber } from '../firms/firms.schemas';
import { parseEuros } from './money';

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/**
 * A euro amount typed in a form → integer cents within [min, max]. Each field has its own range
 * message (`funding.errors.range.<name>`), which states the range in euros.
 */
export const euroField = (
  name: string,
  minCents: number,
  maxCents: number,
  rangeMessage = `funding.errors.range.${name}`,
) =>
  z
    .string()
    .trim()
    .min(1)
    .max(30)
    .transform((v, ctx) => {
      // "-5" is a well-written amount below the range: the range says what is allowed.
      const negative = /^[-−–]\s*\S/.test(v) && parseEuros(v.replace(/^[-−–]/, '')).ok;
      if (negative) {
        ctx.addIssue({ code: 'custom', message: rangeMessage });
        return z.NEVER;
      }
      const parsed = parseEuros(v);
      if (!parsed.ok && parsed.error !== 'tooBig') {
        ctx.addIssue({ code: 'custom', message: `funding.errors.euro.${parsed.error}` });
        return z.NEVER;
      }
      if (!parsed.ok || parsed.cents < minCents || parsed.cents > maxCents) {
        ctx.addIssue({ code: 'custom', message: rangeMessage });
        return z.NEVER;
      }
      return parsed.cents;
    });

const optionalEuro = (name: string, min: number, max: number) =>
  z.preprocess(blankToUndefined, euroField(name, min, max).optional());
// As the survey's numbers: '1.000' is a thousand (z.coerce read it as 1), '12,5' is refused.
const optionalInt = (min: number, max: number) =>
  z.preprocess(blankToUndefined, wholeNumber(min, max).optional());
const optionalTerritory = z.preprocess(blankToUndefined, territoryCode.optional());

/** The reserve rows a new call's form shows; an edited draft shows as many as it has. */
export const ALLOCATION_ROWS = 5;
/** The most reserves a call may have (the API's limit too): the form takes this many rows. */
export const MAX_ALLOCATION_ROWS = 50;
const allocationFields = Object.fromEntries(
  Array.from({ length: MAX_ALLOCATION_ROWS }, (_, i) => [
    [`alloc${i}Territory`, optionalTerritory],
    [`alloc${i}Amount`, optionalEuro('allocation', 1, 100_000_000_000_000)],
  ]).flat(),
) as Record<string, z.ZodType<string | number | undefined>>;

export const callSchema = z
  .strictObject({
    title: shortText(200),
    description: z.string().trim().max(4000).optional().default(''),
    territoryCode,
    campaignId: z.preprocess(blankToUndefined, z.uuid().optional()),
    budget: euroField('budget', 1, 100_000_000_000_000),
    courseHour: euroField('courseHour', 0, 10_000_000),
    participantHour: euroField('participantHour', 0, 1_000_000),
    maxHours: optionalInt(1, 5000),
    minParticipants: optionalInt(1, 10000),
    maxParticipants: optionalInt(1, 10000),
    maxCostPerParticipant: optionalEuro('maxCostPerParticipant', 1, 10_000_000_000),
    cofinancingPercent: z.preprocess((v) => blankToUndefined(v) ?? '0', wholeNumber(0, 100)),
    deadline: formDay,
    skillAreas: z.preprocess(
      asArray,
      z
        .array(
          z
            .string()
            .trim()
            .regex(/^[A-Z0-9][A-Z0-9._-]{0,39}$/),
        )
        .max(50),
    ),
    ...allocationFields,
  })
  .refine(
    (v) =>
      v.minParticipants === undefined ||
      v.maxParticipants === undefined ||
      v.minParticipants <= v.maxParticipants,
    {
      message: 'funding.errors.minAboveMax',
      path: ['maxParticipants'],
      // Also when other fields are wrong: the form reports every problem at once.
      when: (p) => !p.issues.some((i) => /^(min|max)Participants$/.test(String(i.path?.[0]))),
    },
  )
  .refine((v) => v.courseHour > 0 || v.participantHour > 0, {
    message: 'funding.errors.noUnitCost',
    path: ['courseHour'],
    when: (p) => !p.issues.some((i) => /^(course|participant)Hour$/.test(String(i.path?.[0]))),
  });
export type CallInput = z.output<typeof callSchema>;

/** A call as the service takes it, from the form or from the API. */
export interface NewCall {
  title: string;
  description: string;
  territoryCode: string;
  campaignId?: string;
  budget: number;
  courseHour: number;
  participantHour: number;
  maxHours?: number;
  minParticipants?: number;
  maxParticipants?: number;
  maxCostPerParticipant?: number;
  cofinancingPercent: number;
  deadline: string;
  skillAreas: string[];
  /** `fields`: where an error about this row is shown (form field names or API pointers). */
  allocations: {
    territory: string;
    cents: number;
    fields: { territory: string; amount: string };
  }[];
}

/** The form's filled allocation rows (an empty row is ignored; a half-filled one is an error). */
export function callFromForm(input: CallInput): NewCall {
  return { ...input, allocations: allocationsOf(input as unknown as Record<string, unknown>) };
}

/**
 * The fields of a refused form that are valid on their own, as the service takes them: its rules
 * are checked on these too, so the user hears of every problem in one round.
 */
export function validCallFields(body: Record<string, unknown>): Partial<NewCall> {
  const valid: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(callSchema.shape)) {
    const parsed = (field as z.ZodType).safeParse(body[name]);
    if (parsed.success) valid[name] = parsed.data;
  }
  return { ...(valid as Partial<CallInput>), allocations: allocationsOf(valid) };
}

function allocationsOf(v: Record<string, unknown>): NewCall['allocations'] {
  const allocations: NewCall['allocations'] = [];
  for (let i = 0; i < MAX_ALLOCATION_ROWS; i++) {
    const territory = v[`alloc${i}Territory`] as string | undefined;
    const cents = v[`alloc${i}Amount`] as number | undefined;
    if (territory !== undefined || cents !== undefined)
      allocations.push({
        territory: territory ?? '',
        cents: cents ?? 0,
        fields: { territory: `alloc${i}Territory`, amount: `alloc${i}Amount` },
      });
  }
  return allocations;
}

const cents = (max: number, min = 0) => z.number().int().min(min).max(max);

const skillAreaCodes = z
  .array(
    z
      .string()
      .trim()
      .regex(/^[A-Z0-9][A-Z0-9._-]{0,39}$/),
  )
  .max(50);

/** A call's fields in the API, each on its own (amounts in integer cents). */
const callApiFields = {
  title: shortText(200),
  description: z.string().trim().max(4000),
  territoryCode,
  campaignId: z.uuid(),
  budgetCents: cents(100_000_000_000_000, 1),
  courseHourCents: cents(10_000_000),
  participantHourCents: cents(1_000_000),
  maxHours: z.number().int().min(1).max(5000),
  minParticipants: z.number().int().min(1).max(10000),
  maxParticipants: z.number().int().min(1).max(10000),
  maxCostPerParticipantCents: cents(10_000_000_000, 1),
  cofinancingPercent: z.number().int().min(0).max(100),
  deadline: isoDay,
  skillAreas: skillAreaCodes,
  allocations: z
    .array(z.strictObject({ territoryCode, amountCents: cents(100_000_000_000_000, 1) }))
    .max(MAX_ALLOCATION_ROWS),
};
const minNotAboveMax = (v: { minParticipants?: number | null; maxParticipants?: number | null }) =>
  v.minParticipants == null || v.maxParticipants == null || v.minParticipants <= v.maxParticipants;
const minAboveMax = { message: 'funding.errors.minAboveMax', path: ['maxParticipants'] };

/** createCall in the API: the same rules, amounts in integer cents. */
export const callApiSchema = z
  .strictObject({
    ...callApiFields,
    description: callApiFields.description.optional().default(''),
    campaignId: callApiFields.campaignId.optional(),
    maxHours: callApiFields.maxHours.optional(),
    minParticipants: callApiFields.minParticipants.optional(),
    maxParticipants: callApiFields.maxParticipants.optional(),
    maxCostPerParticipantCents: callApiFields.maxCostPerParticipantCents.optional(),
    cofinancingPercent: callApiFields.cofinancingPercent.optional().default(0),
    skillAreas: callApiFields.skillAreas.optional().default([]),
    allocations: callApiFields.allocations.optional().default([]),
  })
  .refine(minNotAboveMax, minAboveMax)
  // Both at 0, every action costs nothing: a pact funded on it would commit €0.
  .refine((v) => v.courseHourCents > 0 || v.participantHourCents > 0, {
    message: 'funding.errors.noUnitCost',
    path: ['courseHourCents'],
  });
export type CallApiInput = z.output<typeof callApiSchema>;

/**
 * updateCall in the API: only the fields sent change; `null` clears an optional one (no campaign,
 * no limit). `skillAreas` and `allocations`, when sent, replace the draft's whole list.
 */
export const callPatchSchema = z
  .strictObject({
    title: callApiFields.title.optional(),
    description: callApiFields.description.nullable().optional(),
    territoryCode: callApiFields.territoryCode.optional(),
    campaignId: callApiFields.campaignId.nullable().optional(),
    budgetCents: callApiFields.budgetCents.optional(),
    courseHourCents: callApiFields.courseHourCents.optional(),
    participantHourCents: callApiFields.participantHourCents.optional(),
    maxHours: callApiFields.maxHours.nullable().optional(),
    minParticipants: callApiFields.minParticipants.nullable().optional(),
    maxParticipants: callApiFields.maxParticipants.nullable().optional(),
    maxCostPerParticipantCents: callApiFields.maxCostPerParticipantCents.nullable().optional(),
    cofinancingPercent: callApiFields.cofinancingPercent.optional(),
    deadline: callApiFields.deadline.optional(),
    skillAreas: callApiFields.skillAreas.optional(),
    allocations: callApiFields.allocations.optional(),
  })
  .refine(minNotAboveMax, minAboveMax);
export type CallPatch = z.output<typeof callPatchSchema>;

export function callFromApi(b: CallApiInput): NewCall {
  return {
    title: b.title,
    description: b.description,
    territoryCode: b.territoryCode,
    campaignId: b.campaignId,
    budget: b.budgetCents,
    courseHour: b.courseHourCents,
    participantHour: b.participantHourCents,
    maxHours: b.maxHours,
    minParticipants: b.minParticipants,
    maxParticipants: b.maxParticipants,
    maxCostPerParticipant: b.maxCostPerParticipantCents,
    cofinancingPercent: b.cofinancingPercent,
    deadline: b.deadline,
    skillAreas: b.skillAreas,
    allocations: b.allocations.map((a, i) => ({
      territory: a.territoryCode,
      cents: a.amountCents,
      fields: {
        territory: `allocations.${i}.territoryCode`,
        amount: `allocations.${i}.amountCents`,
      },
    })),
  };
}

export const callListQuery = z.strictObject({
  status: labelledChoice(['draft', 'open', 'closed', ''], 'funding.status').optional(),
});

const remarks = z.string().trim().min(1).max(4000);

/** Return and reject: the region says why, always. */
export const returnSchema = z.strictObject({
  revision: z.coerce.number().int().min(1).max(1_000_000),
  remarks,
});
export const rejectSchema = returnSchema;

/**
 * Approve (or reduce): one amount per action, as `amount_<actionId>` in the form and as
 * `amounts: { <actionId>: cents }` in the API. The form's fields are euros.
 */
export const approveApiSchema = z.strictObject({
  revision: z.coerce.number().int().min(1).max(1_000_000),
  remarks: z.string().trim().max(4000).optional().default(''),
  amounts: z
    .record(z.uuid(), z.number().int().min(0).max(100_000_000_000_000))
    .optional()
    .describe('Approved cents per action id; omitted = every action in full'),
  participants: z
    .record(z.uuid(), z.number().int().min(0).max(10_000))
    .optional()
    .describe(
      'Participants each approved amount funds, per action id: 0 to the planned participants, 0 only for an amount of 0, all of them for the full grant. Omitted: all on the full grant, else pro rata (floor(participants × amount ÷ full grant), at least 1); on reduce, unchanged where the amount stays',
    ),
});
export type ApproveInput = z.output<typeof approveApiSchema>;
