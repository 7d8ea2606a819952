import { z } from 'zod';
import { formQuarter } from '../../http/quarter';
import { labelledChoice, shortText, territoryCode } from '../../http/validate';
import { wholeNumber } from '../firms/firms.schemas';
import { MODALITIES } from './pacts.tables';

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const optionalText = (max: number) => z.string().trim().max(max).optional().default('');
const optionalUuid = z
  .union([z.uuid(), z.literal('')])
  .optional()
  .transform((v) => v || null);
/** The revision the form was read at: the optimistic lock every edit carries. */
const revision = z.coerce.number().int().min(1).max(1_000_000);

export const newPactQuery = z.strictObject({
  campaign: z.uuid().or(z.literal('')).optional(),
  territory: territoryCode.or(z.literal('')).optional(),
});

export const pactSchema = z.strictObject({
  campaignId: z.uuid(),
  territoryCode,
  title: shortText(200),
  summary: optionalText(4000),
  callId: optionalUuid,
  /** Drawn when the form is shown: a second post of the same form is the same pact. */
  formId: z.uuid().optional(),
});
export type PactInput = z.output<typeof pactSchema>;

export const pactEditSchema = z.strictObject({
  revision,
  title: shortText(200),
  summary: optionalText(4000),
  callId: optionalUuid,
});
export type PactEditInput = z.output<typeof pactEditSchema>;

export const skillCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/);

export const actionSchema = z.strictObject({
  revision,
  title: shortText(200),
  description: optionalText(2000),
  skills: z.preprocess(asArray, z.array(skillCode).min(1).max(10)),
  // As typed in Italian: "1.000" is a thousand (z.coerce read it as 1), "1e3" and "1,5" are refused.
  participants: wholeNumber(1, 10_000),
  hours: wholeNumber(1, 2_000),
  modality: z.enum(MODALITIES),
  // A level left on "— Scegli —" is required, not "the smallest allowed value is 1".
  eqfLevel: wholeNumber(1, 8),
  period: formQuarter,
  provider: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v || null),
});
export type ActionInput = z.output<typeof actionSchema>;

export const revisionOnlySchema = z.strictObject({ revision });

// Left on "— Scegli —" the choice arrives empty: "required", not "the format is not valid".
export const inviteSchema = z.strictObject({
  revision,
  organisationId: z.string().trim().min(1).pipe(z.uuid()),
});

export const pactListQuery = z.strictObject({
  status: labelledChoice(
    [
      'draft',
      'negotiation',
      'agreed',
      'submitted',
      'returned',
      'approved',
      'in_progress',
      'closed',
      'rejected',
      'withdrawn',
    ],
    'pacts.status',
  )
    .or(z.literal(''))
    .optional(),
  /** This territory and below (the dashboard links here from a territory's row). */
  territory: territoryCode.or(z.literal('')).optional(),
  campaign: z.uuid().or(z.literal('')).optional(),
});

/** Why an invited organisation declines to sign: said to the promoter, kept in the audit. */
export const declineSchema = z.strictObject({ reason: shortText(500) });
