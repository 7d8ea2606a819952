import { z } from 'zod';
import { formDay, isoDay, shortText, territoryCode } from '../../http/validate';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { wholeNumber } from '../firms/firms.schemas';

const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
// A form's checkbox sends 'on' or nothing, the API true or false: anything else ('yes', 1) is
// refused, not read as false.
const checkbox = z.preprocess(
  (v) => (v === 'on' || v === 'true' ? true : v === 'false' || v === '' ? false : v),
  z.boolean(),
);

const skillAreas = z.preprocess(
  asArray,
  z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Z0-9][A-Z0-9._-]{0,39}$/),
    )
    .min(1)
    .max(50),
);
// Disclosure control's k: never below the platform's default, which protects one firm's answers.
const disclosureK = wholeNumber(DEFAULT_RULES.k, 50);
// Compared only when both are days: 'domani' sorts after any date, and the closing day, well
// written, was blamed for it.
const closesNotBeforeOpens = (v: { opensAt?: string; closesAt?: string }) =>
  !isoDay.safeParse(v.opensAt).success ||
  !isoDay.safeParse(v.closesAt).success ||
  v.closesAt! >= v.opensAt!;
const closesBeforeOpens = { message: 'campaigns.errors.closesBeforeOpens', path: ['closesAt'] };

export const campaignSchema = z
  .strictObject({
    title: shortText(200),
    territoryCode,
    opensAt: formDay,
    closesAt: formDay,
    skillAreas,
    readiness: checkbox.optional().default(false),
    disclosureK: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      disclosureK.optional(),
    ),
  })
  .refine(closesNotBeforeOpens, closesBeforeOpens);
export type CampaignInput = z.output<typeof campaignSchema>;

/**
 * updateCampaign in the API: only the fields sent change (`disclosureK: null` goes back to the
 * platform's default); `skillAreas`, when sent, replaces the whole list.
 */
export const campaignPatchSchema = z
  .strictObject({
    title: shortText(200).optional(),
    territoryCode: territoryCode.optional(),
    opensAt: isoDay.optional(),
    closesAt: isoDay.optional(),
    skillAreas: skillAreas.optional(),
    readiness: z.boolean().optional(),
    disclosureK: disclosureK.nullable().optional(),
  })
  .refine(closesNotBeforeOpens, closesBeforeOpens);
export type CampaignPatch = z.output<typeof campaignPatchSchema>;

export const campaignListQuery = z.strictObject({
  state: z.enum(['draft', 'scheduled', 'open', 'closed']).optional(),
});
