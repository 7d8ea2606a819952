import { z } from 'zod';

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);
const campaign = z.preprocess(blankToUndefined, z.uuid().optional());

/** The impact page's choice of two campaigns (a GET form); `lang` is the language switch. */
export const impactQuery = z
  .strictObject({ before: campaign, after: campaign, lang: z.enum(['it', 'en']).optional() })
  .refine((q) => q.before === undefined || q.before !== q.after, {
    message: 'impact.errors.sameCampaign',
    path: ['before'],
  });
