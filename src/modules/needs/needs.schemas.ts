import { z } from 'zod';
import { TERRITORY_LEVELS } from '../../db/database';
import { labelledChoice, territoryCode } from '../../http/validate';
import { PIVOT_DIMS, type PivotDim } from './protection';

const priority = labelledChoice(['high', 'medium', 'low'], 'needs.priorities');
// The message is the hint a refused query parameter gives (http/query).
const period = z.string().regex(/^20[0-9]{2}-Q[1-4]$/, 'errors.query.reasons.period');

/** The API names the NACE pivot `sector`; the aggregate calls it `section`. */
export const API_BY = ['area', 'skill', 'sector', 'size'] as const;
export const toDim = (by: (typeof API_BY)[number]): PivotDim => (by === 'sector' ? 'section' : by);

export const aggregateQuery = z.strictObject({
  campaignId: z.uuid(),
  territory: territoryCode.optional(),
  level: labelledChoice(TERRITORY_LEVELS, 'reference.levelNames').optional(),
  by: labelledChoice(API_BY, 'needs.byChoices').default('area'),
  priority: priority.optional(),
  period: period.optional(),
});

export const publishedCell = z
  .object({
    territory: z.string(),
    value: z.string().meta({ description: "The dim value; '*' is the territory's total" }),
    firms: z.number().int().optional(),
    workers: z.number().int().optional(),
    suppressed: z.boolean(),
    reason: z.enum(['threshold', 'dominance', 'complement']).optional(),
  })
  .meta({ id: 'NeedsCell' });

/** The page's query: lenient on the optional parts, an empty select meaning "all". */
const blankToUndefined = (v: unknown) => (v === '' || v === '*' ? undefined : v);
export const pageQuery = z.object({
  campaign: z.uuid().optional(),
  territory: territoryCode.optional(),
  by: labelledChoice(PIVOT_DIMS, 'needs.byChoices').default('area'),
  priority: z.preprocess(blankToUndefined, priority.optional()),
  period: z.preprocess(blankToUndefined, period.optional()),
  measure: labelledChoice(['workers', 'firms'], 'needs.measure').default('workers'),
  sort: labelledChoice(['name', 'value'], 'needs.sorts').default('name'),
});
export type PageQuery = z.output<typeof pageQuery>;
