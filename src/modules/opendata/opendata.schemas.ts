import { z } from 'zod';
import { DATASETS } from './dictionary';

/** The page: which campaign to offer (default: the newest published one). */
export const pageQuery = z.object({ campaign: z.uuid().optional() });

/** A download: the campaign is required, nothing else is accepted. */
export const fileQuery = z.strictObject({
  campaign: z.uuid(),
  lang: z.enum(['it', 'en']).optional(),
});

export const apiQuery = z.strictObject({
  dataset: z.enum(DATASETS),
  campaignId: z.uuid(),
  format: z.enum(['json', 'csv']).default('json'),
});

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const openDatasetJson = z
  .object({
    dataset: z.enum(DATASETS),
    campaign: z.object({ id: z.uuid(), title: z.string(), territory_code: z.string() }),
    licence: z.object({ name: z.string(), title: z.string(), url: z.string() }),
    k: z.number().int().optional().meta({
      description:
        'Needs only: cells of fewer firms than k (or dominated by one firm) are suppressed',
    }),
    published: z
      .boolean()
      .optional()
      .meta({
        description:
          'Needs only: false while the survey is open, with no records: its needs are published ' +
          "once it closes, so that no two readings differ by one firm's answer",
      }),
    closesAt: z.iso.date().optional().meta({
      description: "Needs only: the survey's last day for answers",
    }),
    columns: z.array(z.string()),
    records: z.array(z.record(z.string(), cell)),
  })
  .meta({ id: 'OpenDataset' });
