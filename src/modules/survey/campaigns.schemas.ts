import { z } from 'zod';
import { formDay, shortText, territoryCode } from '../../http/validate';
import { DEFAULT_RULES } from '../../lib/disclosure';

const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const checkbox = z.preprocess((v) => v === true || v === 'on' || v === 'true', z.boolean());

export const campaignSchema = z
  .strictObject({
    title: shortText(200),
    territoryCode,
    opensAt: formDay,
    closesAt: formDay,
    skillAreas: z.preprocess(
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
    ),
    readiness: checkbox.optional().default(false),
    // Disclosure control's k: never below the platform's default, which protects one firm's answers.
    disclosureK: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.coerce.number().int().min(DEFAULT_RULES.k).max(50).optional(),
    ),
  })
  .refine((v) => v.closesAt >= v.opensAt, {
    message: 'campaigns.errors.closesBeforeOpens',
    path: ['closesAt'],
  });
export type CampaignInput = z.output<typeof campaignSchema>;

export const campaignListQuery = z.strictObject({
  state: z.enum(['draft', 'scheduled', 'open', 'closed']).optional(),
});
