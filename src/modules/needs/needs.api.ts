import { territoryOfQuery } from '../reference/territory-param';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { defineOperation, type ApiOperation } from '../api/operation';
import { aggregateQuery, publishedCell, toDim } from './needs.schemas';
import { needsAggregate } from './needs.service';

export function needsOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'getNeedsAggregate',
      method: 'get',
      path: '/needs/aggregate',
      summary:
        'Needs of a campaign by territory and skill area, skill, sector or size class: firms and ' +
        'workers to train per cell; for every reader but the region, cells that could reveal a ' +
        'firm are suppressed (no numbers)',
      tags: ['needs'],
      access: 'needs:read',
      query: aggregateQuery,
      response: {
        status: 200,
        description: "The territory's own cells (its totals) and those of its rows",
        schema: z.object({
          campaignId: z.string(),
          territory: z.string(),
          protected: z.boolean(),
          k: z.number().int(),
          cells: z.array(publishedCell),
        }),
      },
      errors: [404, 422],
      handler: async ({ req, query }) => {
        if (query.territory) await territoryOfQuery(db, req, query.territory);
        const result = await needsAggregate(db, req.user!, {
          campaignId: query.campaignId,
          territory: query.territory,
          level: query.level,
          by: toDim(query.by),
          priority: query.priority ?? '*',
          period: query.period ?? '*',
        });
        return {
          campaignId: result.campaign.id,
          territory: result.territory,
          protected: result.protected,
          k: result.rules.k,
          cells: result.cells,
        };
      },
    }),
  ];
}
