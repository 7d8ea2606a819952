import { z } from 'zod';
import { shortText, territoryCode } from '../../http/validate';

const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const checkbox = z.preprocess((v) => v === true || v === 'on' || v === 'true', z.boolean());
// A campaign runs in this century: 1900 or 9999 is a typo, and would be shown and sorted as real.
const day = z.iso.date().refine((d) => d >= '2000-01-01' && d <= '2100-12-31', {
  message: 'campaigns.errors.dateOutOfRange',
});

export const campaignSchema = z
  .strictObject({
    title: shortText(200),
    territoryCode,
    opensAt: day,
    closesAt: day,
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
  })
  .refine((v) => v.closesAt >= v.opensAt, {
    message: 'campaigns.errors.closesBeforeOpens',
    path: ['closesAt'],
  });
export type CampaignInput = z.output<typeof campaignSchema>;

export const campaignListQuery = z.strictObject({
  state: z.enum(['draft', 'scheduled', 'open', 'closed']).optional(),
});
