import { z } from 'zod';
import { labelledChoice, territoryCode } from '../../http/validate';

// The message is the hint a refused query parameter gives (http/query).
const period = z.string().regex(/^20[0-9]{2}-Q[1-4]$/, 'errors.query.reasons.period');
const blankToUndefined = (v: unknown) => (v === '' || v === '*' ? undefined : v);

/** The page's query: lenient on the optional parts, an empty select meaning "all". */
export const pageQuery = z.strictObject({
  campaign: z.preprocess(blankToUndefined, z.uuid().optional()),
  territory: z.preprocess(blankToUndefined, territoryCode.optional()),
  period: z.preprocess(blankToUndefined, period.optional()),
  /** What the map colours. */
  map: labelledChoice(['coverage', 'need'], 'dashboard.map.measure').default('coverage'),
  lang: labelledChoice(['it', 'en'], 'layout.switchTo').optional(),
});
export type PageQuery = z.output<typeof pageQuery>;

export const apiQuery = z.strictObject({
  campaignId: z.uuid().optional(),
  territory: territoryCode.optional(),
  period: period.optional(),
});

const published = z
  .object({
    value: z.number().optional(),
    suppressed: z.boolean(),
    reason: z.enum(['threshold', 'dominance', 'complement', 'unpublished']).optional(),
  })
  .meta({ id: 'DashboardFigure', description: 'A figure derived from the needs aggregate' });

const row = z
  .object({
    territory: z.string(),
    name: z.string(),
    firmsSurveyed: z.number().int(),
    workersInNeed: published,
    workersCovered: z.number().int(),
    coveragePercent: published.meta({
      description: 'covered / in need × 100; absent when no need',
    }),
    committedCents: z.number().int(),
    spentCents: z.number().int(),
    enrolled: z.number().int(),
    completed: z.number().int(),
    completionPercent: z.number().nullable(),
    costPerTrainedCents: z.number().int().nullable(),
  })
  .meta({ id: 'DashboardRow' });

export const dashboardResponse = z.object({
  campaignId: z.string(),
  territory: z.string(),
  period: z.string().nullable(),
  protected: z.boolean(),
  needsPublished: z.boolean().meta({
    description:
      'false while the survey is open and the caller is not an institution (region, local ' +
      'authority, social partner, operator): every figure derived from needs is then withheld ' +
      "with reason 'unpublished' until the survey closes",
  }),
  closesAt: z.iso.date().meta({ description: "The survey's last day for answers" }),
  k: z.number().int(),
  rows: z.array(row),
  total: row,
  wholeTerritory: row.nullable().meta({
    description:
      "Pacts drawn up for the territory as a whole (a province's pact, its comuni as the rows): " +
      'in the total but in none of the rows, so that rows + wholeTerritory add up to the total. ' +
      'No firms nor needs of its own; null when the rows add up by themselves',
  }),
  series: z.array(
    z.object({
      period: z.string(),
      workersInNeed: published,
      workersCovered: z.number().int(),
      completed: z.number().int(),
    }),
  ),
  regions: z.array(
    z.object({
      territory: z.string(),
      name: z.string(),
      campaignId: z.string(),
      protected: z.boolean(),
      firms: z.number().int(),
      meanReadiness: published,
      needsPerThousandEmployees: published,
    }),
  ),
});
